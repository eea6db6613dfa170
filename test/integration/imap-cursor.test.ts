/**
 * The IMAP cursor and claims (migration "4_mail_cursor") on SQLite and on PostgreSQL: of two
 * readers claiming one message at once exactly one wins; a decided message is claimed by nobody;
 * a claim whose reader died is taken over after the lease; the cursor never moves back within a
 * UIDVALIDITY and starts over with a new one; UIDs up to 2^32 - 1 keep their value.
 * PostgreSQL is skipped, with the reason, only without its server binaries.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import * as path from "node:path"
import { makeMailCursor } from "../../src/Integrations/Imap/MailCursor.js"
import { runMigrations } from "../../src/Storage/Migrations.js"
import { findPostgres, type Postgres, startPostgres } from "../support/postgres.js"
import { tempDir } from "../support/spawn.js"

const found = findPostgres()
let pg: Postgres | undefined
beforeAll(async () => {
  if ("bin" in found) pg = await startPostgres(found.bin)
}, 60_000)
afterAll(() => pg?.stop())

const MAX_UID = 4_294_967_295

const behaviour = Effect.gen(function*() {
  yield* runMigrations
  const sql = yield* SqlClient.SqlClient
  const box = `li@ourco.test@127.0.0.1:143/INBOX-${Math.random().toString(36).slice(2)}`
  const a = makeMailCursor(sql, box, "runner-a", Duration.minutes(10))
  const b = makeMailCursor(sql, box, "runner-b", Duration.minutes(10))

  // Two readers at once, many times: one winner each.
  const wins = yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i + 1), (uid) =>
    Effect.all([a.claim("77", uid), b.claim("77", uid)], { concurrency: 2 }).pipe(
      Effect.map(([x, y]) => Number(x) + Number(y))
    ), { concurrency: 4 })
  expect(wins).toEqual(Array.from({ length: 20 }, () => 1))

  // The winner may read again (a kept reply); once decided, nobody may.
  expect(yield* a.claim("77", MAX_UID)).toBe(true)
  expect(yield* a.claim("77", MAX_UID)).toBe(true)
  expect(yield* b.claim("77", MAX_UID)).toBe(false)
  yield* a.finish("77", MAX_UID, "processed")
  expect([yield* a.claim("77", MAX_UID), yield* b.claim("77", MAX_UID)]).toEqual([false, false])
  expect([...(yield* b.decidedAfter("77", 0))]).toEqual([MAX_UID])
  expect([...(yield* b.decidedAfter("78", 0))]).toEqual([])

  // A reader that died with a claim: after the lease another takes it over.
  const hasty = makeMailCursor(sql, box, "runner-c", Duration.millis(1))
  expect(yield* a.claim("77", 500)).toBe(true)
  yield* Effect.sleep("20 millis")
  expect(yield* hasty.claim("77", 500)).toBe(true)

  // The cursor: up only within a UIDVALIDITY, replaced by a new one.
  expect(yield* a.get).toEqual(Option.none())
  yield* a.advance({ uidValidity: "77", lastUid: 10 })
  yield* b.advance({ uidValidity: "77", lastUid: 4 })
  expect(yield* b.get).toEqual(Option.some({ uidValidity: "77", lastUid: 10 }))
  yield* b.advance({ uidValidity: "77", lastUid: MAX_UID })
  expect(yield* a.get).toEqual(Option.some({ uidValidity: "77", lastUid: MAX_UID }))
  yield* a.advance({ uidValidity: "1690000000", lastUid: 3 })
  expect(yield* b.get).toEqual(Option.some({ uidValidity: "1690000000", lastUid: 3 }))
})

describe("IMAP cursor and claims", () => {
  it.live("on SQLite", () =>
    behaviour.pipe(Effect.provide(SqliteClient.layer({ filename: path.join(tempDir("li-cursor-"), "workflows.sqlite") }))), 30_000)

  it.live.skipIf("missing" in found)(`on PostgreSQL${"missing" in found ? ` (skipped: ${found.missing})` : ""}`, () =>
    Effect.gen(function*() {
      if (!pg) throw new Error("PostgreSQL is not running")
      pg.query("CREATE DATABASE cursor TEMPLATE template0")
      yield* behaviour.pipe(Effect.provide(Layer.orDie(PgClient.layer({ url: Redacted.make(pg.urlFor("cursor")), maxConnections: 4 }))))
    }), 60_000)
})
