/**
 * RRULE expansion for the rules most calendars write (pure): FREQ=DAILY or WEEKLY with INTERVAL,
 * COUNT, UNTIL, BYDAY and WKST, on UTC or all-day dates. It gives what node-ical's rule object
 * gives for them (rrule-temporal behind it), at a small fraction of the cost; `parseRule` says
 * which rules those are, and any other goes to node-ical.
 *
 * In UTC a day is 86 400 000 ms, so occurrences are plain arithmetic. All-day dates are counted as
 * UTC midnights and handed out as node-ical does: local midnights marked `dateOnly`.
 */
import type { DateWithTimeZone } from "node-ical"
import { isValidDateValue } from "./ICalBlocks.js"

const DAY = 86_400_000
const WEEK = 7 * DAY

const WEEKDAYS: Readonly<Record<string, number>> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 }

/** ISO weekday (1 = Monday) of a UTC instant. */
const weekday = (ms: number) => ((new Date(ms).getUTCDay() + 6) % 7) + 1

export interface RuleSpec {
  readonly freq: "DAILY" | "WEEKLY"
  readonly interval: number
  readonly count: number | undefined
  /** The last instant an occurrence may start at (inclusive). */
  readonly until: number | undefined
  /** ISO weekdays. */
  readonly byDay: ReadonlyArray<number> | undefined
  readonly wkst: number
}

const utcMs = (v: string) =>
  Date.UTC(Number(v.slice(0, 4)), Number(v.slice(4, 6)) - 1, Number(v.slice(6, 8)), Number(v.slice(9, 11) || 0),
    Number(v.slice(11, 13) || 0), Number(v.slice(13, 15) || 0))

/**
 * UNTIL as node-ical hands it to rrule-temporal: cut to the date for an all-day start, read as UTC
 * otherwise (the start is UTC here), and a bare date ends at 23:59:59 of that day.
 */
const untilOf = (v: string, dateOnly: boolean): number | undefined => {
  const date = v.slice(0, 8)
  // Temporal, behind node-ical, refuses what these refuse (a 60th second included).
  if (!isValidDateValue(v) || Number(date.slice(0, 4)) < 1000 || Number(v.slice(13, 15) || 0) > 59) return undefined
  if (dateOnly) return utcMs(date)
  return v.length === 8 ? utcMs(date) + DAY - 1000 : utcMs(v)
}

/**
 * The rule in an RRULE value, read as node-ical reads it (from its last "FREQ=" on), when it is in
 * the subset; `startDay` is the ISO weekday of DTSTART. BYDAY must hold that day, and a DAILY rule
 * with BYDAY must step by one day: beyond that rrule-temporal's answers are its own.
 */
