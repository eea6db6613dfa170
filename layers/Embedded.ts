/**
 * The embedded default: everything on this machine. The example iCalendar file (or ICAL_URL),
 * contacts from a vCard file, the event ledger as a file under LOG_STORAGE_DIR.
 */
import { Layer } from "effect"
import { ICalFeedLive } from "../src/Integrations/ICalFeed.js"
import { VCardContactsLive } from "../src/Integrations/VCardContacts.js"
import { FileEventLedgerLive } from "../src/Storage/FileEventLedger.js"
import { makeApp } from "./App.js"

export const EmbeddedAdapters = Layer.mergeAll(ICalFeedLive, VCardContactsLive, FileEventLedgerLive)

export const EmbeddedLive = makeApp(EmbeddedAdapters)
