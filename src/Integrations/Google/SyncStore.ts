/**
 * The synced copy of each Google calendar in the workflow database (tables from Migration.ts):
 * its sync token and range, and its items. A full sync replaces a calendar's copy, an
 * incremental one changes the rows it touched; each in one transaction with its token, so a
 * crash between pages never leaves a token that does not match the copy.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, Schema } from "effect"
import { BrokenEvent, CalendarEvent } from "../../Domain/CalendarEvent.js"
import type { Mapped } from "./EventJson.js"

/** A kept item: an event or a broken one, with the series it belongs to (for a deleted series). */
export interface Kept {
  readonly seriesId: string | undefined
  readonly item: Exclude<Mapped, { readonly _tag: "Skip" }>
}

export interface SyncState {
  readonly token: string | undefined
  readonly from: number
  readonly to: number
}

const Stored = Schema.parseJson(Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("Event"), event: CalendarEvent, startMs: Schema.Number, endMs: Schema.Number }),
  Schema.Struct({ _tag: Schema.Literal("Broken"), broken: BrokenEvent })
))

const StateRow = Schema.Struct({
  sync_token: Schema.NullOr(Schema.String),
  synced_from: Schema.String,
  synced_to: Schema.String
})

const ItemRow = Schema.Struct({ item_id: Schema.String, series_id: Schema.NullOr(Schema.String), payload: Schema.String })

/** Rows per INSERT: well under SQLite's parameter limit. */
const CHUNK = 400

export const makeSyncStore = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const encode = Schema.encode(Stored)
  const decode = Schema.decodeUnknown(Stored)

  const readState = (calendarId: string) =>
    sql`SELECT sync_token, synced_from, synced_to FROM li_google_sync WHERE calendar_id = ${calendarId}`.pipe(
      Effect.flatMap((rows) => (rows[0] === undefined ? Effect.succeed(undefined) : Schema.decodeUnknown(StateRow)(rows[0]))),
      Effect.map((row): Option.Option<SyncState> =>
        row === undefined ? Option.none() : Option.some({
          token: row.sync_token ?? undefined,
          from: Date.parse(row.synced_from),
          to: Date.parse(row.synced_to)
        })
      ),
      Effect.orDie
    )

  const load = (calendarId: string) =>
    Effect.gen(function*() {
      const rows = yield* sql`SELECT item_id, series_id, payload FROM li_google_events WHERE calendar_id = ${calendarId}`
      const items = new Map<string, Kept>()
      for (const raw of rows) {
        const row = yield* Schema.decodeUnknown(ItemRow)(raw)
        items.set(row.item_id, { seriesId: row.series_id ?? undefined, item: yield* decode(row.payload) })
      }
      return items
    }).pipe(Effect.catchTag("ParseError", Effect.die), Effect.withSpan("GoogleSync.load", { attributes: { calendarId } }))

  const rowsOf = (calendarId: string, items: ReadonlyArray<readonly [string, Kept]>) =>
    Effect.forEach(items, ([id, kept]) =>
      Effect.map(encode(kept.item), (payload) => ({
        calendar_id: calendarId,
        item_id: id,
        series_id: kept.seriesId ?? null,
        payload
      }))).pipe(Effect.orDie)

  const upsert = (calendarId: string, items: ReadonlyArray<readonly [string, Kept]>) =>
    Effect.forEach(chunks(items), (chunk) =>
      Effect.flatMap(rowsOf(calendarId, chunk), (rows) =>
        sql`INSERT INTO li_google_events ${sql.insert(rows)}
          ON CONFLICT (calendar_id, item_id) DO UPDATE SET series_id = excluded.series_id, payload = excluded.payload`), { discard: true })

  const writeState = (calendarId: string, state: SyncState) => {
    const row = {
      calendar_id: calendarId,
      sync_token: state.token ?? null,
      synced_from: new Date(state.from).toISOString(),
      synced_to: new Date(state.to).toISOString(),
      updated_at: new Date().toISOString()
    }
    return sql`INSERT INTO li_google_sync ${sql.insert(row)}
      ON CONFLICT (calendar_id) DO UPDATE SET sync_token = excluded.sync_token, synced_from = excluded.synced_from,
      synced_to = excluded.synced_to, updated_at = excluded.updated_at`
  }

  /** A full sync: the calendar's copy is what it found, and nothing else. */
  const replace = (calendarId: string, state: SyncState, items: ReadonlyMap<string, Kept>) =>
    sql.withTransaction(Effect.gen(function*() {
      yield* sql`DELETE FROM li_google_events WHERE calendar_id = ${calendarId}`
      yield* upsert(calendarId, [...items])
      yield* writeState(calendarId, state)
    })).pipe(Effect.withSpan("GoogleSync.replace", { attributes: { calendarId, items: items.size } }))

  /** An incremental sync: the rows it changed and removed, and its new token. */
  const apply = (
    calendarId: string,
    state: SyncState,
    changed: ReadonlyArray<readonly [string, Kept]>,
    removed: ReadonlyArray<string>
  ) =>
    sql.withTransaction(Effect.gen(function*() {
      for (const ids of chunks(removed)) {
        yield* sql`DELETE FROM li_google_events WHERE calendar_id = ${calendarId} AND ${sql.in("item_id", ids)}`
      }
      yield* upsert(calendarId, changed)
      yield* writeState(calendarId, state)
    })).pipe(Effect.withSpan("GoogleSync.apply", { attributes: { calendarId, changed: changed.length, removed: removed.length } }))

  return { readState, load, replace, apply } as const
})

export type SyncStore = Effect.Effect.Success<typeof makeSyncStore>
export type { SqlError }

const chunks = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}
