/**
 * The ledger as one cycle sees it: the entries of a chunk of events read in one query, and the
 * decisions that need no durability of their own (no trigger, an unusable domain, the status a
 * workflow reached) written together when the chunk is done. What links an event to its workflow
 * is written at once, so a crash right after a workflow started still finds it.
 */
import { Effect, Option } from "effect"
import type { EventLedger, LedgerEntry } from "./Agents/EventLedger.js"

export interface CycleLedger {
  readonly get: (calendarId: string, eventId: string) => Option.Option<LedgerEntry>
  /** `durable`: written now; otherwise with the rest of the chunk (a lost one is decided again next cycle). */
  readonly record: (calendarId: string, eventId: string, entry: LedgerEntry, durable: boolean) => Effect.Effect<void>
  readonly flush: Effect.Effect<void>
}

const keyOf = (calendarId: string, eventId: string) => `${calendarId}\u0000${eventId}`

export const readChunk = (
  ledger: EventLedger["Type"],
  events: ReadonlyArray<{ readonly calendarId: string; readonly eventId: string }>
): Effect.Effect<CycleLedger> =>
  Effect.gen(function*() {
    const byCalendar = new Map<string, Array<string>>()
    for (const e of events) {
      const ids = byCalendar.get(e.calendarId)
      if (ids === undefined) byCalendar.set(e.calendarId, [e.eventId])
      else ids.push(e.eventId)
    }
    const known = new Map<string, LedgerEntry>()
    for (const [calendarId, ids] of byCalendar) {
      for (const [eventId, entry] of yield* ledger.lookupMany(calendarId, ids)) known.set(keyOf(calendarId, eventId), entry)
    }
    let pending = new Map<string, Array<readonly [string, LedgerEntry]>>()

    return {
      get: (calendarId, eventId) => Option.fromNullable(known.get(keyOf(calendarId, eventId))),
      record: (calendarId, eventId, entry, durable) =>
        Effect.suspend(() => {
          known.set(keyOf(calendarId, eventId), entry)
          if (durable) return ledger.record(calendarId, eventId, entry)
          const list = pending.get(calendarId)
          if (list === undefined) pending.set(calendarId, [[eventId, entry]])
          else list.push([eventId, entry])
          return Effect.void
        }),
      flush: Effect.suspend(() => {
        const writes = pending
        pending = new Map()
        return Effect.forEach(writes, ([calendarId, entries]) => ledger.recordMany(calendarId, entries), { discard: true })
      })
    }
  })
