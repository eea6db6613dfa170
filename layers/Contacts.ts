/**
 * Contacts as configured: with CALENDAR_PROVIDER=google, Google's contacts and directory (then
 * VCARD_FILE when set); otherwise a vCard file (VCARD_FILE, the example's by default).
 */
import { Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { GooglePeopleLive } from "../src/Integrations/Google/Live.js"
import { VCardContactsLive } from "../src/Integrations/VCardContacts.js"

export const ContactsFromConfig = Layer.unwrapEffect(Effect.map(AppConfig, (config) =>
  config.calendarProvider === "google" ? GooglePeopleLive : VCardContactsLive))
