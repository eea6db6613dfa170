/**
 * The calendar port: where events come from. Adapters: `Integrations/ICalFeed` (file or URL),
 * later Google Calendar; `layers/Test.ts` has a double.
 */
import { Context, type Effect, Schema } from "effect"
import type { CalendarBatch, TimeWindow } from "../Domain/CalendarEvent.js"

/** The calendar as a whole could not be read or parsed; the run records it and polling goes on. */
export class CalendarError extends Schema.TaggedError<CalendarError>()("CalendarError", {
  calendarId: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `calendar ${this.calendarId}: ${this.reason}`
  }
}

export class CalendarFeed extends Context.Tag("Agents/CalendarFeed")<CalendarFeed, {
  readonly calendarId: string
  /** Every occurrence that overlaps the window, recurring events expanded, cancelled and birthday events left out. */
  readonly fetch: (window: TimeWindow) => Effect.Effect<CalendarBatch, CalendarError>
}>() {}
