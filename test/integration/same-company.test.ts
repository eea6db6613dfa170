/**
 * Meetings with one company processed at the same time make one dossier: the first researches and
 * delivers it, the others wait for it and deliver it again as `dossier_reused` (each its own CRM
 * note), on the engine users run.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import { readdirSync } from "node:fs"
import * as path from "node:path"
import { Orchestrator } from "../../src/Orchestrator.js"
import { TestCrm } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { makeSqliteHarness } from "../support/sqliteApp.js"
import { statuses } from "../support/workflow.js"

const DOMAIN = "brenner-maschinenbau.de"
const inDays = (days: number, hour: number) => {
  const d = new Date(Date.now() + days * 86_400_000)
  d.setUTCHours(hour, 0, 0, 0)
  return d.toISOString()
}
const meeting = (eventId: string, summary: string, start: string) =>
  makeEvent({ eventId, summary, description: `https://www.${DOMAIN}/`, organizer: person("maria@ourco.de"), start, end: start })

describe("meetings with the same company at once", () => {
  it.scopedLive("one dossier: the first delivers it, the others reuse it", () =>
    Effect.gen(function*() {
      const events = [
        meeting("call", "Discovery call with Brenner Maschinenbau", inDays(2, 9)),
        meeting("kickoff", "Kickoff Brenner Maschinenbau", inDays(2, 14)),
        meeting("customer", "Customer meeting Brenner", inDays(3, 10))
      ]
      // Research takes long enough that all three would be researching at once without the lock.
      const app = yield* makeSqliteHarness({ events, researchDelayMs: 400 })
      yield* app.life(
        Effect.gen(function*() {
          const summary = yield* Effect.flatMap(Orchestrator, (o) => o.runCycle)
          const byStatus = Object.values(statuses(summary)).sort()
          expect(byStatus).toEqual(["delivered", "dossier_reused", "dossier_reused"])
          const folders = readdirSync(path.join(app.logStorageDir, "dossiers", DOMAIN))
          expect(folders).toHaveLength(1)
          const dossiers = new Set(summary.events.map((e) => e.dossier?.json_path))
          expect(dossiers.size).toBe(1)
          expect(yield* Context.get(app.doubles, TestCrm).notes).toHaveLength(3)
        }),
        { maxConcurrentEvents: 4 }
      )
    }), 30_000)
})
