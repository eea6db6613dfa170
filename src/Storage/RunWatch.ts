/**
 * When the current run of a workflow execution ends (it completed, or now waits for a person or a
 * timer), so a cycle that follows it hears at once instead of finding out at its next poll. The
 * embedded engine (DurableEngine.ts) provides it; with the cluster engine the cycle only polls.
 */
import { Context, type Duration, type Effect } from "effect"

export class RunWatch extends Context.Tag("Storage/RunWatch")<RunWatch, {
  /**
   * Returns when the execution's run in this process ends, or when `within` has passed, whichever
   * is first; false at once when no run of it is going on in this process.
   */
  readonly ended: (executionId: string, within: Duration.DurationInput) => Effect.Effect<boolean>
}>() {}
