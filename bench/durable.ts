/**
 * Durable overhead: a workflow of N no-op activities on the SQLite engine (the embedded default)
 * and on the in-memory engine; the time between consecutive activities is the cost of one step.
 * The floor: a whole workflow of 4 no-op activities, started and awaited, many times on one engine —
 * what every triggered event pays before research or delivery do anything.
 */
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Effect, Layer, Schema } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { AppConfig } from "../src/Config.js"
import { SqliteEngineLive } from "../layers/Engine.js"

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

/** Milliseconds per whole workflow, `runs` times one after another on one SQLite engine, after a few to warm up. */
export const durableFloor = (runs: number, dir = mkdtempSync(path.join(tmpdir(), "li-bench-floor-"))) =>
  Effect.gen(function*() {
    const once = (id: string) =>
      Effect.gen(function*() {
        const t0 = performance.now()
        yield* Empty4.execute({ id })
        return performance.now() - t0
      })
    for (let i = 0; i < 10; i++) yield* once(`warm-${i}`)
    const samples: Array<number> = []
    for (let i = 0; i < runs; i++) samples.push(yield* once(`run-${i}`))
    return samples
  }).pipe(
    Effect.provide(Empty4Live.pipe(
      Layer.provideMerge(SqliteEngineLive),
      Layer.provide(AppConfig.layerWith({ logStorageDir: dir }))
    )),
    Effect.scoped,
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  )

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
