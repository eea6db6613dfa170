/**
 * The input bounds in the built program: a calendar feed that never ends, or one that is a device,
 * ends `once` with one line instead of eating the memory; the limits are read from the environment.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { runCli, summaries, tempDir } from "../support/spawn.js"

let server: Server
let base = ""
let endlessClosed = false

beforeAll(async () => {
  // An endless calendar: a header, then property lines for as long as the client reads.
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" })
    const line = Buffer.from(`X-FILL:${"x".repeat(65_000)}\r\n`)
    const pump = () => {
      while (!res.destroyed && res.write(line)) { /* until the socket pushes back */ }
    }
    res.on("drain", pump)
    res.on("close", () => (endlessClosed = true))
    res.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const once = async (env: Record<string, string>) => {
  const p = runCli(["once"], env)
  const exit = await p.exited
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() }
}

const oneLine = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("lead-insights:"))

describe("a calendar feed that would not fit in memory", () => {
  it("a feed that never ends fails the cycle at ICAL_MAX_BYTES with one line, long before the time-out", async () => {
    const logDir = tempDir()
    const result = await once({ LOG_STORAGE_DIR: logDir, ICAL_URL: `${base}/calendar.ics`, ICAL_TIMEOUT_SECONDS: "300" })
    expect(result.code).toBe(1)
    const lines = oneLine(result.stderr)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/calendar\.ics#[0-9a-f]{8} is larger than ICAL_MAX_BYTES \(20 MB\)$/)
    expect(endlessClosed).toBe(true)
    const [summary] = summaries(logDir)
    expect(summary?.status).toBe("failure")
    expect(summary?.error).toMatchObject({ type: "CalendarError", message: expect.stringMatching(/larger than ICAL_MAX_BYTES/) })
  })

  it("a device that never ends is refused at once; ICAL_MAX_BYTES takes sizes", async () => {
    const result = await once({ LOG_STORAGE_DIR: tempDir(), ICAL_URL: "/dev/zero", ICAL_MAX_BYTES: "1MB" })
    expect(result.code).toBe(1)
    expect(oneLine(result.stderr)).toEqual([expect.stringMatching(/\/dev\/zero is not a regular file \(a character device\)$/)])
  })

  it("a bad ICAL_MAX_BYTES stops the start with one line naming it", async () => {
    const result = await once({ LOG_STORAGE_DIR: tempDir(), ICAL_MAX_BYTES: "lots" })
    expect(result.code).toBe(1)
    expect(oneLine(result.stderr)).toEqual([
      "lead-insights: invalid configuration: ICAL_MAX_BYTES: must be a size like 20MB, 512KB or a number of bytes"
    ])
  })
})

describe("MAX_OCCURRENCES_PER_SERIES and INBOX_MAX_BYTES from the environment", () => {
  it("cuts a series to its first occurrences, says so, and rejects a mail that is too large", async () => {
    const logDir = tempDir()
    const calendar = path.join(tempDir(), "calendar.ics")
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "")
    writeFileSync(calendar, [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
      "BEGIN:VEVENT", "UID:hourly@test", `DTSTART:${stamp(hour - 2 * 86_400_000)}`, "DURATION:PT15M",
      "RRULE:FREQ=HOURLY", "SUMMARY:Hourly sync", "END:VEVENT",
      "END:VCALENDAR", ""
    ].join("\r\n"))
    mkdirSync(path.join(logDir, "inbox"), { recursive: true })
    writeFileSync(
      path.join(logDir, "inbox", "big.eml"),
      `From: a@customer.test\r\nMessage-ID: <big@customer.test>\r\nSubject: Re: [LI-abc123def] x\r\n\r\n${"Yes\r\n".repeat(2000)}`
    )
    const result = await once({
      LOG_STORAGE_DIR: logDir,
      ICAL_URL: calendar,
      MAX_OCCURRENCES_PER_SERIES: "4",
      INBOX_MAX_BYTES: "4KB"
    })
    expect(result.code).toBe(0)
    const [summary] = summaries(logDir) as Array<ReturnType<typeof summaries>[number] & {
      readonly skipped_occurrences?: number
      readonly skipped_series?: ReadonlyArray<{ readonly series_id: string; readonly kept: number; readonly skipped: number }>
    }>
    expect(summary?.events.map((e) => e.event_id.replace(/_.*/, ""))).toEqual(["hourly@test", "hourly@test", "hourly@test", "hourly@test"])
    expect(summary?.skipped_occurrences).toBeGreaterThan(350)
    expect(summary?.skipped_series).toEqual([
      { series_id: "hourly@test", summary: "Hourly sync", kept: 4, skipped: summary?.skipped_occurrences }
    ])
    expect(result.stderr).toMatch(/level=WARN.*series \\"Hourly sync\\" \(hourly@test\): the first 4 occurrences/)
    expect(readFileSync(path.join(logDir, "inbox", "rejected", "big.eml.reason.txt"), "utf8")).toBe(
      "unreadable: too large (9.9 KB; INBOX_MAX_BYTES is 4 KB)\n"
    )
  })
})
