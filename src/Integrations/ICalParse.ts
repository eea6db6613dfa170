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
import { BrokenEvent, type CalendarBatch, CalendarEvent, type TimeWindow } from "../Domain/CalendarEvent.js"
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
import { eventFields, isBirthday, isCancelled } from "./ICalFields.js"
import { type Instance, Series } from "./ICalRecurrence.js"

/** `Left(reason)` when the bytes are not an iCalendar at all; broken single events go to `broken`. */
export const parseCalendar = (
  bytes: Uint8Array,
  calendarId: string,
  window: TimeWindow
): Either.Either<CalendarBatch, string> =>
  Either.map(decodeCalendar(bytes), (text) => parseText(text, calendarId, window))

interface Good {
  readonly block: RawBlock
  readonly uid: string
  readonly component: ICAL.Component
}

const parseText = (text: string, calendarId: string, window: TimeWindow): CalendarBatch => {
  const { events: blocks, timezones } = splitComponents(text)
  const fileZones = tzidsOf(timezones)
  const broken: Array<BrokenEvent> = []
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
        reason
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

  const events: Array<CalendarEvent> = []
  for (const [uid, group] of groups) {
    const source = group.map((g) => `BEGIN:VEVENT\r\n${normalizeBlock(g.block, uid, fileZones)}\r\nEND:VEVENT`)
    const components = new Map(group.map((g) => [g.block.index, g.component]))
    try {
      const parsed = nodeIcal.sync.parseICS(wrap([...timezones, ...source].join("\r\n")))
      const entry = parsed[uid]
      if (!isVEvent(entry)) throw new Error("the event could not be read")
      const series = new Series(entry, components, rdates(group, uid, timezones, fileZones))
      if (series.masterComponent && isCancelled(series.masterComponent)) continue
      const found = series.expand(window).flatMap((instance) => {
        const component = components.get(instance.block)
        return component && !isCancelled(component) && !isBirthday(series.masterComponent ?? component)
          ? [toEvent(calendarId, uid, instance, component)]
          : []
      })
      events.push(...found)
    } catch (e) {
      for (const g of group) report(g.block, e instanceof Error ? e.message : String(e))
    }
  }
  events.sort((a, b) => startMs(a) - startMs(b) || a.eventId.localeCompare(b.eventId))
  return { events, broken }
}

const isVEvent = (entry: CalendarResponse[string]): entry is VEvent => entry?.type === "VEVENT"

const wrap = (body: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lead-insights//parse//EN\r\n${body}\r\nEND:VCALENDAR\r\n`

const startMs = (e: CalendarEvent) => Date.parse(e.allDay ? `${e.start}T00:00:00Z` : e.start)

const toEvent = (calendarId: string, uid: string, instance: Instance, component: ICAL.Component) =>
  new CalendarEvent({
    calendarId,
    eventId: instance.occurrence === undefined ? uid : `${uid}_${instance.occurrence}`,
    ...eventFields(component),
    start: instance.start,
    end: instance.end,
    allDay: instance.allDay
  })

/**
 * RDATE values resolved to instants by node-ical itself (so TZIDs mean the same as in DTSTART):
 * each value becomes the DTSTART of a throw-away event.
 */
const rdates = (
  group: ReadonlyArray<Good>,
  uid: string,
  timezones: ReadonlyArray<string>,
  fileZones: ReadonlySet<string>
): ReadonlyArray<DateWithTimeZone> => {
  const master = group.find((g) => !g.block.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID"))
  if (!master) return []
  const lines = normalizeBlock(master.block, uid, fileZones).split("\r\n").map(splitLine)
  const values = lines.flatMap((l) =>
    l?.name === "RDATE"
      ? l.value.split(",").map((v) => ({ params: l.params.replace(/;VALUE=PERIOD/i, ""), value: v.split("/")[0] ?? "" }))
      : []
  )
  if (values.length === 0) return []
  const probe = values.map((v, i) => `BEGIN:VEVENT\r\nUID:rdate-${i}\r\nDTSTART${v.params}:${v.value}\r\nEND:VEVENT`)
  const parsed = nodeIcal.sync.parseICS(wrap([...timezones, ...probe].join("\r\n")))
  return values.flatMap((_, i) => {
    const entry = parsed[`rdate-${i}`]
    return isVEvent(entry) ? [entry.start] : []
  })
}
