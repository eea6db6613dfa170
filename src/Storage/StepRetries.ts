/**
 * Workflows that wait to try a failed step again (WorkflowStep.ts): which step, which try, why it
 * failed and when it goes on. The cycle reads it to report such an event as `retrying`.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import { StorageError } from "./StorageError.js"

export class StepRetry extends Schema.Class<StepRetry>("StepRetry")({
  execution_id: Schema.String,
  step: Schema.String,
  attempt: Schema.Number,
  error_type: Schema.String,
  error_message: Schema.String,
  next_at: Schema.String
}) {}

const decode = Schema.decodeUnknown(StepRetry)

export class StepRetries extends Effect.Service<StepRetries>()("Storage/StepRetries", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const set = (retry: StepRetry) =>
      sql`INSERT INTO li_step_retries ${sql.insert({ ...retry })} ON CONFLICT (execution_id) DO UPDATE SET
          step = ${retry.step}, attempt = ${retry.attempt}, error_type = ${retry.error_type},
          error_message = ${retry.error_message}, next_at = ${retry.next_at}`.pipe(
        Effect.asVoid,
        Effect.mapError(StorageError.from("StepRetries.set")),
        Effect.withSpan("StepRetries.set")
      )

    const clear = (executionId: string) =>
      sql`DELETE FROM li_step_retries WHERE execution_id = ${executionId}`.pipe(
        Effect.asVoid,
        Effect.mapError(StorageError.from("StepRetries.clear")),
        Effect.withSpan("StepRetries.clear")
      )

    const get = (executionId: string) =>
      sql`SELECT * FROM li_step_retries WHERE execution_id = ${executionId}`.pipe(
        Effect.flatMap((rows) => rows[0] === undefined ? Effect.succeed(Option.none()) : Effect.map(decode(rows[0]), Option.some)),
        Effect.mapError(StorageError.from("StepRetries.get")),
        Effect.withSpan("StepRetries.get")
      )

    /** Workflows whose next try is due: `once` waits for them. */
    const dueBy = (iso: string) =>
      sql<{ execution_id: string }>`SELECT execution_id FROM li_step_retries WHERE next_at <= ${iso}`.pipe(
        Effect.map((rows) => rows.map((r) => r.execution_id)),
        Effect.mapError(StorageError.from("StepRetries.dueBy")),
        Effect.withSpan("StepRetries.dueBy")
      )

    return { set, clear, get, dueBy } as const
  })
}) {}
