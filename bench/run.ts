/**
 * `npm run bench`: measures, prints a table, writes bench/results/latest.json. Never asserts.
 *
 * - startup: spawn `run` → first poll, and → first run manifest (the embedded default)
 * - cycle: events/second through one poll cycle on doubles (in process)
 * - parse: the iCalendar parser on the example calendar and on a synthetic feed
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer, Option } from "effect"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { AppConfig } from "../src/Config.js"
import { CalendarEvent, Person } from "../src/Domain/CalendarEvent.js"
import { parseCalendar } from "../src/Integrations/ICalParse.js"
import { Orchestrator } from "../src/Orchestrator.js"
import { packageRoot } from "../src/Paths.js"
import { TestAdapters, TestApp } from "../layers/Test.js"
import { makeApp } from "../layers/App.js"
import { SqliteEngineLive } from "../layers/Engine.js"
import { durableOverhead } from "./durable.js"

const stats = (samples: ReadonlyArray<number>) => {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return { n: sorted.length, median: at(0.5), p99: at(0.99), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN }
}

const startupOnce = () =>
  new Promise<{ firstPoll: number; firstRun: number }>((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [path.join(packageRoot, "dist", "app", "main.js"), "run"], {
      env: { ...process.env, LOG_STORAGE_DIR: mkdtempSync(path.join(tmpdir(), "li-bench-")) },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let err = ""
    let firstPoll = NaN
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString()
      if (Number.isNaN(firstPoll) && /polling every/.test(err)) firstPoll = performance.now() - t0
      if (/run manifest/.test(err)) {
        const firstRun = performance.now() - t0
        child.kill("SIGTERM")
        child.on("exit", () => resolve({ firstPoll, firstRun }))
      }
    })
    child.on("error", reject)
  })

const syntheticEvents = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    new CalendarEvent({
      calendarId: "bench",
      eventId: `bench-${i}`,
      summary: i % 3 === 0 ? `Team sync ${i}` : `Discovery call with Company ${i}`,
      description: i % 3 === 1 ? `Deck: https://company-${i}.io/deck` : "",
      location: "",
      start: new Date(Date.now() + (i + 1) * 60_000).toISOString(),
      end: new Date(Date.now() + (i + 31) * 60_000).toISOString(),
      allDay: false,
      urls: [],
      organizer: new Person({ email: "anna@lead-insights.app" }),
      attendees: [new Person({ email: `ceo@company-${i}.io` })]
    }))

const cycle = (n: number, engine: "memory" | "sqlite") =>
  Effect.gen(function*() {
    const orchestrator = yield* Orchestrator
    const t0 = performance.now()
    const summary = yield* orchestrator.runCycle
    const ms = performance.now() - t0
    return { events: summary.events.length, ms, eventsPerSecond: (summary.events.length / ms) * 1000 }
  }).pipe(
    Effect.provide((engine === "memory"
      ? TestApp({ events: syntheticEvents(n) })
      : makeApp(TestAdapters({ events: syntheticEvents(n) }), SqliteEngineLive)).pipe(
      Layer.provideMerge(AppConfig.layerWith({
        logStorageDir: mkdtempSync(path.join(tmpdir(), "li-bench-")),
        triggerWords: Option.some(["discovery call"])
      })),
      Layer.provideMerge(NodeContext.layer)
    ))
  )

const syntheticFeed = (n: number) =>
  [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//bench//EN",
    ...Array.from({ length: n }, (_, i) => [
      "BEGIN:VEVENT",
      `UID:bench-${i}@bench`,
      `DTSTART:2026${String(1 + (i % 12)).padStart(2, "0")}${String(1 + (i % 28)).padStart(2, "0")}T090000Z`,
      "DURATION:PT1H",
      `SUMMARY:Discovery call with Company ${i}`,
      i % 10 === 0 ? "RRULE:FREQ=WEEKLY;COUNT=20" : "",
      "END:VEVENT"
    ].filter(Boolean).join("\r\n")),
    "END:VCALENDAR",
    ""
  ].join("\r\n")

const time = (f: () => void, runs: number) =>
  Array.from({ length: runs }, () => {
    const t0 = performance.now()
    f()
    return performance.now() - t0
  })

const main = Effect.gen(function*() {
  const startup: Array<{ firstPoll: number; firstRun: number }> = []
  for (let i = 0; i < 5; i++) startup.push(yield* Effect.promise(startupOnce))

  const cycles = []
  for (const engine of ["memory", "sqlite"] as const) {
    for (const n of [100, 500]) cycles.push({ engine, n, ...(yield* Effect.scoped(cycle(n, engine))) })
  }
  const durable = yield* durableOverhead(200)

  const window = { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") }
  const example = new Uint8Array(readFileSync(path.join(packageRoot, "examples", "calendar.ics")))
  const feed = new TextEncoder().encode(syntheticFeed(2000))
  const parse = {
    example: stats(time(() => parseCalendar(example, "bench", window), 10)),
    synthetic2000: stats(time(() => parseCalendar(feed, "bench", window), 3))
  }

  const results = {
    at: new Date().toISOString(),
    node: process.version,
    startup: { firstPollMs: stats(startup.map((s) => s.firstPoll)), firstRunMs: stats(startup.map((s) => s.firstRun)) },
    cycle: cycles,
    durableActivityMs: { sqlite: stats(durable.sqlite.gaps), memory: stats(durable.memory.gaps) },
    parseMs: parse
  }

  const f = (x: number) => x.toFixed(0).padStart(8)
  console.log("measure                                   median      p99      min      max")
  console.log(`startup: spawn → first poll (ms)        ${f(results.startup.firstPollMs.median)} ${f(results.startup.firstPollMs.p99)} ${f(results.startup.firstPollMs.min)} ${f(results.startup.firstPollMs.max)}`)
  console.log(`startup: spawn → first run done (ms)    ${f(results.startup.firstRunMs.median)} ${f(results.startup.firstRunMs.p99)} ${f(results.startup.firstRunMs.min)} ${f(results.startup.firstRunMs.max)}`)
  console.log(`parse: examples/calendar.ics (ms)       ${f(parse.example.median)} ${f(parse.example.p99)} ${f(parse.example.min)} ${f(parse.example.max)}`)
  console.log(`parse: synthetic 2000 VEVENTs (ms)      ${f(parse.synthetic2000.median)} ${f(parse.synthetic2000.p99)} ${f(parse.synthetic2000.min)} ${f(parse.synthetic2000.max)}`)
  const g = (x: number) => x.toFixed(2).padStart(8)
  console.log(`activity step, SQLite engine (ms)       ${g(results.durableActivityMs.sqlite.median)} ${g(results.durableActivityMs.sqlite.p99)} ${g(results.durableActivityMs.sqlite.min)} ${g(results.durableActivityMs.sqlite.max)}`)
  console.log(`activity step, in-memory engine (ms)    ${g(results.durableActivityMs.memory.median)} ${g(results.durableActivityMs.memory.p99)} ${g(results.durableActivityMs.memory.min)} ${g(results.durableActivityMs.memory.max)}`)
  console.log("")
  console.log("cycle through the tree, instant doubles   engine   events   total ms   events/s")
  for (const c of cycles) {
    console.log(`                                          ${c.engine.padEnd(7)} ${String(c.events).padStart(6)} ${f(c.ms)}   ${f(c.eventsPerSecond)}`)
  }

  const out = path.join(packageRoot, "bench", "results")
  mkdirSync(out, { recursive: true })
  writeFileSync(path.join(out, "latest.json"), JSON.stringify(results, null, 2) + "\n")
  console.log(`\nwritten: ${path.join(out, "latest.json")}`)
})

Effect.runPromise(main).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
