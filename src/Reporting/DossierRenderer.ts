/**
 * The port the workflow renders `dossier.pdf` through, and the renderer the app uses: the pdfkit
 * brief of `DossierPdf.ts`, loaded when the first PDF is rendered (pdfkit and its fonts are a
 * good part of the program's memory; a cycle that delivers nothing does not need them). Tests put
 * in one that fails, to see the JSON dossier delivered without a PDF.
 */
import { Context, Effect, Layer, Schema } from "effect"
import type { Dossier } from "../Domain/Dossier.js"

export class PdfError extends Schema.TaggedError<PdfError>()("PdfError", {
  reason: Schema.String
}) {
  override get message() {
    return `dossier PDF: ${this.reason}`
  }
}

export class DossierRenderer extends Context.Tag("Reporting/DossierRenderer")<DossierRenderer, {
  readonly render: (dossier: Dossier) => Effect.Effect<Uint8Array, PdfError>
}>() {}

/** The pdfkit brief, its module loaded on first use. */
export const DossierPdfLive: Layer.Layer<DossierRenderer> = Layer.effect(
  DossierRenderer,
  Effect.map(
    Effect.cached(
      Effect.tryPromise({
        try: () => import("./DossierPdf.js"),
        catch: (cause) => new PdfError({ reason: `the PDF renderer cannot be loaded: ${String(cause)}` })
      })
    ),
    (load) => DossierRenderer.of({ render: (dossier) => Effect.flatMap(load, (pdf) => pdf.renderDossierPdf(dossier)) })
  )
)
