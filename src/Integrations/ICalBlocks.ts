/**
 * The text layer of the iCalendar parser (pure, no I/O): bytes → unfolded text → VEVENT blocks,
 * each validated on its own so that one broken event cannot sink the feed.
 */
import { Either } from "effect"
import ICAL from "ical.js"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import { clip, LIMITS } from "./ICalFields.js"

/**
 * Bytes to unfolded text (iCalendar and vCard alike): folds are at octets, so they are removed
 * before decoding, or a "ü" split by a fold would be lost. A UTF-8 BOM is dropped.
 */
export const unfoldBytes = (bytes: Uint8Array): string => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf
  return Buffer.from(body.toString("latin1").replace(/\r?\n[ \t]/g, ""), "latin1").toString("utf8")
}

/**
 * Why the bytes are not an iCalendar, or undefined when they are. The common case (the first line
 * is BEGIN:VCALENDAR) is seen in the first bytes; anything else is decided on the decoded text.
 */
export const calendarProblem = (bytes: Uint8Array): string | undefined => {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString("latin1")
  const firstLine = /^(?:\xef\xbb\xbf)?BEGIN:VCALENDAR[ \t]*\r?\n[^ \t]/i.test(head) ||
    (bytes.byteLength <= 64 && /^(?:\xef\xbb\xbf)?BEGIN:VCALENDAR[ \t]*(?:\r?\n)?$/i.test(head))
  if (firstLine) return undefined
  return Either.match(decodeCalendar(bytes), { onLeft: (reason) => reason, onRight: () => undefined })
}

export const decodeCalendar = (bytes: Uint8Array): Either.Either<string, string> => {
  const text = unfoldBytes(bytes)
  if (text.trim().length === 0) return Either.left("empty file, not an iCalendar")
  if (!/^BEGIN:VCALENDAR[ \t]*$/im.test(text)) {
    const what = /^\s*</.test(text) ? "got HTML or XML" : "no BEGIN:VCALENDAR"
    return Either.left(`not an iCalendar file (${what})`)
  }
  return Either.right(text)
}

export interface ContentLine {
  readonly name: string
  /** Raw parameter text including the leading ";" (may be ""). */
  readonly params: string
  readonly value: string
}

/** Splits `NAME;P="a:b":value` at the first colon outside quotes. */
export const splitLine = (line: string): ContentLine | undefined => {
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === "\"") quoted = !quoted
    else if (!quoted && c === ":") {
      const head = line.slice(0, i)
      const semi = head.indexOf(";")
      const name = (semi < 0 ? head : head.slice(0, semi)).trim().toUpperCase()
      if (!/^[A-Z0-9-]+$/.test(name)) return undefined
      return { name, params: semi < 0 ? "" : head.slice(semi), value: line.slice(i + 1) }
    }
  }
  return undefined
}

const paramPatterns = new Map<string, RegExp>()

export const param = (params: string, name: string): string | undefined => {
  if (params === "") return undefined
  let pattern = paramPatterns.get(name)
  if (pattern === undefined) {
    pattern = new RegExp(`;${name}=("[^"]*"|[^;:]*)`, "i")
    paramPatterns.set(name, pattern)
  }
  const m = pattern.exec(params)
  return m?.[1]?.replace(/^"|"$/g, "")
}

export const unescapeText = (s: string) =>
  s.replace(/\\([nN,;\\])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c))

export interface RawBlock {
  /** 1-based position among the VEVENTs of the file. */
  readonly index: number
  readonly lines: ReadonlyArray<string>
  readonly complete: boolean
}

export interface Components {
  readonly timezones: ReadonlyArray<string>
  readonly events: ReadonlyArray<RawBlock>
}

/** Cuts the unfolded text into VTIMEZONE and VEVENT blocks; a VEVENT without END is kept (and later reported). */
export const splitComponents = (text: string): Components => {
  const timezones: Array<string> = []
  const events: Array<RawBlock> = []
  let zone: Array<string> | undefined
  let event: Array<string> | undefined
  let depth = 0
  const close = (complete: boolean) => {
    if (event) events.push({ index: events.length + 1, lines: event, complete })
    event = undefined
    depth = 0
  }
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[ \t]+$/, "")
    const upper = line.toUpperCase()
    if (zone) {
      zone.push(line)
      if (upper === "END:VTIMEZONE") {
        timezones.push(zone.join("\r\n"))
        zone = undefined
      }
    } else if (event) {
      if (upper === "BEGIN:VEVENT" || upper === "END:VCALENDAR") {
        close(false)
        if (upper === "BEGIN:VEVENT") event = []
      } else if (upper === "END:VEVENT" && depth === 0) close(true)
      else {
        if (upper.startsWith("BEGIN:")) depth++
        else if (upper.startsWith("END:")) depth = Math.max(0, depth - 1)
        event.push(line)
      }
    } else if (upper === "BEGIN:VEVENT") event = []
    else if (upper === "BEGIN:VTIMEZONE") zone = [line]
  }
  close(false)
  return { timezones: parsableZones(timezones), events }
}

