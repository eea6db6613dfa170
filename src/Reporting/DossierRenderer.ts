/**
 * The port the workflow renders `dossier.pdf` through. The pdfkit brief (`DossierPdf.ts`,
 * `DossierPdfLive`) is the one the app uses; tests put in one that fails, to see the JSON dossier
 * delivered without it.
 */
import { Context, type Effect } from "effect"
import type { Dossier } from "../Domain/Dossier.js"
import type { PdfError } from "./DossierPdf.js"

export class DossierRenderer extends Context.Tag("Reporting/DossierRenderer")<DossierRenderer, {
  readonly render: (dossier: Dossier) => Effect.Effect<Uint8Array, PdfError>
}>() {}
