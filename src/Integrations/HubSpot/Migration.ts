/**
 * HubSpot: the ids created for each delivery, so a re-run finds them by id (Delivery.ts says why
 * this makes a delivery happen once). Portable SQL (SQLite and PostgreSQL).
 *
 * - li_hubspot_deliveries: one row per delivery key (the workflow execution): the company, file
 *   and note ids as soon as each is known, and when a file upload or a note create was first
 *   sent (then it may exist without its id being known: it is looked for before another is made).
 * - li_hubspot_companies: the company each domain was found or created as, and when a create
 *   was claimed: one claim per domain, so two deliveries for a new company do not both create it.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

export const hubSpotDeliveryMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS li_hubspot_deliveries (
    delivery_key TEXT PRIMARY KEY, domain TEXT NOT NULL, company_id TEXT,
    file_id TEXT, file_started_at TEXT, note_id TEXT, note_started_at TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`
  yield* sql`CREATE TABLE IF NOT EXISTS li_hubspot_companies (
    domain TEXT PRIMARY KEY, company_id TEXT, create_started_at TEXT, updated_at TEXT NOT NULL)`
})
