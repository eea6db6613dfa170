/**
 * The meeting as the dossier shows it: its time written in the organiser's zone (the event's own
 * TZID when the calendar gave one, else DISPLAY_TIMEZONE, else UTC), and the people with their
 * role (organiser, attendee), their side (the company's, ours, neither) and what the company's
 * website says they are. Pure.
 */
import type { CalendarEvent, Person } from "../../Domain/CalendarEvent.js"
import { DossierMeeting, DossierPerson } from "../../Domain/Dossier.js"
import { normalizeText } from "../../Domain/Text.js"
import { isWithinAny, isWithinDomain, normalizeDomain } from "../../Domain/WebDomain.js"
import { isTimeZone } from "../../Domain/TimeZone.js"
import type { WebsiteFact } from "../../Domain/WebsiteFacts.js"

export { isTimeZone } from "../../Domain/TimeZone.js"

export interface ZoneChoice {
  readonly zone: string
  readonly source: DossierMeeting["time_zone_source"]
}

/** The event's own zone when it is one we know, else the configured display zone, else UTC. */
export const chooseZone = (eventZone: string | undefined, displayZone: string | undefined): ZoneChoice =>
  eventZone !== undefined && isTimeZone(eventZone)
    ? { zone: eventZone, source: "event" }
    : displayZone !== undefined && isTimeZone(displayZone)
    ? { zone: displayZone, source: "display_timezone" }
    : { zone: "UTC", source: "utc" }

interface LocalParts {
  readonly weekday: string
  readonly day: string
  readonly month: string
  readonly year: string
  readonly hour: string
  readonly minute: string
  readonly zoneName: string
  /** Minutes east of UTC. */
  readonly offset: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (zone: string) => {
  let f = formatters.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short"
    })
    formatters.set(zone, f)
  }
  return f
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

const localParts = (instant: Date, zone: string): LocalParts => {
  const parts: Record<string, string> = {}
  for (const part of formatterFor(zone).formatToParts(instant)) parts[part.type] = part.value
  const asUtc = Date.UTC(
    Number(parts["year"]),
    MONTHS.indexOf(parts["month"] ?? "Jan"),
    Number(parts["day"]),
    Number(parts["hour"]),
    Number(parts["minute"]),
    Number(parts["second"])
  )
  return {
    weekday: parts["weekday"] ?? "",
    day: parts["day"] ?? "",
    month: parts["month"] ?? "",
    year: parts["year"] ?? "",
    hour: parts["hour"] ?? "00",
    minute: parts["minute"] ?? "00",
    zoneName: zone === "UTC" ? "UTC" : parts["timeZoneName"] ?? zone,
    offset: Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000)
  }
}

const dayText = (p: LocalParts) => `${p.weekday} ${p.day} ${p.month} ${p.year}`
const sameDay = (a: LocalParts, b: LocalParts) => a.day === b.day && a.month === b.month && a.year === b.year

