/**
 * The port the workflow renders `dossier.pdf` through, and the renderer the app uses: the pdfkit
 * brief of `DossierPdf.ts`. In the built program it runs on a thread of its own
 * (`PdfThread.ts`), so a cycle's other work goes on while PDFs are drawn; run from source (tests,
 * `tsx`) it runs in this thread, its module loaded when the first PDF is rendered (pdfkit and its
 * fonts are a good part of the program's memory; a cycle that delivers nothing does not need
 * them). Tests put in one that fails, to see the JSON dossier delivered without a PDF.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { Dossier } from "../Domain/Dossier.js"

export class PdfError extends Schema.TaggedError<PdfError>()("PdfError", {
  reason: Schema.String
}) {
  override get message() {
    return `dossier PDF: ${this.reason}`
  }
}

export class DossierRenderer extends Context.Tag("Reporting/DossierRenderer")<DossierRenderer, {
  readonly render: (dossier: Dossier) => Effect.Effect<Uint8Array, PdfError>
  /**
   * A render is coming (research has begun): start what takes long to start, in the background,
   * so the PDF does not wait for it. Returns at once and never fails.
   */
  readonly warm: Effect.Effect<void>
}>() {}

/** One dossier's PDF, asked of the renderer thread. */
export class RenderPdf extends Schema.TaggedRequest<RenderPdf>()("RenderPdf", {
  failure: PdfError,
  success: Schema.Uint8ArrayFromSelf,
  payload: { dossier: Dossier }
}) {}

/** The pdfkit brief in this thread, its module loaded on first use. */
export const DossierPdfInThread: Layer.Layer<DossierRenderer> = Layer.effect(
  DossierRenderer,
  Effect.map(
    Effect.cached(
      Effect.tryPromise({
        try: () => import("./DossierPdf.js"),
        catch: (cause) => new PdfError({ reason: `the PDF renderer cannot be loaded: ${String(cause)}` })
      })
    ),
    (load) =>
      DossierRenderer.of({
        render: (dossier) => Effect.flatMap(load, (pdf) => pdf.renderDossierPdf(dossier)),
        warm: Effect.asVoid(Effect.forkDaemon(Effect.ignore(load)))
      })
  )
)

/** The renderer thread when the program is built (its entry beside the bundle), else this thread. */
export const DossierPdfLive: Layer.Layer<DossierRenderer> = Layer.unwrapEffect(
  Effect.promise(() => import("./PdfThread.js")).pipe(
    Effect.map(({ builtWorker, DossierPdfThread }) => {
      const worker = builtWorker()
      return worker === undefined ? DossierPdfInThread : DossierPdfThread({ worker })
    })
  )
)
