/**
 * The contacts port: who a person is, by e-mail address. Adapters: `Integrations/VCardContacts`,
 * `Integrations/Google/People` (Google contacts and directory, the vCard file behind them).
 */
import { Context, Effect, Option } from "effect"
import { CalendarEvent, Person } from "../Domain/CalendarEvent.js"

export interface Contact {
  readonly email: string
  readonly name: string | undefined
  readonly company: string | undefined
  /** The person's job title, when the source knows it (Google's directory does, a vCard may). */
  readonly title?: string | undefined
}

export class Contacts extends Context.Tag("Agents/Contacts")<Contacts, {
  /** Case-insensitive on the address. */
  readonly lookup: (email: string) => Effect.Effect<Option.Option<Contact>>
}>() {}

const needsLookup = (person: Person) =>
  person.email !== undefined && (person.name === undefined || person.company === undefined)

const enrichPerson = (contacts: Context.Tag.Service<typeof Contacts>, person: Person): Effect.Effect<Person> => {
  const { company, email, name, title } = person
  // Asked only for a missing name or company; a title the contacts know comes along then.
  if (email === undefined || (name !== undefined && company !== undefined)) return Effect.succeed(person)
  return Effect.map(contacts.lookup(email), (found) => {
    if (Option.isNone(found)) return person
    const filledName = name ?? found.value.name
    const filledCompany = company ?? found.value.company
    const filledTitle = title ?? found.value.title
    if (filledName === name && filledCompany === company && filledTitle === title) return person
    return new Person({
      email,
      ...(filledName !== undefined ? { name: filledName } : {}),
      ...(filledCompany !== undefined ? { company: filledCompany } : {}),
      ...(filledTitle !== undefined ? { title: filledTitle } : {})
    }, true)
  })
}

/**
 * Fills the organizer's and attendees' missing name and company from the contacts. What the
 * calendar says is never overwritten. Run for every event of every cycle, so without a span of
 * its own (the event's span covers it), and an event nobody is added to is returned as it is.
 */
export const enrichEvent = (
  contacts: Context.Tag.Service<typeof Contacts>,
  event: CalendarEvent
): Effect.Effect<CalendarEvent> => {
  const { organizer } = event
  // Asked in the calendar's order: the organizer, then the attendees.
  const people = organizer === undefined ? event.attendees : [organizer, ...event.attendees]
  if (!people.some(needsLookup)) return Effect.succeed(event)
  return Effect.map(Effect.forEach(people, (person) => enrichPerson(contacts, person)), (enriched) => {
    if (enriched.every((person, i) => person === people[i])) return event
    const attendees = organizer === undefined ? enriched : enriched.slice(1)
    const first = enriched[0]
    return new CalendarEvent({
      ...event,
      ...(organizer !== undefined && first !== undefined ? { organizer: first } : {}),
      attendees
    }, true)
  })
}
