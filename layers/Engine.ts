/**
 * The durable workflow engine and the SQL database it shares with the HITL store.
 * Embedded default: one runner on SQLite under LOG_STORAGE_DIR. Scale-out (WORKFLOW_STORE=postgres):
 * several runner processes sharing PostgreSQL (DATABASE_URL). Tests: the in-memory engine on an
 * in-memory SQLite database.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Config, ConfigError, Context, Duration, Effect, Exit, Layer, Option, Redacted, Scope } from "effect"
import { mkdirSync } from "node:fs"
import * as path from "node:path"
import { AppConfig } from "../src/Config.js"
import * as DurableEngine from "../src/Storage/DurableEngine.js"
import { acquireStoreLock } from "../src/Storage/StoreLock.js"

/**
 * A store first written by the cluster engine (before the embedded engine existed) keeps it, so
 * no workflow that waits in it is lost; a new store gets the embedded engine (src/Storage/DurableEngine.ts).
 */
const onClusterBefore = <E1, R1, E2, R2>(
  cluster: Layer.Layer<WorkflowEngine.WorkflowEngine, E1, R1>,
  embedded: Layer.Layer<WorkflowEngine.WorkflowEngine, E2, R2>
) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tables = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'cluster_messages'`
    const rows = (tables[0]?.n ?? 0) === 0
      ? []
      : yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM (SELECT 1 FROM cluster_messages LIMIT 1)`
    const chosen: Layer.Layer<WorkflowEngine.WorkflowEngine, E1 | E2, R1 | R2> = (rows[0]?.n ?? 0) > 0 ? cluster : embedded
    return chosen
  }).pipe(Effect.orDie))

/** The cluster engine and PostgreSQL, loaded only by the processes that use them. */
const loadCluster = () => import("./EngineCluster.js")

const lazyCluster = (
  pick: (m: Awaited<ReturnType<typeof loadCluster>>) => Layer.Layer<WorkflowEngine.WorkflowEngine, ConfigError.ConfigError, SqlClient.SqlClient>
) => Layer.unwrapEffect(Effect.map(Effect.promise(loadCluster), pick))

/** Durable timers and signals from other processes are looked for this often. */
const ENGINE_POLL = Duration.millis(500)

export const SqliteEngineLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  mkdirSync(config.logStorageDir, { recursive: true })
  const cluster = lazyCluster((m) => m.sqliteClusterEngine(ENGINE_POLL, config.shutdownTimeout))
  return onClusterBefore(cluster, DurableEngine.layer({ runner: true, pollInterval: ENGINE_POLL })).pipe(
    Layer.provideMerge(SqliteClient.layer({ filename: path.join(config.logStorageDir, "workflows.sqlite") })),
    // Built first: held before the database is opened, released after it is closed.
    Layer.provideMerge(Layer.scopedDiscard(acquireStoreLock(config.logStorageDir)))
  )
}))

/**
 * For short-lived commands (`hitl decide`): a client of the same store that runs no workflows
 * itself, so it never competes with a running `run` for the work; what it signals is picked up
 * by that process, or by the next `run`/`once`.
 */
export const SqliteEngineClientLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  mkdirSync(config.logStorageDir, { recursive: true })
  const cluster = lazyCluster((m) => m.sqliteClusterClient)
  return onClusterBefore(cluster, DurableEngine.layer({ runner: false, pollInterval: ENGINE_POLL })).pipe(
    Layer.provideMerge(SqliteClient.layer({ filename: path.join(config.logStorageDir, "workflows.sqlite") }))
  )
}))

export const MemoryEngineLive = Layer.merge(WorkflowEngine.layerMemory, SqliteClient.layer({ filename: ":memory:" }))

/**
 * Holds a PostgreSQL advisory lock while a process creates its tables. Several runners starting at
 * once would otherwise race on `CREATE TABLE IF NOT EXISTS` (PostgreSQL can fail one of them with a
 * unique violation on pg_type). Released by `release` once the app is built (layers/Live.ts), when
 * the layer closes, or after two minutes at the latest, so a forgotten release never blocks others.
 */
