/**
 * The first pass over a feed (pure, no I/O): where its VEVENT blocks are, and its VTIMEZONEs.
 *
 * It reads the bytes in place. Nothing the size of the feed is made (no unfolded copy, no text,
 * no list of lines): a 77 MB feed stays 77 MB, and each block is decoded later, on its own, when
 * it is read. The cut follows ICalBlocks.splitComponents line for line (same unfolding, trailing
 * blanks, case rules and nesting), so both give the same blocks.
 */
import type { RawBlock } from "./ICalBlocks.js"

/** A VEVENT block as byte offsets into the feed: its content lines, without BEGIN/END. */
export interface BlockRange {
  /** 1-based position among the VEVENTs of the file. */
  readonly index: number
  /**
   * From the first content line to the end of the last one, its line break included; `start` is
   * one past the end of the file when no line follows BEGIN:VEVENT.
   */
  readonly start: number
  readonly end: number
  readonly complete: boolean
}

export interface Scan {
  /** Each VTIMEZONE as text, lines joined with CRLF (not yet checked to parse). */
  readonly timezones: ReadonlyArray<string>
  readonly events: ReadonlyArray<BlockRange>
}

const LF = 10
const CR = 13
const SPACE = 32
const TAB = 9

const bomLength = (b: Uint8Array) => (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0)

/** The feed as a Buffer, without copying it. */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Bytes of one range, unfolded and decoded: a fold may split a multi-byte character, so folds are
 * removed from the bytes (as latin1, one char per byte) before UTF-8 decoding.
 */
export const decodeRange = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(latin1Range(bytes, start, end), "latin1").toString("utf8")

/** One char per byte, folds removed: ASCII structure can be read with string methods. */
export const latin1Range = (bytes: Uint8Array, start: number, end: number): string => {
  const raw = asBuffer(bytes).toString("latin1", start, end)
  return raw.includes("\n ") || raw.includes("\n\t") ? raw.replace(/\r?\n[ \t]/g, "") : raw
}

/**
 * Lines of decoded text as splitComponents keeps them: split at CRLF/LF, trailing blanks cut.
 * `closed`: the range ends with a line break that another line follows, and what the split finds
 * after that break is not a line. At the end of the file it is one (an empty last line).
 */
export const linesOf = (text: string, closed: boolean): Array<string> => {
  const lines = text.split(/\r?\n/)
  if (closed) lines.pop()
  return lines.map((l) => l.replace(/[ \t]+$/, ""))
}

/** No line follows BEGIN:VEVENT: the file ends on that line, without a line break. */
export const isBare = (bytes: Uint8Array, range: BlockRange) => range.start > bytes.byteLength

/** The block as ICalBlocks reads it, for the paths that need its decoded lines. */
export const rawBlock = (bytes: Uint8Array, range: BlockRange): RawBlock => ({
  index: range.index,
  lines: isBare(bytes, range) ? [] : linesOf(decodeRange(bytes, range.start, range.end), range.end < bytes.byteLength),
  complete: range.complete
})

type Mark = "BEGIN:VEVENT" | "END:VEVENT" | "BEGIN:VTIMEZONE" | "END:VTIMEZONE" | "END:VCALENDAR" | "BEGIN" | "END" | undefined

const MARKS: ReadonlyArray<Exclude<Mark, "BEGIN" | "END" | undefined>> = [
  "BEGIN:VEVENT",
  "END:VEVENT",
  "BEGIN:VTIMEZONE",
  "END:VTIMEZONE",
  "END:VCALENDAR"
]

/** What an unfolded, trimmed line means for the cut, by JavaScript's own upper-casing. */
const markOfText = (line: string): Mark => {
  const upper = line.toUpperCase()
  const exact = MARKS.find((m) => m === upper)
  if (exact) return exact
  return upper.startsWith("BEGIN:") ? "BEGIN" : upper.startsWith("END:") ? "END" : undefined
}

const isBE = (c: number | undefined) => c === 0x42 || c === 0x62 || c === 0x45 || c === 0x65

const isBlank = (c: number | undefined) => c === SPACE || c === TAB

