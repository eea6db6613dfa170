/**
 * The embedded default: everything on this machine. The example iCalendar file (or ICAL_URL),
 * contacts from a vCard file, the local CRM (SQLite, seeded from a CSV), mail as files in
 * outbox/ and inbox/, durable workflows on SQLite under LOG_STORAGE_DIR.
 */
import { Layer } from "effect"
import { ICalFeedLive } from "../src/Integrations/ICalFeed.js"
import { LocalCrmLive } from "../src/Integrations/LocalCrm.js"
import { MailDirInboxLive, MailDirMailerLive } from "../src/Integrations/MailDir.js"
import { VCardContactsLive } from "../src/Integrations/VCardContacts.js"
import { SqlEventLedgerLive } from "../src/Storage/SqlEventLedger.js"
import { makeApp } from "./App.js"
import { SqliteEngineLive } from "./Engine.js"

export const EmbeddedAdapters = Layer.mergeAll(
  ICalFeedLive,
  VCardContactsLive,
  SqlEventLedgerLive,
  LocalCrmLive,
  MailDirMailerLive,
  MailDirInboxLive
)

export const EmbeddedLive = makeApp(EmbeddedAdapters, SqliteEngineLive)
