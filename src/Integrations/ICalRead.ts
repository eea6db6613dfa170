/**
 * One VEVENT block, read (pure): plainly when it is plain (ICalFastFields, ICalTimes), otherwise
 * validated and read by ical.js as before. What is kept of it (`Read`) is what its series needs.
 */
import { Either } from "effect"
import type ICAL from "ical.js"
import type { TimeWindow } from "../Domain/CalendarEvent.js"
import { peekBlock, type RawBlock, splitLine, stableId, stableIdOf, validateBlock } from "./ICalBlocks.js"
import { plainProps, readPlainBlock, type Texts } from "./ICalFastFields.js"
import {
  eventFields,
  eventFieldsOf,
  isBirthday,
  isBirthdayOf,
  isCancelled,
  isCancelledOf,
  type People
} from "./ICalFields.js"
import { type FastLine, utf8 } from "./ICalLines.js"
import { type BlockRange, latin1Range, rawBlock } from "./ICalScan.js"
import { type BlockTimes, readTimes } from "./ICalTimes.js"

export type Fields = ReturnType<typeof eventFields>

/** What the field rules say of a block. */
export interface Said {
  readonly fields: () => Fields
  readonly cancelled: () => boolean
  readonly birthday: () => boolean
}

/** Of a plain block: known at once. */
class Known implements Said {
  constructor(private readonly f: Fields, private readonly c: boolean, private readonly b: boolean) {}
  fields() {
    return this.f
  }
  cancelled() {
    return this.c
  }
  birthday() {
    return this.b
  }
}

/** Of any other: ical.js's component is asked when the answer is needed, as before (a rule may throw on it). */
class Asked implements Said {
  private f: Fields | undefined
  private c: boolean | undefined
  private b: boolean | undefined
  constructor(private readonly component: ICAL.Component, private readonly people: People) {}
  fields() {
    return (this.f ??= eventFields(this.component, this.people))
  }
  cancelled() {
    return (this.c ??= isCancelled(this.component))
  }
  birthday() {
    return (this.b ??= isBirthday(this.component))
  }
}

/** A good block, as much as the rest needs of it. */
export interface Read {
  readonly range: BlockRange
  /** It has a RECURRENCE-ID: it joins its master's series. */
  readonly override: boolean
  readonly said: Said
  /** Its times when they were read here; otherwise node-ical reads them. */
  readonly times: BlockTimes | undefined
}

/** A block's reading: its UID (or the id made for it) and what is kept, or why it cannot be used. */
export type BlockRead =
  | { readonly baseUid: string; readonly read: Read }
  | { readonly block: RawBlock; readonly reason: string }

/** What reading a feed shares between its blocks. */
export interface Reader {
  readonly bytes: Uint8Array
  readonly fileZones: ReadonlySet<string>
  readonly window: TimeWindow
  readonly people: People
  readonly texts: Texts
  /** false: every block the careful way (ical.js and node-ical). */
  readonly plain: boolean
}

export const readBlock = (reader: Reader, range: BlockRange): BlockRead =>
  (reader.plain ? readPlain(reader, range) : undefined) ?? readCarefully(reader, rawBlock(reader.bytes, range), range)

/** The first line of that name, at any depth (as peekBlock looks for the UID). */
const firstNamed = (lines: ReadonlyArray<FastLine>, name: string) => lines.find((l) => l.name === name)

/** A plain block, read without ical.js; undefined when it is not plain. */
const readPlain = (reader: Reader, range: BlockRange): BlockRead | undefined => {
  if (!range.complete) return undefined
  const plain = readPlainBlock(latin1Range(reader.bytes, range.start, range.end))
  if (!plain) return undefined
  const uid = utf8(firstNamed(plain.lines, "UID")?.value ?? "").trim()
  const props = plainProps(plain, reader.texts)
  const start = firstNamed(plain.lines, "DTSTART")
  const summary = firstNamed(plain.lines, "SUMMARY")
  return {
    baseUid: uid.length > 0
      ? uid
      : stableIdOf(start && { params: utf8(start.params), value: utf8(start.value) }, summary && utf8(summary.value)),
    read: {
      range,
      override: plain.lines.some((l) => l.name === "RECURRENCE-ID"),
      said: new Known(eventFieldsOf(props, reader.people), isCancelledOf(props), isBirthdayOf(props)),
      times: readTimes(plain.lines, range.index, reader.fileZones, reader.window)
    }
  }
}

/** Any block, validated and read by ical.js. */
const readCarefully = (reader: Reader, block: RawBlock, range: BlockRange): BlockRead => {
  const checked = validateBlock(block)
  if (Either.isLeft(checked)) return { block, reason: checked.left }
  return {
    baseUid: peekBlock(block).uid ?? stableId(block),
    read: {
      range,
      override: block.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID"),
      said: new Asked(checked.right, reader.people),
      times: undefined
    }
  }
}
