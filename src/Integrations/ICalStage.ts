/**
 * iCalendar feed → the events of one window (pure, no I/O), in two stages: everything but the
 * series only node-ical can read, then those (ICalParse joins the two; the feed loads node-ical
 * only for a feed that has such series — it and its Temporal polyfills are ~8 MB of memory).
 *
 * The feed is walked block by block from its bytes (ICalScan): no copy of the whole feed is made,
 * and an event keeps its own strings, not slices of the feed. A plain block (ICalRead) is read
 * here, and a series of one plain block is turned into its events at once, so that what was read
 * of it can go: they are listed deferred (ICalDeferred), and built again when they are taken. A
 * block with a RECURRENCE-ID found later takes its series back to be joined.
 * Series with overrides, and those that are not plain, are read at the end, the latter by node-ical
 * (ICalResolve) in one pass and handed to `finish`. Both ways give the same batch; the careful one
 * (`plain: false`) is the reference the other is tested against.
 *
 * The expansion (ICalRecurrence) adds what node-ical's own `expandRecurringEvent` lacks: [from,
 * to) overlap, overrides moved into the window, RDATE, all-day dates that do not move with the host
 * zone, and ids that survive a moved instance.
 */
import { Either } from "effect"
import type { BrokenEvent, ListedBatch, ListedEvent, SkippedOccurrences, TimeWindow } from "../Domain/CalendarEvent.js"
import { calendarProblem, parsableZones, tzidsOf } from "./ICalBlocks.js"
import { type BlockSource, deferring, inMemory } from "./ICalDeferred.js"
import { noTexts } from "./ICalFastFields.js"
import { noPeople } from "./ICalFields.js"
import { type Read, readBlock, type Reader } from "./ICalRead.js"
import type { Resolved, Source } from "./ICalResolve.js"
import { asBuffer, type BlockRange, rawBlock, scanCalendar } from "./ICalScan.js"
import { brokenEvent, type Expansion, type ParseLimits, type Timed, type Unit, type UnitResult, unitResult } from "./ICalSeries.js"
import { joinSeries } from "./ICalTimes.js"

export type { ParseLimits } from "./ICalSeries.js"

const DEFAULT_LIMITS: ParseLimits = { maxOccurrencesPerSeries: 50 }

/** How blocks are read; tests compare the two ways. */
export interface ParseOptions {
  /** false: every block the careful way (ical.js and node-ical), as before there was another. */
  readonly plain?: boolean
  /**
   * false: the events of plain series are built at once (`parseCalendar`: a caller that takes
   * them all, in the batch's order). By default they are deferred (ICalDeferred).
   */
  readonly defer?: boolean
}

/** A feed read but for the series node-ical has to read: `finish` takes what it made of them. */
export interface Staged {
  /** The series for node-ical (`resolveAll`), often none. */
  readonly unresolved: ReadonlyArray<Source>
  readonly timezones: ReadonlyArray<string>
  readonly fileZones: ReadonlySet<string>
  /**
   * The batch. Its plain events are deferred: read again from the feed's bytes when taken, or from
   * `blocks` (the same bytes elsewhere: then the batch does not keep the feed's).
   */
  readonly finish: (resolved: ReadonlyMap<string, Resolved>, blocks?: BlockSource) => ListedBatch
}

/** `Left(reason)` when the bytes are not an iCalendar at all; broken single events go to `broken`. */
export const stageCalendar = (
  bytes: Uint8Array,
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits = DEFAULT_LIMITS,
  options: ParseOptions = {}
): Either.Either<Staged, string> => {
  const problem = calendarProblem(bytes)
  return problem === undefined ? Either.right(parseBytes(bytes, calendarId, window, limits, options)) : Either.left(problem)
}

/** A series already turned into (deferred) events: where its master is, should an override come after all. */
interface Early {
  readonly ordinal: number
  readonly range: BlockRange
  readonly slot: number
}

/**
 * Made apart from parseBytes: a closure made in it would keep all it holds alive (its batch, while
 * it is being built) for as long as a deferred event may be read (ICalDeferred), the whole cycle.
 */
const expansion = (bytes: Buffer, calendarId: string, window: TimeWindow, limits: ParseLimits): Expansion => ({
  calendarId,
  window,
  limits,
  raw: (read) => rawBlock(bytes, read.range)
})

