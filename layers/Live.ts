/**
 * The application as configured: adapters chosen from the environment (CALENDAR_PROVIDER, …) and
 * the workflow engine from WORKFLOW_STORE: `sqlite` (default) is one runner on a file under
 * LOG_STORAGE_DIR, `postgres` makes this process one of several runners sharing DATABASE_URL.
 * A provider not built yet, or postgres without DATABASE_URL, fails the start with a line saying so.
 */
import type * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Data, Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { makeApp } from "./App.js"
import { EmbeddedAdapters } from "./Embedded.js"
import { databaseUrl, PostgresEngineLive, PostgresStartupLock, SqliteEngineLive } from "./Engine.js"

export class UnsupportedProvider extends Data.TaggedError("UnsupportedProvider")<{ readonly message: string }> {}

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

const ConfiguredLive = makeConfiguredApp(EmbeddedAdapters)

export const LiveApp = Layer.unwrapEffect(Effect.map(AppConfig, (config): Layer.Layer<
  Layer.Layer.Success<typeof ConfiguredLive>,
  Layer.Layer.Error<typeof ConfiguredLive> | UnsupportedProvider,
  Layer.Layer.Context<typeof ConfiguredLive>
> =>
  config.calendarProvider === "google"
    ? Layer.fail(
      new UnsupportedProvider({ message: "CALENDAR_PROVIDER: google is not available in this version; use ical" })
    )
    : ConfiguredLive))
