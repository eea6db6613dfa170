/** The commands as a user runs them: `once` on the example calendar, bad configuration, the run history. */
import { describe, expect, it } from "@effect/vitest"
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { root, runCli, summaries, tempDir } from "../support/spawn.js"

const once = async (env: Record<string, string>) => {
  const p = runCli(["once"], env)
  const exit = await p.exited
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() }
}

describe("once on the example calendar", () => {
  it("takes every meeting in the window to a status, writes the run history, and skips unchanged ones next time", async () => {
    const logDir = tempDir()
    const first = await once({ LOG_STORAGE_DIR: logDir })
    expect(first.stderr).not.toMatch(/ERROR/)
    expect(first.code).toBe(0)
    const [summary] = summaries(logDir)
    expect(summary?.status).toBe("success")
    const byStatus = (status: string) => summary?.events.filter((e) => e.status === status) ?? []
    const brightwave = summary?.events.find((e) => /Brightwave/.test(e.summary))
    expect(brightwave).toMatchObject({
      status: "delivered",
      trigger: { type: "hard", matched_word: "discovery call", matched_field: "summary" },
      company: { domain: "brightwave.io" }
    })
    // the CRM already holds attachments on Nordwind: a person approves first
    expect(summary?.events.find((e) => /Nordwind/.test(e.summary))).toMatchObject({
      status: "awaiting_approval",
      hitl: { kind: "approval", state: "pending" }
    })
    expect(byStatus("invalid_domain").some((e) => /Test Corp/.test(e.summary))).toBe(true)
    expect(byStatus("awaiting_missing_info").length).toBeGreaterThan(0)
    expect(byStatus("dossier_reused").length).toBeGreaterThan(0)
    expect(byStatus("no_trigger").some((e) => /standup/i.test(e.summary))).toBe(true)
    expect(summary?.events.some((e) => /Researcher/.test(e.summary) && e.status !== "no_trigger")).toBe(false)
    expect(first.stdout).toContain(summary?.run_id)
    expect(first.stderr).toMatch(new RegExp(`run manifest run_id=${summary?.run_id} status=success`))

    // every log line of the cycle carries the run id
    const cycleLines = first.stderr.split("\n").filter((l) => /run manifest|run failed/.test(l))
    expect(cycleLines.every((l) => l.includes(`run_id=${summary?.run_id}`))).toBe(true)

    const steps = readFileSync(path.join(logDir, "run_history", "workflows", String(summary?.run_id), "steps.jsonl"), "utf8")
      .trim().split("\n").map((l) => JSON.parse(l) as { step: string; event_id?: string })
    expect(steps.some((s) => s.step === "trigger_detection" && s.event_id === brightwave?.event_id)).toBe(true)

    const second = await once({ LOG_STORAGE_DIR: logDir })
    expect(second.code).toBe(0)
    const [, again] = summaries(logDir)
    expect(again?.events.length).toBe(summary?.events.length)
    // handled events are unchanged; those waiting for a person still wait (no second request)
    expect(again?.events.map((e) => e.status)).toEqual(
      summary?.events.map((e) => e.status.startsWith("awaiting_") ? e.status : "unchanged")
    )
  })

  it("an edited meeting is handled again, the others stay unchanged", async () => {
    const logDir = tempDir()
    const calendar = path.join(tempDir(), "calendar.ics")
    copyFileSync(path.join(root, "examples", "calendar.ics"), calendar)
    await once({ LOG_STORAGE_DIR: logDir, ICAL_URL: calendar })
    // Edit the Nordwind series: every occurrence changes; nothing else does.
    // Byte-wise: the example folds lines inside multi-byte characters, which a UTF-8 round trip would break.
    const bytes = (s: string) => Buffer.from(s, "utf8").toString("latin1")
    const text = readFileSync(calendar).toString("latin1")
    expect(text).toContain(bytes("Erstgespräch Nordwind Logistik GmbH"))
    writeFileSync(
      calendar,
      Buffer.from(text.replaceAll(bytes("Erstgespräch Nordwind Logistik GmbH"), bytes("Erstgespräch Nordwind Logistik GmbH & Co. KG")), "latin1")
    )
    const second = await once({ LOG_STORAGE_DIR: logDir, ICAL_URL: calendar })
    expect(second.code).toBe(0)
    const [, again] = summaries(logDir)
    const edited = again?.events.filter((e) => /Nordwind/.test(e.summary)) ?? []
    expect(edited.length).toBeGreaterThan(0)
    // a new version asks again (a new request), the old request is cancelled
    expect(edited.map((e) => e.status)).toEqual(edited.map(() => "awaiting_approval"))
    const [first] = summaries(logDir)
    const before = new Set(first?.events.filter((e) => /Nordwind/.test(e.summary)).map((e) => e.hitl?.audit_id))
    expect(edited.some((e) => before.has(e.hitl?.audit_id))).toBe(false)
    const others = again?.events.filter((e) => !/Nordwind/.test(e.summary)) ?? []
    expect(others.map((e) => e.status)).toEqual(others.map((e) => e.status.startsWith("awaiting_") ? e.status : "unchanged"))
  })

  it("an unreadable calendar fails the run with one line and exit 1, and the run is recorded", async () => {
    const logDir = tempDir()
    const result = await once({ LOG_STORAGE_DIR: logDir, ICAL_URL: path.join(logDir, "nope.ics") })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split("\n").filter((l) => l.startsWith("lead-insights:"))).toHaveLength(1)
    expect(result.stderr).toMatch(/nope\.ics/)
    const [summary] = summaries(logDir)
    expect(summary?.status).toBe("failure")
    expect(summary?.error?.type).toBe("CalendarError")
  })

  it("a broken event ends as failed with its reason; the rest go on", async () => {
    const logDir = tempDir()
    const calendar = path.join(tempDir(), "calendar.ics")
    const now = new Date(Date.now() + 3_600_000).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "")
    writeFileSync(calendar, [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
      "BEGIN:VEVENT", "UID:good-1", `DTSTART:${now}`, "SUMMARY:Discovery call with Acme Robotics (acme-robotics.com)", "END:VEVENT",
      "BEGIN:VEVENT", "UID:bad-1", "DTSTART:20261345T256000Z", "SUMMARY:Kickoff with nobody", "END:VEVENT",
      "END:VCALENDAR", ""
    ].join("\r\n"))
    const result = await once({ LOG_STORAGE_DIR: logDir, ICAL_URL: calendar })
    expect(result.code).toBe(0)
    const [summary] = summaries(logDir)
    expect(summary?.status).toBe("partial")
    expect(summary?.events.find((e) => e.event_id === "good-1")?.status).toBe("delivered")
    expect(summary?.events.find((e) => e.event_id === "bad-1")).toMatchObject({ status: "failed", error: { type: "MalformedEvent" } })
  })
})

