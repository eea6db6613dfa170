/**
 * The calendar as configured by CALENDAR_PROVIDER: `ical` (a file or URL, the default) or
 * `google` (the calendars of GOOGLE_CALENDAR_ID, synced into the workflow database).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { GoogleCalendarLive } from "../src/Integrations/Google/Live.js"
import { ICalFeedLive } from "../src/Integrations/ICalFeed.js"

type Chosen = Layer.Layer<
  Layer.Layer.Success<typeof ICalFeedLive>,
  Layer.Layer.Error<typeof GoogleCalendarLive>,
  Layer.Layer.Context<typeof ICalFeedLive> | Layer.Layer.Context<typeof GoogleCalendarLive> | HttpClient.HttpClient | SqlClient.SqlClient
>

export const CalendarFromConfig = Layer.unwrapEffect(Effect.map(AppConfig, (config): Chosen =>
  config.calendarProvider === "google" ? GoogleCalendarLive : ICalFeedLive))
