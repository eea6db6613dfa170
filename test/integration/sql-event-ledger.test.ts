/**
 * The event ledger on SQLite: a cycle's decisions written in one go (many rows a statement) read
 * back exactly — new rows, rows that change, an event decided twice in one chunk (the last wins),
 * and the trigger and company kept beside the status.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { describe, expect } from "vitest"
import { EventLedger, LedgerEntry } from "../../src/Agents/EventLedger.js"
import { Trigger } from "../../src/Domain/Trigger.js"
import { MigrationsLive } from "../../src/Storage/Migrations.js"
import { SqlEventLedgerLive } from "../../src/Storage/SqlEventLedger.js"

const Ledger = SqlEventLedgerLive.pipe(
  Layer.provideMerge(MigrationsLive),
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
)

const entry = (fingerprint: string, status: LedgerEntry["status"], extra: Partial<LedgerEntry> = {}) =>
  new LedgerEntry({ fingerprint, status, rules_hash: "rules-1", recorded_at: "2026-12-06T09:00:00.000Z", ...extra })

describe("the SQL event ledger", () => {
  it.effect("writes 250 decisions at once and reads each back; a second write changes them", () =>
    Effect.gen(function*() {
      const ledger = yield* EventLedger
      const ids = Array.from({ length: 250 }, (_, i) => `event-${i}`)
      yield* ledger.recordMany("cal", ids.map((id) => [id, entry(`fp-${id}`, "no_trigger")] as const))
      const first = yield* ledger.lookupMany("cal", ids)
      expect(first.size).toBe(250)
      expect(first.get("event-249")?.fingerprint).toBe("fp-event-249")

      // Half of them changed: new fingerprint, a workflow and what it knew.
      const changed = ids.slice(0, 125).map((id) =>
        [id, entry(`fp2-${id}`, "delivered", {
          execution_id: `exec-${id}`,
          revision: 2,
          trigger: new Trigger({ type: "hard", matched_word: "meeting", matched_field: "summary" }),
          company: { name: "Acme", domain: "acme.io" }
        })] as const
      )
      yield* ledger.recordMany("cal", changed)
      const second = yield* ledger.lookupMany("cal", ids)
      expect(second.size).toBe(250)
      const moved = second.get("event-7")
      expect(moved?.status).toBe("delivered")
      expect(moved?.fingerprint).toBe("fp2-event-7")
      expect(moved?.execution_id).toBe("exec-event-7")
      expect(moved?.revision).toBe(2)
      expect(moved?.company).toEqual({ name: "Acme", domain: "acme.io" })
      expect(moved?.trigger?.matched_word).toBe("meeting")
      const kept = second.get("event-200")
      expect(kept?.status).toBe("no_trigger")
      expect(kept?.execution_id).toBeUndefined()
    }).pipe(Effect.provide(Ledger)))

  it.effect("an event decided twice in one chunk keeps the last decision; another calendar's row is untouched", () =>
    Effect.gen(function*() {
      const ledger = yield* EventLedger
      yield* ledger.record("other", "e1", entry("fp-other", "no_trigger"))
      yield* ledger.recordMany("cal", [
        ["e1", entry("fp-a", "interrupted", { execution_id: "x1" })],
        ["e2", entry("fp-b", "no_trigger")],
        ["e1", entry("fp-a", "delivered", { execution_id: "x1" })]
      ])
      const found = yield* ledger.lookupMany("cal", ["e1", "e2", "e3"])
      expect(found.get("e1")?.status).toBe("delivered")
      expect(found.get("e2")?.status).toBe("no_trigger")
      expect(found.has("e3")).toBe(false)
      expect(Option.map(yield* ledger.lookup("other", "e1"), (e) => e.fingerprint)).toEqual(Option.some("fp-other"))
    }).pipe(Effect.provide(Ledger)))
})
