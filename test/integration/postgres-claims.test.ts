/**
 * Claiming reply slots on PostgreSQL from two database clients at once (two runners, or
 * `hitl decide` racing the inbox): every reply gets its own slot, none is lost, and the same reply
 * claimed twice keeps one slot. Skipped, with the reason, only without PostgreSQL server binaries.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as PgClient from "@effect/sql-pg/PgClient"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { AppConfig } from "../../src/Config.js"
import { HitlRequest } from "../../src/Domain/Hitl.js"
import { HitlStore } from "../../src/Hitl/HitlStore.js"
import { MigrationsLive } from "../../src/Storage/Migrations.js"
import { RunHistory } from "../../src/Storage/RunHistory.js"
import { findPostgres, type Postgres, startPostgres } from "../support/postgres.js"
import { tempDir } from "../support/spawn.js"

const found = findPostgres()
let pg: Postgres | undefined

beforeAll(async () => {
  if ("bin" in found) pg = await startPostgres(found.bin)
}, 60_000)
afterAll(() => pg?.stop())

const storeOn = (url: string, logStorageDir: string) =>
  HitlStore.Default.pipe(
    Layer.provideMerge(RunHistory.Default),
    Layer.provideMerge(MigrationsLive),
    Layer.provideMerge(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 })),
    Layer.provideMerge(AppConfig.layerWith({ logStorageDir })),
    Layer.provideMerge(NodeContext.layer)
  )

describe.skipIf("missing" in found)(`reply claims on PostgreSQL${"missing" in found ? ` (skipped: ${found.missing})` : ""}`, () => {
  it.scopedLive("two clients claiming at once: distinct slots 1..N, a re-claimed reply keeps its slot", () =>
    Effect.gen(function*() {
      if (!pg) throw new Error("PostgreSQL is not running")
      pg.query("CREATE DATABASE claims TEMPLATE template0")
      const url = pg.urlFor("claims")
      const dir = tempDir("li-pg-claims-")
      const first = Context.get(yield* Layer.build(storeOn(url, dir)), HitlStore)
      const second = Context.get(yield* Layer.build(storeOn(url, dir)), HitlStore)
      yield* first.create(new HitlRequest({
        audit_id: "claim0001", execution_id: "exec-1", run_id: "run-claims", event_id: "evt", event_summary: "Kickoff",
        kind: "approval", reason: "test", recipient: "maria@ourco.de", state: "pending", created_at: new Date().toISOString(),
        replies: 0, handled: 0, next_action: null, next_due: null, decision: null, answered_by: null, answered_at: null
      }))
      const slots = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) => (i % 2 === 0 ? first : second).claimReply("claim0001", `mail:<reply-${i}@customer.test>`),
        { concurrency: "unbounded" }
      )
      expect(slots.map(Option.getOrThrow).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
      // the same reply read again by the other client keeps its slot
      expect(yield* second.claimReply("claim0001", "mail:<reply-0@customer.test>")).toEqual(slots[0])
      const request = yield* first.get("claim0001")
      expect(Option.map(request, (r) => r.replies)).toEqual(Option.some(40))
    }), 60_000)
})
