/** The PDF thread's entry (see PdfThread.ts): it renders each dossier it is sent. */
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import { Effect, Layer } from "effect"
import { renderDossierPdf, warmUp } from "./DossierPdf.js"
import { RenderPdf } from "./DossierRenderer.js"

const Runner = WorkerRunner.layerSerialized(RenderPdf, {
  RenderPdf: ({ dossier }) => renderDossierPdf(dossier)
})

Effect.runFork(WorkerRunner.launch(Runner.pipe(Layer.provide(NodeWorkerRunner.layer))))
// Started ahead of its first dossier (PdfThread.ts `warm`): the fonts and the drawing code get ready meanwhile.
Effect.runFork(warmUp)
