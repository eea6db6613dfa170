/**
 * The calendar port: where events come from. Adapters: `Integrations/ICalFeed` (file or URL),
 * `Integrations/Google/Calendar` (one or several Google calendars); `layers/Test.ts` has a double.
 */
import { Context, type Effect, Schema, type Scope } from "effect"
import type { ListedBatch, TimeWindow } from "../Domain/CalendarEvent.js"

/** The calendar as a whole could not be read or parsed; the run records it and polling goes on. */
export class CalendarError extends Schema.TaggedError<CalendarError>()("CalendarError", {
  calendarId: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `calendar ${this.calendarId}: ${this.reason}`
  }
}

/**
 * What a feed of several calendars adds to a batch: which calendars were read in full this time
 * (every event carries one of them as its `calendarId`; a request waiting for a meeting of one of
 * these that is not in `events` is withdrawn) and which could not be read (their requests wait).
 * A feed of one calendar leaves it out: that is the feed's `calendarId`, read in full or failed.
 */
export interface FeedBatch extends ListedBatch {
  readonly calendars?: {
    readonly read: ReadonlyArray<string>
    readonly failed: ReadonlyArray<CalendarError>
  }
}

export class CalendarFeed extends Context.Tag("Agents/CalendarFeed")<CalendarFeed, {
  readonly calendarId: string
  /**
   * Every occurrence that overlaps the window, recurring events expanded, cancelled and birthday
   * events left out. Its deferred events can be taken until the scope closes.
   */
  readonly fetch: (window: TimeWindow) => Effect.Effect<FeedBatch, CalendarError, Scope.Scope>
}>() {}
