/**
 * Scale-out (WORKFLOW_STORE=postgres): two runner processes on one throw-away PostgreSQL, both
 * polling the same calendar of 50 triggered meetings. Each meeting's workflow must run on exactly
 * one runner and be delivered to the CRM exactly once, and both runners must do some of the work.
 * Also: the single-process `once` on PostgreSQL, and the start failing without DATABASE_URL.
 * Skipped, with the reason, only when this machine has no PostgreSQL server binaries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { findPostgres, freePort, type Postgres, startPostgres } from "../support/postgres.js"
import { programJs, run, runCli, type Spawned, summaries, tempDir } from "../support/spawn.js"

const EVENTS = 50
const found = findPostgres()
const missing = "missing" in found ? found.missing : undefined

let pg: Postgres | undefined
const children: Array<Spawned> = []

const within = <A>(ms: number, what: string, promise: Promise<A>) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms).unref())
  ])

/** A fresh database on the shared server, so each test starts from empty tables. */
const database = (name: string) => {
  if (!pg) throw new Error("PostgreSQL is not running")
  pg.query(`CREATE DATABASE ${name} TEMPLATE template0`)
  const server = pg
  return { url: server.urlFor(name), query: (sql: string) => server.query(sql, name) }
}

beforeAll(async () => {
  if ("bin" in found) pg = await startPostgres(found.bin)
}, 60_000)

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Promise.all(children.map((c) => within(10_000, "child exit", c.exited).catch(() => undefined)))
  pg?.stop()
}, 30_000)

describe("scale-out on PostgreSQL", () => {
  it("without DATABASE_URL the start fails with one line naming it", async () => {
    const p = runCli(["once"], { WORKFLOW_STORE: "postgres", CWD: tempDir(), LOG_STORAGE_DIR: tempDir() })
    children.push(p)
    const exit = await within(20_000, "once without DATABASE_URL", p.exited)
    expect(exit.code).toBe(1)
    const lines = p.stderr().trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^lead-insights: invalid configuration: DATABASE_URL: required when WORKFLOW_STORE=postgres$/)
  })

  it("two runners share the work of 50 events, and each event is delivered exactly once", async (ctx) => {
    if (missing) return ctx.skip(missing)
    const db = database("runners")
    const start = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000).toISOString()
    const ports = [await freePort(), await freePort()]
    const logDirs = [tempDir("li-r1-"), tempDir("li-r2-")]
    const startedAt = Date.now()
    const runners = ports.map((port, i) =>
      run(programJs("runner"), [], {
        WORKFLOW_STORE: "postgres",
        DATABASE_URL: db.url,
        RUNNER_HOST: "127.0.0.1",
        RUNNER_PORT: String(port),
        LOG_STORAGE_DIR: logDirs[i]!,
        CWD: logDirs[i]!,
        EVENTS: String(EVENTS),
        EVENTS_START: start,
        EXPECT_RUNNERS: "2",
        MAX_CONCURRENT_EVENTS: "10",
        POLL_INTERVAL_SECONDS: "3600",
        SHUTDOWN_TIMEOUT_SECONDS: "5"
      })
    )
    children.push(...runners)
    const [a, b] = runners as [Spawned, Spawned]

    await Promise.all(runners.map((r) => r.waitFor(/cluster ready runners=2/, 60_000)))
    const readyAt = Date.now()
    const manifest = new RegExp(`run manifest run_id=run-[0-9a-f-]+ status=success events=${EVENTS} `)
    await Promise.all(runners.map((r) => r.waitFor(manifest, 90_000)))
    const doneAt = Date.now()

    // Every note once, and the CRM's deliver was called once per note: no workflow ran twice.
    expect(db.query("SELECT count(*), count(DISTINCT note_key), count(DISTINCT domain) FROM li_test_crm_notes")).toBe(
      `${EVENTS}\t${EVENTS}\t${EVENTS}`
    )
    expect(db.query("SELECT count(*) FROM li_test_crm_calls")).toBe(String(EVENTS))
    expect(db.query("SELECT note_key FROM li_test_crm_calls GROUP BY note_key HAVING count(*) > 1")).toBe("")
    expect(db.query("SELECT string_agg(domain, ',' ORDER BY domain) FROM li_test_crm_notes")).toBe(
      Array.from({ length: EVENTS }, (_, i) => `company-${i}.io`).sort().join(",")
    )

    // Both runners did part of the work, and only these two.
    const byPid = new Map(
      db.query("SELECT pid, count(*) FROM li_test_crm_notes GROUP BY pid").split("\n").map((line) => {
        const [pid, n] = line.split("\t")
        return [Number(pid), Number(n)] as const
      })
    )
    expect([...byPid.keys()].sort()).toEqual([a.pid, b.pid].sort())
    for (const runner of runners) {
      const own = runner.stderr().match(new RegExp(`crm deliver key=\\S+ domain=\\S+ pid=${runner.pid} `, "g")) ?? []
      expect(own.length).toBe(byPid.get(runner.pid))
      expect(own.length).toBeGreaterThan(0)
    }
    expect(db.query("SELECT count(*) FROM cluster_runners")).toBe("2")

    // Each runner saw every meeting through to `delivered`, whichever runner ran its workflow.
    for (const dir of logDirs) {
      const [summary, ...more] = summaries(dir)
      expect(more).toHaveLength(0)
      expect(summary?.status).toBe("success")
      expect(summary?.events).toHaveLength(EVENTS)
      expect(new Set(summary?.events.map((e) => e.status))).toEqual(new Set(["delivered"]))
    }

    const stopAt = Date.now()
    for (const runner of runners) runner.kill("SIGTERM")
    const exits = await within(20_000, "runners stopping", Promise.all(runners.map((r) => r.exited)))
    expect(exits.map((e) => e.code)).toEqual([0, 0])
    console.log(
      `postgres-runners: ready ${readyAt - startedAt} ms, 50 events ${doneAt - readyAt} ms, stop ${Date.now() - stopAt} ms; ` +
        `deliveries by pid ${JSON.stringify(Object.fromEntries(byPid))}`
    )
  }, 150_000)

  it("`once` runs on PostgreSQL as a single runner, the HITL store included", async (ctx) => {
    if (missing) return ctx.skip(missing)
    const db = database("single")
    const dir = tempDir()
    const p = runCli(["once"], {
      WORKFLOW_STORE: "postgres",
      DATABASE_URL: db.url,
      RUNNER_HOST: "127.0.0.1",
      RUNNER_PORT: String(await freePort()),
      LOG_STORAGE_DIR: dir,
      CWD: dir
    })
    children.push(p)
    const exit = await within(60_000, "once on PostgreSQL", p.exited)
    expect(exit.code, p.stderr()).toBe(0)
    const [summary] = summaries(dir)
    expect(summary?.status).toBe("success")
    const statuses = summary?.events.map((e) => e.status) ?? []
    expect(statuses).toContain("delivered")
    // The example calendar has meetings that wait for a person: their requests are in PostgreSQL.
    const waiting = statuses.filter((s) => s.startsWith("awaiting_")).length
    expect(waiting).toBeGreaterThan(0)
    // one request per recurring series: occurrences of one series wait on the same request
    const requests = new Set(summary?.events.filter((e) => e.status.startsWith("awaiting_")).map((e) => e.hitl?.audit_id))
    expect(db.query("SELECT count(*) FROM li_hitl_requests WHERE state = 'pending'")).toBe(String(requests.size))
    expect(Number(db.query("SELECT count(*) FROM cluster_messages"))).toBeGreaterThan(0)
  }, 90_000)
})