/** The VTIMEZONEs ical.js can read; node-ical is given only those. */
export const parsableZones = (zones: ReadonlyArray<string>): ReadonlyArray<string> =>
  zones.filter((component) => {
    try {
      ICAL.parse(`BEGIN:VCALENDAR\r\n${component}\r\nEND:VCALENDAR`)
      return true
    } catch {
      return false
    }
  })

export const tzidsOf = (timezones: ReadonlyArray<string>): ReadonlySet<string> =>
  new Set(timezones.flatMap((z) => {
    // `[^:\r\n]`: parameters stop at the line's end, or "TZID:Custom" would read the next line's name.
    const m = /^TZID[;:](?:[^:\r\n]*:)?(.*)$/im.exec(z)
    return m?.[1] ? [m[1].trim()] : []
  }))

const windowsZones: Record<string, unknown> = createRequire(import.meta.url)("node-ical/windowsZones.json")
const windowsLabels = new Set(
  Object.keys(windowsZones).flatMap((label) => {
    const bare = label.replace(/^\((?:utc|gmt)[^)]*\)\s*/i, "")
    return [label, bare].map((l) => l.replace(/\s+/g, " ").trim().toLowerCase())
  })
)

const zoneCache = new Map<string, boolean>()
/** A zone node-ical can resolve: IANA, or a Windows name it ships a mapping for. */
const isKnownZone = (tzid: string): boolean => {
  const cached = zoneCache.get(tzid)
  if (cached !== undefined) return cached
  let known = windowsLabels.has(tzid.replace(/\s+/g, " ").trim().toLowerCase())
  if (!known) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tzid })
      known = true
    } catch {
      known = false
    }
  }
  zoneCache.set(tzid, known)
  return known
}

export const TIME_PROPS: ReadonlySet<string> = new Set(["DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DUE"])

