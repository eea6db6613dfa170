/**
 * Requests that follow their meeting, as a user runs the program: `once` on an iCalendar file,
 * mail as files. A weekly series is asked about once; a meeting deleted from the file has its
 * request withdrawn, with one "no need to answer" mail, and `hitl list` no longer shows it.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { runCli, summaries, tempDir } from "../support/spawn.js"

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")
const day = (n: number) => new Date(Date.now() + n * 86_400_000)

const vevent = (uid: string, summary: string, start: Date, extra: ReadonlyArray<string> = []) => [
  "BEGIN:VEVENT",
  `UID:${uid}`,
  `DTSTAMP:${stamp(new Date())}`,
  `DTSTART:${stamp(start)}`,
  `DTEND:${stamp(new Date(start.getTime() + 3_600_000))}`,
  `SUMMARY:${summary}`,
  "ORGANIZER;CN=Maria:mailto:maria@lead-insights.app",
  ...extra,
  "END:VEVENT"
]

const calendar = (events: ReadonlyArray<ReadonlyArray<string>>) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//requests//EN", ...events.flat(), "END:VCALENDAR", ""].join("\r\n")

const once = async (env: Record<string, string>) => {
  const p = runCli(["once"], env)
  const exit = await p.exited
  expect(exit.code, p.stderr()).toBe(0)
  return p.stdout()
}

const outbox = (logDir: string) => {
  const dir = path.join(logDir, "outbox")
  return readdirSync(dir).filter((f) => f.endsWith(".eml")).map((f) => ({ file: f, text: readFileSync(path.join(dir, f), "utf8") }))
}

describe("requests follow their meeting (the real program, on files)", () => {
  it("a weekly series asks once; a deleted meeting's request is withdrawn with one mail", async () => {
    const logDir = tempDir()
    const ics = path.join(tempDir(), "calendar.ics")
    const env = { LOG_STORAGE_DIR: logDir, ICAL_URL: ics, CAL_LOOKAHEAD_DAYS: "20", OWN_DOMAINS: "lead-insights.app" }
    const weekly = vevent("weekly-prep", "Customer meeting prep", day(2), ["RRULE:FREQ=WEEKLY;COUNT=3"])
    const single = vevent("single-prep", "Kickoff prep", day(3))
    writeFileSync(ics, calendar([weekly, single]))

    await once(env)
    const [first] = summaries(logDir)
    const waiting = first?.events.filter((e) => e.status === "awaiting_missing_info") ?? []
    expect(waiting).toHaveLength(4)
    const seriesRequests = new Set(waiting.filter((e) => e.event_id.startsWith("weekly-prep")).map((e) => e.hitl?.audit_id))
    expect(seriesRequests.size).toBe(1)
    expect(outbox(logDir).filter((m) => m.file.endsWith(".request@lead-insights.app.eml"))).toHaveLength(2)
    const singleAudit = waiting.find((e) => e.event_id === "single-prep")?.hitl?.audit_id ?? ""

    // the single meeting is deleted from the calendar
    writeFileSync(ics, calendar([weekly]))
    await once(env)
    const withdrawn = outbox(logDir).filter((m) => m.file.includes(`${singleAudit}.withdrawn`))
    expect(withdrawn).toHaveLength(1)
    expect(withdrawn[0]?.text).toMatch(/No need to answer/)
    expect(withdrawn[0]?.text).toMatch(/^To: maria@lead-insights\.app/m)
    const list = runCli(["hitl", "list"], { LOG_STORAGE_DIR: logDir })
    await list.exited
    expect(list.stdout()).not.toContain(singleAudit)
    expect(list.stdout()).toContain([...seriesRequests][0])

    // a third run sends nothing more
    const before = outbox(logDir).length
    await once(env)
    expect(outbox(logDir)).toHaveLength(before)
  }, 60_000)
})
