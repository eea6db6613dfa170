/**
 * Google Calendar's event JSON (events.list with `singleEvents=true`) → a CalendarEvent, the same
 * one the iCalendar adapter makes of the same meeting in Google's iCalendar export (pure):
 * - ids: the iCalendar UID (`iCalUID`); an occurrence of a series is `UID_<original start>`
 *   (`20261126T090000Z`, or `20261126` all day), as a RECURRENCE-ID gives it, with `seriesId` the UID;
 * - times: a UTC instant with the zone the start was written in (`start.timeZone`, none for UTC),
 *   or the dates of an all-day event (end exclusive);
 * - people: organizer and attendees (rooms and those who declined included, as the export lists
 *   them) by address and display name; text and lists cut to the same limits;
 * - links: the Meet link and the conference's video entry points, as X-GOOGLE-CONFERENCE gives
 *   them. `htmlLink` (the event's page in Google Calendar) is not one: its google.com would look
 *   like the company the meeting is with.
 * Cancelled events are gone; birthdays (`eventType: birthday`) and working locations are not meetings.
 */
import { Option, Schema } from "effect"
import { BrokenEvent, CalendarEvent, Person } from "../../Domain/CalendarEvent.js"
import { organiserZone } from "../../Domain/TimeZone.js"
import { clip, LIMITS } from "../ICalFields.js"

const EventTime = Schema.Struct({
  date: Schema.optional(Schema.String),
  dateTime: Schema.optional(Schema.String),
  timeZone: Schema.optional(Schema.String)
})

const Who = Schema.Struct({
  email: Schema.optional(Schema.String),
  displayName: Schema.optional(Schema.String)
})

export const GoogleEvent = Schema.Struct({
  id: Schema.String,
  status: Schema.optional(Schema.String),
  iCalUID: Schema.optional(Schema.String),
  summary: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  location: Schema.optional(Schema.String),
  htmlLink: Schema.optional(Schema.String),
  updated: Schema.optional(Schema.String),
  eventType: Schema.optional(Schema.String),
  start: Schema.optional(EventTime),
  end: Schema.optional(EventTime),
  recurringEventId: Schema.optional(Schema.String),
  originalStartTime: Schema.optional(EventTime),
  organizer: Schema.optional(Who),
  attendees: Schema.optional(Schema.Array(Schema.Struct({
    ...Who.fields,
    organizer: Schema.optional(Schema.Boolean),
    self: Schema.optional(Schema.Boolean),
    resource: Schema.optional(Schema.Boolean),
    responseStatus: Schema.optional(Schema.String)
  }))),
  attendeesOmitted: Schema.optional(Schema.Boolean),
  hangoutLink: Schema.optional(Schema.String),
  conferenceData: Schema.optional(Schema.Struct({
    entryPoints: Schema.optional(Schema.Array(Schema.Struct({
      entryPointType: Schema.optional(Schema.String),
      uri: Schema.optional(Schema.String)
    })))
  }))
})
export type GoogleEvent = typeof GoogleEvent.Type

/** What every item of a page has, even a deleted one: enough to know which copy it replaces. */
export const GoogleItem = Schema.Struct({
  id: Schema.String,
  status: Schema.optional(Schema.String),
  recurringEventId: Schema.optional(Schema.String)
})

/** An item as kept: the event (with its span for window checks), or why it could not be read. */
export type Mapped =
  | { readonly _tag: "Event"; readonly event: CalendarEvent; readonly startMs: number; readonly endMs: number }
  | { readonly _tag: "Broken"; readonly broken: BrokenEvent }
  | { readonly _tag: "Skip" }

const DAY = 86_400_000
const pad = (n: number) => String(n).padStart(2, "0")
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))

