/**
 * Durable overhead: a workflow of N no-op activities on the SQLite engine (the embedded default)
 * and on the in-memory engine; the time between consecutive activities is the cost of one step.
 * The floor: a whole workflow of 4 no-op activities, started and awaited, many times on one engine —
 * what every triggered event pays before research or delivery do anything — on the embedded engine
 * with the database's journal and sync settings varied, on the cluster engine (what the SQLite
 * runner used before; PostgreSQL scale-out still does) at two poll intervals, and in memory.
 */
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Duration, Effect, Layer, Schema } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { AppConfig } from "../src/Config.js"
import { SqliteEngineLive } from "../layers/Engine.js"
import * as DurableEngine from "../src/Storage/DurableEngine.js"

const Steps = Workflow.make({
  name: "Bench/Steps",
  payload: { id: Schema.String, n: Schema.Number },
  success: Schema.Array(Schema.Number),
  error: Schema.Never,
  idempotencyKey: ({ id }) => id
})

const StepsLive = Steps.toLayer(({ n }) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) => Activity.make({ name: `step-${i}`, success: Schema.Number, execute: Effect.sync(() => performance.now()) }),
    { concurrency: 1 }
  )
)

const measure = (n: number) =>
  Effect.gen(function*() {
    const t0 = performance.now()
    const stamps = yield* Steps.execute({ id: `bench-${Date.now()}-${Math.random()}`, n })
    const total = performance.now() - t0
    const gaps = stamps.slice(1).map((t, i) => t - (stamps[i] ?? t))
    return { total, gaps }
  })

const Empty4 = Workflow.make({
  name: "Bench/Empty4",
  payload: { id: Schema.String },
  success: Schema.Void,
  error: Schema.Never,
  idempotencyKey: ({ id }) => id
})

// Four, like internal research, research, delivery and the release of a series.
const Empty4Live = Empty4.toLayer(() =>
  Effect.forEach(
    ["one", "two", "three", "four"],
    (name) => Activity.make({ name, success: Schema.Void, execute: Effect.void }),
    { concurrency: 1, discard: true }
  )
)

/** An engine and the settings of its database, as the floor is measured on it. */
export interface FloorVariant {
  readonly name: string
  readonly engine: "embedded" | "cluster" | "memory"
  /** PRAGMAs run on the database before the engine starts. */
  readonly pragmas?: ReadonlyArray<string>
  /** The cluster engine's storage poll interval (ms). */
  readonly pollMs?: number
}

export const FLOOR_VARIANTS: ReadonlyArray<FloorVariant> = [
  { name: "embedded engine, WAL, synchronous=FULL (default)", engine: "embedded" },
  { name: "embedded engine, WAL, synchronous=NORMAL", engine: "embedded", pragmas: ["PRAGMA synchronous = NORMAL"] },
  { name: "embedded engine, rollback journal, synchronous=FULL", engine: "embedded", pragmas: ["PRAGMA journal_mode = DELETE"] },
  { name: "cluster engine (SingleRunner), WAL, poll 500 ms", engine: "cluster", pollMs: 500 },
  { name: "cluster engine (SingleRunner), WAL, poll 50 ms", engine: "cluster", pollMs: 50 },
  { name: "in-memory engine (not durable)", engine: "memory" }
]

const floorEngine = (variant: FloorVariant, dir: string) => {
  if (variant.engine === "memory") return WorkflowEngine.layerMemory
  const database = SqliteClient.layer({ filename: path.join(dir, "workflows.sqlite") })
  const pragmas = Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(variant.pragmas ?? [], (pragma) => sql.unsafe(pragma), { discard: true })))
  const engine: Layer.Layer<WorkflowEngine.WorkflowEngine, unknown, SqlClient.SqlClient> = variant.engine === "embedded"
    ? DurableEngine.layer({ runner: true, pollInterval: Duration.millis(500) })
    : ClusterWorkflowEngine.layer.pipe(Layer.provideMerge(SingleRunner.layer({
      runnerStorage: "sql",
      shardingConfig: { entityMessagePollInterval: Duration.millis(variant.pollMs ?? 500) }
    })))
  return engine.pipe(Layer.provide(pragmas), Layer.provide(database), Layer.orDie)
}

/** Milliseconds per whole workflow, `runs` times one after another on one engine, after a few to warm up. */
export const durableFloor = (runs: number, variant: FloorVariant = FLOOR_VARIANTS[0]!) =>
  Effect.gen(function*() {
    const dir = mkdtempSync(path.join(tmpdir(), "li-bench-floor-"))
    const once = (id: string) =>
      Effect.gen(function*() {
        const t0 = performance.now()
        yield* Empty4.execute({ id })
        return performance.now() - t0
      })
    return yield* Effect.gen(function*() {
      for (let i = 0; i < 10; i++) yield* once(`warm-${i}`)
      const samples: Array<number> = []
      for (let i = 0; i < runs; i++) samples.push(yield* once(`run-${i}`))
      return samples
    }).pipe(
      Effect.provide(Empty4Live.pipe(Layer.provideMerge(floorEngine(variant, dir)))),
      Effect.scoped,
      Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    )
  })

export const durableOverhead = (n: number, dir = mkdtempSync(path.join(tmpdir(), "li-bench-wf-"))) =>
  Effect.gen(function*() {
    const sqlite = yield* measure(n).pipe(
      Effect.provide(StepsLive.pipe(
        Layer.provideMerge(SqliteEngineLive),
        Layer.provide(AppConfig.layerWith({ logStorageDir: dir }))
      )),
      Effect.scoped,
      Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    )
    const memory = yield* measure(n).pipe(
      Effect.provide(StepsLive.pipe(Layer.provideMerge(WorkflowEngine.layerMemory))),
      Effect.scoped
    )
    return { sqlite, memory }
  })
