/**
 * The application as configured: adapters chosen from the environment (CALENDAR_PROVIDER, …) and
 * the workflow engine from WORKFLOW_STORE: `sqlite` (default) is one runner on a file under
 * LOG_STORAGE_DIR, `postgres` makes this process one of several runners sharing DATABASE_URL.
 * The adapters are chosen in layers/Embedded.ts. A provider not built yet, or postgres without
 * DATABASE_URL, fails the start with a line saying so.
 */
import type * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { makeApp } from "./App.js"
import { EmbeddedAdapters } from "./Embedded.js"
import { databaseUrl, PostgresEngineLive, PostgresStartupLock, SqliteEngineLive } from "./Engine.js"

/**
 * The app on the given adapters with the engine WORKFLOW_STORE names. On PostgreSQL the startup
 * lock (see PostgresStartupLock) is released once everything is built, tables included.
 */
export const makeConfiguredApp = <ROut, E, RIn>(adapters: Layer.Layer<ROut, E, RIn>) => {
  const onSqlite = makeApp(adapters, SqliteEngineLive)
  const onPostgres = Layer.effectDiscard(Effect.flatMap(PostgresStartupLock, (lock) => lock.release)).pipe(
    Layer.provideMerge(makeApp(adapters, PostgresEngineLive))
  )
  return Layer.unwrapEffect(Effect.gen(function*(): Effect.fn.Return<
    Layer.Layer<
      // What both provide; the SQLite one also has its SqliteClient, the PostgreSQL one its PgClient.
      Exclude<Layer.Layer.Success<typeof onSqlite>, SqliteClient.SqliteClient>,
      Layer.Layer.Error<typeof onSqlite> | Layer.Layer.Error<typeof onPostgres>,
      Layer.Layer.Context<typeof onSqlite> | Layer.Layer.Context<typeof onPostgres>
    >,
    Effect.Effect.Error<typeof databaseUrl>,
    AppConfig
  > {
    const config = yield* AppConfig
    if (config.workflowStore === "sqlite") return onSqlite
    // Fails here, before anything is built, with one line naming DATABASE_URL.
    yield* databaseUrl
    return onPostgres
  }))
}

export const LiveApp = makeConfiguredApp(EmbeddedAdapters)
