/**
 * A calendar event as the rest of the program sees it, whatever calendar it came from.
 * Recurring events arrive already expanded: one `CalendarEvent` per occurrence.
 */
import { Schema } from "effect"

export class Person extends Schema.Class<Person>("Person")({
  email: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  /** Filled from the contacts file when the calendar does not say. */
  company: Schema.optional(Schema.String),
  /** The person's job title, from the contacts (Google's directory) when they know it. */
  title: Schema.optional(Schema.String)
}) {}

/**
 * The calendar adapters build it from what they parsed and checked, with `new CalendarEvent(fields,
 * true)`: validating every event again costs time on large feeds; decoding a stored one still checks it.
 */
export class CalendarEvent extends Schema.Class<CalendarEvent>("CalendarEvent")({
  calendarId: Schema.String,
  /** Unique within the calendar: the UID, plus the occurrence's start for an instance of a recurring event. */
  eventId: Schema.String,
  summary: Schema.String,
  description: Schema.String,
  location: Schema.String,
  /** ISO 8601: a UTC instant (`2026-11-26T09:00:00.000Z`), or a date (`2026-11-26`) for an all-day event. */
  start: Schema.String,
  end: Schema.optional(Schema.String),
  allDay: Schema.Boolean,
  /** The zone the organiser wrote the start in (IANA name, from DTSTART's TZID), when the calendar says. */
  timeZone: Schema.optional(Schema.String),
  /** URLs the calendar attaches to the event (the `URL` property, conference links). */
  urls: Schema.Array(Schema.String),
  organizer: Schema.optional(Person),
  attendees: Schema.Array(Person),
  /** The UID of the recurring series this is an occurrence of (absent for a single event). */
  seriesId: Schema.optional(Schema.String),
  /** Fields the calendar gave at more than the stored length (`description`, `attendees` …): cut there. */
  truncated: Schema.optional(Schema.Array(Schema.String))
}) {}

/** A VEVENT that could not be read. It ends the cycle as `failed`; the other events go on. */
export class BrokenEvent extends Schema.Class<BrokenEvent>("BrokenEvent")({
  calendarId: Schema.String,
  eventId: Schema.String,
  summary: Schema.String,
  start: Schema.optional(Schema.String),
  reason: Schema.String
}) {}

/** A recurring event with more occurrences in the window than are handled: the first `kept` were. */
export class SkippedOccurrences extends Schema.Class<SkippedOccurrences>("SkippedOccurrences")({
  calendarId: Schema.String,
  /** The series' UID. */
  seriesId: Schema.String,
  summary: Schema.String,
  kept: Schema.Number,
  skipped: Schema.Number,
  /** The window held too many to count them all: `skipped` is a lower bound. */
  atLeast: Schema.Boolean
}) {}

/** What one read of a calendar gives: the events in the window, and the ones that were broken. */
export interface CalendarBatch {
  readonly events: ReadonlyArray<CalendarEvent>
  readonly broken: ReadonlyArray<BrokenEvent>
  /** Series cut to MAX_OCCURRENCES_PER_SERIES in this window. */
  readonly skipped?: ReadonlyArray<SkippedOccurrences>
}

/** Where deferred events are built from (a feed keeps what it needs to build them again). */
export interface DeferredSource {
  readonly read: (event: DeferredEvent) => CalendarEvent
}

/**
 * An event a feed lists but has not built yet: enough to plan a cycle with (its ids, series and
 * start; its summary, should shutdown end the cycle before it is taken), and where its `source`
 * finds it (`unit`, `position`: the source's own numbers) to build it when it is taken. A feed of
 * 100,000 events need not hold them all built at once.
 */
export class DeferredEvent {
  constructor(
    readonly calendarId: string,
    readonly eventId: string,
    readonly seriesId: string | undefined,
    readonly start: string,
    readonly summary: string,
    readonly source: DeferredSource,
    readonly unit: number,
    readonly position: number
  ) {}
}

/** An event as a feed lists it: built, or deferred until it is taken. */
export type ListedEvent = CalendarEvent | DeferredEvent

export const takeEvent = (listed: ListedEvent): CalendarEvent =>
  listed instanceof DeferredEvent ? listed.source.read(listed) : listed

/** A calendar read whose events may be deferred (`takeEvent` builds each). */
export interface ListedBatch extends Omit<CalendarBatch, "events"> {
  readonly events: ReadonlyArray<ListedEvent>
}

/** The time window a poll looks at: `[from, to)`. */
export interface TimeWindow {
  readonly from: Date
  readonly to: Date
}
