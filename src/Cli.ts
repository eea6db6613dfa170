/**
 * The command line (DESIGN.md §4): run, once, runs list|show, doctor.
 * Configuration is read only by the commands that need it, so `--help` works with a broken `.env`.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as PlatformConfigProvider from "@effect/platform/PlatformConfigProvider"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, ConfigError, Console, Data, Effect, Layer, Logger, LogLevel, Option } from "effect"
import { EngineClientLive } from "../layers/Engine.js"
import { LiveApp } from "../layers/Live.js"
import { AppConfig, describeConfigError } from "./Config.js"
import { errorInfo } from "./Domain/ErrorInfo.js"
import { LoggingLive } from "./Observability/Logging.js"
import { TelemetryLive } from "./Observability/Telemetry.js"
import { Orchestrator, OrchestratorLoop } from "./Orchestrator.js"
import { HitlStore } from "./Hitl/HitlStore.js"
import { Replies } from "./Hitl/Replies.js"
import { lazyHttpClient } from "./Integrations/LazyHttpClient.js"
import { MailDirInboxLive } from "./Integrations/MailDir.js"
import { formatRequestLine, formatRunLine, formatSummary } from "./RunReport.js"
import { MigrationsLive } from "./Storage/Migrations.js"
import { RunHistory } from "./Storage/RunHistory.js"

class CycleFailed extends Data.TaggedError("CycleFailed")<{ readonly message: string }> {}
class RunNotFound extends Data.TaggedError("RunNotFound")<{ readonly message: string }> {}

const PlatformLive = Layer.mergeAll(
  NodeContext.layer,
  lazyHttpClient(Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(Effect.map((m) => m.layerUndici)))
)

/** Environment first, then `.env` in the working directory for what the environment does not set. */
const ConfigLive = AppConfig.layer.pipe(
  Layer.provide(PlatformConfigProvider.layerDotEnvAdd(".env")),
  Layer.provide(NodeContext.layer)
)

/** Config, logging and telemetry: built first, so everything after logs and traces through them. */
const BaseLive = Layer.mergeAll(LoggingLive, TelemetryLive).pipe(Layer.provideMerge(ConfigLive))

const AppLive = LiveApp.pipe(Layer.provideMerge(BaseLive), Layer.provide(PlatformLive))

const run = Command.make("run", {}, () =>
  Layer.launch(OrchestratorLoop).pipe(Effect.provide(AppLive))).pipe(
    Command.withDescription("Poll the calendar every POLL_INTERVAL_SECONDS and take each meeting through the workflow")
  )

const once = Command.make("once", {}, () =>
  Effect.gen(function*() {
    const orchestrator = yield* Orchestrator
    const summary = yield* orchestrator.runCycle
    yield* orchestrator.settleDue
    yield* Console.log(formatSummary(summary))
    if (summary.status === "failure") {
      return yield* new CycleFailed({ message: summary.error?.message ?? "the run failed" })
    }
  }).pipe(Effect.provide(AppLive))).pipe(
    Command.withDescription("Run one poll cycle, wait until every event has its status, then exit")
  )

const HistoryLive = RunHistory.Default.pipe(Layer.provideMerge(ConfigLive), Layer.provide(PlatformLive))

const runsList = Command.make(
  "list",
  { limit: Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("How many runs to show")) },
  ({ limit }) =>
    Effect.gen(function*() {
      const runs = yield* (yield* RunHistory).list()
      if (runs.length === 0) return yield* Console.log("no runs yet")
      for (const summary of runs.slice(0, limit)) yield* Console.log(formatRunLine(summary))
    }).pipe(Effect.provide(HistoryLive))
).pipe(Command.withDescription("The most recent runs, newest first"))

const runsShow = Command.make("show", { runId: Args.text({ name: "RUN_ID" }) }, ({ runId }) =>
  Effect.gen(function*() {
    const summary = yield* (yield* RunHistory).show(runId)
    if (Option.isNone(summary)) return yield* new RunNotFound({ message: `no run ${runId}` })
    yield* Console.log(JSON.stringify(summary.value, null, 2))
  }).pipe(Effect.provide(HistoryLive))).pipe(Command.withDescription("One run's summary.json"))

