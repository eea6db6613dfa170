/**
 * The run history on disk: `run_history/workflows/<run_id>/summary.json` (written once, atomically,
 * when the cycle ends — also when it ends by shutdown) and `steps.jsonl` (one line per step).
 */
import { FileSystem } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import * as path from "node:path"
import { AppConfig } from "../Config.js"
import { RunSummary, StepRecord } from "../Domain/RunSummary.js"
import { writeChunksAtomic } from "./AtomicFile.js"
import { prettyJsonChunks } from "./PrettyJson.js"

/** Where one run writes its steps; handed to the event workflow. */
export interface StepLog {
  readonly step: (
    eventId: string | undefined,
    step: string,
    detail?: Record<string, unknown>
  ) => Effect.Effect<void>
}

/** Step lines a cycle keeps in memory before it appends them. */
const STEP_BATCH = 256

const decodeSummary = Schema.decodeUnknown(Schema.parseJson(RunSummary))

export class RunHistory extends Effect.Service<RunHistory>()("Storage/RunHistory", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppConfig
    const root = path.join(config.logStorageDir, "run_history", "workflows")
    const dirOf = (runId: string) => path.join(root, runId)

    // Run folders made by this process: a step line is one append, not a mkdir and an append.
    const made = new Set<string>()
    const ensureDir = (runId: string) =>
      made.has(runId)
        ? Effect.void
        : Effect.tap(fs.makeDirectory(dirOf(runId), { recursive: true }), () => made.add(runId))

    // A StepRecord's line, written directly: through its schema it cost a cycle ~30 µs a step, two steps an event.
    const lineOf = (runId: string, eventId: string | undefined, step: string, detail?: Record<string, unknown>) =>
      JSON.stringify({ ts: new Date().toISOString(), run_id: runId, event_id: eventId, step, detail } satisfies typeof StepRecord.Encoded) +
      "\n"

    // One write per call in append mode: concurrent writers never interleave inside a line.
    const append = (runId: string, text: string) =>
      ensureDir(runId).pipe(
        Effect.zipRight(fs.writeFileString(path.join(dirOf(runId), "steps.jsonl"), text, { flag: "a" })),
        // A step line that cannot be written must not fail the event; the summary still says what happened.
        Effect.catchAll((error) => Effect.logWarning("cannot write step", error))
      )

    /** Each line written at once: for the few steps that happen between cycles (replies, timers). */
    const stepLog = (runId: string): StepLog => ({
      step: (eventId, step, detail) => append(runId, lineOf(runId, eventId, step, detail))
    })

    /**
     * A cycle's step log: lines are appended STEP_BATCH at a time, in order, instead of one file
     * write each; `flush` writes the rest (the cycle calls it before its summary, also at shutdown).
     */
    const cycleStepLog = Effect.fn("RunHistory.cycleStepLog")(function*(runId: string) {
      const writing = yield* Effect.makeSemaphore(1)
      let lines: Array<string> = []
      const flush = writing.withPermits(1)(Effect.suspend(() => {
        const text = lines.join("")
        lines = []
        return text.length === 0 ? Effect.void : append(runId, text)
      }))
      const log: StepLog = {
        step: (eventId, step, detail) =>
          Effect.suspend(() => {
            lines.push(lineOf(runId, eventId, step, detail))
            return lines.length >= STEP_BATCH ? flush : Effect.void
          })
      }
      return { log, flush } as const
    })

    const writeSummary = Effect.fn("RunHistory.writeSummary")(function*(summary: RunSummary) {
      // Written an event at a time: a long cycle's summary is never one string in memory.
      yield* writeChunksAtomic(path.join(dirOf(summary.run_id), "summary.json"), () => prettyJsonChunks(summary, "events"))
      return path.join(dirOf(summary.run_id), "summary.json")
    })

    const show = Effect.fn("RunHistory.show")(function*(runId: string) {
      const file = path.join(dirOf(path.basename(runId)), "summary.json")
      if (!(yield* fs.exists(file))) return Option.none<RunSummary>()
      return Option.some(yield* decodeSummary(yield* fs.readFileString(file)))
    })

    /** Newest first. A run directory whose summary is missing or unreadable is skipped. */
    const list = Effect.fn("RunHistory.list")(function*() {
      if (!(yield* fs.exists(root))) return []
      const ids = yield* fs.readDirectory(root)
      const summaries = yield* Effect.forEach(ids, (id) =>
        show(id).pipe(Effect.catchAll(() => Effect.succeed(Option.none<RunSummary>()))), { concurrency: 8 })
      return summaries.flatMap(Option.toArray).sort((a, b) => b.started_at.localeCompare(a.started_at))
    })

    return { stepLog, cycleStepLog, writeSummary, show, list } as const
  })
}) {}
