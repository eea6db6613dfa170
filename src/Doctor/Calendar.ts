/**
 * `doctor`'s calendar line: the configured iCalendar feed is read for the polling window; with
 * CALENDAR_PROVIDER=google, the sign-in is checked, the calendars it can read listed, and each of
 * GOOGLE_CALENDAR_ID asked for an event.
 */
import { Effect, Layer } from "effect"
import { CalendarFeed } from "../Agents/CalendarFeed.js"
import { probeGoogleCalendar } from "../Integrations/Google/Probe.js"
import { ICalFeedLive } from "../Integrations/ICalFeed.js"
import type { Probe, ProbeContext } from "./Probe.js"

const DAY = 24 * 60 * 60 * 1000

const icalProbe = ({ config, env }: ProbeContext): Probe => ({
  name: "calendar",
  check: Effect.gen(function*() {
    const feed = yield* CalendarFeed
    const now = Date.now()
    const batch = yield* feed.fetch({
      from: new Date(now - config.lookbackDays * DAY),
      to: new Date(now + config.lookaheadDays * DAY)
    })
    return `${feed.calendarId}: ${batch.events.length} events in the window, ${batch.broken.length} unreadable`
  }).pipe(Effect.scoped, Effect.provide(ICalFeedLive.pipe(Layer.provide(env))))
})

export const calendarProbes = (context: ProbeContext): ReadonlyArray<Probe> => [
  context.config.calendarProvider === "google"
    ? { name: "calendar", check: probeGoogleCalendar.pipe(Effect.provide(context.env)) }
    : icalProbe(context)
]
