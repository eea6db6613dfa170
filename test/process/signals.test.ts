/**
 * The shutdown contract, on the real process: signals during a cycle with slow in-flight work,
 * a hanging finalizer, a second signal, a signal during start-up.
 */
import { describe, expect, it } from "@effect/vitest"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { programJs, run, runCli, summaries, tempDir } from "../support/spawn.js"

const slow = (env: Record<string, string>) => run(programJs("slow-events"), [], env)

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))

describe("shutdown on a signal", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} during slow event work: the work finishes within the grace period, exit 0, summary written`, async () => {
      const logDir = tempDir()
      const p = slow({ LOG_STORAGE_DIR: logDir, SLOW_MS: "1500", EVENTS: "3", SHUTDOWN_TIMEOUT_SECONDS: "10" })
      await p.waitFor(/slow lookup started/)
      p.kill(signal)
      const exit = await p.exited
      expect(exit.code).toBe(0)
      const [summary, ...more] = summaries(logDir)
      expect(more).toHaveLength(0)
      expect(summary?.events.map((e) => e.status)).toEqual(["delivered", "delivered", "delivered"])
      expect(summary?.status).toBe("success")
      expect(p.stderr()).toMatch(/run manifest run_id=run-[0-9a-f-]+ status=success events=3 duration_ms=\d+/)
    })
  }

  it("in-flight work longer than SHUTDOWN_TIMEOUT_SECONDS is interrupted and marked as such", async () => {
    const logDir = tempDir()
    const p = slow({ LOG_STORAGE_DIR: logDir, SLOW_MS: "60000", EVENTS: "2", SHUTDOWN_TIMEOUT_SECONDS: "1" })
    await p.waitFor(/slow lookup started/)
    p.kill("SIGTERM")
    const exit = await p.exited
    expect(exit.code).toBe(0)
    expect(exit.ms).toBeLessThan(8_000)
    const [summary] = summaries(logDir)
    expect(summary?.status).toBe("partial")
    expect(summary?.events.map((e) => [e.event_id, e.status])).toEqual([
      ["slow-0", "interrupted"],
      ["slow-1", "interrupted"]
    ])
    expect(summary?.events[0]?.error?.type).toBe("Interrupted")
  })

  it("a second signal during shutdown exits at once with 130", async () => {
    const logDir = tempDir()
    const p = slow({ LOG_STORAGE_DIR: logDir, SLOW_MS: "60000", EVENTS: "1", SHUTDOWN_TIMEOUT_SECONDS: "60" })
    await p.waitFor(/slow lookup started/)
    p.kill("SIGTERM")
    await new Promise((r) => setTimeout(r, 300))
    p.kill("SIGINT")
    const exit = await p.exited
    expect(exit.code).toBe(130)
    expect(exit.ms).toBeLessThan(5_000)
    expect(p.stderr()).toMatch(/second SIGINT during shutdown/)
  })

  it("a finalizer that hangs cannot hold the process: it exits once the shutdown budget is spent", async () => {
    const logDir = tempDir()
    const p = slow({ LOG_STORAGE_DIR: logDir, SLOW_MS: "10", EVENTS: "1", SHUTDOWN_TIMEOUT_SECONDS: "1", HANG_FINALIZER: "1" })
    await p.waitFor(/run manifest/)
    p.kill("SIGTERM")
    const exit = await p.exited
    expect(p.stderr()).toMatch(/hanging finalizer entered/)
    expect(p.stderr()).toMatch(/shutdown did not finish in time/)
    expect(exit.code).toBe(1)
    // budget: 2 × 1 s + 3 s
    expect(exit.ms).toBeLessThan(9_000)
  })

  it("a telemetry collector that never answers does not hold the shutdown: exit 0", async () => {
    const hanging = createServer(() => {/* never answers */})
    const port = await listen(hanging)
    try {
      const logDir = tempDir()
      const p = slow({
        LOG_STORAGE_DIR: logDir,
        SLOW_MS: "10",
        EVENTS: "1",
        SHUTDOWN_TIMEOUT_SECONDS: "1",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`
      })
      await p.waitFor(/run manifest/)
      p.kill("SIGTERM")
      const exit = await p.exited
      expect(exit.code).toBe(0)
      expect(exit.ms).toBeLessThan(5_000)
    } finally {
      hanging.closeAllConnections()
      hanging.close()
    }
  })

  it("a signal during start-up ends the process cleanly, before any run starts", async () => {
    const logDir = tempDir()
    const p = runCli(["run"], { LOG_STORAGE_DIR: logDir })
    // Past Node's own boot (where only the OS default applies), before the program has loaded.
    await new Promise((r) => setTimeout(r, 250))
    p.kill("SIGTERM")
    const exit = await p.exited
    expect(exit).toMatchObject({ code: 0, signal: null })
    expect(summaries(logDir)).toEqual([])
  })

  it("several signals in a row shut down once", async () => {
    const logDir = tempDir()
    const p = slow({ LOG_STORAGE_DIR: logDir, SLOW_MS: "10", EVENTS: "1", SHUTDOWN_TIMEOUT_SECONDS: "5" })
    await p.waitFor(/run manifest/)
    p.kill("SIGTERM")
    p.kill("SIGTERM")
    const exit = await p.exited
    // The second signal may land during shutdown (130) or after it finished (0); never a crash, never a hang.
    expect([0, 130]).toContain(exit.code)
    expect(summaries(logDir)).toHaveLength(1)
  })

  it("SIGTERM while the calendar is still being read: exit 0 and a summary that says so", async () => {
    let seen!: () => void
    const requested = new Promise<void>((r) => (seen = r))
    const server = createServer(() => seen())
    const port = await listen(server)
    try {
      const logDir = tempDir()
      const p = runCli(["run"], {
        LOG_STORAGE_DIR: logDir,
        ICAL_URL: `http://127.0.0.1:${port}/calendar.ics`,
        SHUTDOWN_TIMEOUT_SECONDS: "1"
      })
      await requested
      p.kill("SIGTERM")
      const exit = await p.exited
      expect(exit.code).toBe(0)
      const [summary] = summaries(logDir)
      expect(summary?.status).toBe("failure")
      expect(summary?.error?.type).toBe("Interrupted")
      expect(summary?.events).toEqual([])
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it("a calendar that cannot be read is recorded, and polling goes on", async () => {
    const logDir = tempDir()
    const p = runCli(["run"], { LOG_STORAGE_DIR: logDir, ICAL_URL: `${logDir}/missing.ics`, POLL_INTERVAL_SECONDS: "0.2" })
    await p.waitFor(/run manifest[^\n]*\n[\s\S]*run manifest[^\n]*\n[\s\S]*run manifest/)
    p.kill("SIGTERM")
    expect((await p.exited).code).toBe(0)
    const runs = summaries(logDir)
    expect(runs.length).toBeGreaterThanOrEqual(3)
    expect(runs.every((r) => r.status === "failure" && r.error?.type === "CalendarError")).toBe(true)
    expect(new Set(runs.map((r) => r.run_id)).size).toBe(runs.length)
  })
})
