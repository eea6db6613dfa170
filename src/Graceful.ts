/**
 * Shutdown with a grace period: when the caller is interrupted, work already under way gets
 * `grace` to finish on its own before it is interrupted too.
 */
import { type Duration, Effect, Fiber } from "effect"

export const withGrace = (grace: Duration.DurationInput) => <A, E, R>(work: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    // Not a child fiber: the runtime interrupts children the moment their parent is interrupted,
    // which would leave no grace at all. The parent interrupts it itself, after the grace period.
    const fiber = yield* Effect.forkDaemon(work)
    return yield* Fiber.join(fiber).pipe(
      Effect.onInterrupt(() =>
        Fiber.await(fiber).pipe(
          // Finalizers are uninterruptible; the wait itself must not be, or the timeout could not cut it.
          Effect.interruptible,
          Effect.timeout(grace),
          Effect.ignore,
          Effect.zipRight(Fiber.interruptFork(fiber)),
          Effect.zipRight(Fiber.await(fiber).pipe(Effect.interruptible, Effect.timeout(grace), Effect.ignore))
        )
      )
    )
  })