const digitsAt = (v: string, from: number, to: number) => {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

/** Days in a month as Date.UTC counts them: years 0–99 are 1900–1999 there. */
const daysIn = (year: number, month: number) => {
  const y = year < 100 ? 1900 + year : year
  if (month === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** `20261126` or `20261126T090000[Z]` with real calendar ranges (ical.js accepts month 13). */
export const isValidDateValue = (v: string): boolean => {
  const n = v.length
  if (n !== 8 && n !== 15 && !(n === 16 && v.charCodeAt(15) === 90)) return false
  const [y, mo, d] = [digitsAt(v, 0, 4), digitsAt(v, 4, 6), digitsAt(v, 6, 8)]
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return false
  if (n === 8) return true
  const [h, mi, sec] = [digitsAt(v, 9, 11), digitsAt(v, 11, 13), digitsAt(v, 13, 15)]
  return v.charCodeAt(8) === 84 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && sec >= 0 && sec <= 60
}

export const dateValues = (line: Pick<ContentLine, "value">) =>
  line.value.split(",").map((v) => v.trim().split("/")[0] ?? "").filter((v) => v.length > 0)

/** The block as an ical.js component, or why it cannot be used. */
export const validateBlock = (block: RawBlock): Either.Either<ICAL.Component, string> => {
  const reason = problemOf(block)
  if (reason !== undefined) return Either.left(reason)
  const calendar = new ICAL.Component(ICAL.parse(wrapEvent(block.lines)))
  const event = calendar.getFirstSubcomponent("vevent")
  return event ? Either.right(event) : Either.left("no VEVENT content")
}

const wrapEvent = (lines: ReadonlyArray<string>) =>
  `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n${lines.join("\r\n")}\r\nEND:VEVENT\r\nEND:VCALENDAR`

const problemOf = (block: RawBlock): string | undefined => {
  if (!block.complete) return "missing END:VEVENT"
  const lines: Array<ContentLine> = []
  for (const text of block.lines) {
    if (text.trim().length === 0) continue
    const line = splitLine(text)
    if (!line) return `invalid line (no ":"): ${JSON.stringify(text.slice(0, 60))}`
    lines.push(line)
  }
  try {
    ICAL.parse(wrapEvent(block.lines))
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
  if (!lines.some((l) => l.name === "DTSTART")) return "missing DTSTART"
  for (const line of lines) {
    if (!TIME_PROPS.has(line.name)) continue
    const bad = dateValues(line).find((v) => !isValidDateValue(v))
    if (bad !== undefined) return `invalid ${line.name} ${JSON.stringify(bad)}`
  }
  return undefined
}

const first = (block: RawBlock, name: string) =>
  block.lines.map(splitLine).find((l) => l?.name === name)

/** What can still be read from a block, for a broken-event report. */
export const peekBlock = (block: RawBlock) => {
  const uid = first(block, "UID")?.value.trim()
  const summary = first(block, "SUMMARY")
  const dtstart = first(block, "DTSTART")
  return {
    uid: uid && uid.length > 0 ? uid : undefined,
    summary: summary ? clip(unescapeText(summary.value), LIMITS.summary) : "",
    start: dtstart && isValidDateValue(dtstart.value.trim()) ? readableStart(dtstart) : undefined
  }
}

const readableStart = (line: ContentLine) => {
  const v = line.value.trim()
  const date = `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`
  if (v.length === 8) return date
  const time = `${v.slice(9, 11)}:${v.slice(11, 13)}:${v.slice(13, 15)}`
  // Without a UTC marker this is local to its TZID; the broken-event report says so rather than guess.
  return v.endsWith("Z") ? `${date}T${time}.000Z` : `${date}T${time}${tzSuffix(line)}`
}

const tzSuffix = (line: ContentLine) => {
  const tzid = param(line.params, "TZID")
  return tzid ? ` (${tzid})` : ""
}

export const stableId = (block: RawBlock) => stableIdOf(first(block, "DTSTART"), first(block, "SUMMARY")?.value)

/** An id for an event without UID, from its first DTSTART and SUMMARY lines. */
export const stableIdOf = (dtstart: Omit<ContentLine, "name"> | undefined, summary: string | undefined) => {
  const key = `${dtstart?.params ?? ""}:${dtstart?.value ?? ""}|${summary ?? ""}`
  return `gen-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`
}

/** A date-time that is floating, or local to a zone nobody can resolve: read as UTC. */
const needsUtc = (line: ContentLine, fileZones: ReadonlySet<string>) => {
  if (/;VALUE=DATE(?![-A-Z])/i.test(line.params)) return false
  if (line.value.split(",").every((v) => v.trim().length === 8)) return false
  const tzid = param(line.params, "TZID")
  return tzid === undefined || !(fileZones.has(tzid) || isKnownZone(tzid))
}

/** `20261126T090000Z`, checked by hand: it is asked for every time line. */
export const isUtcStamp = (v: string): boolean => {
  if (v.length !== 16 || v.charCodeAt(8) !== 84 || v.charCodeAt(15) !== 90) return false
  for (let i = 0; i < 15; i++) {
    const c = v.charCodeAt(i) - 48
    if (i !== 8 && (c < 0 || c > 9)) return false
  }
  return true
}

/**
 * A time line of a good block as node-ical is given it: floating times and TZIDs nobody can
 * resolve become UTC (node-ical would otherwise use the host zone). Undefined: given as it is.
 */
export const utcLine = (line: ContentLine, fileZones: ReadonlySet<string>): ContentLine | undefined => {
  if (!TIME_PROPS.has(line.name)) return undefined
  // Already UTC, nothing to rewrite (the common case); still a line node-ical is given as UTC.
  if (line.params === "" && isUtcStamp(line.value)) return line
  if (!needsUtc(line, fileZones)) return undefined
  const params = line.params.replace(/;TZID=("[^"]*"|[^;:]*)/i, "")
  const utc = line.value.split(",").map((v) => v.trim().replace(/^(\d{8}T\d{6})(?=$|\/)/, "$1Z"))
  return { name: line.name, params, value: utc.join(",") }
}

/** An RRULE line whose DTSTART was made UTC: its UNTIL is UTC too. */
export const utcUntil = (line: string) => (/^RRULE:/i.test(line) ? line.replace(/(UNTIL=\d{8}T\d{6})(?!Z)/i, "$1Z") : line)

/**
 * Rewrites a good block so node-ical reads it the same under every process TZ (`utcLine`), with
 * the UID we chose and an X-LI-BLOCK marker that leads back to the block.
 */
export const normalizeBlock = (
  block: RawBlock,
  uid: string,
  fileZones: ReadonlySet<string>
): string => {
  let floatingStart = false
  const out: Array<string> = [`UID:${uid}`, `X-LI-BLOCK:${block.index}`]
  for (const text of block.lines) {
    const line = splitLine(text)
    if (line?.name === "UID" || line?.name === "X-LI-BLOCK") continue
    const utc = line && utcLine(line, fileZones)
    if (!utc) {
      out.push(text)
      continue
    }
    if (utc.name === "DTSTART") floatingStart = true
    out.push(`${utc.name}${utc.params}:${utc.value}`)
  }
  return out.map((l) => (floatingStart ? utcUntil(l) : l)).join("\r\n")
}
