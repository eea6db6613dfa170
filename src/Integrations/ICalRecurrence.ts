/**
 * Expansion of one VEVENT (with its overrides) into the occurrences that overlap a window. Pure.
 * The VEVENT is node-ical's, or one ICalTimes built the same way. node-ical gives all-day dates as
 * *local* midnight, so those are read with local getters and turned into plain `YYYY-MM-DD` keys at
 * once; everything else is UTC.
 */
import type { DateWithTimeZone } from "node-ical"
import type { TimeWindow } from "../Domain/CalendarEvent.js"
import { organiserZone } from "../Domain/TimeZone.js"
import type { RuleLike } from "./ICalRule.js"

const DAY = 86_400_000

/** The occurrences of one series in a window; `complete: false` when only the window's start could be read. */
export interface Expansion {
  readonly instances: ReadonlyArray<Instance>
  readonly complete: boolean
}

export interface Instance {
  /** Compact original start (`20261126T090000Z` / `20261126`), undefined for a single event. */
  readonly occurrence: string | undefined
  readonly allDay: boolean
  readonly start: string
  readonly end: string
  /** X-LI-BLOCK of the VEVENT the fields come from (the override's for a moved instance). */
  readonly block: number
  /** `start` and `end` as instants (UTC midnight for dates), as `Date.parse` reads them. */
  readonly startMs: number
  readonly endMs: number
  /** The zone its start was written in (DTSTART's TZID), when that is a real zone other than UTC. */
  readonly timeZone?: string | undefined
}

/** The part of a node-ical VEVENT used here: a series' master (or lone override) … */
export interface SeriesEntry {
  readonly start: DateWithTimeZone
  readonly end?: DateWithTimeZone | undefined
  readonly datetype?: unknown
  readonly recurrenceid?: DateWithTimeZone | undefined
  readonly rrule?: RuleLike | undefined
  readonly exdate?: Readonly<Record<string, DateWithTimeZone>> | undefined
  /** Overrides by RECURRENCE-ID, each under its date and (for a date-time) its instant. */
  readonly recurrences?: Readonly<Record<string, unknown>> | undefined
  readonly "LI-BLOCK"?: unknown
}

/** … and of an override. */
interface Override {
  readonly start: DateWithTimeZone
  readonly end?: DateWithTimeZone | undefined
  readonly datetype?: unknown
  readonly recurrenceid?: DateWithTimeZone | undefined
  readonly "LI-BLOCK"?: unknown
}

const isDate = (v: unknown): v is DateWithTimeZone => v instanceof Date && !Number.isNaN(v.getTime())

// node-ical types override entries as a loose record; check what is used instead of trusting it.
const asOverride = (o: Record<string, unknown>): Override | undefined =>
  isDate(o.start)
    ? {
      start: o.start,
      end: isDate(o.end) ? o.end : undefined,
      datetype: o.datetype,
      recurrenceid: isDate(o.recurrenceid) ? o.recurrenceid : undefined,
      "LI-BLOCK": o["LI-BLOCK"]
    }
    : undefined

const pad = (n: number, w = 2) => String(n).padStart(w, "0")

export const allDayKey = (d: Date) => `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** `20261126T090000Z`; cut from the ISO string by position when it has the usual 24 chars. */
const compactUtc = (d: Date) => {
  const iso = d.toISOString()
  return iso.length === 24
    ? `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
    : iso.replace(/\.\d{3}/, "").replace(/[-:]/g, "")
}

export const occurrenceId = (d: Date, allDay: boolean) => (allDay ? allDayKey(d).replace(/-/g, "") : compactUtc(d))

const dayMs = (key: string) => Date.parse(`${key}T00:00:00Z`)

/** The organiser's clock: the TZID a timed start was written with, if Intl knows it and it is not UTC. */
const zoneOf = (d: DateWithTimeZone | undefined): string | undefined => organiserZone(d?.tz)

const addDays = (key: string, days: number) => new Date(dayMs(key) + days * DAY).toISOString().slice(0, 10)

