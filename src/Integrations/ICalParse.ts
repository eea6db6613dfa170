/**
 * iCalendar feed → the events of one window (pure, no I/O).
 *
 * Blocks are cut and validated here (ICalBlocks); node-ical then resolves time zones (in-file
 * VTIMEZONE, IANA, Windows names) and RRULEs, and the expansion below adds what node-ical's own
 * `expandRecurringEvent` lacks: [from, to) overlap, overrides moved into the window, RDATE,
 * all-day dates that do not move with the host zone, and ids that survive a moved instance.
 */
import { Either } from "effect"
import ICAL from "ical.js"
import nodeIcal, { type CalendarResponse, type DateWithTimeZone, type VEvent } from "node-ical"
import {
  BrokenEvent,
  type CalendarBatch,
  CalendarEvent,
  SkippedOccurrences,
  type TimeWindow
} from "../Domain/CalendarEvent.js"
import {
  decodeCalendar,
  normalizeBlock,
  peekBlock,
  type RawBlock,
  splitComponents,
  splitLine,
  stableId,
  tzidsOf,
  validateBlock
} from "./ICalBlocks.js"
import { clip, eventFields, isBirthday, isCancelled } from "./ICalFields.js"
import { type Instance, Series } from "./ICalRecurrence.js"

export interface ParseLimits {
  /** Occurrences of one series kept per window (MAX_OCCURRENCES_PER_SERIES); the rest are counted. */
  readonly maxOccurrencesPerSeries: number
}

const DEFAULT_LIMITS: ParseLimits = { maxOccurrencesPerSeries: 50 }

/** `Left(reason)` when the bytes are not an iCalendar at all; broken single events go to `broken`. */
export const parseCalendar = (
  bytes: Uint8Array,
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits = DEFAULT_LIMITS
): Either.Either<CalendarBatch, string> =>
  Either.map(decodeCalendar(bytes), (text) => parseText(text, calendarId, window, limits))

interface Good {
  readonly block: RawBlock
  readonly uid: string
  readonly component: ICAL.Component
}

/** One series (master and overrides) as node-ical reads it, with its RDATE probes. */
interface Unit {
  readonly uid: string
  readonly group: ReadonlyArray<Good>
  readonly source: string
  readonly probes: ReadonlyArray<string>
}

interface Read {
  readonly entry: VEvent
  readonly rdates: ReadonlyArray<DateWithTimeZone>
}

type Resolved = Read | { readonly error: string }

// Error texts may quote the offending line, and a line may be megabytes long.
const MAX_REASON = 500

const parseText = (text: string, calendarId: string, window: TimeWindow, limits: ParseLimits): CalendarBatch => {
  const { events: blocks, timezones } = splitComponents(text)
  const fileZones = tzidsOf(timezones)
  const broken: Array<BrokenEvent> = []
  const skipped: Array<SkippedOccurrences> = []
  const groups = new Map<string, Array<Good>>()
  const masters = new Map<string, number>()
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

  for (const block of blocks) {
    const checked = validateBlock(block)
    if (Either.isLeft(checked)) {
      report(block, checked.left)
      continue
    }
    const component = checked.right
    const base = peekBlock(block).uid ?? stableId(block)
    let uid = base
    if (!block.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID")) {
      // node-ical keeps only one of two masters with one UID; keep both, the second under its own id.
      const n = (masters.get(base) ?? 0) + 1
      masters.set(base, n)
      if (n > 1) uid = `${base}#${n}`
    }
    const group = groups.get(uid) ?? []
    group.push({ block, uid, component })
    groups.set(uid, group)
  }

  const units = [...groups].map(([uid, group]): Unit => ({
    uid,
    group,
    source: group.map((g) => `BEGIN:VEVENT\r\n${normalizeBlock(g.block, uid, fileZones)}\r\nEND:VEVENT`).join("\r\n"),
    probes: rdateProbes(group, uid, fileZones)
  }))
  const resolved = resolveAll(units, timezones)

  const events: Array<CalendarEvent> = []
  for (const unit of units) {
    try {
      const found = resolved.get(unit.uid)
      if (found === undefined || "error" in found) throw new Error(found?.error ?? "the event could not be read")
      const series = seriesEvents(unit, found, calendarId, window, limits)
      events.push(...series.events)
      if (series.skipped) skipped.push(series.skipped)
    } catch (e) {
      for (const g of unit.group) report(g.block, e instanceof Error ? e.message : String(e))
    }
  }
  events.sort((a, b) => startMs(a) - startMs(b) || a.eventId.localeCompare(b.eventId))
  return skipped.length > 0 ? { events, broken, skipped } : { events, broken }
}

