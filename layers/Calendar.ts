/**
 * The calendar as configured by CALENDAR_PROVIDER: `ical` (a file or URL, the default) or
 * `google` (the calendars of GOOGLE_CALENDAR_ID, synced into the workflow database).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { type ConfigError, Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { googleConfig } from "../src/Integrations/Google/GoogleConfig.js"
import type * as Google from "../src/Integrations/Google/Live.js"
import { ICalFeedLive } from "../src/Integrations/ICalFeed.js"

type Chosen = Layer.Layer<
  Layer.Layer.Success<typeof ICalFeedLive>,
  Layer.Layer.Error<typeof Google.GoogleCalendarLive>,
  Layer.Layer.Context<typeof ICalFeedLive> | Layer.Layer.Context<typeof Google.GoogleCalendarLive> | HttpClient.HttpClient | SqlClient.SqlClient
>

export const CalendarFromConfig = Layer.unwrapEffect(Effect.gen(function*(): Effect.fn.Return<Chosen, ConfigError.ConfigError, AppConfig> {
  const config = yield* AppConfig
  if (config.calendarProvider !== "google") return ICalFeedLive
  // Google's adapter is loaded only when it is used; a configuration it cannot run on fails first,
  // before the other adapters are built.
  yield* googleConfig
  const google: typeof Google = yield* Effect.promise(() => import("../src/Integrations/Google/Live.js"))
  return google.GoogleCalendarLive
}))