const isAllDay = (e: Override) => e.datetype === "date" || e.start.dateOnly === true

const blockOf = (e: Override): number => Number(e["LI-BLOCK"])

/** The calendar date of an EXDATE given as a date-time, in its own zone (Exchange does this for all-day series). */
const dateInZone = (d: DateWithTimeZone) => {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: d.tz ?? "UTC" }).format(d).replace(/-/g, "")
  } catch {
    return d.toISOString().slice(0, 10).replace(/-/g, "")
  }
}

/** Length of the master: in ms for a timed series, in days for an all-day one (the other is not used). */
const durationsOf = (master: SeriesEntry) => {
  const end = master.end
  return {
    ms: end ? Math.max(0, end.getTime() - master.start.getTime()) : 0,
    days: end && isAllDay(master) ? Math.max(1, Math.round((dayMs(allDayKey(end)) - dayMs(allDayKey(master.start))) / DAY)) : 1
  }
}

/**
 * What a series' rule is asked for in a window: generous bounds, exact overlap is decided in
 * `overlaps`; all-day dates are local midnights.
 */
export const ruleBounds = (master: SeriesEntry, window: TimeWindow): { readonly from: Date; readonly to: Date } => {
  const allDay = isAllDay(master)
  const { days, ms } = durationsOf(master)
  const margin = allDay ? (days + 2) * DAY : ms + 1
  return {
    from: new Date(window.from.getTime() - margin),
    to: new Date(window.to.getTime() + (allDay ? 2 * DAY : 0))
  }
}

const isRecord = (o: unknown): o is Record<string, unknown> => typeof o === "object" && o !== null

export class Series {
  private readonly allDay: boolean
  private readonly durationMs: number
  private readonly durationDays: number
  private readonly overrides: ReadonlyArray<Override>
  private readonly orphan: boolean

  constructor(
    private readonly master: SeriesEntry,
    private readonly rdates: ReadonlyArray<DateWithTimeZone>
  ) {
    this.orphan = master.recurrenceid !== undefined
    this.allDay = isAllDay(master)
    const durations = durationsOf(master)
    this.durationMs = durations.ms
    this.durationDays = durations.days
    const seen = new Set<number>()
    const entries: ReadonlyArray<unknown> = Object.values(master.recurrences ?? (this.orphan ? { self: master } : {}))
    this.overrides = entries.flatMap((o) => (isRecord(o) && asOverride(o)) || []).filter((o) => {
      const fresh = !seen.has(blockOf(o))
      seen.add(blockOf(o))
      return fresh
    })
  }

  /** The block of the master when the file has one: birthdays and cancellations are judged on it. */
  get masterBlock(): number | undefined {
    return this.orphan ? undefined : blockOf(this.master)
  }

  get recurring(): boolean {
    return this.orphan || this.master.rrule !== undefined || this.rdates.length > 0
  }

  expand(window: TimeWindow): Expansion {
    const out: Array<Instance> = []
    if (!this.recurring && this.overrides.length === 0 && this.master.exdate === undefined) {
      // A lone event (most of a feed): its start, unexcluded, under no occurrence id.
      const only = this.instance(this.master, this.master.start, undefined, false)
      return { instances: overlaps(only, window) ? [only] : [], complete: true }
    }
    const keep = (i: Instance) => {
      if (overlaps(i, window)) out.push(i)
    }
    const excluded = this.exdates()
    const overridden = new Set<string>()
    for (const o of this.overrides) {
      if (o.recurrenceid === undefined) continue
      const occ = occurrenceId(o.recurrenceid, this.allDay)
      overridden.add(occ)
      if (!excluded(occ)) keep(this.instance(o, o.start, occ, true))
    }
    if (this.orphan) return { instances: out, complete: true }
    const seen = new Set<string>()
    const { dates, complete } = this.candidates(window)
    for (const date of dates) {
      const occ = occurrenceId(date, this.allDay)
      if (seen.has(occ) || overridden.has(occ) || excluded(occ)) continue
      seen.add(occ)
      keep(this.instance(this.master, date, this.recurring ? occ : undefined, false))
    }
    return { instances: out, complete }
  }

