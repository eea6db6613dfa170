/**
 * Our tables in the workflow database, as numbered migrations (recorded in `li_migrations`), so
 * a store written by an older version is brought up to date instead of breaking. Portable SQL:
 * the same migrations run on SQLite and PostgreSQL.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer } from "effect"

const initial = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE li_hitl_requests (
    audit_id TEXT PRIMARY KEY, execution_id TEXT NOT NULL, run_id TEXT NOT NULL, event_id TEXT NOT NULL,
    event_summary TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, recipient TEXT NOT NULL,
    state TEXT NOT NULL, created_at TEXT NOT NULL, replies INTEGER NOT NULL DEFAULT 0, handled INTEGER NOT NULL DEFAULT 0,
    next_action TEXT, next_due TEXT, decision TEXT, answered_by TEXT, answered_at TEXT)`
  yield* sql`CREATE TABLE li_hitl_log (
    entry_key TEXT PRIMARY KEY, audit_id TEXT NOT NULL, run_id TEXT NOT NULL, at TEXT NOT NULL,
    type TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL)`
  yield* sql`CREATE INDEX li_hitl_log_run ON li_hitl_log (run_id)`
  yield* sql`CREATE TABLE li_hitl_replies (reply_key TEXT PRIMARY KEY, audit_id TEXT NOT NULL, seq INTEGER NOT NULL)`
  yield* sql`CREATE TABLE li_events (
    calendar_id TEXT NOT NULL, event_id TEXT NOT NULL, fingerprint TEXT NOT NULL, status TEXT NOT NULL,
    rules_hash TEXT NOT NULL, execution_id TEXT, attempt INTEGER, recorded_at TEXT NOT NULL,
    PRIMARY KEY (calendar_id, event_id))`
})

export const runMigrations = Migrator.make({})({
  loader: Migrator.fromRecord({ "1_initial": initial }),
  table: "li_migrations"
}).pipe(Effect.orDie, Effect.withSpan("Migrations.run"))

/** Built once, before anything that uses our tables. */
export const MigrationsLive = Layer.effectDiscard(runMigrations)