export class PostgresStartupLock extends Context.Tag("Engine/PostgresStartupLock")<PostgresStartupLock, {
  readonly release: Effect.Effect<void>
}>() {}

const STARTUP_LOCK = "lead-insights:startup"

const PostgresStartupLockLive = Layer.scoped(PostgresStartupLock, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const scope = yield* Scope.make()
  const conn = yield* sql.reserve.pipe(Scope.extend(scope))
  yield* conn.executeRaw("SELECT pg_advisory_lock(hashtext($1), 1)", [STARTUP_LOCK])
  let released = false
  const release = Effect.suspend(() => {
    if (released) return Effect.void
    released = true
    return conn.executeRaw("SELECT pg_advisory_unlock(hashtext($1), 1)", [STARTUP_LOCK]).pipe(
      Effect.timeout("5 seconds"),
      Effect.ignore,
      Effect.ensuring(Scope.close(scope, Exit.void))
    )
  }).pipe(Effect.uninterruptible)
  yield* Effect.addFinalizer(() => release)
  yield* Effect.forkScoped(Effect.sleep("2 minutes").pipe(Effect.zipRight(release)))
  return { release }
}))

const missingDatabaseUrl = ConfigError.MissingData(["DATABASE_URL"], "required when WORKFLOW_STORE=postgres")

/** DATABASE_URL, or a configuration error naming it. */
export const databaseUrl = Effect.flatMap(AppConfig, (config) =>
  Option.match(config.databaseUrl, {
    onNone: () => Effect.fail(missingDatabaseUrl),
    onSome: (url) => Redacted.value(url).trim() === "" ? Effect.fail(missingDatabaseUrl) : Effect.succeed(url)
  }))

/**
 * Where this runner is reached by the others: RUNNER_HOST (default localhost) and RUNNER_PORT
 * (default 34431), each runner its own; RUNNER_LISTEN_HOST when it must listen on another
 * interface than it is reached on (0.0.0.0 in a container).
 */
export const runnerAddressConfig = Config.all({
  host: Config.string("RUNNER_HOST").pipe(Config.withDefault("localhost")),
  port: Config.port("RUNNER_PORT").pipe(Config.withDefault(34431)),
  listenHost: Config.string("RUNNER_LISTEN_HOST").pipe(Config.option)
})

/**
 * Scale-out: this process is one runner of a cluster whose runners, shard locks, messages and
 * workflow state live in PostgreSQL (DATABASE_URL), next to the HITL store. Every workflow
 * execution belongs to the runner that holds its shard; an execution started by any runner is
 * stored once (by its idempotency key) and run by that one runner. Runners talk to each other over
 * RUNNER_HOST:RUNNER_PORT.
 */
export const PostgresEngineLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  const url = yield* databaseUrl
  const runner = yield* runnerAddressConfig
  const cluster = yield* Effect.promise(loadCluster)
  return cluster.postgresEngine({ url, runner, pollInterval: ENGINE_POLL, shutdownTimeout: config.shutdownTimeout }).pipe(
    Layer.provideMerge(PostgresStartupLockLive),
    Layer.provideMerge(cluster.pgClient(url, `lead-insights runner ${runner.host}:${runner.port}`))
  )
}))

/**
 * For short-lived commands against a PostgreSQL cluster: a client that sends to the runners and
 * reads the shared store, and runs no workflows itself.
 */
export const PostgresEngineClientLive = Layer.unwrapEffect(Effect.gen(function*() {
  const url = yield* databaseUrl
  const cluster = yield* Effect.promise(loadCluster)
  return cluster.postgresClient.pipe(Layer.provideMerge(cluster.pgClient(url, "lead-insights client")))
}))

/** The engine client the configuration asks for (WORKFLOW_STORE), for short-lived commands. */
export const EngineClientLive = Layer.unwrapEffect(Effect.map(AppConfig, (config) =>
  config.workflowStore === "postgres"
    ? PostgresEngineClientLive
    : SqliteEngineClientLive))
