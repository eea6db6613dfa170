/**
 * The cluster engine (@effect/cluster), in its own module so that only the processes that need it
 * load it: runners on PostgreSQL (scale-out) and a SQLite store first written by it (layers/Engine.ts).
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import { RunnerAddress } from "@effect/cluster/RunnerAddress"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as PgClient from "@effect/sql-pg/PgClient"
import { type Duration, Layer, Option, type Redacted } from "effect"

export const sqliteClusterEngine = (pollInterval: Duration.Duration, shutdownTimeout: Duration.Duration) =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({
      runnerStorage: "sql",
      shardingConfig: {
        // Durable timers are found by polling storage; this bounds how late a reminder can fire.
        entityMessagePollInterval: pollInterval,
        // In-flight activities get the shutdown grace period, not the cluster's 15 s default.
        entityTerminationTimeout: shutdownTimeout
      }
    }))
  )

export const sqliteClusterClient = ClusterWorkflowEngine.layer.pipe(
  Layer.provideMerge(SingleRunner.layer({ runnerStorage: "sql", shardingConfig: { runnerAddress: Option.none() } }))
)

export const pgClient = (url: Redacted.Redacted<string>, applicationName: string) =>
  PgClient.layer({ url, applicationName, maxConnections: 20 })

/**
 * Scale-out: this process is one runner of a cluster whose runners, shard locks, messages and
 * workflow state live in PostgreSQL (DATABASE_URL), next to the HITL store. Every workflow
 * execution belongs to the runner that holds its shard; an execution started by any runner is
 * stored once (by its idempotency key) and run by that one runner. Runners talk to each other over
 * RUNNER_HOST:RUNNER_PORT.
 */
export const postgresEngine = (options: {
  readonly url: Redacted.Redacted<string>
  readonly runner: { readonly host: string; readonly port: number; readonly listenHost: Option.Option<string> }
  readonly pollInterval: Duration.Duration
  readonly shutdownTimeout: Duration.Duration
}) => {
  const { runner } = options
  const address = RunnerAddress.make({ host: runner.host, port: runner.port })
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: {
        runnerAddress: Option.some(address),
        runnerListenAddress: Option.map(runner.listenHost, (host) => RunnerAddress.make({ host, port: runner.port })),
        entityMessagePollInterval: options.pollInterval,
        entityTerminationTimeout: options.shutdownTimeout
      }
    }))
  )
}

export const postgresClient = ClusterWorkflowEngine.layer.pipe(
  Layer.provideMerge(NodeClusterSocket.layer({
    clientOnly: true,
    storage: "sql",
    shardingConfig: { runnerAddress: Option.none(), runnerListenAddress: Option.none() }
  }))
)
