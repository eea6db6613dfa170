/**
 * The event ledger in the workflow database (SQLite by default, PostgreSQL when scaled out):
 * one row per calendar event, upserted — no whole-file rewrite per event, one truth for every runner.
 * Its table comes from Storage/Migrations.ts.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Array as Arr, Effect, Layer, Option, Schema } from "effect"
import { EventLedger, LedgerEntry } from "../Agents/EventLedger.js"
import { EventStatus } from "../Domain/RunSummary.js"

const Detail = Schema.parseJson(Schema.Struct({
  trigger: LedgerEntry.fields.trigger,
  company: LedgerEntry.fields.company
}))

const Row = Schema.Struct({
  fingerprint: Schema.String,
  status: EventStatus,
  rules_hash: Schema.String,
  execution_id: Schema.NullOr(Schema.String),
  revision: Schema.NullOr(Schema.Number),
  detail: Schema.NullOr(Detail),
  recorded_at: Schema.String
})

const toEntry = (row: typeof Row.Type) =>
  new LedgerEntry({
    fingerprint: row.fingerprint,
    status: row.status,
    rules_hash: row.rules_hash,
    recorded_at: row.recorded_at,
    ...(row.execution_id === null ? {} : { execution_id: row.execution_id }),
    ...(row.revision === null ? {} : { revision: Number(row.revision) }),
    ...(row.detail?.trigger === undefined ? {} : { trigger: row.detail.trigger }),
    ...(row.detail?.company === undefined ? {} : { company: row.detail.company })
  }, true)

const encodeDetail = Schema.encode(Detail)

/** SQLite allows 999 parameters per statement in older builds; PostgreSQL far more. */
const CHUNK = 500
/** Rows per INSERT: nine parameters each, under the 999. */
const ROWS = 100

export const SqlEventLedgerLive = Layer.effect(
  EventLedger,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const decodeRow = Schema.decodeUnknown(Row)

    const rowOf = (calendarId: string, eventId: string, entry: LedgerEntry) =>
      Effect.map(
        entry.trigger === undefined && entry.company === undefined
          ? Effect.succeed(null)
          : encodeDetail({ trigger: entry.trigger, company: entry.company }),
        (detail) => ({
          calendar_id: calendarId,
          event_id: eventId,
          fingerprint: entry.fingerprint,
          status: entry.status,
          rules_hash: entry.rules_hash,
          execution_id: entry.execution_id ?? null,
          revision: entry.revision ?? null,
          detail,
          recorded_at: entry.recorded_at
        })
      )

    // One statement for many rows: a cycle writes most of its decisions this way, a chunk at a time.
    const upsert = (rows: ReadonlyArray<Effect.Effect.Success<ReturnType<typeof rowOf>>>) =>
      sql`INSERT INTO li_events ${sql.insert(rows)}
        ON CONFLICT (calendar_id, event_id) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
        rules_hash = excluded.rules_hash, execution_id = excluded.execution_id, revision = excluded.revision,
        detail = excluded.detail, recorded_at = excluded.recorded_at`

    return EventLedger.of({
      lookup: (calendarId, eventId) =>
        sql`SELECT fingerprint, status, rules_hash, execution_id, revision, detail, recorded_at FROM li_events
            WHERE calendar_id = ${calendarId} AND event_id = ${eventId}`.pipe(
          Effect.flatMap((rows) =>
            rows[0] === undefined
              ? Effect.succeed(Option.none())
              : decodeRow(rows[0]).pipe(Effect.map((row) => Option.some(toEntry(row))))
          ),
          // A database we cannot read is not something an event can recover from.
          Effect.orDie,
          Effect.withSpan("EventLedger.lookup")
        ),
      record: (calendarId, eventId, entry) =>
        rowOf(calendarId, eventId, entry).pipe(
          Effect.flatMap((row) => upsert([row])),
          Effect.orDie,
          Effect.withSpan("EventLedger.record")
        ),
      lookupMany: (calendarId, eventIds) =>
        Effect.gen(function*() {
          const found = new Map<string, LedgerEntry>()
          for (let i = 0; i < eventIds.length; i += CHUNK) {
            const rows = yield* sql<{ readonly event_id: string }>`SELECT event_id, fingerprint, status, rules_hash,
                execution_id, revision, detail, recorded_at FROM li_events
              WHERE calendar_id = ${calendarId} AND ${sql.in("event_id", eventIds.slice(i, i + CHUNK))}`
            for (const row of rows) found.set(row.event_id, toEntry(yield* decodeRow(row)))
          }
          return found
        }).pipe(Effect.orDie, Effect.withSpan("EventLedger.lookupMany", { attributes: { events: eventIds.length } })),
      recordMany: (calendarId, entries) =>
        entries.length === 0 ? Effect.void : Effect.gen(function*() {
          // The last entry of an event wins; one statement may not touch a row twice (PostgreSQL).
          const latest = new Map(entries)
          const rows = yield* Effect.forEach(latest, ([eventId, entry]) => rowOf(calendarId, eventId, entry))
          yield* sql.withTransaction(Effect.forEach(Arr.chunksOf(rows, ROWS), upsert, { discard: true }))
        }).pipe(Effect.orDie, Effect.withSpan("EventLedger.recordMany", { attributes: { events: entries.length } }))
    })
  })
)
