/**
 * What a VEVENT says besides its times (pure): text, people, links, and the skip rules.
 *
 * The rules are written once, against `EventProps`: what ical.js gives for a property. Two
 * readers provide it: an ical.js component (any block ical.js reads), and ICalFastFields (plain
 * blocks, read without ical.js). Both answer alike, so the rules give the same fields either way.
 */
import type ICAL from "ical.js"
import { Person } from "../Domain/CalendarEvent.js"
import { own } from "./ICalLines.js"

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

/** A calendar user (ORGANIZER, ATTENDEE): its value and its CN parameter, as ical.js gives them. */
export interface PersonProp {
  readonly value: () => unknown
  readonly cn: () => unknown
}

/** An X- property of the VEVENT: lower-case name and (read only when asked) first value. */
export interface XProp {
  readonly name: string
  readonly value: () => unknown
}

/** The properties of one VEVENT (not of its alarms), names in lower case, values as ical.js types them. */
export interface EventProps {
  /** The first value of the first such property. */
  readonly first: (name: string) => unknown
  /** Every value of every such property. */
  readonly values: (name: string) => ReadonlyArray<unknown>
  readonly organizer: () => PersonProp | undefined
  /** The first `max` ATTENDEE properties, and how many there are. */
  readonly attendees: (max: number) => { readonly props: ReadonlyArray<PersonProp>; readonly count: number }
  readonly xProps: () => ReadonlyArray<XProp>
  /** The value type of DTSTART ("date", "date-time" …). */
  readonly startType: () => string | undefined
}

/** Text kept from a component is copied: a slice would keep the whole text of its block alive. */
const owned = (v: unknown): unknown => (typeof v === "string" ? own(v) : Array.isArray(v) ? v.map(owned) : v)

/** ical.js's answers for a component it parsed. */
export const componentProps = (c: ICAL.Component): EventProps => ({
  first(name) {
    return owned(c.getFirstPropertyValue(name))
  },
  values(name) {
    return c.getAllProperties(name).flatMap((p) => p.getValues().map(owned))
  },
  organizer() {
    const p = c.getFirstProperty("organizer")
    return p ? componentPerson(p) : undefined
  },
  attendees(max) {
    const all = c.getAllProperties("attendee")
    return { props: all.slice(0, max).map(componentPerson), count: all.length }
  },
  xProps() {
    return c.getAllProperties().flatMap((p) => {
      const name = p.name.toLowerCase()
      return name.startsWith("x-") ? [{ name, value: () => p.getFirstValue() }] : []
    })
  },
  startType() {
    return c.getFirstProperty("dtstart")?.type
  }
})

const componentPerson = (p: ICAL.Property): PersonProp => ({
  value() {
    return owned(p.getFirstValue())
  },
  cn() {
    return owned(p.getParameter("cn"))
  }
})

const text = (c: EventProps, name: string): string => {
  const v = c.first(name)
  return typeof v === "string" ? v : ""
}

const strings = (c: EventProps, name: string): ReadonlyArray<string> =>
  c.values(name).filter((v): v is string => typeof v === "string")

const paramText = (v: unknown): string | undefined => {
  const s = (Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : undefined)?.trim()
  return s && s.length > 0 ? s : undefined
}

/**
 * The people met so far in one read of a feed. The same organiser and colleagues appear in
 * thousands of events: each is made once and shared (a Person is never changed once made).
 */
export type People = Map<string, Person>

export const noPeople = (): People => new Map()

const MAILTO = "mailto:"

/** `value.replace(/^mailto:/i, "")`, without a regular expression for every attendee. */
const withoutMailto = (value: string) => {
  if (value.length < MAILTO.length) return value
  for (let i = 0; i < MAILTO.length; i++) {
    const c = value.charCodeAt(i)
    const want = MAILTO.charCodeAt(i)
    if (c !== want && (want === 58 || (c | 32) !== want)) return value
  }
  return value.slice(MAILTO.length)
}

const person = (p: PersonProp, people: People): Person | undefined => {
  const raw = p.value()
  const address = typeof raw === "string" ? withoutMailto(raw.trim()).trim() : ""
  const email = address.includes("@") && address.length <= LIMITS.email ? address : undefined
  const cn = paramText(p.cn())
  const name = cn === undefined ? undefined : clip(cn, LIMITS.name)
  if (email === undefined && name === undefined) return undefined
  const key = `${email ?? "\u0001"}\u0000${name ?? "\u0001"}`
  const known = people.get(key)
  if (known) return known
  // Made once, kept with every event: its text is copied out of the block it was read from.
  const made = new Person({
    ...(email !== undefined ? { email: own(email) } : {}),
    ...(name !== undefined ? { name: own(name) } : {})
  }, true)
  // The key too: made of slices of the block's text, it would keep the block alive.
  people.set(own(key), made)
  return made
}