/** Where a folded line's text starts: its first physical line may be empty. */
const firstUnfolded = (bytes: Uint8Array, start: number) => {
  let i = start
  for (;;) {
    if (bytes[i] === CR && bytes[i + 1] === LF && isBlank(bytes[i + 2])) i += 3
    else if (bytes[i] === LF && isBlank(bytes[i + 1])) i += 2
    else return i
  }
}

/**
 * The mark of a line read as text. A folded line keeps its final CR here: unfolding may put it
 * right before the line break.
 */
const decodedMark = (bytes: Uint8Array, start: number, end: number, broken: boolean) => {
  const text = decodeRange(bytes, start, end)
  return markOfText((broken ? text.replace(/\r$/, "") : text).replace(/[ \t]+$/, ""))
}

const upperAscii = (c: number) => String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 32 : c)

/**
 * The mark of the logical line at [start, end) (folds inside; `broken`: a line break follows). No
 * character outside ASCII upper-cases to a B or E, so only lines starting with b/B/e/E can be
 * marks. Plain ASCII lines are compared byte by byte; folded ones, and ones with other bytes where
 * a mark could still hide (15 characters are at most 60 bytes), are decoded and read as text.
 */
const markAt = (bytes: Uint8Array, start: number, end: number, folded: boolean, broken: boolean): Mark => {
  if (!isBE(bytes[folded ? firstUnfolded(bytes, start) : start])) return undefined
  if (folded) return decodedMark(bytes, start, end, broken)
  let e = end
  while (e > start && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--
  let head = ""
  for (let i = start; i < Math.min(e, start + 64); i++) {
    const c = bytes[i] ?? 0
    if (c >= 0x80) return decodedMark(bytes, start, end, broken)
    if (i < start + 16) head += upperAscii(c)
  }
  if (e - start <= 16) return markOfText(head)
  return head.startsWith("BEGIN:") ? "BEGIN" : head.startsWith("END:") ? "END" : undefined
}

/**
 * Cuts the feed into VTIMEZONE and VEVENT blocks; a VEVENT without END is kept (and later
 * reported). Lines are found with `indexOf`, so the bytes are touched by native code only,
 * except the first bytes of lines that may be marks.
 */
export const scanCalendar = (bytes: Uint8Array): Scan => {
  const buf = asBuffer(bytes)
  const len = buf.length
  const timezones: Array<string> = []
  const events: Array<BlockRange> = []
  let zoneStart = -1
  let eventStart = -1
  let depth = 0
  const close = (end: number, complete: boolean) => {
    if (eventStart >= 0) events.push({ index: events.length + 1, start: eventStart, end: Math.max(end, eventStart), complete })
    eventStart = -1
    depth = 0
  }
  let pos = bomLength(buf)
  while (pos <= len) {
    const lineStart = pos
    let folded = false
    let lineEnd = len
    let next = len + 1
    for (let p = pos;;) {
      const nl = buf.indexOf(LF, p)
      if (nl < 0) break
      const after = buf[nl + 1]
      if (after === SPACE || after === TAB) {
        folded = true
        p = nl + 2
        continue
      }
      lineEnd = !folded && nl > lineStart && buf[nl - 1] === CR ? nl - 1 : nl
      next = nl + 1
      break
    }
    pos = next
    const mark = markAt(buf, lineStart, lineEnd, folded, next <= len)
    if (zoneStart >= 0) {
      if (mark === "END:VTIMEZONE") {
        const text = decodeRange(buf, zoneStart, Math.min(next, len))
        timezones.push(linesOf(text, text.endsWith("\n")).join("\r\n"))
        zoneStart = -1
      }
    } else if (eventStart >= 0) {
      if (mark === "BEGIN:VEVENT" || mark === "END:VCALENDAR") {
        close(lineStart, false)
        if (mark === "BEGIN:VEVENT") eventStart = next
      } else if (mark === "END:VEVENT" && depth === 0) close(lineStart, true)
      else if (mark === "BEGIN" || mark === "BEGIN:VTIMEZONE") depth++
      else if (mark !== undefined) depth = Math.max(0, depth - 1)
    } else if (mark === "BEGIN:VEVENT") eventStart = next
    else if (mark === "BEGIN:VTIMEZONE") zoneStart = lineStart
  }
  close(len, false)
  return { timezones, events }
}
