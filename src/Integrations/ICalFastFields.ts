/**
 * A plain VEVENT block read without ical.js (pure): the checks ICalBlocks.validateBlock makes,
 * and the property answers ICalFields' rules need, the way ical.js would give them.
 *
 * "Plain" is decided conservatively: a line whose reading by ical.js could fail is read by
 * ical.js (that line alone); a block with any line this reader does not cover goes to the
 * ical.js path whole, so an odd block costs time, never a different answer.
 */
import ICAL from "ical.js"
import { dateValues, isValidDateValue, TIME_PROPS } from "./ICalBlocks.js"
import type { EventProps, PersonProp } from "./ICalFields.js"
import { LINK_PROPS } from "./ICalFields.js"
import { decoded, type FastLine, lastParam, own, readLines, splitUnescaped, unescapeText, utf8 } from "./ICalLines.js"

/** A block that passed every check of validateBlock, with the VEVENT's own first RRULE as ical.js reads it. */
export interface PlainBlock {
  readonly lines: ReadonlyArray<FastLine>
  readonly rrule: unknown
}

/** Value types whose reading by ical.js can throw: RRULE's recur and period. */
const RISKY_NAMES = new Set(["RRULE", "EXRULE", "FREEBUSY"])

/** The VALUE parameter in lower case, as ical.js takes a property's type from it. */
const valueParam = (l: FastLine) => (l.params === "" ? undefined : lastParam(l.params, "VALUE")?.toLowerCase())

const risky = (l: FastLine) => {
  if (RISKY_NAMES.has(l.name) || (l.name === "RDATE" && l.value.includes("/"))) return true
  const type = valueParam(l)
  return type === "period" || type === "recur"
}

/**
 * The properties whose values the field rules read, and the VALUE types under which ical.js
 * still gives them as read here: TEXT unescaped, the others raw.
 */
const TEXT = new Set(["SUMMARY", "DESCRIPTION", "LOCATION", "STATUS", "CATEGORIES"])
const READ_AS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ...[...TEXT].map((n) => [n, new Set(["text"])] as const),
  ...["ORGANIZER", "ATTENDEE"].map((n) => [n, new Set(["cal-address", "uri"])] as const),
  ...[...LINK_PROPS.map((n) => n.toUpperCase()), "X-GOOGLE-CALENDAR-CONTENT-ICON", "X-GOOGLE-CALENDAR-CONTENT-TITLE"]
    .map((n) => [n, new Set(["uri"])] as const),
  ["RRULE", new Set<string>()]
])

const typeKept = (l: FastLine) => {
  const allowed = l.params === "" ? undefined : READ_AS.get(l.name)
  const type = allowed && valueParam(l)
  return type === undefined || allowed === undefined || allowed.has(type)
}

/** validateBlock's check of a time line: one value needs no splitting. */
const validTimes = (l: FastLine) => {
  if (l.value.includes(",") || l.value.includes("/")) return dateValues(l).every(isValidDateValue)
  const v = l.value.trim()
  return v === "" || isValidDateValue(v)
}

const ical = (l: FastLine): unknown => ICAL.parse.property(utf8(`${l.name}${l.params}:${l.value}`))

/** The block when it is plain and valid; undefined sends it to the ical.js path. */
export const readPlainBlock = (text: string): PlainBlock | undefined => {
  const lines = readLines(text)
  if (!lines) return undefined
  let rrule: unknown
  for (const l of lines) {
    if (!typeKept(l)) return undefined
    if (!risky(l)) continue
    let parsed: unknown
    try {
      parsed = ical(l)
    } catch {
      return undefined
    }
    if (l.name === "RRULE" && l.depth === 0 && rrule === undefined) rrule = Array.isArray(parsed) ? parsed[3] : undefined
  }
  if (!lines.some((l) => l.name === "DTSTART")) return undefined
  for (const l of lines) {
    if (TIME_PROPS.has(l.name) && !validTimes(l)) return undefined
  }
  return { lines, rrule }
}

/** A plain ORGANIZER or ATTENDEE line. */
class PlainPerson implements PersonProp {
  constructor(private readonly line: FastLine) {}
  // Decoded, not copied: only what a new Person keeps is (ICalFields copies it).
  value() {
    return decoded(this.line.value)
  }
  cn() {
    const cn = lastParam(this.line.params, "CN")
    return cn === undefined ? undefined : decoded(cn)
  }
}

/**
 * Text decoded once per feed: titles, places and links repeat across events (and then are one
 * string in memory, not one per event). Long ones (descriptions) are mostly unique: not kept.
 */
export interface Texts {
  /** TEXT values (unescaped) and raw ones, by the value as written. */
  readonly text: Map<string, string>
  readonly raw: Map<string, string>
}

export const noTexts = (): Texts => ({ text: new Map(), raw: new Map() })

const SHARED_TEXT = 128

const upperNames = new Map<string, string>()
const upper = (name: string) => {
  let u = upperNames.get(name)
  if (u === undefined) {
    u = name.toUpperCase()
    upperNames.set(name, u)
  }
  return u
}

/** ical.js's answers for a plain block (names asked in lower case), from one pass over its lines. */
class PlainProps implements EventProps {
  private readonly byName = new Map<string, Array<FastLine>>()
  private readonly xLines: Array<FastLine> = []

  constructor(private readonly block: PlainBlock, private readonly texts: Texts) {
    for (const l of block.lines) {
      if (l.depth !== 0) continue
      const list = this.byName.get(l.name)
      if (list) list.push(l)
      else this.byName.set(l.name, [l])
      if (l.name.startsWith("X-")) this.xLines.push(l)
    }
  }

  private named(name: string): ReadonlyArray<FastLine> {
    return this.byName.get(upper(name)) ?? []
  }

  /** What ical.js gives for one property: TEXT unescaped, other types raw. */
  private valueOf(l: FastLine): string {
    const text = TEXT.has(l.name)
    if (l.value.length > SHARED_TEXT) return text ? unescapeText(utf8(l.value)) : utf8(l.value)
    const shared = text ? this.texts.text : this.texts.raw
    let value = shared.get(l.value)
    if (value === undefined) {
      value = text ? unescapeText(utf8(l.value)) : utf8(l.value)
      // The key too is kept for the whole read: a copy, not a slice of the block's text.
      shared.set(own(l.value), value)
    }
    return value
  }

  first(name: string): unknown {
    if (name === "rrule") return this.block.rrule ?? null
    const [line] = this.named(name)
    return line === undefined ? null : name === "categories" ? this.values(name)[0] : this.valueOf(line)
  }

  values(name: string): ReadonlyArray<unknown> {
    return name === "categories"
      ? this.named(name).flatMap((l) => splitUnescaped(l.value).map((v) => unescapeText(utf8(v))))
      : this.named(name).map((l) => this.valueOf(l))
  }

  organizer(): PersonProp | undefined {
    const [line] = this.named("organizer")
    return line && new PlainPerson(line)
  }

  attendees(max: number) {
    const all = this.named("attendee")
    return { props: all.slice(0, max).map((l) => new PlainPerson(l)), count: all.length }
  }

  xProps() {
    return this.xLines.map((l) => ({
      name: l.name.toLowerCase(),
      value() {
        return utf8(l.value)
      }
    }))
  }

  startType(): string | undefined {
    const [start] = this.named("dtstart")
    return start && (valueParam(start) ?? "date-time")
  }
}

export const plainProps = (block: PlainBlock, texts: Texts = noTexts()): EventProps => new PlainProps(block, texts)