/**
 * The events of one series in the window, cancelled and birthday ones left out. Only the first
 * `maxOccurrencesPerSeries` are kept: a series with hundreds in the window (FREQ=HOURLY, a
 * generated feed) must not flood the cycle with workflows; the rest are counted.
 */
const seriesEvents = (
  unit: Unit,
  found: Read,
  calendarId: string,
  window: TimeWindow,
  limits: ParseLimits
): { readonly events: ReadonlyArray<CalendarEvent>; readonly skipped?: SkippedOccurrences } => {
  const components = new Map(unit.group.map((g) => [g.block.index, g.component]))
  const series = new Series(found.entry, components, found.rdates)
  const master = series.masterComponent
  if (master && isCancelled(master)) return { events: [] }
  const { instances, complete } = series.expand(window)
  const wanted = instances.flatMap((instance) => {
    const component = components.get(instance.block)
    return component && !isCancelled(component) && !isBirthday(master ?? component) ? [{ instance, component }] : []
  })
  const max = limits.maxOccurrencesPerSeries
  const cut = wanted.length > max || !complete
  const kept = cut ? [...wanted].sort((a, b) => startMs(a.instance) - startMs(b.instance)).slice(0, max) : wanted
  const events = kept.map(({ component, instance }) => toEvent(calendarId, unit.uid, instance, component))
  if (!cut) return { events }
  const named = master ?? unit.group[0]?.component
  return {
    events,
    skipped: new SkippedOccurrences({
      calendarId,
      seriesId: unit.uid,
      summary: named ? eventFields(named).summary : "",
      kept: kept.length,
      skipped: wanted.length - kept.length,
      atLeast: !complete
    })
  }
}

/**
 * node-ical reads every series in one pass, so the file's VTIMEZONEs are parsed once per feed, not
 * once per event. Should node-ical throw on some series, the units are halved until the one it
 * throws on is found; the others are still read.
 */
const resolveAll = (units: ReadonlyArray<Unit>, timezones: ReadonlyArray<string>): ReadonlyMap<string, Resolved> => {
  const out = new Map<string, Resolved>()
  const go = (part: ReadonlyArray<Unit>): void => {
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
  go(units)
  return out
}

const isVEvent = (entry: CalendarResponse[string]): entry is VEvent => entry?.type === "VEVENT"

const wrap = (body: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lead-insights//parse//EN\r\n${body}\r\nEND:VCALENDAR\r\n`

const startMs = (e: { readonly allDay: boolean; readonly start: string }) =>
  Date.parse(e.allDay ? `${e.start}T00:00:00Z` : e.start)

const toEvent = (calendarId: string, uid: string, instance: Instance, component: ICAL.Component) =>
  new CalendarEvent({
    calendarId,
    eventId: instance.occurrence === undefined ? uid : `${uid}_${instance.occurrence}`,
    ...(instance.occurrence === undefined ? {} : { seriesId: uid }),
    ...eventFields(component),
    start: instance.start,
    end: instance.end,
    allDay: instance.allDay
  }, true)

/**
 * RDATE values are resolved to instants by node-ical itself (so TZIDs mean the same as in
 * DTSTART): each value becomes the DTSTART of a throw-away event read in the same pass.
 */
const probeUid = (uid: string, i: number) => `${uid}#rdate-${i}`

const rdateProbes = (group: ReadonlyArray<Good>, uid: string, fileZones: ReadonlySet<string>): ReadonlyArray<string> => {
  const master = group.find((g) => !g.block.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID"))
  if (!master) return []
  const lines = normalizeBlock(master.block, uid, fileZones).split("\r\n").map(splitLine)
  const values = lines.flatMap((l) =>
    l?.name === "RDATE"
      ? l.value.split(",").map((v) => ({ params: l.params.replace(/;VALUE=PERIOD/i, ""), value: v.split("/")[0] ?? "" }))
      : []
  )
  return values.map((v, i) => `BEGIN:VEVENT\r\nUID:${probeUid(uid, i)}\r\nDTSTART${v.params}:${v.value}\r\nEND:VEVENT`)
}
