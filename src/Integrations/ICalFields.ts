/** What a VEVENT says besides its times (pure): text, people, links, and the skip rules. */
import type ICAL from "ical.js"
import { Person } from "../Domain/CalendarEvent.js"

/**
 * What an event keeps of its text. A feed may carry a 10 MB description; the event is copied into
 * workflow rows, step lines and mails, so it is cut here, once, at the parse boundary. Trigger
 * detection and extraction see the cut text: a meeting's trigger words and company are near the
 * top, well inside these limits.
 */
export const LIMITS = {
  summary: 1024,
  location: 1024,
  description: 32 * 1024,
  attendees: 200,
  urls: 20,
  url: 2048,
  name: 256,
  /** The longest address SMTP can carry (RFC 5321); a longer one is not an address. */
  email: 254
} as const

/** At most `max` UTF-16 units, ending in "…" when cut, never inside a surrogate pair. */
export const clip = (s: string, max: number): string => {
  if (s.length <= max) return s
  const end = /[\uD800-\uDBFF]/.test(s[max - 2] ?? "") ? max - 2 : max - 1
  return `${s.slice(0, end)}…`
}

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
  const email = address.includes("@") && address.length <= LIMITS.email ? address : undefined
  const cn = paramText(p, "cn")
  const name = cn === undefined ? undefined : clip(cn, LIMITS.name)
  if (email === undefined && name === undefined) return undefined
  return new Person({ ...(email !== undefined ? { email } : {}), ...(name !== undefined ? { name } : {}) }, true)
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
    // A cut URL leads nowhere: an overlong one is dropped, not shortened.
    .filter((u) => u.length <= LIMITS.url && /^[a-z][a-z0-9+.-]*:\S+$/i.test(u))
  return [...new Set(found)]
}

export const eventFields = (c: ICAL.Component) => {
  const organizerProp = c.getFirstProperty("organizer")
  const organizer = organizerProp ? person(organizerProp) : undefined
  const truncated: Array<string> = []
  const bounded = <A extends { readonly length: number }>(field: string, value: A, max: number, cut: (a: A) => A): A => {
    if (value.length <= max) return value
    truncated.push(field)
    return cut(value)
  }
  const textField = (name: "summary" | "description" | "location") =>
    bounded(name, text(c, name), LIMITS[name], (s) => clip(s, LIMITS[name]))
  const attendeeProps = c.getAllProperties("attendee")
  const fields = {
    summary: textField("summary"),
    description: textField("description"),
    location: textField("location"),
    urls: bounded("urls", urls(c), LIMITS.urls, (u) => u.slice(0, LIMITS.urls)),
    ...(organizer !== undefined ? { organizer } : {}),
    // Only as many properties are read as can be kept: a feed may list thousands of attendees.
    attendees: bounded("attendees", attendeeProps, LIMITS.attendees, (a) => a.slice(0, LIMITS.attendees))
      .flatMap((p) => person(p) ?? [])
  }
  return truncated.length > 0 ? { ...fields, truncated } : fields
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
