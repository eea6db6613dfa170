/**
 * The real program as a process: `once` on a generated calendar (wall time, peak RSS, events by
 * status, where the time went) and the idle footprint of `run` after its first cycle.
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`, the kernel's own maximum for the child)
 * when it is installed (Debian/Ubuntu: `apt-get install time`); otherwise VmHWM of the process is
 * sampled every 50 ms, which can miss growth in the last few milliseconds.
 */
import { Effect, Either, Schema } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { packageRoot } from "../src/Paths.js"
import type { GeneratedCalendar } from "./generate.js"

const mainJs = path.join(packageRoot, "dist", "app", "main.js")
/** How `npm start`, `npm run once` and bin/lead-insights.js start node: measured as users run it. */
export const NODE_FLAGS = ["--max-semi-space-size=1"] as const
/** …and glibc's allocator settings they start it with (README, Performance). */
export const MALLOC_ENV = { MALLOC_ARENA_MAX: "2", MALLOC_TRIM_THRESHOLD_: "131072" } as const
const GNU_TIME = "/usr/bin/time"

let gnuTime: boolean | undefined
/** Busybox and shell-builtin `time` know neither -f nor -o. */
export const hasGnuTime = () =>
  (gnuTime ??= existsSync(GNU_TIME) && spawnSync(GNU_TIME, ["-f", "%M", "-o", "/dev/null", "true"]).status === 0)

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or undefined once the process is gone. */
export const procStatusKb = (pid: number, field: "VmRSS" | "VmHWM"): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match?.[1] === undefined ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}

interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly wallMs: number
  readonly startedAtEpoch: number
  readonly timedOut: boolean
  /** When it timed out: the share of events that had their status. */
  readonly progress: number | undefined
  /** The largest VmHWM seen while sampling (0 when not sampled). */
  readonly sampledHwmKb: number
}

/**
 * Runs a command to its end, output to files. Past `timeoutMs` its process group gets SIGTERM (the
 * program writes its summary and exits), and SIGKILL 20 s later; interrupting the effect kills it.
 */
const runToExit = (command: string, args: ReadonlyArray<string>, options: {
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  readonly stdoutFile: string
  readonly stderrFile: string
  readonly timeoutMs: number
  readonly sample: boolean
  readonly progress: () => number | undefined
}) =>
  Effect.async<Exited>((resume) => {
    const out = openSync(options.stdoutFile, "w")
    const err = openSync(options.stderrFile, "w")
    const startedAtEpoch = Date.now()
    const t0 = performance.now()
    // Its own process group, so a timeout reaches node also when it runs under /usr/bin/time.
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", out, err], detached: true })
    closeSync(out)
    closeSync(err)
    const pid = child.pid ?? -1
    let hwm = 0
    let timedOut = false
    let progress: number | undefined
    let killer: NodeJS.Timeout | undefined
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal)
      } catch {
        // Already gone.
      }
    }
    const sampler = options.sample
      ? setInterval(() => (hwm = Math.max(hwm, procStatusKb(pid, "VmHWM") ?? 0)), 50)
      : undefined
    const timer = setTimeout(() => {
      timedOut = true
      progress = options.progress()
      signalGroup("SIGTERM")
      killer = setTimeout(() => signalGroup("SIGKILL"), 20_000)
    }, options.timeoutMs)
    const clear = () => {
      clearTimeout(timer)
      if (killer !== undefined) clearTimeout(killer)
      if (sampler !== undefined) clearInterval(sampler)
    }
    child.on("error", (e) => {
      clear()
      resume(Effect.die(e))
    })
    child.on("exit", (code, signal) => {
      clear()
      resume(Effect.succeed({ code, signal, wallMs: performance.now() - t0, startedAtEpoch, timedOut, progress, sampledHwmKb: hwm }))
    })
    return Effect.sync(() => {
      clear()
      signalGroup("SIGKILL")
    })
  })

const SummaryFile = Schema.parseJson(Schema.Struct({
  started_at: Schema.String,
  finished_at: Schema.String,
  status: Schema.String,
  error: Schema.optional(Schema.Struct({ message: Schema.String })),
  events: Schema.Array(Schema.Struct({ status: Schema.String }))
}))
const StepLine = Schema.parseJson(Schema.Struct({ ts: Schema.String, step: Schema.String }))

const runDir = (store: string): string | undefined => {
  const root = path.join(store, "run_history", "workflows")
  const first = existsSync(root) ? readdirSync(root)[0] : undefined
  return first === undefined ? undefined : path.join(root, first)
}

/** Events that have their status: one `status` step line each. */
const statusLines = (store: string): number => {
  const dir = runDir(store)
  const file = dir === undefined ? undefined : path.join(dir, "steps.jsonl")
  if (file === undefined || !existsSync(file)) return 0
  const text = readFileSync(file, "utf8")
  let n = 0
  for (let at = text.indexOf("\"step\":\"status\""); at >= 0; at = text.indexOf("\"step\":\"status\"", at + 1)) n++
  return n
}

