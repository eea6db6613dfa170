/** `doctor`'s contacts line: the vCard file, or with CALENDAR_PROVIDER=google what Google's People API lets the account read. */
import { Effect, Layer } from "effect"
import { Contacts } from "../Agents/Contacts.js"
import { probeGoogleContacts } from "../Integrations/Google/Probe.js"
import { VCardContactsLive } from "../Integrations/VCardContacts.js"
import type { Probe, ProbeContext } from "./Probe.js"

export const contactsProbes = ({ config, env }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "contacts",
  check: config.calendarProvider === "google"
    ? probeGoogleContacts.pipe(Effect.provide(env))
    : Effect.gen(function*() {
      yield* Contacts
      return config.vcardFile
    }).pipe(Effect.provide(VCardContactsLive.pipe(Layer.provide(env))))
}]
