/**
 * The event ledger in the workflow database (SQLite by default, PostgreSQL when scaled out):
 * one row per calendar event, upserted — no whole-file rewrite per event, one truth for every runner.
 * Its table comes from Storage/Migrations.ts.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
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

export const SqlEventLedgerLive = Layer.effect(
  EventLedger,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const decodeRow = Schema.decodeUnknown(Row)

    const upsert = (calendarId: string, eventId: string, entry: LedgerEntry) =>
      Effect.gen(function*() {
        const detail = entry.trigger === undefined && entry.company === undefined
          ? null
          : yield* encodeDetail({ trigger: entry.trigger, company: entry.company })
        const row = {
          calendar_id: calendarId,
          event_id: eventId,
          fingerprint: entry.fingerprint,
          status: entry.status,
          rules_hash: entry.rules_hash,
          execution_id: entry.execution_id ?? null,
          revision: entry.revision ?? null,
          detail,
          recorded_at: entry.recorded_at
        }
        yield* sql`INSERT INTO li_events ${sql.insert(row)}
          ON CONFLICT (calendar_id, event_id) DO UPDATE SET fingerprint = ${row.fingerprint}, status = ${row.status},
          rules_hash = ${row.rules_hash}, execution_id = ${row.execution_id}, revision = ${row.revision},
          detail = ${row.detail}, recorded_at = ${row.recorded_at}`
      })

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
        upsert(calendarId, eventId, entry).pipe(Effect.orDie, Effect.withSpan("EventLedger.record")),
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
        entries.length === 0 ? Effect.void : sql.withTransaction(
          Effect.forEach(entries, ([eventId, entry]) => upsert(calendarId, eventId, entry), { discard: true })
        ).pipe(Effect.orDie, Effect.withSpan("EventLedger.recordMany", { attributes: { events: entries.length } }))
    })
  })
)
