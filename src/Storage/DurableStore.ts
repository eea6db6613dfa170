/**
 * The tables of the embedded workflow engine (DurableEngine.ts) in the workflow database: one row
 * per execution, the stored result of every finished activity, every deferred that was completed,
 * and the durable timers. `state = 'running'` means "needs a run": a crash leaves it so, and the
 * next start runs it again. `wakes` counts signals, so a run that saw an older count never marks
 * its execution suspended over a signal that came in meanwhile.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

export interface ExecutionRow {
  readonly workflow: string
  readonly payload: string
  readonly parent: string | null
  readonly state: "running" | "suspended" | "complete"
  readonly interrupted: number
  readonly result: string | null
  readonly wakes: number
}

export interface ClockRow {
  readonly execution_id: string
  readonly name: string
  readonly deferred: string
  readonly wake_at: number
}

export const activityKey = (name: string, attempt: number) => `${attempt}:${name}`

export const makeDurableStore = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS li_wf_executions (
    execution_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, payload TEXT NOT NULL, parent TEXT,
    state TEXT NOT NULL, interrupted INTEGER NOT NULL DEFAULT 0, result TEXT,
    wakes INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`
  yield* sql`CREATE INDEX IF NOT EXISTS li_wf_executions_running ON li_wf_executions (workflow) WHERE state = 'running'`
  yield* sql`CREATE TABLE IF NOT EXISTS li_wf_activities (
    execution_id TEXT NOT NULL, name TEXT NOT NULL, attempt INTEGER NOT NULL, exit TEXT NOT NULL,
    PRIMARY KEY (execution_id, name, attempt))`
  yield* sql`CREATE TABLE IF NOT EXISTS li_wf_deferreds (
    execution_id TEXT NOT NULL, name TEXT NOT NULL, exit TEXT NOT NULL, PRIMARY KEY (execution_id, name))`
  yield* sql`CREATE TABLE IF NOT EXISTS li_wf_clocks (
    execution_id TEXT NOT NULL, name TEXT NOT NULL, workflow TEXT NOT NULL, deferred TEXT NOT NULL,
    wake_at INTEGER NOT NULL, PRIMARY KEY (execution_id, name))`

  const first = <A>(rows: ReadonlyArray<A>): A | undefined => rows[0]

  return {
    /** A new execution, or nothing when one with this id exists: then its row. */
    insert: (id: string, workflow: string, payload: string, parent: string | undefined, now: number) =>
      sql<{ inserted: number }>`INSERT INTO li_wf_executions
        (execution_id, workflow, payload, parent, state, created_at, updated_at)
        VALUES (${id}, ${workflow}, ${payload}, ${parent ?? null}, 'running', ${now}, ${now})
        ON CONFLICT (execution_id) DO NOTHING RETURNING 1 AS inserted`.pipe(Effect.map((rows) => rows.length > 0)),
    execution: (id: string) =>
      sql<ExecutionRow>`SELECT workflow, payload, parent, state, interrupted, result, wakes
        FROM li_wf_executions WHERE execution_id = ${id}`.pipe(Effect.map(first)),
    /** Suspended, unless a signal came in since the run read `wakes`. */
    suspend: (id: string, wakes: number, now: number) =>
      sql`UPDATE li_wf_executions SET state = 'suspended', updated_at = ${now}
        WHERE execution_id = ${id} AND wakes = ${wakes} AND state = 'running'`,
    /** `timers`: it may have timers to drop (else one statement, not a transaction of two). */
    complete: (id: string, result: string, now: number, timers: boolean) => {
      const update = sql`UPDATE li_wf_executions SET state = 'complete', result = ${result}, updated_at = ${now} WHERE execution_id = ${id}`
      return timers ? sql.withTransaction(Effect.zipRight(update, sql`DELETE FROM li_wf_clocks WHERE execution_id = ${id}`)) : update
    },
    /** Needs a run (a deferred completed, an interrupt was asked for); false when it is complete or unknown. */
    wake: (id: string, now: number) =>
      sql<{ woken: number }>`UPDATE li_wf_executions SET state = 'running', wakes = wakes + 1, updated_at = ${now}
        WHERE execution_id = ${id} AND state <> 'complete' RETURNING 1 AS woken`.pipe(Effect.map((rows) => rows.length > 0)),
    markInterrupted: (id: string) => sql`UPDATE li_wf_executions SET interrupted = 1 WHERE execution_id = ${id}`,
    interrupted: (id: string) =>
      sql<{ interrupted: number }>`SELECT interrupted FROM li_wf_executions WHERE execution_id = ${id}`.pipe(
        Effect.map((rows) => (rows[0]?.interrupted ?? 0) === 1)
      ),
    needingRun: (workflow: string) =>
      sql<{ execution_id: string }>`SELECT execution_id FROM li_wf_executions
        WHERE workflow = ${workflow} AND state = 'running'`.pipe(Effect.map((rows) => rows.map((r) => r.execution_id))),

    activity: (id: string, name: string, attempt: number) =>
      sql<{ exit: string }>`SELECT exit FROM li_wf_activities
        WHERE execution_id = ${id} AND name = ${name} AND attempt = ${attempt}`.pipe(Effect.map((rows) => rows[0]?.exit)),
    /** Every stored activity result of an execution, by `activityKey`. */
    activities: (id: string) =>
      sql<{ name: string; attempt: number; exit: string }>`SELECT name, attempt, exit FROM li_wf_activities
        WHERE execution_id = ${id}`.pipe(Effect.map((rows) => new Map(rows.map((r) => [activityKey(r.name, r.attempt), r.exit])))),
    saveActivity: (id: string, name: string, attempt: number, exit: string) =>
      sql`INSERT INTO li_wf_activities (execution_id, name, attempt, exit) VALUES (${id}, ${name}, ${attempt}, ${exit})
        ON CONFLICT (execution_id, name, attempt) DO UPDATE SET exit = excluded.exit`,

    deferred: (id: string, name: string) =>
      sql<{ exit: string }>`SELECT exit FROM li_wf_deferreds WHERE execution_id = ${id} AND name = ${name}`.pipe(
        Effect.map((rows) => rows[0]?.exit)
      ),
    /** The first completion of a deferred wins; true when this one did. */
    completeDeferred: (id: string, name: string, exit: string) =>
      sql<{ done: number }>`INSERT INTO li_wf_deferreds (execution_id, name, exit) VALUES (${id}, ${name}, ${exit})
        ON CONFLICT (execution_id, name) DO NOTHING RETURNING 1 AS done`.pipe(Effect.map((rows) => rows.length > 0)),

    /** A timer, unless it was set before: a replayed workflow never pushes its own deadline back. */
    scheduleClock: (id: string, name: string, workflow: string, deferred: string, wakeAt: number) =>
      sql<{ wake_at: number }>`INSERT INTO li_wf_clocks (execution_id, name, workflow, deferred, wake_at)
        VALUES (${id}, ${name}, ${workflow}, ${deferred}, ${wakeAt})
        ON CONFLICT (execution_id, name) DO UPDATE SET wake_at = li_wf_clocks.wake_at
        RETURNING wake_at`.pipe(Effect.map((rows) => rows[0]?.wake_at ?? wakeAt)),
    clocks: (workflow: string) =>
      sql<ClockRow>`SELECT execution_id, name, deferred, wake_at FROM li_wf_clocks WHERE workflow = ${workflow}`,
    dropClock: (id: string, name: string) => sql`DELETE FROM li_wf_clocks WHERE execution_id = ${id} AND name = ${name}`,
    withTransaction: sql.withTransaction
  } as const
})

export type DurableStore = Effect.Effect.Success<typeof makeDurableStore>
