/**
 * iCalendar feed → the events of one window (pure, no I/O).
 *
 * The feed is read block by block from its bytes (ICalScan): no copy of the whole feed is made,
 * and what an event keeps is its own text, not a slice of the feed. A plain block is read here
 * (ICalFastFields, ICalTimes); any other goes the careful way: ical.js validates it and reads its
 * fields (ICalBlocks), and node-ical resolves its time zones (in-file VTIMEZONE, IANA, Windows
 * names) and RRULEs, for its whole series. Both ways give the same answer; the careful one is
 * the reference the other is tested against.
 *
 * The expansion (ICalRecurrence) adds what node-ical's own `expandRecurringEvent` lacks: [from,
 * to) overlap, overrides moved into the window, RDATE, all-day dates that do not move with the host
 * zone, and ids that survive a moved instance.
 */
import { Either } from "effect"
import type ICAL from "ical.js"
import nodeIcal, { type CalendarResponse, type DateWithTimeZone, type VEvent } from "node-ical"
import {
  BrokenEvent,
  type CalendarBatch,
  CalendarEvent,
  SkippedOccurrences,
  type TimeWindow
} from "../Domain/CalendarEvent.js"
import {
  calendarProblem,
  normalizeBlock,
  parsableZones,
  peekBlock,
  type RawBlock,
  splitLine,
  stableId,
  stableIdOf,
  tzidsOf,
  validateBlock
} from "./ICalBlocks.js"
import { noTexts, plainProps, readPlainBlock, type Texts } from "./ICalFastFields.js"
import {
  clip,
  eventFields,
  eventFieldsOf,
  isBirthday,
  isBirthdayOf,
  isCancelled,
  isCancelledOf,
  noPeople,
  type People
} from "./ICalFields.js"
import { utf8 } from "./ICalLines.js"
import { type Instance, Series } from "./ICalRecurrence.js"
import { asBuffer, type BlockRange, latin1Range, rawBlock, scanCalendar } from "./ICalScan.js"
import { type BlockTimes, joinSeries, readTimes } from "./ICalTimes.js"

export interface ParseLimits {
  /** Occurrences of one series kept per window (MAX_OCCURRENCES_PER_SERIES); the rest are counted. */
  readonly maxOccurrencesPerSeries: number
}

const DEFAULT_LIMITS: ParseLimits = { maxOccurrencesPerSeries: 50 }

/** How blocks are read; tests compare the two ways. */
export interface ParseOptions {
  /** false: every block the careful way (ical.js and node-ical), as before there was another. */
  readonly plain?: boolean
}

/** `Left(reason)` when the bytes are not an iCalendar at all; broken single events go to `broken`. */
export const parseCalendar = (
  bytes: Uint8Array,
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits = DEFAULT_LIMITS,
  options: ParseOptions = {}
): Either.Either<CalendarBatch, string> => {
  const problem = calendarProblem(bytes)
  return problem === undefined ? Either.right(parseBytes(bytes, calendarId, window, limits, options)) : Either.left(problem)
}

type Fields = ReturnType<typeof eventFields>

/** What the field rules say of a block. */
interface Said {
  readonly fields: () => Fields
  readonly cancelled: () => boolean
  readonly birthday: () => boolean
}

/** Of a plain block: known at once. */
class Known implements Said {
  constructor(private readonly f: Fields, private readonly c: boolean, private readonly b: boolean) {}
  fields() {
    return this.f
  }
  cancelled() {
    return this.c
  }
  birthday() {
    return this.b
  }
}

/** Of any other: ical.js's component is asked when the answer is needed, as before (a rule may throw on it). */
class Asked implements Said {
  private f: Fields | undefined
  private c: boolean | undefined
  private b: boolean | undefined
  constructor(private readonly component: ICAL.Component, private readonly people: People) {}
  fields() {
    return (this.f ??= eventFields(this.component, this.people))
  }
  cancelled() {
    return (this.c ??= isCancelled(this.component))
  }
  birthday() {
    return (this.b ??= isBirthday(this.component))
  }
}

/** A good block, as much as the rest needs of it, kept until its series is read. */
interface Read {
  readonly range: BlockRange
  readonly override: boolean
  readonly said: Said
  /** Its times when they were read here; otherwise node-ical reads them. */
  readonly times: BlockTimes | undefined
}

/** One series (master and overrides) under the id it is reported with. */
interface Unit {
  readonly uid: string
  readonly group: ReadonlyArray<Read>
}

interface Resolved {
  readonly entry: VEvent
  readonly rdates: ReadonlyArray<DateWithTimeZone>
}

