/**
 * Dossier PDFs drawn on a worker thread: drawing a brief is 10–30 ms of CPU (most of a delivered
 * event's own work), which a second core can do while this one runs the cycle. One thread at most,
 * started ahead of the first PDF (`warm`, when a meeting's company is known and when research
 * begins: loading pdfkit and the fonts takes about 0.4 s, which would otherwise hold up the first
 * PDFs) and stopped after a second without one, so a program that delivers nothing, or waits
 * between cycles, does not hold pdfkit and its fonts in memory.
 */
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Worker from "@effect/platform/Worker"
import { type Duration, Effect, ExecutionStrategy, Exit, FiberSet, Layer, Logger, LogLevel, RcRef, Scope } from "effect"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as WorkerThreads from "node:worker_threads"
import { DossierRenderer, PdfError, RenderPdf } from "./DossierRenderer.js"

/** The worker's entry in the built program (`dist/app/pdf-worker.js`, beside this bundle); none from source. */
export const builtWorker = (): URL | undefined => {
  const url = new URL("./pdf-worker.js", import.meta.url)
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : undefined
}

const YOUNG_GENERATION_MB = 3
const OLD_GENERATION_MB = 128

/**
 * How long a warm-up keeps a started thread when no PDF comes (a person is asked first, research
 * failed): short, so a program that is done does not keep the thread for nothing.
 */
const WARM_HOLD = "1500 millis"

export interface PdfThreadOptions {
  readonly worker: URL
  /** Node options for the thread (tests run the TypeScript entry through a loader). */
  readonly execArgv?: ReadonlyArray<string>
  /** How long the thread stays after its last PDF. */
  readonly idle?: Duration.DurationInput
  readonly startTimeout?: Duration.DurationInput
}

export const DossierPdfThread = (options: PdfThreadOptions): Layer.Layer<DossierRenderer> =>
  Layer.scoped(
    DossierRenderer,
    Effect.gen(function*() {
      // Started by the first PDF, stopped once none has been asked for `idle`.
      // A thread that does not come up is given up on: the library would keep starting it again.
      // Its warnings (each start's stack) are left out; the PDF's failure says what happened.
      const start = Worker.makeSerialized<RenderPdf>({}).pipe(
        Effect.timeoutFail({
          duration: options.startTimeout ?? "15 seconds",
          onTimeout: () => new PdfError({ reason: "the PDF thread did not start" })
        }),
        Logger.withMinimumLogLevel(LogLevel.Error)
      )
      // Started in a scope of its own that a failed or interrupted start closes at once: RcRef does
      // not close the scope of an acquisition that was interrupted (a program that ends while the
      // thread starts), and the thread left running would keep the process from exiting.
      const owned = Effect.flatMap(Effect.scope, (outer) =>
        Effect.flatMap(Scope.fork(outer, ExecutionStrategy.sequential), (inner) =>
          start.pipe(
            Scope.extend(inner),
            Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : Scope.close(inner, exit)))
          )))
      const thread = yield* RcRef.make({
        acquire: owned,
        idleTimeToLive: options.idle ?? "1 second"
      })
      // A warm-up holds the thread until the first PDF takes it over, or WARM_HOLD passes.
      const warming = yield* FiberSet.make()
      const take = RcRef.get(thread)
      const warm = FiberSet.run(warming, Effect.scoped(Effect.zipRight(take, Effect.sleep(WARM_HOLD)))).pipe(
        Effect.catchAllCause(() => Effect.void),
        Effect.asVoid
      )
      const render = Effect.fn("DossierRenderer.render")(function*(dossier: RenderPdf["dossier"]) {
        const worker = yield* take
        yield* FiberSet.clear(warming)
        return yield* worker.executeEffect(new RenderPdf({ dossier }))
      }, Effect.scoped, Effect.catchTags({
        // A thread that cannot start, or dies, is one failed PDF, not a failed program.
        WorkerError: (error) => Effect.fail(new PdfError({ reason: `the PDF thread failed: ${error.message}` })),
        ParseError: (error) => Effect.fail(new PdfError({ reason: `the PDF thread's answer: ${error.message}` }))
      }))
      return DossierRenderer.of({ render, warm })
    })
  ).pipe(
    Layer.provide(NodeWorker.layer(() =>
      new WorkerThreads.Worker(options.worker, {
        execArgv: [...(options.execArgv ?? [])],
        // A small young generation, as the program's own (--max-semi-space-size=1): a brief's
        // garbage is short-lived, and a large nursery is resident memory for nothing. Without a
        // bound on the old generation V8 sizes it from the machine's memory and let 400 briefs'
        // garbage grow the thread by 100 MB; bounded, it collects as it goes (what it keeps is
        // under 40 MB, so the bound is far from a limit a brief could reach).
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB }
      })
    ))
  )
