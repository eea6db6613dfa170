/** `doctor`'s calendar line: the configured feed is read for the polling window. */
import { Effect, Layer } from "effect"
import { CalendarFeed } from "../Agents/CalendarFeed.js"
import { ICalFeedLive } from "../Integrations/ICalFeed.js"
import type { Probe, ProbeContext } from "./Probe.js"

const DAY = 24 * 60 * 60 * 1000

export const calendarProbes = ({ config, env }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "calendar",
  check: Effect.gen(function*() {
    const feed = yield* CalendarFeed
    const now = Date.now()
    const batch = yield* feed.fetch({
      from: new Date(now - config.lookbackDays * DAY),
      to: new Date(now + config.lookaheadDays * DAY)
    })
    return `${feed.calendarId}: ${batch.events.length} events in the window, ${batch.broken.length} unreadable`
  }).pipe(Effect.provide(ICalFeedLive.pipe(Layer.provide(env))))
}]
