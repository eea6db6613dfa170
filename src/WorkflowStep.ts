/**
 * A step of the event workflow with a side effect: an Activity (its result is stored, so a replay
 * does not run it again; after a crash in the middle it runs again, so it must be idempotent),
 * retried a little for transient trouble, bounded in time, failing with a serialisable StepFailed.
 *
 * A step that still fails waits durably (STEP_RETRY_DELAYS) and is tried again inside the same
 * workflow, so nothing a person already answered is asked again; after the last try the failure
 * ends the event.
 */
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import { Clock, Duration, Effect, Either, Predicate, Schedule, Schema } from "effect"
import { errorInfo } from "./Domain/ErrorInfo.js"
import { StepRetry, type StepRetries } from "./Storage/StepRetries.js"

export class StepFailed extends Schema.TaggedError<StepFailed>()("StepFailed", {
  step: Schema.String,
  type: Schema.String,
  reason: Schema.String,
  /** The error says trying again cannot cure it (a mail server's 5xx): the step is not tried again. */
  permanent: Schema.optional(Schema.Boolean)
}) {
  override get message() {
    return this.reason
  }
}

/** An error that carries `permanent: true`, or a step that failed with one. */
const isPermanent = (e: unknown) => Predicate.hasProperty(e, "permanent") && e.permanent === true

const asStepFailed = (step: string) => (e: unknown) => {
  const { message, type } = errorInfo(e)
  return new StepFailed({ step, type, reason: message, ...(isPermanent(e) ? { permanent: true } : {}) })
}

export class StepTimeout extends Schema.TaggedError<StepTimeout>()("StepTimeout", { seconds: Schema.Number }) {
  override get message() {
    return `no result after ${this.seconds} s`
  }
}

export const makeStep = (options: {
  readonly executionId: string
  readonly retries: StepRetries
  /** The durable waits between tries; their number is how often a failed step is tried again. */
  readonly delays: ReadonlyArray<Duration.Duration>
  readonly timeout: Duration.Duration
}) =>
<A, I, E>(name: string, success: Schema.Schema<A, I>, execute: Effect.Effect<A, E>) => {
  const { delays, executionId, retries, timeout } = options
  const activity = Activity.make({
    name,
    success,
    error: StepFailed,
    execute: execute.pipe(
      Effect.timeoutFail({ duration: timeout, onTimeout: () => new StepTimeout({ seconds: Duration.toSeconds(timeout) }) }),
      // Transient trouble (a locked file, a CRM hiccup) gets two more tries at once.
      Effect.retry({
        schedule: Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(2))),
        while: (e) => !isPermanent(e)
      }),
      Effect.mapError(asStepFailed(name)),
      Effect.withSpan(`EventWorkflow.${name.split(":")[0]}`, { attributes: { execution_id: executionId } })
    )
  })
  const bookkeeping = (label: string, effect: Effect.Effect<void, unknown>) =>
    Activity.make({ name: `${label}:${name}`, error: StepFailed, execute: Effect.mapError(effect, asStepFailed(label)) })

  return Effect.gen(function*() {
    for (let attempt = 1;; attempt++) {
      // Each try is its own activity (the attempt is part of its key), so a replay takes the same path.
      const result = yield* Effect.either(Effect.provideService(activity, Activity.CurrentAttempt, attempt))
      if (Either.isRight(result)) {
        if (attempt > 1) yield* bookkeeping(`retried-${attempt}`, retries.clear(executionId))
        return result.right
      }
      const delay = delays[attempt - 1]
      const failed = result.left
      if (delay === undefined || failed.permanent === true) {
        if (attempt > 1) yield* bookkeeping(`gave-up-${attempt}`, retries.clear(executionId))
        return yield* attempt === 1 ? failed : new StepFailed({ ...failed, reason: `${failed.reason} (tried ${attempt} times)` })
      }
      yield* bookkeeping(`retry-${attempt}`, Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* Effect.logWarning(`${name} failed (${failed.reason}); trying again in ${Duration.format(delay)}`)
        yield* retries.set(new StepRetry({
          execution_id: executionId,
          step: name,
          attempt,
          error_type: failed.type,
          error_message: failed.reason,
          next_at: new Date(now + Duration.toMillis(delay)).toISOString()
        }))
      }))
      yield* DurableClock.sleep({ name: `retry/${name}/${attempt}`, duration: delay, inMemoryThreshold: Duration.zero })
    }
  })
}

export type Step = ReturnType<typeof makeStep>
