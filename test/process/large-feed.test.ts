/**
 * A feed over 1 MB in the built program: its events are listed deferred and read from a copy of the
 * feed on disk when the cycle takes them; every one reaches its status, triggered ones through their
 * workflows, and nothing of the copy is left behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { generateCalendar } from "../../bench/generate.js"
import { runCli, summaries, tempDir } from "../support/spawn.js"

const DAY = 86_400_000

describe("once on a feed larger than 1 MB", () => {
  it("takes every event from the copy on disk, the triggered ones through their workflows; the copy goes with the cycle", async () => {
    const dir = tempDir()
    const logDir = path.join(dir, "store")
    const firstDay = new Date(Math.ceil(Date.now() / DAY) * DAY)
    const calendar = generateCalendar({ events: 1_500, seed: 31, firstDay, triggered: 0.01 })
    const feed = path.join(dir, "calendar.ics")
    const csv = path.join(dir, "companies.csv")
    writeFileSync(feed, calendar.ics)
    writeFileSync(csv, calendar.companiesCsv)
    expect(statSync(feed).size).toBeGreaterThan(1024 * 1024)
    const env = {
      LOG_STORAGE_DIR: logDir,
      ICAL_URL: feed,
      LOCAL_CRM_FILE: csv,
      OWN_DOMAINS: calendar.ownDomain,
      CAL_LOOKBACK_DAYS: "1",
      CAL_LOOKAHEAD_DAYS: String(calendar.days + 1),
      MAX_OCCURRENCES_PER_SERIES: "1000",
      RESEARCH_WEBSITE: "false"
    }
    const once = async () => {
      const p = runCli(["once"], env)
      const exit = await p.exited
      expect(exit.code, p.stderr()).toBe(0)
    }

    await once()
    const [first] = summaries(logDir)
    expect(first?.events).toHaveLength(1_500)
    const counts = new Map<string, number>()
    for (const e of first?.events ?? []) counts.set(e.status, (counts.get(e.status) ?? 0) + 1)
    expect(calendar.triggered).toBeGreaterThan(5)
    expect((counts.get("delivered") ?? 0) + (counts.get("dossier_reused") ?? 0)).toBe(calendar.triggered)
    expect(counts.get("no_trigger")).toBe(1_500 - calendar.triggered)
    expect(first?.events.filter((e) => e.status === "delivered").every((e) => e.dossier?.json_path !== undefined)).toBe(true)
    expect(existsSync(path.join(logDir, "feeds")) && readdirSync(path.join(logDir, "feeds"))).toEqual([])

    // The next cycle finds them all as they were.
    await once()
    const second = summaries(logDir).find((s) => s.run_id !== first?.run_id)
    expect(second?.events.map((e) => e.status)).toEqual(Array.from({ length: 1_500 }, () => "unchanged"))
    expect(second?.events.map((e) => e.event_id)).toEqual(first?.events.map((e) => e.event_id))
  })
})