/** When the feed was asked for and when its events were listed: the first lines of steps.jsonl. */
const feedTimes = (file: string): { poll?: number; listed?: number } => {
  const times: { poll?: number; listed?: number } = {}
  if (!existsSync(file)) return times
  // Both are among the first lines; the file of a big run is tens of megabytes.
  const fd = openSync(file, "r")
  const head = Buffer.alloc(64 * 1024)
  const read = readSync(fd, head)
  closeSync(fd)
  for (const line of head.subarray(0, read).toString("utf8").split("\n")) {
    const decoded = Schema.decodeUnknownEither(StepLine)(line)
    if (Either.isLeft(decoded)) continue
    if (decoded.right.step === "poll") times.poll = Date.parse(decoded.right.ts)
    if (decoded.right.step === "events_listed") times.listed = Date.parse(decoded.right.ts)
  }
  return times
}

export interface OnceRun {
  readonly size: number
  readonly vevents: number
  readonly series: number
  /** Occurrences with a trigger word in the generated feed. */
  readonly triggeredInFeed: number
  readonly feedBytes: number
  readonly maxConcurrentEvents: string
  readonly outcome: "finished" | "timed_out" | "failed"
  readonly exitCode: number | null
  readonly wallMs: number
  readonly msPerEvent: number
  readonly peakRssMb: number | undefined
  readonly rssFrom: "GNU time" | "VmHWM samples"
  /** spawn → the poll step (start-up, inbox); poll → events listed (read + parse); listed → summary; summary → exit (settle, shutdown). */
  readonly phasesMs: { readonly start?: number; readonly feed?: number; readonly events?: number; readonly exit?: number }
  readonly runStatus?: string
  readonly events?: number
  readonly statuses: Record<string, number>
  /** When it timed out: the share of events that had their status by then. */
  readonly progress?: number
  readonly error?: string
}

/**
 * `once` on `calendar`, everything in a fresh temp dir: the feed, the companies CSV, the store.
 * The environment passes through (LOG_LEVEL, MAX_CONCURRENT_EVENTS …) but for what the calendar
 * needs: its file, its window, its own domain, room for its size and its series.
 */