  private candidates(window: TimeWindow): { readonly dates: ReadonlyArray<Date>; readonly complete: boolean } {
    const rule = this.master.rrule
    const extra = this.rdates.length > 0 ? [this.master.start, ...this.rdates] : []
    if (!rule) return { dates: extra.length > 0 ? extra : [this.master.start], complete: true }
    const { from, to } = ruleBounds(this.master, window)
    try {
      return { dates: [...rule.between(from, to, true), ...extra], complete: true }
    } catch (e) {
      // The rule library stops after 10 000 steps (FREQ=MINUTELY over two weeks …). Such a series
      // is cut to MAX_OCCURRENCES_PER_SERIES anyway: read the start of the window only.
      const step = stepMs(rule.options)
      if (!(e instanceof Error && /maximum iterations/i.test(e.message)) || step === undefined) throw e
      const lead = new Date(Math.min(to.getTime(), from.getTime() + LEAD_STEPS * step))
      return { dates: [...rule.between(from, lead, true), ...extra], complete: false }
    }
  }

  private instance(source: Override, start: Date, occurrence: string | undefined, own: boolean): Instance {
    const block = blockOf(source)
    if (this.allDay) {
      const startKey = allDayKey(start)
      const ownDays = own && source.end ? Math.round((dayMs(allDayKey(source.end)) - dayMs(startKey)) / DAY) : 0
      const endKey = addDays(startKey, ownDays > 0 ? ownDays : this.durationDays)
      return { occurrence, allDay: true, start: startKey, end: endKey, block, startMs: dayMs(startKey), endMs: dayMs(endKey) }
    }
    const end = own && source.end ? source.end.getTime() : start.getTime() + this.durationMs
    const endDate = new Date(Math.max(end, start.getTime()))
    const timeZone = zoneOf(source.start)
    return {
      occurrence,
      allDay: false,
      ...(timeZone === undefined ? {} : { timeZone }),
      // toISOString throws on an invalid date, as it did before the instants below were kept.
      start: start.toISOString(),
      end: endDate.toISOString(),
      block,
      startMs: start.getTime(),
      endMs: endDate.getTime()
    }
  }

  private exdates(): (occ: string) => boolean {
    const ids = new Set<string>()
    const days = new Set<string>()
    for (const d of new Set(Object.values(this.master.exdate ?? {}))) {
      if (d.dateOnly) days.add(allDayKey(d).replace(/-/g, ""))
      else if (this.allDay) days.add(dateInZone(d))
      else ids.add(compactUtc(d))
    }
    return (occ) => ids.has(occ) || days.has(occ.slice(0, 8))
  }
}

/** Steps of a rule read when the whole window is too many: well under the library's 10 000. */
const LEAD_STEPS = 2_000

const STEP_MS: Partial<Record<string, number>> = {
  SECONDLY: 1000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: DAY,
  WEEKLY: 7 * DAY,
  MONTHLY: 31 * DAY,
  YEARLY: 366 * DAY
}

/** The longest time one step of the rule covers (FREQ × INTERVAL). */
const stepMs = (options: Record<string, unknown>): number | undefined => {
  const unit = typeof options["freq"] === "string" ? STEP_MS[options["freq"].toUpperCase()] : undefined
  const interval = typeof options["interval"] === "number" && options["interval"] > 0 ? options["interval"] : 1
  return unit === undefined ? undefined : unit * interval
}

/** `[from, to)` overlap; a zero-length event counts when it starts inside the window. */
const overlaps = (i: Instance, window: TimeWindow) => {
  const start = i.startMs
  const end = i.endMs
  const from = window.from.getTime()
  const to = window.to.getTime()
  return start < to && (end > from || (end === start && start >= from))
}
