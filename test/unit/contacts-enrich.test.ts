/** enrichEvent's shortcuts: nobody to ask about, or nothing learnt, leaves the event as it is. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { type Contact, Contacts, enrichEvent } from "../../src/Agents/Contacts.js"
import { Person } from "../../src/Domain/CalendarEvent.js"
import { makeEvent, person } from "../fixtures/events.js"

const asked: Array<string> = []
const book = new Map<string, Contact>([
  ["anna@acme.io", { email: "anna@acme.io", name: "Anna", company: "Acme" }],
  ["nameless@acme.io", { email: "nameless@acme.io", name: undefined, company: undefined }]
])
const contacts = Contacts.of({
  lookup: (email) =>
    Effect.sync(() => {
      asked.push(email)
      return Option.fromNullable(book.get(email))
    })
})

describe("enrichEvent", () => {
  it.effect("asks nothing and returns the event when everyone's name and company are known", () =>
    Effect.gen(function*() {
      asked.length = 0
      const event = makeEvent({
        organizer: person("me@ourco.de", { name: "Me", company: "OurCo" }),
        attendees: [person("anna@acme.io", { name: "A.", company: "Acme Inc." }), new Person({ name: "Room" })]
      })
      expect(yield* enrichEvent(contacts, event)).toBe(event)
      expect(asked).toEqual([])
    }))

  it.effect("returns the event when the contacts add nothing", () =>
    Effect.gen(function*() {
      asked.length = 0
      const event = makeEvent({ attendees: [person("nameless@acme.io"), person("stranger@else.de")] })
      expect(yield* enrichEvent(contacts, event)).toBe(event)
      expect(asked).toEqual(["nameless@acme.io", "stranger@else.de"])
    }))

  it.effect("asks about the organizer first, then the attendees, and fills only what is missing", () =>
    Effect.gen(function*() {
      asked.length = 0
      const event = makeEvent({
        organizer: person("nameless@acme.io"),
        attendees: [person("anna@acme.io", { name: "Anna Schmidt" }), person("x@y.de", { name: "X", company: "Y" })]
      })
      const out = yield* enrichEvent(contacts, event)
      expect(asked).toEqual(["nameless@acme.io", "anna@acme.io"])
      expect(out.organizer).toBe(event.organizer)
      expect(out.attendees.map((p) => ({ ...p }))).toEqual([
        { email: "anna@acme.io", name: "Anna Schmidt", company: "Acme" },
        { email: "x@y.de", name: "X", company: "Y" }
      ])
      expect(out.summary).toBe(event.summary)
    }))
})