/** `20261126T090000Z`: the occurrence id a RECURRENCE-ID gives (ICalRecurrence.occurrenceId). */
const compactUtc = (ms: number) => {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${
    pad(d.getUTCMinutes())
  }${pad(d.getUTCSeconds())}Z`
}

const occurrenceOf = (t: typeof EventTime.Type | undefined): string | undefined => {
  if (t?.date !== undefined && isDate(t.date)) return t.date.replace(/-/g, "")
  const ms = t?.dateTime === undefined ? Number.NaN : Date.parse(t.dateTime)
  return Number.isNaN(ms) ? undefined : compactUtc(ms)
}


const person = (who: typeof Who.Type | undefined): Person | undefined => {
  const address = who?.email?.trim() ?? ""
  const email = address.includes("@") && address.length <= LIMITS.email ? address : undefined
  const shown = who?.displayName?.trim()
  const name = shown === undefined || shown === "" ? undefined : clip(shown, LIMITS.name)
  if (email === undefined && name === undefined) return undefined
  return new Person({ ...(email === undefined ? {} : { email }), ...(name === undefined ? {} : { name }) }, true)
}

const linksOf = (item: GoogleEvent): ReadonlyArray<string> => {
  const found = [
    item.hangoutLink,
    ...(item.conferenceData?.entryPoints ?? []).filter((e) => e.entryPointType === "video").map((e) => e.uri)
  ].flatMap((u) => (u === undefined ? [] : [u.trim()]))
    .filter((u) => u.length <= LIMITS.url && /^[a-z][a-z0-9+.-]*:\S+$/i.test(u))
  return [...new Set(found)]
}

interface Times {
  readonly start: string
  readonly end: string
  readonly allDay: boolean
  readonly timeZone: string | undefined
  readonly startMs: number
  readonly endMs: number
}

const timesOf = (item: GoogleEvent): Times | string => {
  const { end, start } = item
  if (start?.date !== undefined) {
    if (!isDate(start.date)) return `unreadable start date "${clip(start.date, 40)}"`
    const startMs = Date.parse(`${start.date}T00:00:00Z`)
    const endDate = end?.date !== undefined && isDate(end.date) && end.date > start.date
      ? end.date
      : new Date(startMs + DAY).toISOString().slice(0, 10)
    return { start: start.date, end: endDate, allDay: true, timeZone: undefined, startMs, endMs: Date.parse(`${endDate}T00:00:00Z`) }
  }
  const startMs = start?.dateTime === undefined ? Number.NaN : Date.parse(start.dateTime)
  if (Number.isNaN(startMs)) return "the event has no readable start"
  const endParsed = end?.dateTime === undefined ? Number.NaN : Date.parse(end.dateTime)
  const endMs = Number.isNaN(endParsed) ? startMs : Math.max(startMs, endParsed)
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    allDay: false,
    timeZone: organiserZone(start?.timeZone),
    startMs,
    endMs
  }
}

const NOT_MEETINGS = new Set(["birthday", "workingLocation"])

/** One item of a page (not cancelled) → what is kept of it. */
export const mapEvent = (calendarId: string, item: GoogleEvent): Mapped => {
  if (item.eventType !== undefined && NOT_MEETINGS.has(item.eventType)) return { _tag: "Skip" }
  const uid = item.iCalUID ?? item.id
  const occurrence = item.recurringEventId === undefined ? undefined : occurrenceOf(item.originalStartTime ?? item.start)
  const eventId = occurrence === undefined ? uid : `${uid}_${occurrence}`
  const summary = item.summary ?? ""
  const times = timesOf(item)
  if (typeof times === "string") {
    return {
      _tag: "Broken",
      broken: new BrokenEvent({ calendarId, eventId, summary: clip(summary, LIMITS.summary), reason: times }, true)
    }
  }
  const truncated: Array<string> = []
  const bounded = (field: "summary" | "description" | "location", text: string) => {
    if (text.length <= LIMITS[field]) return text
    truncated.push(field)
    return clip(text, LIMITS[field])
  }
  const fields = {
    summary: bounded("summary", summary),
    description: bounded("description", item.description ?? ""),
    location: bounded("location", item.location ?? "")
  }
  let urls = linksOf(item)
  if (urls.length > LIMITS.urls) {
    truncated.push("urls")
    urls = urls.slice(0, LIMITS.urls)
  }
  const everyone = item.attendees ?? []
  if (everyone.length > LIMITS.attendees || item.attendeesOmitted === true) truncated.push("attendees")
  const attendees = everyone.slice(0, LIMITS.attendees).flatMap((a) => person(a) ?? [])
  const organizer = person(item.organizer)
  const event = new CalendarEvent({
    calendarId,
    eventId,
    ...(occurrence === undefined ? {} : { seriesId: uid }),
    ...fields,
    urls,
    ...(organizer === undefined ? {} : { organizer }),
    attendees,
    ...(truncated.length > 0 ? { truncated } : {}),
    start: times.start,
    end: times.end,
    allDay: times.allDay,
    ...(times.timeZone === undefined ? {} : { timeZone: times.timeZone })
  }, true)
  return { _tag: "Event", event, startMs: times.startMs, endMs: times.endMs }
}

const decodeEvent = Schema.decodeUnknownEither(GoogleEvent)
const titleOf = Schema.decodeUnknownOption(Schema.Struct({ summary: Schema.String }))

/** An item that is not even Google's event shape is reported broken under its id. */
export const mapItem = (calendarId: string, item: typeof GoogleItem.Type, raw: unknown): Mapped => {
  const decoded = decodeEvent(raw)
  if (decoded._tag === "Right") return mapEvent(calendarId, decoded.right)
  const summary = Option.match(titleOf(raw), { onNone: () => "", onSome: (t) => clip(t.summary, LIMITS.summary) })
  return {
    _tag: "Broken",
    broken: new BrokenEvent({ calendarId, eventId: item.id, summary, reason: "the event is not in the shape Google's API describes" }, true)
  }
}

/** `[from, to)` overlap, as the iCalendar adapter checks it; a zero-length event counts when it starts inside. */
export const overlaps = (startMs: number, endMs: number, from: number, to: number) =>
  startMs < to && (endMs > from || (endMs === startMs && startMs >= from))
