/**
 * The contacts port: who a person is, by e-mail address. Adapter: `Integrations/VCardContacts`.
 */
import { Context, Effect, Option } from "effect"
import { CalendarEvent, Person } from "../Domain/CalendarEvent.js"

export interface Contact {
  readonly email: string
  readonly name: string | undefined
  readonly company: string | undefined
}

export class Contacts extends Context.Tag("Agents/Contacts")<Contacts, {
  /** Case-insensitive on the address. */
  readonly lookup: (email: string) => Effect.Effect<Option.Option<Contact>>
}>() {}

/**
 * Fills the organizer's and attendees' missing name and company from the contacts. What the
 * calendar says is never overwritten.
 */
export const enrichEvent = Effect.fn("Contacts.enrichEvent")(function*(
  contacts: Context.Tag.Service<typeof Contacts>,
  event: CalendarEvent
) {
  const enrich = (person: Person) =>
    person.email === undefined || (person.name !== undefined && person.company !== undefined)
      ? Effect.succeed(person)
      : Effect.map(contacts.lookup(person.email), (found) => {
        if (Option.isNone(found)) return person
        const name = person.name ?? found.value.name
        const company = person.company ?? found.value.company
        return new Person({
          ...person,
          ...(name !== undefined ? { name } : {}),
          ...(company !== undefined ? { company } : {})
        }, true)
      })
  const organizer = event.organizer === undefined ? undefined : yield* enrich(event.organizer)
  const attendees = yield* Effect.forEach(event.attendees, enrich)
  return new CalendarEvent({ ...event, ...(organizer !== undefined ? { organizer } : {}), attendees }, true)
})
