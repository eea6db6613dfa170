import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { runMigrations } from "../../src/Storage/Migrations.js"
import { tempDir } from "../support/spawn.js"

describe("migrations", () => {
  it.effect("create our tables once; running them again (every start) changes nothing", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* runMigrations
      yield* sql`INSERT INTO li_events (calendar_id, event_id, fingerprint, status, rules_hash, recorded_at)
                 VALUES ('c', 'e', 'f', 'delivered', 'r', '2026-11-26T00:00:00Z')`
      yield* runMigrations
      const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'li_%' ORDER BY name`
      // The integrations' own tables (mail, Google, HubSpot) are checked by their tests.
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining([
        "li_events", "li_hitl_followers", "li_hitl_log", "li_hitl_replies", "li_hitl_requests", "li_llm_daily_spend",
        "li_llm_event_tokens", "li_migrations", "li_step_retries"
      ]))
      expect(yield* sql`SELECT migration_id, name FROM li_migrations ORDER BY migration_id`).toEqual([
        { migration_id: 1, name: "initial" },
        { migration_id: 2, name: "follow_the_meeting" },
        { migration_id: 3, name: "llm_budget" },
        { migration_id: 4, name: "mail_cursor" },
        { migration_id: 5, name: "google_sync" },
        { migration_id: 6, name: "hubspot_delivery" }
      ])
      expect(yield* sql`SELECT status FROM li_events`).toEqual([{ status: "delivered" }])
    }).pipe(Effect.provide(SqliteClient.layer({ filename: path.join(tempDir(), "store.sqlite") }))))
})
