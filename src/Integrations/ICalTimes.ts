/**
 * The times of a plain VEVENT block as node-ical reads them (pure), for blocks that need no zone
 * data: UTC times, floating times and zones nobody can resolve (read as UTC, as normalizeBlock has
 * node-ical read them), and all-day dates; with a rule ICalRule expands.
 *
 * The Date objects are made as node-ical makes them (all-day dates as local midnights marked
 * `dateOnly`, an EXDATE's UTC times tagged "Etc/UTC"), so that ICalRecurrence treats them alike.
 * A block with anything else (a zone node-ical resolves, another rule, an unusual property) is
 * left to node-ical, with every block of its series.
 */
import type { DateWithTimeZone } from "node-ical"
import type { TimeWindow } from "../Domain/CalendarEvent.js"
import { isUtcStamp, TIME_PROPS, utcLine, utcUntil } from "./ICalBlocks.js"
import type { FastLine } from "./ICalLines.js"
import { ruleBounds, type SeriesEntry } from "./ICalRecurrence.js"
import { parseRule, SimpleRule } from "./ICalRule.js"

const DAY = 86_400_000

/** One block's times. `rdates`: its RDATE values, as node-ical reads each in a throw-away VEVENT. */
export interface BlockTimes {
  readonly entry: SeriesEntry
  readonly rdates: ReadonlyArray<DateWithTimeZone>
}

/**
 * What a VEVENT may hold for node-ical to read it as it is read here. Other names could collide
 * with node-ical's own fields (a property START …) or mean more than is read here.
 */
const OWN = new Set([
  "UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "SUMMARY",
  "DESCRIPTION", "LOCATION", "ORGANIZER", "ATTENDEE", "URL", "STATUS", "TRANSP", "CLASS", "SEQUENCE", "CREATED",
  "LAST-MODIFIED", "CATEGORIES", "PRIORITY", "CONTACT", "COMMENT", "RESOURCES", "ATTACH", "RELATED-TO", "CONFERENCE",
  "IMAGE", "COLOR", "GEO"
])
/** … and an alarm inside it. */
const ALARM = new Set([
  "ACTION", "TRIGGER", "DESCRIPTION", "SUMMARY", "ATTENDEE", "REPEAT", "DURATION", "ATTACH", "UID", "ACKNOWLEDGED", "RELATED-TO"
])
/** At most once in a VEVENT, for node-ical to read it as it is read here. */
type Single = "DTSTART" | "DTEND" | "DURATION" | "RRULE" | "RECURRENCE-ID"
const SINGLE: ReadonlySet<string> = new Set<Single>(["DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID"])
const isSingle = (name: string): name is Single => SINGLE.has(name)

/** node-ical reads these as dates too: plain UTC values or dates cannot go wrong there. */
const STAMPS = new Set(["DTSTAMP", "CREATED", "LAST-MODIFIED"])

/** node-ical's copy of a date with its zone and date-only marks. */
const cloneWithMeta = (source: DateWithTimeZone, time: number): DateWithTimeZone => {
  const out: DateWithTimeZone = new Date(time)
  if (source.tz) out.tz = source.tz
  if (source.dateOnly) out.dateOnly = true
  return out
}

const digits = (v: string, from: number, to: number) => {
  let n = 0
  for (let i = from; i < to; i++) n = n * 10 + v.charCodeAt(i) - 48
  return n
}

/**
 * A DATE or UTC DATE-TIME value as node-ical's dateParameter reads it; undefined when not one.
 * node-ical marks every date-time with its zone; the expansion only reads it on an EXDATE
 * (`zoned`), so only those carry it here (a plain property: only its value is ever read).
 */
const readDate = (value: string, params: string, zoned = false): DateWithTimeZone | undefined => {
  if (params !== "" && params !== ";VALUE=DATE" && params !== ";VALUE=DATE-TIME") return undefined
  const year = digits(value, 0, 4)
  if (/^\d{8}$/.test(value)) {
    if (year < 1000) return undefined
    const date: DateWithTimeZone = new Date(year, digits(value, 4, 6) - 1, digits(value, 6, 8))
    date.dateOnly = true
    return date
  }
  if (params === ";VALUE=DATE" || !isUtcStamp(value) || year < 1000) return undefined
  const month = digits(value, 4, 6) - 1
  const day = digits(value, 6, 8)
  const time: DateWithTimeZone = new Date(Date.UTC(year, month, day, digits(value, 9, 11), digits(value, 11, 13), digits(value, 13, 15)))
  if (zoned) time.tz = "Etc/UTC"
  return time
}