const parseBytes = (
  input: Uint8Array,
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits,
  options: ParseOptions
): Staged => {
  const bytes = asBuffer(input)
  const scan = scanCalendar(bytes)
  const timezones = parsableZones(scan.timezones)
  const fileZones = tzidsOf(timezones)
  const reader: Reader = { bytes, fileZones, window, people: noPeople(), texts: noTexts(), plain: options.plain ?? true }
  const at = expansion(bytes, calendarId, window, limits)
  /** Blocks that cannot be read, in file order: reported before any series. */
  const unreadable: Array<BrokenEvent> = []
  const deferred = options.defer === false ? undefined : deferring(reader, at, inMemory(bytes))
  const results: Array<UnitResult<ListedEvent> | undefined> = []
  const early = new Map<string, Early>()
  const later = new Map<string, Unit & { readonly group: Array<Read> }>()
  const masters = new Map<string, number>()

  for (const range of scan.events) {
    const read = readBlock(reader, range)
    if ("reason" in read) {
      unreadable.push(brokenEvent(calendarId, read.block, read.reason))
      continue
    }
    let uid = read.baseUid
    if (!read.read.override) {
      // node-ical keeps only one of two masters with one UID; keep both, the second under its own id.
      const n = (masters.get(uid) ?? 0) + 1
      masters.set(uid, n)
      if (n > 1) uid = `${uid}#${n}`
    }
    const done = early.get(uid)
    const waiting = later.get(uid)
    if (done) {
      // An override of a series already read: its events are dropped, it is read again with it.
      early.delete(uid)
      results[done.slot] = undefined
      const master = readBlock(reader, done.range)
      const group = "read" in master ? [master.read, read.read] : [read.read]
      later.set(uid, { uid, ordinal: done.ordinal, group })
    } else if (waiting) waiting.group.push(read.read)
    else if (!read.read.override && read.read.times) {
      early.set(uid, { ordinal: range.index, range, slot: results.length })
      const result = unitResult({ uid, ordinal: range.index, group: [read.read] }, read.read.times, at)
      results.push(deferred === undefined ? result : deferred.defer(range, result))
    } else later.set(uid, { uid, ordinal: range.index, group: [read.read] })
  }
  early.clear()
  // Series with overrides are joined here; those node-ical reads wait for `finish`, all in one pass.
  const units: ReadonlyArray<Unit> = [...later.values()].sort((a, b) => a.ordinal - b.ordinal)
  const joined = new Map(units.flatMap((unit) => {
    const times = unit.group.every((r) => r.times)
      ? joinSeries(unit.group.flatMap((r) => (r.times ? [{ override: r.override, times: r.times }] : [])))
      : undefined
    return times ? [[unit.uid, times] as const] : []
  }))
  const unresolved = units.filter((u) => !joined.has(u.uid)).map((u) => ({
    uid: u.uid,
    blocks: u.group.map((r) => rawBlock(bytes, r.range))
  }))
  return {
    unresolved,
    timezones,
    fileZones,
    finish: (resolved, blocks) => {
      if (blocks !== undefined) deferred?.readFrom(blocks)
      const read = units.map((unit) => unitResult(unit, joined.get(unit.uid) ?? resolved.get(unit.uid), at))
      return batchOf(unreadable, [...results, ...read])
    }
  }
}

/**
 * The batch in the order it always had: events by start and id, then as the feed has them (series
 * by their first block, occurrences in order); unreadable blocks, then broken series, in feed order.
 */
const batchOf = (
  unreadable: ReadonlyArray<BrokenEvent>,
  all: ReadonlyArray<UnitResult<ListedEvent> | undefined>
): ListedBatch => {
  const results = all.flatMap((r) => r ?? []).sort((a, b) => a.ordinal - b.ordinal)
  const events: Array<Timed<ListedEvent>> = results.flatMap((r) => r.events)
  events.sort((a, b) =>
    a.startMs - b.startMs || a.event.eventId.localeCompare(b.event.eventId) || a.ordinal - b.ordinal ||
    a.position - b.position
  )
  const broken = [...unreadable, ...results.flatMap((r) => r.broken ?? [])]
  const skipped: ReadonlyArray<SkippedOccurrences> = results.flatMap((r) => (r.skipped ? [r.skipped] : []))
  const sorted = events.map((e) => e.event)
  return skipped.length > 0 ? { events: sorted, broken, skipped } : { events: sorted, broken }
}