// Error texts may quote the offending line, and a line may be megabytes long.
const MAX_REASON = 500

const parseBytes = (
  input: Uint8Array,
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits,
  options: ParseOptions
): CalendarBatch => {
  const bytes = asBuffer(input)
  const scan = scanCalendar(bytes)
  const timezones = parsableZones(scan.timezones)
  const fileZones = tzidsOf(timezones)
  const broken: Array<BrokenEvent> = []
  const skipped: Array<SkippedOccurrences> = []
  const groups = new Map<string, Array<Read>>()
  const masters = new Map<string, number>()
  const people = noPeople()
  const texts = noTexts()
  const report = (block: RawBlock, reason: string) => {
    const peek = peekBlock(block)
    broken.push(
      new BrokenEvent({
        calendarId,
        eventId: peek.uid ?? `vevent-${block.index}`,
        summary: peek.summary,
        ...(peek.start !== undefined ? { start: peek.start } : {}),
        reason: clip(reason, MAX_REASON)
      })
    )
  }

  for (const range of scan.events) {
    const read = ((options.plain ?? true) ? readPlain(bytes, range, fileZones, window, people, texts) : undefined) ??
      readCarefully(rawBlock(bytes, range), range, people)
    if ("reason" in read) {
      report(read.block, read.reason)
      continue
    }
    let uid = read.baseUid
    if (!read.read.override) {
      // node-ical keeps only one of two masters with one UID; keep both, the second under its own id.
      const n = (masters.get(uid) ?? 0) + 1
      masters.set(uid, n)
      if (n > 1) uid = `${uid}#${n}`
    }
    const group = groups.get(uid) ?? []
    group.push(read.read)
    groups.set(uid, group)
  }

  const units = [...groups].map(([uid, group]): Unit => ({ uid, group }))
  groups.clear()
  const joined = new Map<string, BlockTimes>()
  for (const unit of units) {
    const times = unit.group.every((r) => r.times)
      ? joinSeries(unit.group.flatMap((r) => (r.times ? [{ override: r.override, times: r.times }] : [])))
      : undefined
    if (times) joined.set(unit.uid, times)
  }
  const resolved = resolveAll(units.filter((u) => !joined.has(u.uid)), bytes, timezones, fileZones)

  const events: Array<Timed> = []
  // Taken off the list one by one: what a series was read from can go as soon as its events are made.
  const queue = units.reverse()
  for (let unit = queue.pop(); unit !== undefined; unit = queue.pop()) {
    try {
      const found = joined.get(unit.uid) ?? resolved.get(unit.uid)
      joined.delete(unit.uid)
      if (found === undefined || "error" in found) throw new Error(found?.error ?? "the event could not be read")
      const series = seriesEvents(unit, new Series(found.entry, found.rdates), calendarId, window, limits)
      events.push(...series.events)
      if (series.skipped) skipped.push(series.skipped)
    } catch (e) {
      for (const r of unit.group) report(rawBlock(bytes, r.range), e instanceof Error ? e.message : String(e))
    }
  }
  // What `localeCompare` does, without looking the collator up on every call.
  const collator = new Intl.Collator()
  events.sort((a, b) => a.startMs - b.startMs || collator.compare(a.event.eventId, b.event.eventId))
  const sorted = events.map((e) => e.event)
  return skipped.length > 0 ? { events: sorted, broken, skipped } : { events: sorted, broken }
}

type BlockRead = { readonly baseUid: string; readonly read: Read } | { readonly block: RawBlock; readonly reason: string }

/** A plain block, read without ical.js; undefined when it is not plain. */
const readPlain = (
  bytes: Uint8Array,
  range: BlockRange,
  fileZones: ReadonlySet<string>,
  window: TimeWindow,
  people: People,
  texts: Texts
): BlockRead | undefined => {
  if (!range.complete) return undefined
  const plain = readPlainBlock(latin1Range(bytes, range.start, range.end))
  if (!plain) return undefined
  const first = (name: string) => plain.lines.find((l) => l.name === name)
  const uid = utf8(first("UID")?.value ?? "").trim()
  const props = plainProps(plain, texts)
  const start = first("DTSTART")
  const summary = first("SUMMARY")
  return {
    baseUid: uid.length > 0
      ? uid
      : stableIdOf(start && { params: utf8(start.params), value: utf8(start.value) }, summary && utf8(summary.value)),
    read: {
      range,
      override: plain.lines.some((l) => l.name === "RECURRENCE-ID"),
      said: new Known(eventFieldsOf(props, people), isCancelledOf(props), isBirthdayOf(props)),
      times: readTimes(plain.lines, range.index, fileZones, window)
    }
  }
}