describe("configuration errors", () => {
  for (const [name, value] of [
    ["POLL_INTERVAL_SECONDS", "soon"],
    ["CAL_LOOKAHEAD_DAYS", "-3"],
    ["CALENDAR_PROVIDER", "outlook"],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"],
    ["MAX_CONCURRENT_EVENTS", "0"]
  ] as const) {
    it(`${name}=${value} stops the start with one line naming the variable, exit 1`, async () => {
      const p = runCli(["once"], { LOG_STORAGE_DIR: tempDir(), [name]: value })
      const exit = await p.exited
      expect(exit.code).toBe(1)
      const lines = p.stderr().trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(new RegExp(`^lead-insights: invalid configuration: ${name}: `))
      expect(p.stdout()).toBe("")
    })
  }

  it("a missing trigger words file is named in the one-line error", async () => {
    const p = runCli(["once"], { LOG_STORAGE_DIR: tempDir(), TRIGGER_WORDS_FILE: "/nonexistent/words.txt" })
    const exit = await p.exited
    expect(exit.code).toBe(1)
    const errors = p.stderr().trim().split("\n").filter((l) => !/level=(INFO|DEBUG)/.test(l))
    expect(errors).toEqual([expect.stringMatching(/^lead-insights: TRIGGER_WORDS_FILE: cannot read \/nonexistent\/words\.txt/)])
  })

  it("values in a .env file are used; the environment wins over it", async () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, ".env"), "POLL_INTERVAL_SECONDS=soon\nCAL_LOOKAHEAD_DAYS=-1\n")
    const p = runCli(["once"], { CWD: cwd, LOG_STORAGE_DIR: tempDir(), POLL_INTERVAL_SECONDS: "60" })
    const exit = await p.exited
    expect(exit.code).toBe(1)
    expect(p.stderr()).toMatch(/CAL_LOOKAHEAD_DAYS/)
    expect(p.stderr()).not.toMatch(/POLL_INTERVAL_SECONDS/)
  })
})

describe("runs list / runs show", () => {
  it("lists the runs newest first and shows one as JSON", async () => {
    const logDir = tempDir()
    await once({ LOG_STORAGE_DIR: logDir })
    await once({ LOG_STORAGE_DIR: logDir })
    const [older, newer] = summaries(logDir)
    const list = runCli(["runs", "list"], { LOG_STORAGE_DIR: logDir })
    expect((await list.exited).code).toBe(0)
    const lines = list.stdout().trim().split("\n")
    expect(lines[0]).toContain(newer?.run_id)
    expect(lines[1]).toContain(older?.run_id)
    const show = runCli(["runs", "show", String(older?.run_id)], { LOG_STORAGE_DIR: logDir })
    expect((await show.exited).code).toBe(0)
    expect(JSON.parse(show.stdout())).toEqual(older)
    const missing = runCli(["runs", "show", "run-00000000-0000-4000-8000-000000000000"], { LOG_STORAGE_DIR: logDir })
    expect((await missing.exited).code).toBe(1)
    expect(missing.stderr()).toMatch(/no run run-0000/)
  })
})

