/**
 * The durable workflow engine and the SQL database it shares with the HITL store.
 * Embedded default: one runner on SQLite under LOG_STORAGE_DIR. Tests: the in-memory engine on an
 * in-memory SQLite database.
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Duration, Effect, Layer, Option } from "effect"
import { mkdirSync } from "node:fs"
import * as path from "node:path"
import { AppConfig } from "../src/Config.js"

export const SqliteEngineLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  mkdirSync(config.logStorageDir, { recursive: true })
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({
      runnerStorage: "sql",
      shardingConfig: {
        // Durable timers are found by polling storage; this bounds how late a reminder can fire.
        entityMessagePollInterval: Duration.millis(500),
        // In-flight activities get the shutdown grace period, not the cluster's 15 s default.
        entityTerminationTimeout: config.shutdownTimeout
      }
    })),
    Layer.provideMerge(SqliteClient.layer({ filename: path.join(config.logStorageDir, "workflows.sqlite") }))
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
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({ runnerStorage: "sql", shardingConfig: { runnerAddress: Option.none() } })),
    Layer.provideMerge(SqliteClient.layer({ filename: path.join(config.logStorageDir, "workflows.sqlite") }))
  )
}))

export const MemoryEngineLive = Layer.merge(WorkflowEngine.layerMemory, SqliteClient.layer({ filename: ":memory:" }))