/** Any block, validated and read by ical.js. */
const readCarefully = (block: RawBlock, range: BlockRange, people: People): BlockRead => {
  const checked = validateBlock(block)
  if (Either.isLeft(checked)) return { block, reason: checked.left }
  const component = checked.right
  return {
    baseUid: peekBlock(block).uid ?? stableId(block),
    read: {
      range,
      override: block.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID"),
      said: new Asked(component, people),
      times: undefined
    }
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
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits
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
  const events = kept.map(({ instance, read }) => ({
    event: toEvent(calendarId, unit.uid, instance, read.said.fields()),
    startMs: instance.startMs
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

type Found = Resolved | { readonly error: string }

/**
 * node-ical reads every series it is given in one pass, so the file's VTIMEZONEs are parsed once
 * per feed, not once per event. Should node-ical throw on some series, the units are halved until
 * the one it throws on is found; the others are still read.
 */
const resolveAll = (
  units: ReadonlyArray<Unit>,
  bytes: Uint8Array,
  timezones: ReadonlyArray<string>,
  fileZones: ReadonlySet<string>
): ReadonlyMap<string, Found> => {
  const out = new Map<string, Found>()
  const sources = units.map((unit) => {
    const blocks = unit.group.map((r) => rawBlock(bytes, r.range))
    return {
      uid: unit.uid,
      source: blocks.map((b) => `BEGIN:VEVENT\r\n${normalizeBlock(b, unit.uid, fileZones)}\r\nEND:VEVENT`).join("\r\n"),
      probes: rdateProbes(blocks, unit.uid, fileZones)
    }
  })
  type Source = (typeof sources)[number]
  const go = (part: ReadonlyArray<Source>): void => {
    if (part.length === 0) return
    let parsed: CalendarResponse
    try {
      parsed = nodeIcal.sync.parseICS(wrap([...timezones, ...part.flatMap((u) => [u.source, ...u.probes])].join("\r\n")))
    } catch (e) {
      const [only] = part
      if (only !== undefined && part.length === 1) {
        out.set(only.uid, { error: e instanceof Error ? e.message : String(e) })
        return
      }
      const half = Math.ceil(part.length / 2)
      go(part.slice(0, half))
      go(part.slice(half))
      return
    }
    for (const unit of part) {
      const entry = parsed[unit.uid]
      if (!isVEvent(entry)) {
        out.set(unit.uid, { error: "the event could not be read" })
        continue
      }
      const rdates = unit.probes.flatMap((_, i) => {
        const probe = parsed[probeUid(unit.uid, i)]
        return isVEvent(probe) ? [probe.start] : []
      })
      out.set(unit.uid, { entry, rdates })
    }
  }
  go(sources)
  return out
}

const isVEvent = (entry: CalendarResponse[string]): entry is VEvent => entry?.type === "VEVENT"

const wrap = (body: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lead-insights//parse//EN\r\n${body}\r\nEND:VCALENDAR\r\n`

/** An event and its start as an instant (UTC midnight for a date): the order of the batch. */
interface Timed {
  readonly event: CalendarEvent
  readonly startMs: number
}

const toEvent = (calendarId: string, uid: string, instance: Instance, fields: Fields) =>
  new CalendarEvent({
    calendarId,
    eventId: instance.occurrence === undefined ? uid : `${uid}_${instance.occurrence}`,
    ...(instance.occurrence === undefined ? {} : { seriesId: uid }),
    ...fields,
    start: instance.start,
    end: instance.end,
    allDay: instance.allDay
  }, true)

/**
 * RDATE values are resolved to instants by node-ical itself (so TZIDs mean the same as in
 * DTSTART): each value becomes the DTSTART of a throw-away event read in the same pass.
 */
const probeUid = (uid: string, i: number) => `${uid}#rdate-${i}`

const rdateProbes = (group: ReadonlyArray<RawBlock>, uid: string, fileZones: ReadonlySet<string>): ReadonlyArray<string> => {
  const master = group.find((b) => !b.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID"))
  if (!master) return []
  const lines = normalizeBlock(master, uid, fileZones).split("\r\n").map(splitLine)
  const values = lines.flatMap((l) =>
    l?.name === "RDATE"
      ? l.value.split(",").map((v) => ({ params: l.params.replace(/;VALUE=PERIOD/i, ""), value: v.split("/")[0] ?? "" }))
      : []
  )
  return values.map((v, i) => `BEGIN:VEVENT\r\nUID:${probeUid(uid, i)}\r\nDTSTART${v.params}:${v.value}\r\nEND:VEVENT`)
}
