/**
 * The embedded workflow engine on a SQLite file, on the real clock: what is stored survives a
 * stop, a signal from another process is picked up, a signal during a run is not lost, an
 * interrupt ends a waiting workflow, and a store of the cluster engine keeps that engine.
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as Workflow from "@effect/workflow/Workflow"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Schema } from "effect"
import * as path from "node:path"
import { SqliteEngineLive } from "../../layers/Engine.js"
import { AppConfig } from "../../src/Config.js"
import * as DurableEngine from "../../src/Storage/DurableEngine.js"
import { makeDurableStore } from "../../src/Storage/DurableStore.js"
import { tempDir } from "../support/spawn.js"

const Job = Workflow.make({
  name: "Test/Job",
  payload: { id: Schema.String, waitFor: Schema.optional(Schema.Literal("signal", "clock")) },
  success: Schema.Struct({ runs: Schema.Number, value: Schema.String }),
  idempotencyKey: ({ id }) => id
})

const Signal = DurableDeferred.make("signal", { success: Schema.String })

/** How often each activity body ran, across lives of the engine (a process restart keeps the file). */
const ran = new Map<string, number>()
const count = (key: string) => Effect.sync(() => ran.set(key, (ran.get(key) ?? 0) + 1))

const JobLive = (slowFirstMs: number) =>
  Job.toLayer(Effect.fnUntraced(function*(payload) {
    const first = yield* Activity.make({
      name: "first",
      success: Schema.String,
      execute: Effect.zipRight(count(`${payload.id}/first`), Effect.as(Effect.sleep(slowFirstMs), "one"))
    })
    let value = first
    if (payload.waitFor === "signal") value = yield* DurableDeferred.await(Signal)
    if (payload.waitFor === "clock") {
      yield* DurableClock.sleep({ name: "later", duration: Duration.seconds(1), inMemoryThreshold: Duration.zero })
      value = "woke"
    }
    yield* Activity.make({ name: "second", execute: count(`${payload.id}/second`) })
    return { runs: ran.get(`${payload.id}/first`) ?? 0, value }
  }))

const sqlite = (dir: string) => SqliteClient.layer({ filename: path.join(dir, "workflows.sqlite") })

const runner = (dir: string, slowFirstMs = 0, pollInterval: Duration.DurationInput = Duration.millis(100)) =>
  JobLive(slowFirstMs).pipe(
    Layer.provideMerge(DurableEngine.layer({ runner: true, pollInterval })),
    Layer.provideMerge(sqlite(dir))
  )

const client = (dir: string) =>
  DurableEngine.layer({ runner: false, pollInterval: Duration.millis(100) }).pipe(Layer.provideMerge(sqlite(dir)))

const tokenOf = (id: string) => DurableDeferred.tokenFromExecutionId(Signal, { workflow: Job, executionId: id })

/** Polls until the execution completes (or 10 s pass). */
const completion = (executionId: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      const result = yield* Job.poll(executionId)
      if (result?._tag === "Complete") return result.exit
      yield* Effect.sleep(50)
    }
    return yield* Effect.dieMessage(`${executionId} did not complete`)
  })

const valueOf = (exit: Exit.Exit<{ readonly runs: number; readonly value: string }>) =>
  Exit.isSuccess(exit) ? exit.value : { interrupted: Exit.isInterrupted(exit) }

const life = <A, E>(layer: Layer.Layer<WorkflowEngine.WorkflowEngine | SqlClient.SqlClient, unknown>, body: Effect.Effect<A, E, WorkflowEngine.WorkflowEngine | SqlClient.SqlClient>) =>
  Effect.scoped(Effect.flatMap(Layer.build(layer), (context) => Effect.provide(body, context)))

