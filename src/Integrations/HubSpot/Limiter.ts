/**
 * A client-side rate limiter over a sliding window: at most `limit` requests in any `interval`,
 * handed out in the order they were asked for. A fixed window would let twice the limit through
 * across its edge.
 *
 * The server counts a request when it arrives, somewhere between our sending it and its answer,
 * and how long that takes varies (the first request of a connection waits for the handshake).
 * So a request holds its place from when it is sent until its answer has come, and only then
 * starts to age out of the window: whatever the delay, the server never sees more in its window
 * than we do in ours (kept a little longer again, 5 % and at most 250 ms, for clocks and rounding).
 *
 * It also follows what the server says:
 * - `observe`: HubSpot's X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds headers. A
 *   lower Max lowers our limit; requests the server counted that we did not send (another process
 *   on the same app) take up places in our window too, so we slow down with them.
 * - `pauseUntil`: after a 429, nobody sends before the time the server asked for.
 */
import { Clock, Effect } from "effect"

export interface Limiter {
  /** Waits until one more request fits and counts it; the request's answer is reported with `done`. */
  readonly take: Effect.Effect<{ readonly done: Effect.Effect<void> }>
  readonly observe: (server: { readonly max: number; readonly remaining: number; readonly intervalMs: number }) => Effect.Effect<void>
  readonly pauseUntil: (epochMs: number) => Effect.Effect<void>
}

interface Place {
  at: number
  answered: boolean
}

/** How often a request that waits for an unanswered one looks again. */
const RECHECK_MS = 25

export const makeLimiter = (limit: number, intervalMs: number): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const turn = yield* Effect.makeSemaphore(1)
    const places: Array<Place> = []
    let max = limit
    let pausedUntil = 0
    const windowMs = intervalMs + Math.min(250, intervalMs * 0.05)

    const prune = (now: number) => {
      for (let i = places.length - 1; i >= 0; i--) {
        const place = places[i]
        if (place !== undefined && place.answered && place.at <= now - windowMs) places.splice(i, 1)
      }
    }

    /** Milliseconds until one more request fits (0: now). */
    const waitFor = (now: number) => {
      const paused = pausedUntil - now
      const over = places.length - max + 1
      if (over <= 0) return paused
      const leaving = places.filter((p) => p.answered).map((p) => p.at + windowMs - now).sort((a, b) => a - b)
      // Too few answered to free a place: one still under way must answer first.
      const freed = leaving[over - 1] ?? RECHECK_MS
      return Math.max(paused, freed)
    }

    const take = turn.withPermits(1)(Effect.gen(function*() {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        prune(now)
        const wait = waitFor(now)
        if (wait <= 0) {
          const place: Place = { at: now, answered: false }
          places.push(place)
          const done = Effect.map(Clock.currentTimeMillis, (at) => {
            place.at = at
            place.answered = true
          })
          return { done }
        }
        yield* Effect.sleep(Math.max(1, wait))
      }
    }))

    const observe = (server: { readonly max: number; readonly remaining: number; readonly intervalMs: number }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (server.intervalMs !== intervalMs || server.max <= 0) return
        if (server.max < max) max = server.max
        prune(now)
        const usedByServer = server.max - server.remaining
        for (let i = places.length; i < usedByServer; i++) places.push({ at: now, answered: true })
      })

    const pauseUntil = (epochMs: number) =>
      Effect.sync(() => {
        if (epochMs > pausedUntil) pausedUntil = epochMs
      })

    return { take, observe, pauseUntil }
  })
