/**
 * The embedded durable workflow engine: one runner on the SQLite store. A workflow runs in this
 * process; every finished activity, completed deferred and timer is in the database first, so a
 * run after a crash or a wake-up replays to where it was. Same contract as the cluster engine
 * (used for PostgreSQL scale-out), without its entity, message and reply machinery: a workflow
 * costs a handful of indexed statements instead of dozens of transactions.
 *
 * `runner: false` gives a client for short-lived commands (`hitl decide`): it completes deferreds
 * and asks for interrupts in the store, and the running process picks them up (it looks every
 * `pollInterval`), or the next `run`/`once` does when it starts.
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import { makeUnsafe, WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import { Clock, Context, Duration, Effect, Exit, Fiber, FiberMap, FiberSet, Layer, Schema, type Scope } from "effect"
import { activityKey, type DurableStore, makeDurableStore } from "./DurableStore.js"
import { RunWatch } from "./RunWatch.js"

const ExitJson = Schema.parseJson(Schema.Exit({ success: Schema.Unknown, failure: Schema.Unknown, defect: Schema.Defect }))
const encodeExit = Schema.encodeSync(ExitJson)
const decodeExit = Schema.decodeUnknownSync(ExitJson)

/** Workflow schemas are typed with an open context; a stored workflow's must need none (as in the cluster engine). */
const contextFree = <A, I, R>(schema: Schema.Schema<A, I, R>) => schema as unknown as Schema.Schema<A, I>

/**
 * An activity's result as the workflow reads it: the stored (encoded) exit decoded with the
 * activity's own schemas. The library builds this schema anew for every Activity (so every step),
 * and compiling its decoder costs about 0.4 ms each time; one per pair of schemas is enough.
 */
const exitSchemas = new WeakMap<Schema.Schema.Any, WeakMap<Schema.Schema.All, Schema.Schema<Exit.Exit<unknown, unknown>, Exit.Exit<unknown, unknown>>>>()
const exitSchemaOf = (activity: Activity.Any) => {
  const bySuccess = exitSchemas.get(activity.successSchema) ?? new WeakMap()
  exitSchemas.set(activity.successSchema, bySuccess)
  const known = bySuccess.get(activity.errorSchema)
  if (known !== undefined) return known
  const schema = contextFree(Schema.ExitFromSelf({ success: activity.successSchema, failure: activity.errorSchema, defect: Schema.Defect }))
  bySuccess.set(activity.errorSchema, schema)
  return schema
}

/** Results of finished executions kept in memory for the cycle that waits for them. */
const MAX_REMEMBERED_RESULTS = 2_000

interface Registered {
  readonly workflow: Workflow.Any
  readonly execute: (payload: object, executionId: string) => Effect.Effect<unknown, unknown, WorkflowInstance | WorkflowEngine>
  readonly scope: Scope.Scope
  readonly encodePayload: (payload: object) => Effect.Effect<unknown, unknown>
  readonly decodePayload: (encoded: unknown) => Effect.Effect<object, unknown>
  readonly result: Schema.Schema<Exit.Exit<unknown, unknown>, string>
}

/** An execution this process just inserted: its row is known, and it has nothing stored yet. */
interface Fresh {
  readonly workflow: string
  readonly payload: object
  readonly parent: string | null
}

/** An execution this process is running: `again` when a signal came in during the run. */
interface Live {
  again: boolean
  fresh: Fresh | undefined
  readonly done: Effect.Latch
}

export interface DurableEngineOptions {
  /** Runs workflows (the one runner) or only signals them (a client). */
  readonly runner: boolean
  /** How often a runner looks for executions that another process woke. */
  readonly pollInterval: Duration.DurationInput
}

