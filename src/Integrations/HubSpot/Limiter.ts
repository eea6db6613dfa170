/**
 * A client-side rate limiter over a sliding window: at most `limit` requests in any `interval`,
 * handed out in the order they were asked for. It also follows what the server says:
 * - `observe`: HubSpot's X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds headers. A
 *   lower Max lowers our limit; requests the server counted that we did not send (another process
 *   on the same app) take up places in our window too, so we slow down with them.
 * - `pauseUntil`: after a 429, nobody sends before the time the server asked for.
 * A sliding window, not a fixed one: a fixed window lets twice the limit through across its edge.
 */
import { Clock, Effect } from "effect"

export interface Limiter {
  /** Waits until one more request fits, and counts it. */
  readonly take: Effect.Effect<void>
  readonly observe: (server: { readonly max: number; readonly remaining: number; readonly intervalMs: number }) => Effect.Effect<void>
  readonly pauseUntil: (epochMs: number) => Effect.Effect<void>
}

export const makeLimiter = (limit: number, intervalMs: number): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const turn = yield* Effect.makeSemaphore(1)
    // Send times, oldest first; never more than `max` of them matter.
    const sent: Array<number> = []
    let max = limit
    let pausedUntil = 0
    const prune = (now: number) => {
      let drop = 0
      while (drop < sent.length && (sent[drop] ?? 0) <= now - intervalMs) drop++
      if (drop > 0) sent.splice(0, drop)
    }

    const take = turn.withPermits(1)(Effect.gen(function*() {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        prune(now)
        const oldestThatMustAge = sent.length >= max ? sent[sent.length - max] : undefined
        const wait = Math.max(pausedUntil - now, oldestThatMustAge === undefined ? 0 : oldestThatMustAge + intervalMs - now)
        if (wait <= 0) {
          sent.push(now)
          return
        }
        yield* Effect.sleep(wait)
      }
    }))

    const observe = (server: { readonly max: number; readonly remaining: number; readonly intervalMs: number }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (server.intervalMs !== intervalMs || server.max <= 0) return
        if (server.max < max) max = server.max
        prune(now)
        const usedByServer = server.max - server.remaining
        for (let i = sent.length; i < usedByServer; i++) sent.push(now)
      })

    const pauseUntil = (epochMs: number) =>
      Effect.sync(() => {
        if (epochMs > pausedUntil) pausedUntil = epochMs
      })

    return { take, observe, pauseUntil }
  })
