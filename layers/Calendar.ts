/**
 * The calendar as configured by CALENDAR_PROVIDER: `ical` (a file or URL, the default).
 */
import { Data, Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { ICalFeedLive } from "../src/Integrations/ICalFeed.js"

export class UnsupportedProvider extends Data.TaggedError("UnsupportedProvider")<{ readonly message: string }> {}

export const CalendarFromConfig = Layer.unwrapEffect(Effect.map(AppConfig, (config) =>
  config.calendarProvider === "google"
    ? Layer.fail(
      new UnsupportedProvider({ message: "CALENDAR_PROVIDER: google is not available in this version; use ical" })
    )
    : ICalFeedLive))