const make = (options: DurableEngineOptions) => Effect.gen(function*() {
  const store: DurableStore = yield* makeDurableStore
  const engineScope = yield* Effect.scope
  const registered = new Map<string, Registered>()
  const live = new Map<string, Live>()
  /** Executions whose run failed in this process (their payload no longer decodes, the store failed …). */
  const broken = new Set<string>()
  const results = new Map<string, Workflow.Result<unknown, unknown>>()
  const clocks = yield* FiberMap.make<string>()
  const clockKeys = new Map<string, Set<string>>()
  /** The stored activity results of the executions running now, read once per run. */
  const steps = new Map<string, Map<string, string>>()
  const pollers = yield* FiberSet.make()
  const now = Clock.currentTimeMillis

  const remember = (id: string, result: Workflow.Result<unknown, unknown>) => {
    if (results.size >= MAX_REMEMBERED_RESULTS) results.delete(results.keys().next().value ?? id)
    results.set(id, result)
  }

  /** One run of the workflow: replays stored steps, goes on until it completes or waits. */
  const runOnce = (entry: Registered, id: string, payload: object) => {
    const instance = WorkflowInstance.initial(entry.workflow, id)
    return entry.execute(payload, id).pipe(
      Effect.onExit(() => {
        if (!instance.suspended) return Effect.void
        // Asked to stop while it waits: it ends here, interrupted, and its timers with it.
        return Effect.flatMap(Effect.orDie(store.interrupted(id)), (stop) => {
          if (!stop) return Effect.void
          instance.suspended = false
          instance.interrupted = true
          return Effect.withFiberRuntime<void>((fiber) => Effect.interruptible(Fiber.interrupt(fiber)))
        })
      }),
      Workflow.intoResult,
      Effect.provideService(WorkflowInstance, instance),
      Effect.provideService(WorkflowEngine, engine)
    )
  }

  /** What a run starts from: the execution as this process inserted it, or its row; nothing when it is not to run. */
  const runnable = (id: string, fresh: Fresh | undefined) =>
    Effect.gen(function*() {
      if (fresh !== undefined) {
        const entry = registered.get(fresh.workflow)
        return entry === undefined ? undefined : { entry, payload: fresh.payload, parent: fresh.parent, wakes: 0 }
      }
      const row = yield* store.execution(id)
      const entry = row?.state === "running" ? registered.get(row.workflow) : undefined
      if (row === undefined || entry === undefined) return undefined
      return { entry, payload: yield* entry.decodePayload(JSON.parse(row.payload)), parent: row.parent, wakes: row.wakes }
    })

  /** Runs an execution until it completes, or waits with no signal pending. */
  const drive = (id: string, slot: Live): Effect.Effect<void> =>
    Effect.gen(function*() {
      while (true) {
        slot.again = false
        const fresh = slot.fresh
        slot.fresh = undefined
        const run = yield* runnable(id, fresh)
        if (run === undefined) break
        const { entry, parent, payload, wakes } = run
        // A replay reads what its steps stored once, not step by step; a new execution has stored nothing.
        steps.set(id, fresh === undefined ? yield* store.activities(id) : new Map())
        const result = yield* Effect.ensuring(runOnce(entry, id, payload), Effect.sync(() => steps.delete(id)))
        if (result._tag === "Complete") {
          remember(id, result)
          const encoded = yield* Schema.encode(entry.result)(result.exit)
          // A new execution that set no timer has none to drop.
          yield* store.complete(id, encoded, yield* now, fresh === undefined || clockKeys.has(id))
          yield* dropClocks(id)
          if (parent !== null) yield* wake(parent)
          break
        }
        // Kept 'running' when a signal came in meanwhile (wakes moved on): then it runs again.
        yield* store.suspend(id, wakes, yield* now)
        if (!slot.again) break
      }
    }).pipe(
      Effect.catchAllCause((cause) => {
        // Left 'running' in the store, so the next start tries again; not retried by the watch
        // meanwhile, which would repeat the same failure every poll.
        broken.add(id)
        return Effect.logError(`workflow ${id} could not run; it is tried again at the next start or signal`, cause)
      }),
      Effect.ensuring(Effect.suspend(() => {
        live.delete(id)
        return slot.done.open
      }))
    )

  const start = (id: string, fresh?: Fresh) =>
    Effect.suspend(() => {
      const running = live.get(id)
      if (running !== undefined) {
        running.again = true
        return Effect.void
      }
      const slot: Live = { again: false, fresh, done: Effect.unsafeMakeLatch(false) }
      live.set(id, slot)
      broken.delete(id)
      return Effect.asVoid(Effect.forkIn(drive(id, slot), engineScope))
    })

  /** Marks an execution as needing a run and, in the runner, runs it. */
  const wake = (id: string): Effect.Effect<void> =>
    Effect.flatMap(now, (t) => Effect.orDie(store.wake(id, t))).pipe(
      Effect.flatMap((woken) => (woken && options.runner ? start(id) : Effect.void))
    )

  const fireClock = (workflow: string, id: string, name: string, deferred: string, wakeAt: number) => {
    const key = `${id}/${name}`
    const keys = clockKeys.get(id) ?? new Set<string>()
    keys.add(key)
    clockKeys.set(id, keys)
    return Effect.flatMap(now, (t) => Effect.sleep(Math.max(0, wakeAt - t))).pipe(
      Effect.zipRight(completeDeferred(workflow, id, deferred, Exit.void)),
      Effect.zipRight(Effect.orDie(store.dropClock(id, name))),
      Effect.ensuring(Effect.sync(() => keys.delete(key))),
      FiberMap.run(clocks, key, { onlyIfMissing: true }),
      Effect.asVoid
    )
  }

  /** The timers of an execution that ended: there is nothing left for them to wake. */
  const dropClocks = (id: string) =>
    Effect.suspend(() => {
      const keys = [...(clockKeys.get(id) ?? [])]
      clockKeys.delete(id)
      return Effect.forEach(keys, (key) => FiberMap.remove(clocks, key), { discard: true })
    })

  const completeDeferred = (_workflow: string, id: string, name: string, exit: Exit.Exit<unknown, unknown>) =>
    Effect.orDie(store.completeDeferred(id, name, encodeExit(exit))).pipe(
      Effect.flatMap((first) => (first ? wake(id) : Effect.void))
    )

  /** What other processes woke, and (at start) what a crash left running, timers included. */
  const watch = (name: string) =>
    Effect.gen(function*() {
      for (const clock of yield* store.clocks(name)) {
        yield* fireClock(name, clock.execution_id, clock.name, clock.deferred, clock.wake_at)
      }
      while (true) {
        yield* store.needingRun(name).pipe(
          Effect.flatMap((ids) => Effect.forEach(ids, (id) => (live.has(id) || broken.has(id) ? Effect.void : start(id)), { discard: true })),
          Effect.catchAllCause((cause) => Effect.logError("the workflow engine cannot read its store", cause))
        )
        yield* Effect.sleep(options.pollInterval)
      }
    })

  const resultOf = (entry: Registered | undefined, id: string) =>
    Effect.gen(function*() {
      const known = results.get(id)
      if (known !== undefined) return known
      if (live.has(id)) return undefined
      const row = yield* Effect.orDie(store.execution(id))
      if (row === undefined || row.state === "running") return undefined
      if (row.state === "suspended" || row.result === null || entry === undefined) return new Workflow.Suspended({})
      const exit = yield* Effect.orDie(Schema.decode(entry.result)(row.result))
      const result = new Workflow.Complete({ exit })
      remember(id, result)
      return result
    })

  /** An activity: its stored result, or it runs and its (encoded) result is stored. */
  const runActivity = (activity: Activity.Any, attempt: number) =>
    Effect.gen(function*() {
      const instance = yield* WorkflowInstance
      const known = steps.get(instance.executionId)
      const key = activityKey(activity.name, attempt)
      const stored = known === undefined
        ? yield* Effect.orDie(store.activity(instance.executionId, activity.name, attempt))
        : known.get(key)
      if (stored !== undefined) return new Workflow.Complete({ exit: decodeExit(stored) })
      const own = WorkflowInstance.initial(instance.workflow, instance.executionId)
      own.interrupted = instance.interrupted
      const result = yield* activity.executeEncoded.pipe(Workflow.intoResult, Effect.provideService(WorkflowInstance, own))
      if (result._tag === "Complete") {
        const exit = encodeExit(result.exit)
        yield* Effect.orDie(store.saveActivity(instance.executionId, activity.name, attempt, exit))
        known?.set(key, exit)
      }
      return result
    })

  const engine: WorkflowEngine["Type"] = {
    ...makeUnsafe({
      register: (workflow, execute) =>
        Effect.gen(function*() {
          const scope = yield* Effect.scope
          registered.set(workflow.name, {
            workflow,
            execute,
            scope,
            encodePayload: Schema.encode(contextFree(workflow.payloadSchema)),
            decodePayload: Schema.decodeUnknown(contextFree(workflow.payloadSchema)),
            result: contextFree(Schema.parseJson(Schema.Exit({
              success: workflow.successSchema,
              failure: workflow.errorSchema,
              defect: Schema.Defect
            })))
          })
          if (options.runner) yield* FiberSet.run(pollers, watch(workflow.name))
        }),

      execute: <const Discard extends boolean>(
        workflow: Workflow.Any,
        { discard, executionId, parent, payload }: {
          readonly executionId: string
          readonly payload: object
          readonly discard: Discard
          readonly parent?: WorkflowInstance["Type"] | undefined
        }
      ): Effect.Effect<Discard extends true ? void : Workflow.Result<unknown, unknown>> =>
        Effect.gen(function*() {
          const entry = registered.get(workflow.name)
          if (entry === undefined) return yield* Effect.dieMessage(`Workflow ${workflow.name} is not registered`)
          const encoded = JSON.stringify(yield* Effect.orDie(entry.encodePayload(payload)))
          const fresh = yield* Effect.orDie(store.insert(executionId, workflow.name, encoded, parent?.executionId, yield* now))
          if (options.runner && (fresh || !live.has(executionId))) {
          yield* start(executionId, fresh ? { workflow: workflow.name, payload, parent: parent?.executionId ?? null } : undefined)
        }
          if (discard) return undefined
          const slot = live.get(executionId)
          if (slot !== undefined) yield* slot.done.await
          return (yield* resultOf(entry, executionId)) ?? new Workflow.Suspended({})
        }).pipe(
          // The engine contract types the answer by `discard`, which the body cannot narrow to.
          Effect.map((result) => result as Discard extends true ? void : Workflow.Result<unknown, unknown>)
        ),

      poll: (workflow, executionId) => resultOf(registered.get(workflow.name), executionId),

      interrupt: (_workflow, executionId) =>
        Effect.orDie(store.markInterrupted(executionId)).pipe(Effect.zipRight(wake(executionId))),

      resume: (_workflow, executionId) => wake(executionId),

      activityExecute: runActivity,

      deferredResult: (deferred) =>
        Effect.flatMap(WorkflowInstance, (instance) => Effect.orDie(store.deferred(instance.executionId, deferred.name))).pipe(
          Effect.map((stored) => (stored === undefined ? undefined : decodeExit(stored)))
        ),

      deferredDone: ({ executionId, deferredName, exit, workflowName }) =>
        completeDeferred(workflowName, executionId, deferredName, exit),

      scheduleClock: (workflow, { clock, executionId }) =>
        Effect.gen(function*() {
          const wakeAt = yield* Effect.orDie(store.scheduleClock(
            executionId,
            clock.name,
            workflow.name,
            clock.deferred.name,
            (yield* now) + Duration.toMillis(clock.duration)
          ))
          if (options.runner) yield* fireClock(workflow.name, executionId, clock.name, clock.deferred.name, wakeAt)
        })
    }),
    // As the library's, with the result's schema made once (exitSchemaOf).
    activityExecute: <Success extends Schema.Schema.Any, Error extends Schema.Schema.All, R>(
      activity: Activity.Activity<Success, Error, R>,
      attempt: number
    ): Effect.Effect<Workflow.Result<Success["Type"], Error["Type"]>, never, WorkflowInstance> =>
      Effect.gen(function*() {
        const result = yield* runActivity(activity, attempt)
        if (result._tag === "Suspended") return result
        const exit = yield* Effect.orDie(Schema.decode(exitSchemaOf(activity))(result.exit))
        return new Workflow.Complete({ exit: exit as Exit.Exit<Success["Type"], Error["Type"]> })
      })
  }
  const runWatch = RunWatch.of({
    ended: (executionId, within) =>
      Effect.suspend(() => {
        const slot = live.get(executionId)
        return slot === undefined ? Effect.succeed(false) : Effect.as(Effect.ignore(Effect.timeout(slot.done.await, within)), true)
      })
  })
  return Context.make(WorkflowEngine, engine).pipe(Context.add(RunWatch, runWatch))
})

export const layer = (options: DurableEngineOptions): Layer.Layer<WorkflowEngine | RunWatch, SqlError, SqlClient> =>
  Layer.scopedContext(make(options))
