/**
 * The events of a series of one plain block, deferred: of what the first read built, only the ids,
 * start and summary are kept, and the block is read again when one of its events is taken (the same
 * code on the same bytes, so the same event). A cycle then holds the events of the chunk it is
 * working on, not the whole feed's built at once (100,000 events: ~90 MB).
 */
import { type CalendarEvent, DeferredEvent } from "../Domain/CalendarEvent.js"
import { noTexts } from "./ICalFastFields.js"
import { noPeople } from "./ICalFields.js"
import { readBlock, type Reader } from "./ICalRead.js"
import { asBuffer, type BlockRange, rawBlock } from "./ICalScan.js"
import { type Expansion, type Timed, type UnitResult, unitResult } from "./ICalSeries.js"

/** A block's bytes by its range in the feed: from the feed itself, or from a copy of it elsewhere (ICalFeed). */
export type BlockSource = (range: BlockRange) => Uint8Array

export const inMemory = (bytes: Uint8Array): BlockSource => (range) => bytes.subarray(range.start, range.end)

// The occurrences of a series are taken one after another (with other workers' events between):
// the series last read again are kept built, so it is not read once per occurrence — as many as
// hold this many events together.
const RECENT_EVENTS = 2_000

// The people and short texts met are shared between the events built from them. The first read's
// go with it; events built again live a chunk at a time, and so do the ones they share: the
// entries are dropped once there are this many.
const MET = 5_000

const met = () => ({ people: noPeople(), texts: noTexts() })

/**
 * Defers the events of plain units read with `reader` and `at`; they are read again from `source`
 * (`readFrom` changes it: nothing here keeps the feed's bytes but the source). What a unit needs to
 * be read again is kept in columns, not an object per event: its UID is its events' series or id.
 */
export const deferring = (reader: Reader, at: Expansion, source: BlockSource) => {
  const { bytes: _bytes, people: _people, texts: _texts, ...shared } = reader
  const { raw: _raw, ...expand } = at
  let blocks = source
  let seen = met()
  const units = { index: [] as Array<number>, start: [] as Array<number>, end: [] as Array<number> }
  const recent = new Map<number, ReadonlyArray<Timed>>()
  let recentEvents = 0

  const eventsOf = (unit: number, uid: string): ReadonlyArray<Timed> => {
    const kept = recent.get(unit)
    if (kept !== undefined) return kept
    const index = units.index[unit]!
    const bytes = blocks({ index, start: units.start[unit]!, end: units.end[unit]!, complete: true })
    const range: BlockRange = { index, start: 0, end: bytes.byteLength, complete: true }
    if (seen.people.size + seen.texts.text.size + seen.texts.raw.size > MET) seen = met()
    const again = readBlock({ ...shared, ...seen, bytes }, range)
    if (!("read" in again) || again.read.times === undefined) throw new Error(`event ${uid} could not be read again`)
    const raw = () => rawBlock(asBuffer(bytes), range)
    const events = unitResult({ uid, ordinal: index, group: [again.read] }, again.read.times, { ...expand, raw }).events
    if (events.length > 1) {
      recent.set(unit, events)
      recentEvents += events.length
      for (const [oldest, built] of recent) {
        if (recentEvents <= RECENT_EVENTS || oldest === unit) break
        recent.delete(oldest)
        recentEvents -= built.length
      }
    }
    return events
  }

  const deferred = {
    read: (event: DeferredEvent): CalendarEvent => {
      const uid = event.seriesId ?? event.eventId
      const timed = eventsOf(event.unit, uid)[event.position]
      if (timed === undefined) throw new Error(`event ${event.eventId} could not be read again`)
      return timed.event
    }
  }

  return {
    /** The events of the first read of a unit of one complete plain block, at `range` in the feed. */
    defer: (range: BlockRange, result: UnitResult): UnitResult<DeferredEvent> => {
      const unit = units.index.length
      units.index.push(range.index)
      units.start.push(range.start)
      units.end.push(range.end)
      return {
        ...result,
        events: result.events.map(({ event: e, ordinal, position, startMs }) => ({
          event: new DeferredEvent(e.calendarId, e.eventId, e.seriesId, e.start, e.summary, deferred, unit, position),
          startMs,
          ordinal,
          position
        }))
      }
    },
    readFrom: (source: BlockSource) => {
      blocks = source
      recent.clear()
      recentEvents = 0
    }
  }
}