describe("doctor", () => {
  it("checks every integration, one line each; a broken one fails the command and is named", async () => {
    const logDir = tempDir()
    const good = runCli(["doctor"], { LOG_STORAGE_DIR: logDir })
    expect((await good.exited).code).toBe(0)
    const names = good.stdout().trim().split("\n").map((l) => l.split(/\s+/)[0])
    expect(names).toEqual(["config", "calendar", "contacts", "triggers", "crm", "mail", "inbox", "storage", "llm", "website", "telemetry"])
    expect(good.stdout()).toMatch(/^calendar\s+ok\s+ical:.*calendar\.ics: \d+ events in the window/m)
    expect(good.stdout()).toMatch(/^website\s+ok\s+.*at most 8 pages, 25 requests/m)

    const configured = runCli(["doctor"], {
      LOG_STORAGE_DIR: logDir,
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      OPENAI_MODEL: "llama3.1:8b",
      RESEARCH_WEBSITE: "false"
    })
    expect((await configured.exited).code).toBe(0)
    expect(configured.stdout()).toMatch(/^llm\s+ok\s+llama3\.1:8b at http:\/\/127\.0\.0\.1:9\/v1 \(chat completions; /m)
    expect(configured.stdout()).toMatch(/^website\s+off\s+RESEARCH_WEBSITE=false/m)

    const bad = runCli(["doctor"], { LOG_STORAGE_DIR: logDir, ICAL_URL: path.join(logDir, "gone.ics") })
    expect((await bad.exited).code).toBe(1)
    expect(bad.stdout()).toMatch(/^calendar\s+FAIL\s+.*gone\.ics: no such file/m)
    expect(bad.stdout()).toMatch(/^crm\s+ok/m)
  })
})

describe("one process per store", () => {
  it("a second run or once on the same LOG_STORAGE_DIR is refused with one line; after a crash the lock is taken over", async () => {
    const logDir = tempDir()
    const first = runCli(["run"], { LOG_STORAGE_DIR: logDir })
    await first.waitFor(/run manifest/)
    const second = await once({ LOG_STORAGE_DIR: logDir })
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(`lead-insights: another lead-insights (pid ${first.pid}) is already running on ${logDir}`)
    first.kill("SIGKILL")
    await first.exited
    // the lock of a process that is gone is stale
    const third = await once({ LOG_STORAGE_DIR: logDir })
    expect(third.code).toBe(0)
    expect(summaries(logDir)).toHaveLength(2)
  })
})

describe("run reads replies between cycles", () => {
  it("a reply dropped into inbox/ reaches its workflow within INBOX_POLL_SECONDS, not at the next poll", async () => {
    const logDir = tempDir()
    const p = runCli(["run"], { LOG_STORAGE_DIR: logDir, POLL_INTERVAL_SECONDS: "3600", INBOX_POLL_SECONDS: "0.3" })
    await p.waitFor(/run manifest/)
    const request = readdirSync(path.join(logDir, "outbox"))
      .map((f) => readFileSync(path.join(logDir, "outbox", f), "utf8"))
      .find((m) => /Subject: \[LI-[a-z0-9]+\] Approve research/.test(m))
    const auditId = /\[LI-([a-z0-9]+)\]/.exec(request ?? "")?.[1] ?? ""
    expect(auditId).not.toBe("")
    writeFileSync(path.join(logDir, "inbox", "approve.eml"), [
      "From: Jonas Weber <jonas.weber@lead-insights.app>",
      "To: lead-insights@lead-insights.app",
      `Subject: AW: [LI-${auditId}] Approve research`,
      "Message-ID: <approve-between-cycles@lead-insights.app>",
      "Date: Thu, 26 Nov 2026 09:00:00 +0000",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Ja, freigeben.",
      ""
    ].join("\r\n"))
    await p.waitFor(/1 reply delivered to waiting workflows/, 10_000)
    p.kill("SIGTERM")
    expect((await p.exited).code).toBe(0)
    expect(existsSync(path.join(logDir, "inbox", "processed", "approve.eml"))).toBe(true)
    // only the first cycle ran; the approval was taken up between cycles
    expect(summaries(logDir)).toHaveLength(1)
    const list = runCli(["hitl", "list"], { LOG_STORAGE_DIR: logDir })
    await list.exited
    expect(list.stdout()).not.toContain(auditId)
  })
})
