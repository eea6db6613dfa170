/**
 * Google Workspace wired from the environment (GoogleConfig): the calendar and the contacts share
 * one sign-in (its token cache) and one proxy-aware HTTP client, built once for both.
 */
import { Effect, Layer, Option } from "effect"
import { Contacts } from "../../Agents/Contacts.js"
import { make as makeVCardContacts } from "../VCardContacts.js"
import * as Auth from "./Auth.js"
import * as Calendar from "./Calendar.js"
import { googleConfig } from "./GoogleConfig.js"
import { GoogleHttpClient } from "./Http.js"
import * as People from "./People.js"

export const GoogleAuthLive = Layer.unwrapEffect(Effect.map(googleConfig, Auth.layer)).pipe(
  Layer.provide(GoogleHttpClient)
)

/** The calendars of GOOGLE_CALENDAR_ID, synced into the workflow database. */
export const GoogleCalendarLive = Layer.unwrapEffect(Effect.map(googleConfig, Calendar.layer)).pipe(
  Layer.provide(Layer.merge(GoogleAuthLive, GoogleHttpClient))
)

const nobody = Contacts.of({ lookup: () => Effect.succeed(Option.none()) })

/** Google's contacts and directory (unless GOOGLE_CONTACTS=false), then VCARD_FILE when it is set. */
export const GooglePeopleLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* googleConfig
  const vcard = Option.isSome(config.vcardFile) ? Option.some(yield* makeVCardContacts) : Option.none()
  const fallbackName = Option.match(config.vcardFile, { onNone: () => "nothing else (VCARD_FILE not set)", onSome: (f) => f })
  if (!config.contacts) return Layer.succeed(Contacts, Option.getOrElse(vcard, () => nobody))
  return People.layer(config, vcard, fallbackName)
})).pipe(
  Layer.provide(Layer.merge(GoogleAuthLive, GoogleHttpClient))
)
