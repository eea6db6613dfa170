/**
 * The application as configured: adapters chosen from the environment (CALENDAR_PROVIDER, …).
 * A provider not built yet fails the start with a line saying so.
 */
import { Data, Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { EmbeddedLive } from "./Embedded.js"

export class UnsupportedProvider extends Data.TaggedError("UnsupportedProvider")<{ readonly message: string }> {}

export const LiveApp = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  if (config.calendarProvider === "google") {
    return Layer.fail(
      new UnsupportedProvider({ message: "CALENDAR_PROVIDER: google is not available in this version; use ical" })
    )
  }
  return EmbeddedLive
}))