describe("the embedded workflow engine", () => {
  it.live("a finished workflow's result and activities are stored: a restart neither re-runs nor loses them", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      const id = yield* life(runner(dir), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "done-once" }, { discard: true })
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "one" })
        return id
      }))
      yield* life(runner(dir), Effect.gen(function*() {
        yield* Job.execute({ id: "done-once" }, { discard: true })
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "one" })
      }))
      expect(ran.get("done-once/first")).toBe(1)
      expect(ran.get("done-once/second")).toBe(1)
    }))

  it.live("a signal from another process (a client of the store) wakes the waiting workflow in the runner", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      yield* life(runner(dir), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "by-client", waitFor: "signal" }, { discard: true })
        for (let i = 0; i < 100 && (yield* Job.poll(id))?._tag !== "Suspended"; i++) yield* Effect.sleep(20)
        expect((yield* Job.poll(id))?._tag).toBe("Suspended")
        // `hitl decide` is its own process: its own engine (a client) on the same file.
        yield* life(client(dir), DurableDeferred.succeed(Signal, { token: tokenOf(id), value: "from the client" }))
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "from the client" })
      }))
    }))

  it.live("a signal that comes while the workflow is still running, before it waits, is taken without a wake-up", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      // The store is not watched during the test (a minute between looks): only the run itself can take the signal.
      yield* life(runner(dir, 300, Duration.minutes(1)), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "early-signal", waitFor: "signal" }, { discard: true })
        yield* Effect.sleep(50)
        expect(yield* Job.poll(id)).toBeUndefined()
        yield* DurableDeferred.succeed(Signal, { token: tokenOf(id), value: "early" })
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "early" })
      }))
    }))

  it.live("a run that read the signal count before a signal came never marks its execution suspended over it", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      yield* Effect.scoped(Effect.flatMap(Layer.build(sqlite(dir)), (context) =>
        Effect.provide(
          Effect.gen(function*() {
            const store = yield* makeDurableStore
            expect(yield* store.insert("race", "Test/Job", "{}", undefined, 1)).toBe(true)
            const seen = (yield* store.execution("race"))?.wakes ?? -1
            // The signal lands between the run's read and its suspend.
            expect(yield* store.wake("race", 2)).toBe(true)
            yield* store.suspend("race", seen, 3)
            expect((yield* store.execution("race"))?.state).toBe("running")
            // Without a signal in between, it is suspended; a signal makes it run again.
            yield* store.suspend("race", seen + 1, 4)
            expect((yield* store.execution("race"))?.state).toBe("suspended")
            expect(yield* store.wake("race", 5)).toBe(true)
            expect(yield* store.needingRun("Test/Job")).toEqual(["race"])
            yield* store.complete("race", "{}", 6, true)
            expect(yield* store.wake("race", 7)).toBe(false)
          }),
          context
        )))
    }))

  it.live("a signal given while no runner runs is taken at the next start", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      const id = yield* life(runner(dir), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "offline", waitFor: "signal" }, { discard: true })
        for (let i = 0; i < 100 && (yield* Job.poll(id))?._tag !== "Suspended"; i++) yield* Effect.sleep(20)
        return id
      }))
      yield* life(client(dir), DurableDeferred.succeed(Signal, { token: tokenOf(id), value: "while down" }))
      yield* life(runner(dir), Effect.gen(function*() {
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "while down" })
      }))
    }))

  it.live("a durable timer set before a stop fires after the restart; the first activity is not run again", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      const id = yield* life(runner(dir), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "timer", waitFor: "clock" }, { discard: true })
        for (let i = 0; i < 100 && (yield* Job.poll(id))?._tag !== "Suspended"; i++) yield* Effect.sleep(20)
        return id
      }))
      yield* life(runner(dir), Effect.gen(function*() {
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "woke" })
      }))
      expect(ran.get("timer/first")).toBe(1)
    }))

  it.live("stopped while an activity runs: the activity runs again at the next start, what finished before it does not", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      const id = yield* life(runner(dir, 2_000), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "cut", waitFor: "signal" }, { discard: true })
        yield* Effect.sleep(200)
        return id
      }))
      expect(ran.get("cut/first")).toBe(1)
      yield* life(runner(dir), Effect.gen(function*() {
        for (let i = 0; i < 100 && (yield* Job.poll(id))?._tag !== "Suspended"; i++) yield* Effect.sleep(20)
        expect(ran.get("cut/first")).toBe(2)
        yield* DurableDeferred.succeed(Signal, { token: tokenOf(id), value: "after" })
        expect(valueOf(yield* completion(id))).toEqual({ runs: 2, value: "after" })
      }))
    }))

  it.live("an interrupted waiting workflow ends interrupted, and its timer wakes nothing later", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      yield* life(runner(dir), Effect.gen(function*() {
        const id = yield* Job.execute({ id: "stopped", waitFor: "clock" }, { discard: true })
        for (let i = 0; i < 100 && (yield* Job.poll(id))?._tag !== "Suspended"; i++) yield* Effect.sleep(20)
        yield* Job.interrupt(id)
        expect(valueOf(yield* completion(id))).toEqual({ interrupted: true })
        yield* Effect.sleep(1_500)
        expect(ran.get("stopped/second")).toBeUndefined()
        const sql = yield* SqlClient.SqlClient
        expect(yield* sql`SELECT * FROM li_wf_clocks`).toEqual([])
      }))
    }))

  it.live("a store first written by the cluster engine keeps it: a workflow waiting there still completes", () =>
    Effect.gen(function*() {
      const dir = tempDir("li-engine-")
      const cluster = JobLive(0).pipe(
        Layer.provideMerge(ClusterWorkflowEngine.layer),
        Layer.provideMerge(SingleRunner.layer({ runnerStorage: "sql" })),
        Layer.provideMerge(sqlite(dir))
      )
      const id = yield* life(cluster, Effect.gen(function*() {
        const id = yield* Job.execute({ id: "legacy", waitFor: "signal" }, { discard: true })
        for (let i = 0; i < 200 && (yield* Job.poll(id))?._tag !== "Suspended"; i++) yield* Effect.sleep(25)
        expect((yield* Job.poll(id))?._tag).toBe("Suspended")
        return id
      }))
      const app = JobLive(0).pipe(Layer.provideMerge(SqliteEngineLive), Layer.provide(AppConfig.layerWith({ logStorageDir: dir })))
      yield* life(app, Effect.gen(function*() {
        yield* DurableDeferred.succeed(Signal, { token: tokenOf(id), value: "kept" })
        expect(valueOf(yield* completion(id))).toEqual({ runs: 1, value: "kept" })
        const sql = yield* SqlClient.SqlClient
        expect(yield* sql`SELECT name FROM sqlite_master WHERE name = 'li_wf_executions'`).toEqual([])
      }))
      // A new store gets the embedded engine.
      const fresh = tempDir("li-engine-")
      yield* life(JobLive(0).pipe(Layer.provideMerge(SqliteEngineLive), Layer.provide(AppConfig.layerWith({ logStorageDir: fresh }))), Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        expect(yield* sql`SELECT name FROM sqlite_master WHERE name = 'li_wf_executions'`).toHaveLength(1)
        expect(yield* sql`SELECT name FROM sqlite_master WHERE name = 'cluster_messages'`).toEqual([])
      }))
    }), 30_000)
})
