/**
 * Our tables in the workflow database, as numbered migrations (recorded in `li_migrations`), so
 * a store written by an older version is brought up to date instead of breaking. Portable SQL:
 * the same migrations run on SQLite and PostgreSQL.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer } from "effect"
import { googleSyncMigration } from "../Integrations/Google/Migration.js"
import { hubSpotDeliveryMigration } from "../Integrations/HubSpot/Migration.js"
import { mailCursorMigration } from "../Integrations/Imap/Migration.js"
import { llmBudgetMigration } from "../Integrations/Llm/Budget.js"

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

/**
 * Requests that follow their meeting (calendar, series, the schedule fixed at creation, the
 * answer's fields, followers from the same series); step retries that wait durably; event
 * revisions, so a version seen again after an edit is a new workflow; claims unique per slot.
 */
const followTheMeeting = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN calendar_id TEXT`
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN event_start TEXT`
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN series_key TEXT`
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN schedule TEXT`
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN fields TEXT`
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN released INTEGER NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE li_hitl_requests ADD COLUMN followers INTEGER NOT NULL DEFAULT 0`
  yield* sql`CREATE INDEX li_hitl_requests_series ON li_hitl_requests (series_key, kind)`
  // One pending request per series and question, whoever asks first: occurrences woken together cannot all ask.
  yield* sql`CREATE UNIQUE INDEX li_hitl_requests_series_pending ON li_hitl_requests (series_key) WHERE state = 'pending'`
  yield* sql`CREATE INDEX li_hitl_requests_execution ON li_hitl_requests (execution_id)`
  yield* sql`CREATE UNIQUE INDEX li_hitl_replies_slot ON li_hitl_replies (audit_id, seq)`
  yield* sql`CREATE TABLE li_hitl_followers (
    audit_id TEXT NOT NULL, execution_id TEXT NOT NULL, calendar_id TEXT NOT NULL, event_id TEXT NOT NULL,
    event_start TEXT NOT NULL, PRIMARY KEY (audit_id, execution_id))`
  yield* sql`CREATE TABLE li_step_retries (
    execution_id TEXT PRIMARY KEY, step TEXT NOT NULL, attempt INTEGER NOT NULL, error_type TEXT NOT NULL,
    error_message TEXT NOT NULL, next_at TEXT NOT NULL)`
  yield* sql`ALTER TABLE li_events ADD COLUMN revision INTEGER`
  yield* sql`ALTER TABLE li_events ADD COLUMN detail TEXT`
})

export const runMigrations = Migrator.make({})({
  loader: Migrator.fromRecord({
    "1_initial": initial,
    "2_follow_the_meeting": followTheMeeting,
    // The LLM's token budget per event and USD budget per day (tables li_llm_daily_spend, li_llm_event_tokens).
    "3_llm_budget": llmBudgetMigration,
    "4_mail_cursor": mailCursorMigration,
    "5_google_sync": googleSyncMigration,
    "6_hubspot_delivery": hubSpotDeliveryMigration
  }),
  table: "li_migrations"
}).pipe(Effect.orDie, Effect.withSpan("Migrations.run"))

/** Built once, before anything that uses our tables. */
export const MigrationsLive = Layer.effectDiscard(runMigrations)
