/**
 * Durable overhead: a workflow of N no-op activities on the SQLite engine (the embedded default)
 * and on the in-memory engine; the time between consecutive activities is the cost of one step.
 */
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Effect, Layer, Schema } from "effect"
import { mkdtempSync } from "node:fs"
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

export const durableOverhead = (n: number) =>
  Effect.gen(function*() {
    const sqlite = yield* measure(n).pipe(
      Effect.provide(StepsLive.pipe(
        Layer.provideMerge(SqliteEngineLive),
        Layer.provide(AppConfig.layerWith({ logStorageDir: mkdtempSync(path.join(tmpdir(), "li-bench-wf-")) }))
      )),
      Effect.scoped
    )
    const memory = yield* measure(n).pipe(
      Effect.provide(StepsLive.pipe(Layer.provideMerge(WorkflowEngine.layerMemory))),
      Effect.scoped
    )
    return { sqlite, memory }
  })
