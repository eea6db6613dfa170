/**
 * Doubles for every integration, for tests and for apps that embed Lead Insights:
 * a calendar whose events the test sets, contacts from a list, an in-memory event ledger.
 * The run history stays real (on whatever LOG_STORAGE_DIR the config names; tests use a temp dir).
 */
import { Context, Effect, Layer, Option, Ref } from "effect"
import { CalendarError, CalendarFeed } from "../src/Agents/CalendarFeed.js"
import { type Contact, Contacts } from "../src/Agents/Contacts.js"
import { EventLedger, type LedgerEntry } from "../src/Agents/EventLedger.js"
import type { CalendarBatch, CalendarEvent } from "../src/Domain/CalendarEvent.js"
import { makeApp } from "./App.js"

/** What the test calendar returns next: a batch, or a failure of the whole feed. */
export class TestCalendar extends Context.Tag("Test/TestCalendar")<TestCalendar, {
  readonly set: (next: CalendarBatch | CalendarError) => Effect.Effect<void>
  readonly setEvents: (events: ReadonlyArray<CalendarEvent>) => Effect.Effect<void>
  /** How many times the feed was read. */
  readonly reads: Effect.Effect<number>
}>() {}

export const TEST_CALENDAR_ID = "test:calendar"

export const TestCalendarLive = (initial: ReadonlyArray<CalendarEvent> = []) =>
  Layer.effectContext(Effect.gen(function*() {
    const next = yield* Ref.make<CalendarBatch | CalendarError>({ events: initial, broken: [] })
    const reads = yield* Ref.make(0)
    const feed = CalendarFeed.of({
      calendarId: TEST_CALENDAR_ID,
      fetch: (window) =>
        Ref.update(reads, (n) => n + 1).pipe(
          Effect.zipRight(Ref.get(next)),
          Effect.flatMap((batch) =>
            batch instanceof CalendarError ? Effect.fail(batch) : Effect.succeed({
              events: batch.events.filter((e) => {
                const start = Date.parse(e.start)
                const end = e.end === undefined ? start : Date.parse(e.end)
                return end >= window.from.getTime() && start < window.to.getTime()
              }),
              broken: batch.broken
            })
          )
        )
    })
    return Context.make(CalendarFeed, feed).pipe(Context.add(TestCalendar, {
      set: (batch) => Ref.set(next, batch),
      setEvents: (events) => Ref.set(next, { events, broken: [] }),
      reads: Ref.get(reads)
    }))
  }))

export const TestContactsLive = (contacts: ReadonlyArray<Contact> = []) =>
  Layer.succeed(
    Contacts,
    Contacts.of({
      lookup: (email) =>
        Effect.succeed(Option.fromNullable(contacts.find((c) => c.email.toLowerCase() === email.toLowerCase())))
    })
  )

export const InMemoryLedgerLive = Layer.sync(EventLedger, () => {
  const entries = new Map<string, LedgerEntry>()
  const key = (c: string, e: string) => `${c}\u0000${e}`
  return EventLedger.of({
    lookup: (c, e) => Effect.sync(() => Option.fromNullable(entries.get(key(c, e)))),
    record: (c, e, entry) => Effect.sync(() => void entries.set(key(c, e), entry))
  })
})

export const TestAdapters = (options: {
  readonly events?: ReadonlyArray<CalendarEvent>
  readonly contacts?: ReadonlyArray<Contact>
} = {}) => Layer.mergeAll(TestCalendarLive(options.events), TestContactsLive(options.contacts), InMemoryLedgerLive)

/** The whole application on doubles. Still needs AppConfig and a FileSystem (for the run history). */
export const TestApp = (options: Parameters<typeof TestAdapters>[0] = {}) => makeApp(TestAdapters(options))
