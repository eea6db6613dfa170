/**
 * iCalendar feed → the events of one window (pure, no I/O): both stages of ICalStage at once,
 * node-ical loaded with it. The feed (ICalFeed) runs them itself, loading node-ical only when needed.
 */
import { Either } from "effect"
import { type CalendarBatch, takeEvent, type TimeWindow } from "../Domain/CalendarEvent.js"
import { resolveAll } from "./ICalResolve.js"
import { type ParseLimits, type ParseOptions, stageCalendar } from "./ICalStage.js"

export type { ParseLimits, ParseOptions } from "./ICalStage.js"

/** `Left(reason)` when the bytes are not an iCalendar at all; broken single events go to `broken`. */
export const parseCalendar = (
  bytes: Uint8Array,
  calendarId: string,
  window: TimeWindow,
  limits?: ParseLimits,
  options?: ParseOptions
): Either.Either<CalendarBatch, string> =>
  Either.map(
    stageCalendar(bytes, calendarId, window, limits, { defer: false, ...options }),
    (staged) => {
      const batch = staged.finish(resolveAll(staged.unresolved, staged.timezones, staged.fileZones))
      // Built already, unless `defer` was asked for: then each is read again here.
      return { ...batch, events: batch.events.map(takeEvent) }
    }
  )