const offsetText = (minutes: number) => {
  const sign = minutes < 0 ? "-" : "+"
  const abs = Math.abs(minutes)
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`
}

const MONTH_NUMBER = (month: string) => String(MONTHS.indexOf(month) + 1).padStart(2, "0")

const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value)

/** "Thu 26 Nov 2026 (all day)"; a date is a date in every zone. */
const allDayText = (start: string, end: string | undefined) => {
  const day = (iso: string) => dayText(localParts(new Date(`${iso}T12:00:00Z`), "UTC"))
  // The end of an all-day event is exclusive: 26–27 Nov is written with an end of 28 Nov.
  const last = end !== undefined && isDate(end) ? new Date(Date.parse(`${end}T12:00:00Z`) - 86_400_000) : undefined
  const lastIso = last?.toISOString().slice(0, 10)
  return lastIso === undefined || lastIso <= start ? `${day(start)} (all day)` : `${day(start)} – ${day(lastIso)} (all day)`
}

/**
 * When the meeting is, for a reader in `zone`: "Thu 26 Nov 2026, 10:00–11:00 CET", or with both
 * days when it ends on another one. Also the start with its UTC offset.
 */
export const formatMeetingTime = (
  event: Pick<CalendarEvent, "start" | "end" | "allDay">,
  zone: string
): { readonly when: string; readonly startLocal: string } => {
  const startMs = Date.parse(event.start)
  if (event.allDay || isDate(event.start) || Number.isNaN(startMs)) {
    return { when: Number.isNaN(startMs) ? event.start : allDayText(event.start.slice(0, 10), event.end), startLocal: event.start }
  }
  const s = localParts(new Date(startMs), zone)
  const startLocal = `${s.year}-${MONTH_NUMBER(s.month)}-${s.day.padStart(2, "0")}T${s.hour}:${s.minute}:00${
    zone === "UTC" ? "Z" : offsetText(s.offset)
  }`
  const endMs = event.end === undefined ? Number.NaN : Date.parse(event.end)
  if (Number.isNaN(endMs) || endMs <= startMs) return { when: `${dayText(s)}, ${s.hour}:${s.minute} ${s.zoneName}`, startLocal }
  const e = localParts(new Date(endMs), zone)
  const when = sameDay(s, e)
    ? `${dayText(s)}, ${s.hour}:${s.minute}–${e.hour}:${e.minute} ${e.zoneName}`
    : `${dayText(s)}, ${s.hour}:${s.minute} ${s.zoneName} – ${dayText(e)}, ${e.hour}:${e.minute} ${e.zoneName}`
  return { when, startLocal }
}

// ---------------------------------------------------------------------------------------------
// People

export interface PeopleContext {
  readonly company: { readonly name: string; readonly domain: string }
  readonly ownDomains: ReadonlyArray<string>
  /** Managing directors the website names, with the number of the source that says so. */
  readonly directors: ReadonlyArray<{ readonly name: string; readonly source: number | undefined }>
}

const emailDomain = (email: string | undefined) =>
  email === undefined || !email.includes("@") ? undefined : normalizeDomain(email.slice(email.lastIndexOf("@") + 1))

const folded = (text: string) => normalizeText(text).replace(/[^\p{L}\p{N}]+/gu, " ").trim()

/** The same person when every word of the shorter name is in the longer one ("Dr. Petra Müller" ~ "Petra Müller"). */
const sameName = (a: string, b: string) => {
  const wa = folded(a).split(" ").filter((w) => w.length > 1)
  const wb = new Set(folded(b).split(" ").filter((w) => w.length > 1))
  return wa.length >= 2 && wa.every((w) => wb.has(w))
}

export const sideOf = (person: Person, ctx: PeopleContext): DossierPerson["side"] => {
  const domain = emailDomain(person.email)
  if (domain !== undefined && isWithinDomain(domain, ctx.company.domain)) return "company"
  if (domain !== undefined && isWithinAny(domain, ctx.ownDomains)) return "ours"
  const company = person.company === undefined ? "" : folded(person.company)
  const name = folded(ctx.company.name)
  return company !== "" && name !== "" && (company.includes(name) || name.includes(company)) ? "company" : "other"
}

const titleOf = (person: Person, side: DossierPerson["side"], ctx: PeopleContext): string | undefined => {
  if (person.name === undefined || side === "ours") return undefined
  const director = ctx.directors.find((d) => sameName(d.name, person.name ?? "") || sameName(person.name ?? "", d.name))
  if (director === undefined) return undefined
  return `Managing director (website${director.source === undefined ? "" : ` [${director.source}]`})`
}

export const dossierPerson = (person: Person, role: DossierPerson["role"], ctx: PeopleContext): DossierPerson => {
  const side = sideOf(person, ctx)
  const title = titleOf(person, side, ctx) ?? person.title
  return new DossierPerson({
    ...(person.name === undefined ? {} : { name: person.name }),
    ...(person.email === undefined ? {} : { email: person.email }),
    ...(person.company === undefined ? {} : { company: person.company }),
    role,
    side,
    ...(title === undefined ? {} : { title })
  })
}

/** Managing directors from the website facts, each with its source number. */
export const directorsFrom = (
  facts: ReadonlyArray<WebsiteFact>,
  sourceOf: (fact: WebsiteFact) => number | undefined
): PeopleContext["directors"] =>
  facts.filter((f) => f.field === "managing_director").map((f) => ({ name: f.value, source: sourceOf(f) }))

export const meetingOf = (
  event: CalendarEvent,
  zone: ZoneChoice,
  ctx: PeopleContext
): DossierMeeting => {
  const { startLocal, when } = formatMeetingTime(event, zone.zone)
  const organiserEmail = event.organizer?.email?.toLowerCase()
  const location = event.location.trim()
  return new DossierMeeting({
    event_id: event.eventId,
    title: event.summary,
    start: event.start,
    ...(event.end === undefined ? {} : { end: event.end }),
    all_day: event.allDay,
    time_zone: zone.zone,
    time_zone_source: zone.source,
    when,
    start_local: startLocal,
    ...(location === "" ? {} : { location }),
    ...(event.organizer === undefined ? {} : { organiser: dossierPerson(event.organizer, "organiser", ctx) }),
    attendees: event.attendees.map((person) =>
      dossierPerson(
        person,
        organiserEmail !== undefined && person.email?.toLowerCase() === organiserEmail ? "organiser" : "attendee",
        ctx
      )
    )
  })
}
