/**
 * One series (a master with its overrides, or a lone event) → its events in a window (pure).
 */
import { BrokenEvent, CalendarEvent, type ListedEvent, SkippedOccurrences, type TimeWindow } from "../Domain/CalendarEvent.js"
import { peekBlock, type RawBlock } from "./ICalBlocks.js"
import { clip } from "./ICalFields.js"
import type { Fields, Read } from "./ICalRead.js"
import { type Instance, Series, type SeriesEntry } from "./ICalRecurrence.js"
import type { DateWithTimeZone } from "node-ical"

export interface ParseLimits {
  /** Occurrences of one series kept per window (MAX_OCCURRENCES_PER_SERIES); the rest are counted. */
  readonly maxOccurrencesPerSeries: number
}

/** One series under the id it is reported with; `ordinal` is its place in the feed (its first block's). */
export interface Unit {
  readonly uid: string
  readonly ordinal: number
  readonly group: ReadonlyArray<Read>
}

/** An event, its start as an instant (UTC midnight for a date), and its place in the feed's order. */
export interface Timed<E extends ListedEvent = CalendarEvent> {
  readonly event: E
  readonly startMs: number
  readonly ordinal: number
  readonly position: number
}

/** What one series gives: events, the occurrences left out, or the reports of its blocks. */
export interface UnitResult<E extends ListedEvent = CalendarEvent> {
  readonly ordinal: number
  readonly events: ReadonlyArray<Timed<E>>
  readonly skipped?: SkippedOccurrences
  readonly broken?: ReadonlyArray<BrokenEvent>
}

export interface Expansion {
  readonly calendarId: string
  readonly window: TimeWindow
  readonly limits: ParseLimits
  /** The block again, for a report. */
  readonly raw: (read: Read) => RawBlock
}

// Error texts may quote the offending line, and a line may be megabytes long.
const MAX_REASON = 500

export const brokenEvent = (calendarId: string, block: RawBlock, reason: string) => {
  const peek = peekBlock(block)
  return new BrokenEvent({
    calendarId,
    eventId: peek.uid ?? `vevent-${block.index}`,
    summary: peek.summary,
    ...(peek.start !== undefined ? { start: peek.start } : {}),
    reason: clip(reason, MAX_REASON)
  })
}

/** The series' events from its times, or every block reported broken with why they could not be read. */
export const unitResult = (
  unit: Unit,
  found: { readonly entry: SeriesEntry; readonly rdates: ReadonlyArray<DateWithTimeZone> } | { readonly error: string } | undefined,
  at: Expansion
): UnitResult => {
  try {
    if (found === undefined || "error" in found) throw new Error(found?.error ?? "the event could not be read")
    return { ordinal: unit.ordinal, ...seriesEvents(unit, new Series(found.entry, found.rdates), at) }
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return { ordinal: unit.ordinal, events: [], broken: unit.group.map((r) => brokenEvent(at.calendarId, at.raw(r), reason)) }
  }
}

/**
 * The events of one series in the window, cancelled and birthday ones left out. Only the first
 * `maxOccurrencesPerSeries` are kept: a series with hundreds in the window (FREQ=HOURLY, a
 * generated feed) must not flood the cycle with workflows; the rest are counted.
 */
const seriesEvents = (
  unit: Unit,
  series: Series,
  { calendarId, limits, window }: Expansion
): { readonly events: ReadonlyArray<Timed>; readonly skipped?: SkippedOccurrences } => {
  const byBlock = new Map(unit.group.map((r) => [r.range.index, r]))
  const masterBlock = series.masterBlock
  const master = masterBlock === undefined ? undefined : byBlock.get(masterBlock)
  if (master && master.said.cancelled()) return { events: [] }
  const { instances, complete } = series.expand(window)
  const wanted = instances.flatMap((instance) => {
    const read = byBlock.get(instance.block)
    return read && !read.said.cancelled() && !(master ?? read).said.birthday() ? [{ instance, read }] : []
  })
  const max = limits.maxOccurrencesPerSeries
  const cut = wanted.length > max || !complete
  const kept = cut ? [...wanted].sort((a, b) => a.instance.startMs - b.instance.startMs).slice(0, max) : wanted
  const events = kept.map(({ instance, read }, position) => ({
    event: toEvent(calendarId, unit.uid, instance, read.said.fields()),
    startMs: instance.startMs,
    ordinal: unit.ordinal,
    position
  }))
  if (!cut) return { events }
  const named = master ?? unit.group[0]
  return {
    events,
    skipped: new SkippedOccurrences({
      calendarId,
      seriesId: unit.uid,
      summary: named ? named.said.fields().summary : "",
      kept: kept.length,
      skipped: wanted.length - kept.length,
      atLeast: !complete
    })
  }
}

const toEvent = (calendarId: string, uid: string, instance: Instance, fields: Fields) =>
  new CalendarEvent({
    calendarId,
    eventId: instance.occurrence === undefined ? uid : `${uid}_${instance.occurrence}`,
    ...(instance.occurrence === undefined ? {} : { seriesId: uid }),
    ...fields,
    start: instance.start,
    end: instance.end,
    allDay: instance.allDay,
    ...(instance.timeZone === undefined ? {} : { timeZone: instance.timeZone })
  }, true)
