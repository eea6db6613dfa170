/**
 * `npm run bench`: measures, prints a table, writes bench/results/latest.json. Never asserts.
 *
 * - startup: spawn `run` → first poll, and → first run manifest (the embedded default)
 * - cycle: events/second through one poll cycle on doubles (in process)
 * - parse: the iCalendar parser on the example calendar and on a synthetic feed
 * - durable: one activity step, and the floor: a whole workflow of 4 no-op activities (SQLite)
 * - concurrency: 100 triggered meetings whose CRM look-up, research and delivery take 200 ms each,
 *   at MAX_CONCURRENT_EVENTS 1, 10, 50, 100 (SQLite engine, in process)
 * - idle: `run` on the example calendar, resident memory after its first cycle
 * - research: per company against local company sites through a local proxy, and each dossier's PDF
 * - Google Calendar: requests and wall time per poll of a 10,000-event calendar (0, 10, 1,000
 *   changes) with sync tokens, against listing the whole window; a local fake of Google's API
 * - HubSpot: requests per delivered dossier and dossiers per minute under the 100 / 10 s limit,
 *   500 events; a local fake of HubSpot's API
 * - generated calendars (bench/generate.ts) of BENCH_SIZES events: the parser and trigger detection
 *   + extraction per event in process, then `once` as a process (wall, per event, peak RSS, statuses)
 *
 * Environment: BENCH_SIZES (default 1000,10000; 100000 is opt-in), BENCH_TIMEOUT_SECONDS per `once`
 * (default 600), BENCH_SEED (default 7), BENCH_CONCURRENCY (default 1,10,50,100).
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Either, Layer, Logger, LogLevel, Option } from "effect"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
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
import { concurrencyCycle, type ConcurrencyResult } from "./concurrency.js"
import { durableFloor, durableOverhead, FLOOR_VARIANTS } from "./durable.js"
import { generateCalendar } from "./generate.js"
import { googleBench, googleBenchLines } from "./google.js"
import { hubSpotBench, hubSpotBenchLines } from "./hubspot.js"
import { researchBench, researchBenchLines } from "./research.js"
import { hasGnuTime, idleFootprint, type OnceRun, onceRun } from "./process.js"
import { detectionFigures, type DetectionFigures, parseFigure, type ParseFigure } from "./stages.js"

const intList = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(",").map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0)

const positiveNumber = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

const SIZES = intList("BENCH_SIZES", "1000,10000")
const TIMEOUT_MS = positiveNumber("BENCH_TIMEOUT_SECONDS", 600) * 1000
const SEED = Math.floor(positiveNumber("BENCH_SEED", 7))
const CONCURRENCY = intList("BENCH_CONCURRENCY", "1,10,50,100")
const DAY = 86_400_000

const stats = (samples: ReadonlyArray<number>) => {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return { n: sorted.length, median: at(0.5), p99: at(0.99), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN }
}

const startupOnce = () =>
  new Promise<{ firstPoll: number; firstRun: number }>((resolve, reject) => {
    const t0 = performance.now()
    const dir = mkdtempSync(path.join(tmpdir(), "li-bench-"))
    const child = spawn(process.execPath, [path.join(packageRoot, "dist", "app", "main.js"), "run"], {
      env: { ...process.env, LOG_STORAGE_DIR: dir },
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
        child.on("exit", () => {
          rmSync(dir, { recursive: true, force: true })
          resolve({ firstPoll, firstRun })
        })
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

const cycle = (n: number, engine: "memory" | "sqlite", dir = mkdtempSync(path.join(tmpdir(), "li-bench-"))) =>
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
        logStorageDir: dir,
        triggerWords: Option.some(["discovery call"])
      })),
      Layer.provideMerge(NodeContext.layer)
    )),
    // Each cycle's run manifest would go to stdout, between the lines of the table.
    Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
    Effect.scoped,
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
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

const statusList = (statuses: Record<string, number>) =>
  Object.entries(statuses).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s}=${n}`).join(" ")

const mb = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(0))

const time = (f: () => void, runs: number) =>
  Array.from({ length: runs }, () => {
    const t0 = performance.now()
    f()
    return performance.now() - t0
  })

const main = Effect.gen(function*() {
  // Generated calendars, one size at a time (a 100k feed is ~80 MB): stages in process, then `once`.
  // Meetings start from the next midnight UTC on, so each lies ahead of the run that reads it.
  const firstDay = new Date(Math.ceil((Date.now() + 1) / DAY) * DAY)
  const detectionSize = [...SIZES].filter((n) => n <= 10_000).pop() ?? Math.min(...SIZES)
  const parsed: Array<ParseFigure> = []
  let detection: DetectionFigures | undefined
  const once: Array<OnceRun> = []
  for (const size of SIZES) {
    const calendar = generateCalendar({ events: size, seed: SEED, firstDay })
    const window = { from: new Date(firstDay.getTime() - DAY), to: new Date(firstDay.getTime() + calendar.days * DAY) }
    const bytes = new TextEncoder().encode(calendar.ics)
    const { events, figure } = parseFigure(bytes, window, size <= 1000 ? 3 : size <= 10_000 ? 2 : 1)
    parsed.push(figure)
    // Five rounds, the median: a full collection of the parse's garbage can land in one of them.
    if (size === detectionSize) detection = yield* detectionFigures(events, calendar.ownDomain, 5)
    console.error(`bench: once on ${size} generated events …`)
    once.push(yield* onceRun(calendar, TIMEOUT_MS))
  }

  // The rest after the generated calendars, so their stage figures are taken in a process that
  // holds nothing else yet (no fake servers, no other bench's data).
  const startup: Array<{ firstPoll: number; firstRun: number }> = []
  for (let i = 0; i < 5; i++) startup.push(yield* Effect.promise(startupOnce))

  const cycles = []
  for (const engine of ["memory", "sqlite"] as const) {
    for (const n of [100, 500]) cycles.push({ engine, n, ...(yield* cycle(n, engine)) })
  }
  const durable = yield* durableOverhead(200)
  const floors = []
  for (const variant of FLOOR_VARIANTS) floors.push({ variant: variant.name, ...stats(yield* durableFloor(200, variant)) })

  const concurrency: Array<ConcurrencyResult> = []
  for (const c of CONCURRENCY) concurrency.push(yield* concurrencyCycle({ events: 100, concurrency: c, delayMs: 200 }))

  const idle = yield* idleFootprint().pipe(Effect.either)
  const research = yield* researchBench({ runs: 2 })
  const google = yield* googleBench()
  const hubspot = yield* hubSpotBench()

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
    durableFloorMs: { activities: 4, variants: floors },
    parseMs: parse,
    concurrency: { engine: "sqlite", events: 100, delayMs: 200, runs: concurrency },
    idle: Either.isRight(idle) ? idle.right : { error: idle.left.message },
    research,
    google,
    hubspot,
    generated: {
      seed: SEED,
      sizes: SIZES,
      timeoutSeconds: TIMEOUT_MS / 1000,
      parse: parsed,
      detection,
      once
    }
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
  console.log("the durable floor: a workflow of 4 no-op activities (ms)   median      p99      min      max")
  for (const fl of floors) console.log(`  ${fl.variant.padEnd(56)}${g(fl.median)} ${g(fl.p99)} ${g(fl.min)} ${g(fl.max)}`)
  console.log("")
  console.log("cycle through the tree, instant doubles   engine   events   total ms   events/s")
  for (const c of cycles) {
    console.log(`                                          ${c.engine.padEnd(7)} ${String(c.events).padStart(6)} ${f(c.ms)}   ${f(c.eventsPerSecond)}`)
  }

  console.log("")
  console.log("concurrency: 100 triggered events; CRM look-up, research, delivery 200 ms each; SQLite engine")
  console.log("  MAX_CONCURRENT_EVENTS    wall s   ceil(N/C)×0.6 s   wall/ideal   statuses")
  for (const c of concurrency) {
    console.log(
      `  ${String(c.concurrency).padStart(21)} ${(c.wallMs / 1000).toFixed(1).padStart(9)} ${(c.idealMs / 1000).toFixed(1).padStart(17)} ${
        (c.wallMs / c.idealMs).toFixed(2).padStart(12)
      }   ${statusList(c.statuses)}`
    )
  }

  console.log("")
  console.log(
    Either.isRight(idle)
      ? `idle: \`run\` on examples/calendar.ics after its first cycle: VmRSS ${mb(idle.right.rssMb)} MB at 2 s, ${
        mb(idle.right.settledRssMb)
      } MB at 10 s (peak so far ${mb(idle.right.peakRssMb)} MB)`
      : `idle: not measured: ${idle.left.message}`
  )

  console.log("")
  for (const line of researchBenchLines(research)) console.log(line)
  console.log("")
  for (const line of googleBenchLines(google)) console.log(line)
  console.log("")
  for (const line of hubSpotBenchLines(hubspot)) console.log(line)

  console.log("")
  console.log(`generated calendars (bench/generate.ts, seed ${SEED}): stages in process`)
  for (const p of parsed) {
    console.log(`  parse (parseCalendar), ${String(p.events).padStart(6)} events, ${(p.bytes / 1024 ** 2).toFixed(1).padStart(5)} MB   ${p.usPerEvent.toFixed(0).padStart(7)} µs/event`)
  }
  if (detection !== undefined) {
    const d = detection
    console.log(`  trigger detection, every event (${d.events})                ${d.detectUsPerEvent.toFixed(1).padStart(7)} µs/event`)
    console.log(`  extraction, triggered events only (${d.triggered})             ${d.extractUsPerTriggered.toFixed(1).padStart(7)} µs/event`)
    console.log(`  detection + extraction as a cycle runs them            ${d.combinedUsPerEvent.toFixed(1).padStart(7)} µs/event`)
  }
  console.log("")
  const base = once.find((o) => o.size === 10_000 && o.outcome === "finished")
  console.log(
    `\`once\` as a process, SQLite, MAX_CONCURRENT_EVENTS=${process.env["MAX_CONCURRENT_EVENTS"] ?? "4"}, timeout ${TIMEOUT_MS / 1000} s, peak RSS from ${
      hasGnuTime() ? "GNU time" : "VmHWM samples"
    }`
  )
  console.log("   events  VEVENTs  feed MB   wall s  ms/event  vs 10k  peak RSS MB   start/feed/events/exit s      statuses")
  for (const o of once) {
    const ph = o.phasesMs
    const phases = [ph.start, ph.feed, ph.events, ph.exit].map((x) => x === undefined ? "–" : (x / 1000).toFixed(1)).join("/")
    console.log(
      `  ${String(o.size).padStart(7)} ${String(o.vevents).padStart(8)} ${(o.feedBytes / 1024 ** 2).toFixed(1).padStart(8)} ${
        (o.wallMs / 1000).toFixed(1).padStart(8)
      } ${o.outcome === "finished" ? o.msPerEvent.toFixed(2).padStart(9) : "        –"} ${
        base !== undefined && o.outcome === "finished" ? (o.msPerEvent / base.msPerEvent).toFixed(2).padStart(7) : "      –"
      } ${mb(o.peakRssMb).padStart(12)}   ${phases.padEnd(26)}   ${
        o.outcome === "timed_out"
          ? `timed out at ${((o.progress ?? 0) * 100).toFixed(0)} % `
          : o.outcome === "failed"
          ? `failed (exit ${o.exitCode}): ${o.error ?? ""} `
          : ""
      }${statusList(o.statuses)}`
    )
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