const runs = Command.make("runs").pipe(
  Command.withSubcommands([runsList, runsShow]),
  Command.withDescription("The run history")
)

const doctor = Command.make("doctor", {}, () =>
  Effect.gen(function*() {
    // Loaded only here: the probes bring every integration's client with them.
    const { Doctor } = yield* Effect.promise(() => import("./Doctor.js"))
    const ok = yield* Effect.flatMap(Doctor, (doctor) => doctor.check).pipe(
      Effect.provide(Doctor.Default.pipe(Layer.provideMerge(ConfigLive), Layer.provide(PlatformLive)))
    )
    if (!ok) return yield* new CycleFailed({ message: "some checks failed" })
  }).pipe(
    // The check lines are the output; start-up chatter of the adapters would only interleave.
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )).pipe(
    Command.withDescription("Check the configuration and every integration, one line each")
  )

const HitlLive = Replies.Default.pipe(
  Layer.provideMerge(HitlStore.Default),
  Layer.provideMerge(RunHistory.Default),
  Layer.provideMerge(MailDirInboxLive),
  Layer.provideMerge(MigrationsLive),
  Layer.provideMerge(EngineClientLive),
  Layer.provideMerge(ConfigLive),
  Layer.provide(PlatformLive)
)

const hitlList = Command.make("list", {}, () =>
  Effect.gen(function*() {
    const pending = yield* (yield* HitlStore).pending
    if (pending.length === 0) return yield* Console.log("no pending requests")
    for (const r of pending) yield* Console.log(formatRequestLine(r))
  }).pipe(Effect.provide(HitlLive))).pipe(Command.withDescription("Requests waiting for a person"))

const hitlDecide = Command.make(
  "decide",
  {
    auditId: Args.text({ name: "AUDIT_ID" }),
    decision: Args.choice([["approve", "approve" as const], ["decline", "decline" as const]], { name: "approve|decline" }),
    fields: Options.keyValueMap("field").pipe(
      Options.optional,
      Options.withDescription("key=value, e.g. --field domain=acme.io --field company=Acme")
    ),
    by: Options.text("by").pipe(Options.withDefault(`cli:${process.env["USER"] ?? "operator"}`))
  },
  ({ auditId, by, decision, fields }) =>
    Effect.gen(function*() {
      const replies = yield* Replies
      const given = Option.match(fields, { onNone: () => ({}), onSome: (m) => Object.fromEntries(m) })
      const outcome = yield* replies.decide(auditId, decision, given, by)
      yield* Console.log(
        outcome === "delivered"
          ? `${auditId}: ${decision} recorded; the workflow continues with the next run or once`
          : `${auditId}: already answered, expired or cancelled; recorded and ignored`
      )
    }).pipe(Effect.provide(HitlLive))
).pipe(Command.withDescription("Answer a pending request, as a reply would"))

const hitl = Command.make("hitl").pipe(
  Command.withSubcommands([hitlList, hitlDecide]),
  Command.withDescription("Requests to people: list and answer them")
)

const root = Command.make("lead-insights").pipe(
  Command.withSubcommands([run, once, runs, hitl, doctor]),
  Command.withDescription("Prepares sales meetings: calendar → company research → dossier → CRM")
)

/** One line for anything a user can act on; the full cause only for defects (bugs). */
const describe = (cause: Cause.Cause<unknown>): Option.Option<string> => {
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) return Option.some(Cause.pretty(cause))
  const error = failure.value
  // @effect/cli has already shown the user what was wrong with the command line.
  if (ValidationError.isValidationError(error)) return Option.none()
  if (ConfigError.isConfigError(error)) return Option.some(describeConfigError(error))
  return Option.some(errorInfo(error).message)
}

export const cli = (argv: ReadonlyArray<string>) =>
  Command.run(root, { name: "lead-insights", version: "0.1.0" })(argv).pipe(
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Option.match(describe(cause), { onNone: () => Effect.void, onSome: (line) => Console.error(`lead-insights: ${line}`) })
    ),
    Effect.provide(NodeContext.layer)
  )
