/**
 * The whole app on the engine users run — the SQLite single runner under LOG_STORAGE_DIR — with
 * the test doubles for calendar, CRM and mail, on the real clock. The doubles live outside the
 * app, so one test can stop the app (its engine, database and timers) and start it again on the
 * same folder, like a process restart, while the calendar, the inbox and the CRM stay.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { type Context, Duration, Effect, Layer, Logger, LogLevel, type Scope } from "effect"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import type { CalendarEvent } from "../../src/Domain/CalendarEvent.js"
import type { CrmCompany } from "../../src/Domain/Crm.js"
import type { RunSummary } from "../../src/Domain/RunSummary.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { makeApp } from "../../layers/App.js"
import { SqliteEngineLive } from "../../layers/Engine.js"
import { ResearchTaking, TestAdapters } from "../../layers/Test.js"
import { tempDir } from "./spawn.js"
import { testConfig } from "./workflow.js"

const doublesOf = (options: { readonly events?: ReadonlyArray<CalendarEvent>; readonly companies?: ReadonlyArray<CrmCompany> }) =>
  TestAdapters({
    ...(options.events ? { events: options.events } : {}),
    ...(options.companies ? { companies: options.companies } : {})
  })

type Doubles = Layer.Layer.Success<ReturnType<typeof doublesOf>>

export interface SqliteHarness {
  readonly logStorageDir: string
  /** Runs `body` in one life of the app: started before, stopped (engine, database, timers) after. */
  readonly life: <A, E>(
    body: Effect.Effect<A, E, Orchestrator | Layer.Layer.Success<ReturnType<typeof appOf>>>,
    config?: Partial<AppConfigShape>
  ) => Effect.Effect<A, E | unknown, Scope.Scope>
  /** The doubles, shared by every life: calendar, inbox and outbox, CRM. */
  readonly doubles: Context.Context<Doubles>
}

const appOf = (doubles: Context.Context<Doubles>, researchDelayMs = 0) =>
  makeApp(Layer.succeedContext(doubles), SqliteEngineLive, ResearchTaking(researchDelayMs))

/** Short schedules, so timers fire within seconds of real time. */
export const FAST = {
  hitlReminders: [Duration.seconds(1)],
  hitlEscalateAfter: Duration.seconds(2),
  hitlExpireAfter: Duration.seconds(3),
  stepRetryDelays: [Duration.seconds(1)]
} satisfies Partial<AppConfigShape>

export const makeSqliteHarness = (options: {
  readonly events?: ReadonlyArray<CalendarEvent>
  readonly companies?: ReadonlyArray<CrmCompany>
  readonly researchDelayMs?: number
}) =>
  Effect.gen(function*() {
    const logStorageDir = tempDir("li-sqlite-")
    const doubles = yield* Layer.build(doublesOf(options))
    const life: SqliteHarness["life"] = (body, config = {}) =>
      Effect.scoped(
        body.pipe(
          Effect.provide(appOf(doubles, options.researchDelayMs).pipe(
            Layer.provideMerge(AppConfig.layerWith({ ...testConfig(logStorageDir), inboxInterval: Duration.seconds(1), ...config })),
            Layer.provideMerge(NodeContext.layer)
          )),
          Effect.provide(Logger.minimumLogLevel(LogLevel.None))
        )
      )
    return { logStorageDir, life, doubles } satisfies SqliteHarness
  })

/** Cycles (a little apart) until `done` holds for the summary, or `ms` pass; returns the last summary. */
export const cycleUntil = (done: (summary: RunSummary) => boolean, ms = 15_000) =>
  Effect.gen(function*() {
    const orchestrator = yield* Orchestrator
    const until = Date.now() + ms
    for (;;) {
      const summary = yield* orchestrator.runCycle
      if (done(summary) || Date.now() > until) return summary
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 250)))
    }
  })
