/**
 * The asking occurrence of a recurring series is done (or gone): every occurrence that follows
 * one of its requests is woken to take the answer over, or to ask for itself.
 */
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Effect } from "effect"
import type { HitlStore } from "./HitlStore.js"
import { releasedDeferred, tokenFor } from "./Wait.js"

export const releaseFollowers = (hitl: HitlStore, executionId: string, engine: WorkflowEngine.WorkflowEngine["Type"]) =>
  Effect.gen(function*() {
    const followers = yield* hitl.release(executionId)
    yield* Effect.forEach(followers, (f) => {
      const deferred = releasedDeferred(f.audit_id)
      return DurableDeferred.succeed(deferred, { token: tokenFor(deferred, f.execution_id), value: undefined })
    }, { discard: true })
  }).pipe(Effect.provideService(WorkflowEngine.WorkflowEngine, engine))
