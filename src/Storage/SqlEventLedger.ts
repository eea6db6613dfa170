/**
 * The event ledger in the workflow database (SQLite by default, PostgreSQL when scaled out):
 * one row per calendar event, upserted — no whole-file rewrite per event, one truth for every runner.
 * Its table comes from Storage/Migrations.ts.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { EventLedger, LedgerEntry } from "../Agents/EventLedger.js"

const Row = Schema.Struct({
  fingerprint: Schema.String,
  status: Schema.String,
  rules_hash: Schema.String,
  execution_id: Schema.NullOr(Schema.String),
  attempt: Schema.NullOr(Schema.Number),
  recorded_at: Schema.String
})

const toEntry = (row: typeof Row.Type) =>
  Schema.decodeUnknown(LedgerEntry)({
    fingerprint: row.fingerprint,
    status: row.status,
    rules_hash: row.rules_hash,
    recorded_at: row.recorded_at,
    ...(row.execution_id === null ? {} : { execution_id: row.execution_id }),
    ...(row.attempt === null ? {} : { attempt: Number(row.attempt) })
  })

export const SqlEventLedgerLive = Layer.effect(
  EventLedger,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    return EventLedger.of({
      lookup: (calendarId, eventId) =>
        sql`SELECT fingerprint, status, rules_hash, execution_id, attempt, recorded_at FROM li_events
            WHERE calendar_id = ${calendarId} AND event_id = ${eventId}`.pipe(
          Effect.flatMap((rows) =>
            rows[0] === undefined
              ? Effect.succeed(Option.none())
              : Schema.decodeUnknown(Row)(rows[0]).pipe(Effect.flatMap(toEntry), Effect.map(Option.some))
          ),
          // A database we cannot read is not something an event can recover from.
          Effect.orDie,
          Effect.withSpan("EventLedger.lookup")
        ),
      record: (calendarId, eventId, entry) => {
        const row = {
          calendar_id: calendarId,
          event_id: eventId,
          fingerprint: entry.fingerprint,
          status: entry.status,
          rules_hash: entry.rules_hash,
          execution_id: entry.execution_id ?? null,
          attempt: entry.attempt ?? null,
          recorded_at: entry.recorded_at
        }
        return sql`INSERT INTO li_events ${sql.insert(row)}
          ON CONFLICT (calendar_id, event_id) DO UPDATE SET fingerprint = ${row.fingerprint}, status = ${row.status},
          rules_hash = ${row.rules_hash}, execution_id = ${row.execution_id}, attempt = ${row.attempt},
          recorded_at = ${row.recorded_at}`.pipe(Effect.asVoid, Effect.orDie, Effect.withSpan("EventLedger.record"))
      }
    })
  })
)
