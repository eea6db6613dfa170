/**
 * The application as configured: adapters chosen from the environment (CALENDAR_PROVIDER, …).
 * A provider not built yet fails the start with a line saying so.
 */
import { Data, Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { EmbeddedLive } from "./Embedded.js"

export class UnsupportedProvider extends Data.TaggedError("UnsupportedProvider")<{ readonly message: string }> {}

type App = typeof EmbeddedLive

export const LiveApp = Layer.unwrapEffect(Effect.map(AppConfig, (config): Layer.Layer<
  Layer.Layer.Success<App>,
  Layer.Layer.Error<App> | UnsupportedProvider,
  Layer.Layer.Context<App>
> =>
  config.calendarProvider === "google"
    ? Layer.fail(
      new UnsupportedProvider({ message: "CALENDAR_PROVIDER: google is not available in this version; use ical" })
    )
    : EmbeddedLive))
