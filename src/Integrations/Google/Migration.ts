/**
 * Google Calendar: per calendar, the sync token and the range its full sync covered
 * (`li_google_sync`), and the synced copy of its events in that range (`li_google_events`, one
 * row per item of events.list: the event as the program sees it, or why it could not be read).
 * Portable SQL (SQLite and PostgreSQL).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

export const googleSyncMigration: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // `synced_from`/`synced_to`: the window of the last full sync (ISO instants); incremental syncs keep it.
  yield* sql`CREATE TABLE li_google_sync (
    calendar_id TEXT PRIMARY KEY, sync_token TEXT, synced_from TEXT NOT NULL, synced_to TEXT NOT NULL,
    updated_at TEXT NOT NULL)`
  // `item_id` is Google's id of the item (an occurrence has its own); `series_id` its recurringEventId.
  yield* sql`CREATE TABLE li_google_events (
    calendar_id TEXT NOT NULL, item_id TEXT NOT NULL, series_id TEXT, payload TEXT NOT NULL,
    PRIMARY KEY (calendar_id, item_id))`
})
