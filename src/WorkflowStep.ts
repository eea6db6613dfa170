/**
 * A step of the event workflow with a side effect: an Activity (its result is stored, so a replay
 * does not run it again; after a crash in the middle it runs again, so it must be idempotent),
 * retried a little for transient trouble, failing with a serialisable StepFailed.
 */
import * as Activity from "@effect/workflow/Activity"
import { Effect, Schedule, Schema } from "effect"
import { errorInfo } from "./Domain/ErrorInfo.js"

export class StepFailed extends Schema.TaggedError<StepFailed>()("StepFailed", {
  step: Schema.String,
  type: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return this.reason
  }
}

const asStepFailed = (step: string) => (e: unknown) => {
  const { message, type } = errorInfo(e)
  return new StepFailed({ step, type, reason: message })
}

export const makeStep = (executionId: string) =>
<A, I, E>(name: string, success: Schema.Schema<A, I>, execute: Effect.Effect<A, E>) =>
  Activity.make({
    name,
    success,
    error: StepFailed,
    execute: execute.pipe(
      // Transient trouble (a locked file, a CRM hiccup) gets two more tries before the event fails.
      Effect.retry(Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(2)))),
      Effect.mapError(asStepFailed(name)),
      Effect.withSpan(`EventWorkflow.${name.split(":")[0]}`, { attributes: { execution_id: executionId } })
    )
  })

export type Step = ReturnType<typeof makeStep>