export const parseRule = (value: string, dateOnly: boolean, startDay: number): RuleSpec | undefined => {
  const at = value.lastIndexOf("FREQ=")
  if (at < 0 || value.includes("DTSTART")) return undefined
  const seen = new Map<string, string>()
  for (const part of value.slice(at).split(";")) {
    const [key, val, extra] = part.split("=")
    if (key === undefined || val === undefined || extra !== undefined || seen.has(key)) return undefined
    seen.set(key, val)
  }
  const freq = seen.get("FREQ")
  if (freq !== "DAILY" && freq !== "WEEKLY") return undefined
  const number = (key: string) => {
    const v = seen.get(key)
    return v === undefined ? undefined : /^\d{1,6}$/.test(v) && Number(v) >= 1 ? Number(v) : Number.NaN
  }
  const interval = number("INTERVAL") ?? 1
  const count = number("COUNT")
  const untilText = seen.get("UNTIL")
  const until = untilText === undefined ? undefined : untilOf(untilText, dateOnly)
  const days = seen.get("BYDAY")?.split(",").map((d) => WEEKDAYS[d])
  const wkst = WEEKDAYS[seen.get("WKST") ?? "MO"]
  const known = [...seen.keys()].every((k) => ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"].includes(k))
  if (!known || Number.isNaN(interval) || Number.isNaN(count ?? 0) || wkst === undefined) return undefined
  if (untilText !== undefined && until === undefined) return undefined
  if (days !== undefined && (!days.every((d) => d !== undefined) || !days.includes(startDay))) return undefined
  const byDay = days?.flatMap((d) => (d === undefined ? [] : [d]))
  if (byDay !== undefined && freq === "DAILY" && interval !== 1) return undefined
  return { freq, interval, count, until, byDay: byDay && [...new Set(byDay)].sort((a, b) => a - b), wkst }
}

/** The part of node-ical's rule object the expansion reads. */
export interface RuleLike {
  readonly between: (after: Date, before: Date, inclusive?: boolean) => ReadonlyArray<Date>
  readonly options: Record<string, unknown>
}

export class SimpleRule implements RuleLike {
  private readonly start: number
  private readonly period: number
  /** Where step 0 begins: DTSTART, or for WEEKLY the start of its week (WKST). */
  private readonly origin: number
  /** Days after the start of a step on which occurrences fall. */
  private readonly offsets: ReadonlyArray<number>

  constructor(private readonly spec: RuleSpec, dtstart: DateWithTimeZone, private readonly dateOnly: boolean) {
    this.start = dateOnly ? Date.UTC(dtstart.getFullYear(), dtstart.getMonth(), dtstart.getDate()) : dtstart.getTime()
    const daysIntoWeek = (d: number) => (d - spec.wkst + 7) % 7
    if (spec.freq === "WEEKLY") {
      this.period = spec.interval * WEEK
      this.origin = this.start - daysIntoWeek(weekday(this.start)) * DAY
      this.offsets = (spec.byDay ?? [weekday(this.start)]).map(daysIntoWeek).sort((a, b) => a - b)
    } else {
      this.period = spec.interval * DAY
      this.origin = this.start
      this.offsets = [0]
    }
  }

  get options(): Record<string, unknown> {
    return { freq: this.spec.freq, interval: this.spec.interval }
  }

  /** The first step to look at: without COUNT nothing before the window needs counting. */
  private firstStep(after: number) {
    return this.spec.count === undefined ? Math.max(0, Math.floor((after - this.origin) / this.period) - 1) : 0
  }

  /**
   * How many steps a call reads, at most: rrule-temporal stops at 10 000, and a rule near that
   * (FREQ=DAILY since 1990 …) is left to node-ical, so that its answer stays node-ical's.
   */
  steps(after: Date, before: Date): number {
    const last = Math.min(before.getTime(), this.spec.until ?? Number.POSITIVE_INFINITY)
    const span = Math.max(0, Math.ceil((last - this.origin) / this.period)) - this.firstStep(after.getTime()) + 2
    const { count } = this.spec
    if (count === undefined) return span
    return Math.min(span, this.spec.byDay && this.spec.freq === "DAILY" ? count * 7 + 7 : count + 1)
  }

  between(after: Date, before: Date, inclusive = false): ReadonlyArray<Date> {
    const lo = after.getTime()
    const hi = before.getTime()
    const last = Math.min(hi, this.spec.until ?? Number.POSITIVE_INFINITY)
    const { count, byDay, freq } = this.spec
    const out: Array<Date> = []
    let n = 0
    for (let step = this.firstStep(lo);; step++) {
      const base = this.origin + step * this.period
      if (base > last) return out
      for (const offset of this.offsets) {
        const t = base + offset * DAY
        if (t < this.start) continue
        if (t > last) return out
        if (freq === "DAILY" && byDay && !byDay.includes(weekday(t))) continue
        n++
        if (inclusive ? t >= lo && t <= hi : t > lo && t < hi) out.push(this.toDate(t))
        if (count !== undefined && n >= count) return out
      }
    }
  }

  private toDate(t: number): Date {
    if (!this.dateOnly) return new Date(t)
    const d = new Date(t)
    return Object.assign(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), { dateOnly: true as const })
  }
}
