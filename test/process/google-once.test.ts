/**
 * The built program with CALENDAR_PROVIDER=google against test/support/fakeGoogle.ts, as a user
 * runs it: `once` syncs the calendar in full, the next `once` (a new process) goes on from the
 * stored sync token with one request; `doctor` lists the calendars; a sign-in that is not
 * configured stops the start with one line.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type FakeGoogle, startFakeGoogle } from "../support/fakeGoogle.js"
import { runCli, summaries, tempDir } from "../support/spawn.js"

const DAY = 86_400_000
const TEAM = "sales@ourco.de"
const at = (days: number, hour: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000).toISOString()

let fake: FakeGoogle & { readonly close: () => Promise<void> }

beforeAll(async () => {
  fake = await startFakeGoogle()
  fake.addCalendar(TEAM, "Sales")
  fake.put(TEAM, {
    id: "beta",
    summary: "Kickoff with Beta Systems",
    description: "beta-systems.io",
    start: { dateTime: at(3, 9), timeZone: "Europe/Berlin" },
    end: { dateTime: at(3, 10), timeZone: "Europe/Berlin" },
    organizer: { email: "maria@ourco.de", displayName: "Maria" }
  })
})

afterAll(() => fake.close())

const googleEnv = () => ({
  CALENDAR_PROVIDER: "google",
  GOOGLE_CALENDAR_ID: TEAM,
  GOOGLE_CLIENT_ID: fake.clientId,
  GOOGLE_CLIENT_SECRET: fake.clientSecret,
  GOOGLE_REFRESH_TOKEN: fake.refreshToken,
  GOOGLE_API_BASE_URL: fake.baseUrl,
  GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl,
  OWN_DOMAINS: "ourco.de",
  RESEARCH_WEBSITE: "false"
})

const cli = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const p = runCli(args, env)
  const exit = await p.exited
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() }
}

describe("CALENDAR_PROVIDER=google", () => {
  it("once syncs in full, the next once goes on from the stored token with one request; no secret in the output", async () => {
    const logDir = tempDir()
    fake.resetCounts()
    const first = await cli(["once"], { ...googleEnv(), LOG_STORAGE_DIR: logDir })
    expect(first.code).toBe(0)
    expect(first.stderr).not.toMatch(/level=ERROR/)
    expect(fake.apiRequests().filter((r) => r.path.endsWith("/events")).map((r) => r.query["timeMin"] !== undefined)).toEqual([true])
    const [summary] = summaries(logDir)
    expect(summary?.events.map((e) => [e.event_id, e.status])).toEqual([["beta@google.com", "delivered"]])

    fake.resetCounts()
    const second = await cli(["once"], { ...googleEnv(), LOG_STORAGE_DIR: logDir })
    expect(second.code).toBe(0)
    const calls = fake.apiRequests().filter((r) => r.path.endsWith("/events"))
    expect(calls).toHaveLength(1)
    expect(calls[0]?.query["syncToken"]).toBeDefined()
    const last = summaries(logDir).find((s) => s.run_id !== summary?.run_id)
    expect(last?.events.map((e) => [e.event_id, e.status])).toEqual([["beta@google.com", "unchanged"]])
    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(output).not.toContain(fake.clientSecret)
      expect(output).not.toContain(fake.refreshToken)
      expect(output).not.toMatch(/ya29\./)
    }
  })

  it("doctor signs in and lists the calendars it can read", async () => {
    const result = await cli(["doctor"], { ...googleEnv(), LOG_STORAGE_DIR: tempDir() })
    const line = result.stdout.split("\n").find((l) => l.startsWith("calendar"))
    expect(line).toBe(`calendar   ok   Google, OAuth client ${fake.clientId}: can read 1 calendar(s): Sales (${TEAM}); polls ${TEAM}`)
  })

  it("without a sign-in, the start stops with one line naming the variable", async () => {
    const result = await cli(["once"], { CALENDAR_PROVIDER: "google", LOG_STORAGE_DIR: tempDir() })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^lead-insights: invalid configuration: GOOGLE_CLIENT_ID: not set; CALENDAR_PROVIDER=google signs in with/)
  })
})