/** node-ical's key of a date: its day, local for all-day dates, UTC otherwise (its zone here). */
export const dateKey = (d: DateWithTimeZone) =>
  d.dateOnly
    ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`
    : d.toISOString().slice(0, 10)

/** End from DURATION, as node-ical adds its parts (W, D, H, M, S) in milliseconds. */
const durationEnd = (start: DateWithTimeZone, value: string): DateWithTimeZone | undefined => {
  if (!/^[+-]?P(?:\d{1,9}W|(?:\d{1,9}D)?(?:T(?:\d{1,9}H)?(?:\d{1,9}M)?(?:\d{1,9}S)?)?)$/.test(value)) return undefined
  const parts = value.match(/\d{1,10}[WDHMS]/g)
  if (!parts) return undefined
  const sign = value.startsWith("-") ? -1 : 1
  const unit: Record<string, number> = { W: 7 * DAY, D: DAY, H: 3_600_000, M: 60_000, S: 1000 }
  const ms = parts.reduce((sum, p) => sum + Number.parseInt(p, 10) * sign * (unit[p.slice(-1)] ?? 0), 0)
  // Summed here, added one by one there: the same while the numbers stay small.
  return Math.abs(ms) > 100 * 366 * DAY ? undefined : cloneWithMeta(start, start.getTime() + ms)
}

const isoDay = (d: DateWithTimeZone) =>
  d.dateOnly ? ((new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate())).getUTCDay() + 6) % 7) + 1 : ((d.getUTCDay() + 6) % 7) + 1

/**
 * A block's times when it is read here, else undefined. `index` is its X-LI-BLOCK; `window` bounds
 * the rule's work (a rule that would run long is left to node-ical, see SimpleRule.steps).
 */
export const readTimes = (
  lines: ReadonlyArray<FastLine>,
  index: number,
  fileZones: ReadonlySet<string>,
  window: TimeWindow
): BlockTimes | undefined => {
  const found: Partial<Record<Single, Omit<FastLine, "depth">>> = {}
  const exdates: Array<Omit<FastLine, "depth">> = []
  const rdateLines: Array<Omit<FastLine, "depth">> = []
  let floating = false
  for (const line of lines) {
    const name = line.name
    const known = name.startsWith("X-") || (line.depth === 0 ? OWN : ALARM).has(name)
    if (!known) return undefined
    // An alarm's lines are the alarm's: node-ical stores them apart from the event.
    if (line.depth > 0) continue
    if (STAMPS.has(name) && (line.params !== "" || !(isUtcStamp(line.value) || /^\d{8}$/.test(line.value)))) return undefined
    if (!TIME_PROPS.has(name) && name !== "DURATION" && name !== "RRULE") continue
    // A zone name outside ASCII is only known once decoded: node-ical's to resolve.
    if (/[\x80-\xff]/.test(line.params)) return undefined
    // Whatever is left of a TZID after this is a zone node-ical resolves: `readDate` refuses it.
    const utc = utcLine(line, fileZones)
    if (name === "DTSTART" && utc) floating = true
    const read = utc ?? line
    if (name === "EXDATE") exdates.push(read)
    else if (name === "RDATE") rdateLines.push(read)
    // DUE has no place in a VEVENT; twice DTSTART … makes node-ical throw.
    else if (!isSingle(name) || found[name]) return undefined
    else found[name] = read
  }
  const { DTSTART: startLine, DTEND: endLine, DURATION: durationLine, RRULE: ruleLine, "RECURRENCE-ID": idLine } = found
  const start = startLine && readDate(startLine.value, startLine.params)
  if (!start) return undefined

  const recurrenceid = idLine ? readDate(idLine.value, idLine.params) : undefined
  if (idLine && !recurrenceid) return undefined

  let end: DateWithTimeZone | undefined
  if (endLine) end = readDate(endLine.value, endLine.params)
  else if (durationLine) end = durationLine.params === "" ? durationEnd(start, durationLine.value) : undefined
  else end = cloneWithMeta(start, start.dateOnly ? start.getTime() + DAY : start.getTime())
  if (!end) return undefined

  let exdate: Record<string, DateWithTimeZone> | undefined
  for (const line of exdates) {
    for (const v of line.value.split(",")) {
      const value = v.trim()
      if (value === "") continue
      const d = readDate(value, line.params, true)
      if (!d) return undefined
      exdate ??= {}
      exdate[dateKey(d)] = d
      if (!d.dateOnly) exdate[d.toISOString()] = d
    }
  }

  const rdates: Array<DateWithTimeZone> = []
  for (const line of rdateLines) {
    const params = line.params.replace(/;VALUE=PERIOD/i, "")
    for (const v of line.value.split(",")) {
      const d = readDate(v.split("/")[0] ?? "", params)
      if (!d) return undefined
      rdates.push(d)
    }
  }

  let rule: SimpleRule | undefined
  if (ruleLine) {
    if (ruleLine.params !== "") return undefined
    const text = `RRULE:${ruleLine.value}`
    const spec = parseRule((floating ? utcUntil(text) : text).slice("RRULE:".length), start.dateOnly === true, isoDay(start))
    if (!spec) return undefined
    rule = new SimpleRule(spec, start, start.dateOnly === true)
  }

  const entry: SeriesEntry = {
    start,
    end,
    datetype: start.dateOnly ? "date" : "date-time",
    ...(recurrenceid ? { recurrenceid } : {}),
    ...(rule ? { rrule: rule } : {}),
    ...(exdate ? { exdate } : {}),
    "LI-BLOCK": index
  }
  if (rule) {
    const { from, to } = ruleBounds(entry, window)
    if (rule.steps(from, to) > 5000) return undefined
  }
  return { entry, rdates }
}

/**
 * A series read here: its master first, then its overrides, as node-ical joins them (each under
 * its date and, for a date-time, its instant). Undefined when node-ical would have to choose
 * between overrides (two on one day: it keeps the higher SEQUENCE), or the master comes later.
 */
export const joinSeries = (
  blocks: ReadonlyArray<{ readonly override: boolean; readonly times: BlockTimes }>
): BlockTimes | undefined => {
  const [master, ...overrides] = blocks
  if (!master || master.override || master.times.entry.recurrenceid) return undefined
  if (overrides.length === 0) return master.times
  const recurrences: Record<string, SeriesEntry> = {}
  for (const { override, times } of overrides) {
    const id = times.entry.recurrenceid
    if (!override || !id || times.entry.rrule) return undefined
    const key = dateKey(id)
    if (key in recurrences) return undefined
    recurrences[key] = times.entry
    if (!id.dateOnly) recurrences[id.toISOString()] = times.entry
  }
  return { entry: { ...master.times.entry, recurrences }, rdates: master.times.rdates }
}