export const onceRun = (calendar: GeneratedCalendar, timeoutMs: number) =>
  Effect.gen(function*() {
    const dir = mkdtempSync(path.join(tmpdir(), "li-bench-once-"))
    const store = path.join(dir, "store")
    const feed = path.join(dir, "calendar.ics")
    const csv = path.join(dir, "companies.csv")
    writeFileSync(feed, calendar.ics)
    writeFileSync(csv, calendar.companiesCsv)
    const feedBytes = Buffer.byteLength(calendar.ics)
    const { TRIGGER_WORDS: _words, ...inherited } = process.env
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...MALLOC_ENV,
      ICAL_URL: feed,
      ICAL_MAX_BYTES: `${Math.max(20, Math.ceil((feedBytes * 2) / 1024 ** 2))}MB`,
      ICAL_TIMEOUT_SECONDS: "600",
      MAX_OCCURRENCES_PER_SERIES: "1000",
      CAL_LOOKBACK_DAYS: "1",
      CAL_LOOKAHEAD_DAYS: String(calendar.days),
      OWN_DOMAINS: calendar.ownDomain,
      LOCAL_CRM_FILE: csv,
      LOG_STORAGE_DIR: store,
      // The generated companies' sites do not exist: the comparison is with instant research stubs.
      // Research against real sites is measured on its own (bench/research.ts).
      RESEARCH_WEBSITE: "false"
    }
    const gnu = hasGnuTime()
    const timeFile = path.join(dir, "time.txt")
    const [command, args] = gnu
      ? [GNU_TIME, ["-f", "%M", "-o", timeFile, process.execPath, ...NODE_FLAGS, mainJs, "once"]] as const
      : [process.execPath, [...NODE_FLAGS, mainJs, "once"]] as const
    const exited = yield* runToExit(command, args, {
      cwd: dir,
      env,
      stdoutFile: path.join(dir, "stdout.txt"),
      stderrFile: path.join(dir, "stderr.txt"),
      timeoutMs,
      sample: !gnu,
      progress: () => statusLines(store) / calendar.occurrences
    })

    // GNU time writes "Command exited with non-zero status N" first when it did; the number is last.
    const timeKb = gnu && existsSync(timeFile) ? Number(readFileSync(timeFile, "utf8").trim().split(/\s+/).pop()) : Number.NaN
    const peakKb = gnu ? timeKb : exited.sampledHwmKb
    const run = runDir(store)
    const summaryFile = run === undefined ? undefined : path.join(run, "summary.json")
    const summary = summaryFile !== undefined && existsSync(summaryFile)
      ? Either.getOrUndefined(Schema.decodeUnknownEither(SummaryFile)(readFileSync(summaryFile, "utf8")))
      : undefined
    const statuses: Record<string, number> = {}
    for (const e of summary?.events ?? []) statuses[e.status] = (statuses[e.status] ?? 0) + 1
    const feedAt = run === undefined ? {} : feedTimes(path.join(run, "steps.jsonl"))
    const finishedAt = summary === undefined ? undefined : Date.parse(summary.finished_at)
    const endedAt = exited.startedAtEpoch + exited.wallMs
    const outcome = exited.timedOut ? "timed_out" : exited.code === 0 ? "finished" : "failed"
    const stderrTail = readFileSync(path.join(dir, "stderr.txt"), "utf8").trim().split("\n").slice(-3).join("\n")

    const result: OnceRun = {
      size: calendar.occurrences,
      vevents: calendar.vevents,
      series: calendar.series,
      triggeredInFeed: calendar.triggered,
      feedBytes,
      maxConcurrentEvents: process.env["MAX_CONCURRENT_EVENTS"] ?? "4",
      outcome,
      exitCode: exited.code,
      wallMs: exited.wallMs,
      msPerEvent: exited.wallMs / calendar.occurrences,
      peakRssMb: Number.isFinite(peakKb) && peakKb > 0 ? peakKb / 1024 : undefined,
      rssFrom: gnu ? "GNU time" : "VmHWM samples",
      phasesMs: {
        ...(feedAt.poll !== undefined ? { start: feedAt.poll - exited.startedAtEpoch } : {}),
        ...(feedAt.poll !== undefined && feedAt.listed !== undefined ? { feed: feedAt.listed - feedAt.poll } : {}),
        ...(feedAt.listed !== undefined && finishedAt !== undefined ? { events: finishedAt - feedAt.listed } : {}),
        ...(finishedAt !== undefined ? { exit: endedAt - finishedAt } : {})
      },
      ...(summary !== undefined ? { runStatus: summary.status, events: summary.events.length } : {}),
      statuses,
      ...(exited.progress !== undefined ? { progress: exited.progress } : {}),
      ...(outcome === "failed" ? { error: summary?.error?.message ?? stderrTail } : {})
    }
    // A failed run's folder is kept to look at; the others are big and say nothing more.
    if (outcome === "failed") yield* Effect.logWarning(`once on ${calendar.occurrences} events failed; its files are in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
    return result
  })

export interface IdleFootprint {
  /** 2 s after the first cycle. */
  readonly rssMb: number | undefined
  /** 10 s after: the PDF thread has stopped (a second after its last PDF) and garbage was collected. */
  readonly settledRssMb: number | undefined
  readonly peakRssMb: number | undefined
  readonly firstCycleMs: number
}

const IDLE_EARLY_MS = 2_000
const IDLE_SETTLED_MS = 10_000

/** `run` on the example calendar: its resident memory 2 s and 10 s after the first cycle's run manifest. */
export const idleFootprint = (timeoutMs = 60_000) =>
  Effect.async<IdleFootprint, Error>((resume) => {
    const dir = mkdtempSync(path.join(tmpdir(), "li-bench-idle-"))
    const t0 = performance.now()
    const child = spawn(process.execPath, [...NODE_FLAGS, mainJs, "run"], {
      cwd: dir,
      env: { ...process.env, ...MALLOC_ENV, LOG_STORAGE_DIR: path.join(dir, "store") },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    let firstCycleMs = Number.NaN
    let result: IdleFootprint | undefined
    let settle: NodeJS.Timeout | undefined
    const giveUp = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.stderr.on("data", (d: Buffer) => {
      if (!Number.isNaN(firstCycleMs)) return
      stderr += d.toString()
      if (!/run manifest/.test(stderr)) return
      firstCycleMs = performance.now() - t0
      const mbOf = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024)
      settle = setTimeout(() => {
        const early = mbOf(procStatusKb(child.pid ?? -1, "VmRSS"))
        settle = setTimeout(() => {
          result = {
            rssMb: early,
            settledRssMb: mbOf(procStatusKb(child.pid ?? -1, "VmRSS")),
            peakRssMb: mbOf(procStatusKb(child.pid ?? -1, "VmHWM")),
            firstCycleMs
          }
          child.kill("SIGTERM")
        }, IDLE_SETTLED_MS - IDLE_EARLY_MS)
      }, IDLE_EARLY_MS)
    })
    child.on("exit", () => {
      clearTimeout(giveUp)
      if (settle !== undefined) clearTimeout(settle)
      rmSync(dir, { recursive: true, force: true })
      resume(result === undefined ? Effect.fail(new Error(`run ended before its first cycle: ${stderr.slice(-500)}`)) : Effect.succeed(result))
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })
