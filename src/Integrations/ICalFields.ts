/** What a VEVENT says besides its times (pure): text, people, links, and the skip rules. */
import type ICAL from "ical.js"
import { Person } from "../Domain/CalendarEvent.js"

const text = (c: ICAL.Component, name: string): string => {
  const v = c.getFirstPropertyValue(name)
  return typeof v === "string" ? v : ""
}

const strings = (c: ICAL.Component, name: string): ReadonlyArray<string> =>
  c.getAllProperties(name).flatMap((p) => p.getValues().filter((v): v is string => typeof v === "string"))

const paramText = (p: ICAL.Property, name: string): string | undefined => {
  const v = p.getParameter(name)
  const s = (Array.isArray(v) ? v.join(", ") : v)?.trim()
  return s && s.length > 0 ? s : undefined
}

const person = (p: ICAL.Property): Person | undefined => {
  const raw = p.getFirstValue()
  const address = typeof raw === "string" ? raw.trim().replace(/^mailto:/i, "").trim() : ""
  const email = address.includes("@") ? address : undefined
  const name = paramText(p, "cn")
  if (email === undefined && name === undefined) return undefined
  return new Person({ ...(email !== undefined ? { email } : {}), ...(name !== undefined ? { name } : {}) })
}

/** Conference links as Google, Microsoft and RFC 7986 put them. */
const LINK_PROPS = [
  "url",
  "conference",
  "x-google-conference",
  "x-microsoft-skypeteamsmeetingurl",
  "x-microsoft-onlinemeetingconflink"
]

const urls = (c: ICAL.Component) => {
  const found = LINK_PROPS.flatMap((name) => strings(c, name))
    .map((u) => u.trim())
    .filter((u) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(u))
  return [...new Set(found)]
}

export const eventFields = (c: ICAL.Component) => {
  const organizerProp = c.getFirstProperty("organizer")
  const organizer = organizerProp ? person(organizerProp) : undefined
  return {
    summary: text(c, "summary"),
    description: text(c, "description"),
    location: text(c, "location"),
    urls: urls(c),
    ...(organizer !== undefined ? { organizer } : {}),
    attendees: c.getAllProperties("attendee").flatMap((p) => person(p) ?? [])
  }
}

export const isCancelled = (c: ICAL.Component) => text(c, "status").toUpperCase() === "CANCELLED"

// Hyphens count as part of a word: "Birthday-Kampagne research" is a meeting, not a birthday.
const SPECIAL_DAY = /(?<![\p{L}\p{N}-])(birthday|anniversary|geburtstag|jahrestag)(?![\p{L}\p{N}-])/iu

/**
 * Birthdays and anniversaries: by category, by the markers Google's contact-birthday feed and
 * Apple/Outlook exports carry, or a yearly all-day event whose title names one as a whole word.
 */
export const isBirthday = (c: ICAL.Component): boolean => {
  if (strings(c, "categories").some((cat) => SPECIAL_DAY.test(cat))) return true
  const markers = c.getAllProperties().filter((p) => {
    const name = p.name.toLowerCase()
    if (!name.startsWith("x-")) return false
    if (/birthday|anniversary/.test(name)) return true
    if (name === "x-google-calendar-content-icon" || name === "x-google-calendar-content-title") {
      const v = p.getFirstValue()
      return typeof v === "string" && /cake|birthday|anniversary/i.test(v)
    }
    return name === "x-apple-special-day"
  })
  if (markers.length > 0) return true
  const start = c.getFirstProperty("dtstart")
  const allDay = start?.type === "date"
  const rrule = c.getFirstPropertyValue("rrule")
  const yearly = rrule !== null && typeof rrule === "object" && "freq" in rrule && rrule.freq === "YEARLY"
  return allDay && yearly && SPECIAL_DAY.test(text(c, "summary"))
}