/** Conference links as Google, Microsoft and RFC 7986 put them. */
export const LINK_PROPS = [
  "url",
  "conference",
  "x-google-conference",
  "x-microsoft-skypeteamsmeetingurl",
  "x-microsoft-onlinemeetingconflink"
]

const urls = (c: EventProps) => {
  const found = LINK_PROPS.flatMap((name) => strings(c, name))
    .map((u) => u.trim())
    // A cut URL leads nowhere: an overlong one is dropped, not shortened.
    .filter((u) => u.length <= LIMITS.url && /^[a-z][a-z0-9+.-]*:\S+$/i.test(u))
  return [...new Set(found)]
}

/** The field cut to its limit, with its name noted in `truncated` when it was longer. */
const bounded = <A extends { readonly length: number }>(
  truncated: Array<string>,
  field: string,
  value: A,
  max: number,
  cut: (value: A, max: number) => A
): A => {
  if (value.length <= max) return value
  truncated.push(field)
  return cut(value, max)
}

const textField = (c: EventProps, truncated: Array<string>, name: "summary" | "description" | "location") =>
  bounded(truncated, name, text(c, name), LIMITS[name], clip)

const firstOf = <A>(items: ReadonlyArray<A>, max: number) => items.slice(0, max)

// Only as many properties are read as can be kept: a feed may list thousands of attendees.
const attendeesOf = (c: EventProps, truncated: Array<string>, people: People) => {
  const { count, props } = c.attendees(LIMITS.attendees)
  if (count > LIMITS.attendees) truncated.push("attendees")
  return props.flatMap((p) => person(p, people) ?? [])
}

// No closures made per call: it runs for every event (and tsx names every function made at run time).
export const eventFieldsOf = (c: EventProps, people: People = noPeople()) => {
  const organizerProp = c.organizer()
  const organizer = organizerProp ? person(organizerProp, people) : undefined
  const truncated: Array<string> = []
  const fields = {
    summary: textField(c, truncated, "summary"),
    description: textField(c, truncated, "description"),
    location: textField(c, truncated, "location"),
    urls: bounded(truncated, "urls", urls(c), LIMITS.urls, firstOf),
    ...(organizer !== undefined ? { organizer } : {}),
    attendees: attendeesOf(c, truncated, people)
  }
  return truncated.length > 0 ? { ...fields, truncated } : fields
}

export const isCancelledOf = (c: EventProps) => text(c, "status").toUpperCase() === "CANCELLED"

// Hyphens count as part of a word: "Birthday-Kampagne research" is a meeting, not a birthday.
const SPECIAL_DAY = /(?<![\p{L}\p{N}-])(birthday|anniversary|geburtstag|jahrestag)(?![\p{L}\p{N}-])/iu

/**
 * Birthdays and anniversaries: by category, by the markers Google's contact-birthday feed and
 * Apple/Outlook exports carry, or a yearly all-day event whose title names one as a whole word.
 */
export const isBirthdayOf = (c: EventProps): boolean => {
  if (strings(c, "categories").some((cat) => SPECIAL_DAY.test(cat))) return true
  const markers = c.xProps().filter(({ name, value }) => {
    if (/birthday|anniversary/.test(name)) return true
    if (name === "x-google-calendar-content-icon" || name === "x-google-calendar-content-title") {
      const v = value()
      return typeof v === "string" && /cake|birthday|anniversary/i.test(v)
    }
    return name === "x-apple-special-day"
  })
  if (markers.length > 0) return true
  const allDay = c.startType() === "date"
  const rrule = c.first("rrule")
  const yearly = rrule !== null && typeof rrule === "object" && "freq" in rrule && rrule.freq === "YEARLY"
  return allDay && yearly && SPECIAL_DAY.test(text(c, "summary"))
}

export const eventFields = (c: ICAL.Component, people?: People) => eventFieldsOf(componentProps(c), people)
export const isCancelled = (c: ICAL.Component) => isCancelledOf(componentProps(c))
export const isBirthday = (c: ICAL.Component) => isBirthdayOf(componentProps(c))
