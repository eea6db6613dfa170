/**
 * The application wired from its parts. Only the adapters behind the ports and the workflow
 * engine differ between the embedded default, the live configuration and tests.
 */
import { Layer } from "effect"
import { Extraction } from "../src/Agents/Extraction.js"
import { Llm } from "../src/Agents/Llm.js"
import { Research } from "../src/Agents/Research.js"
import { WebsiteResearchOff } from "../src/Agents/Research/WebsiteOff.js"
import { TriggerDetection } from "../src/Agents/TriggerDetection.js"
import { EventProcessor } from "../src/EventProcessor.js"
import { EventWorkflowLive } from "../src/EventWorkflow.js"
import { HitlStore } from "../src/Hitl/HitlStore.js"
import { Replies } from "../src/Hitl/Replies.js"
import { Orchestrator } from "../src/Orchestrator.js"
import { DossierPdfLive } from "../src/Reporting/DossierRenderer.js"
import { DossierStore } from "../src/Storage/DossierStore.js"
import { MigrationsLive } from "../src/Storage/Migrations.js"
import { RunHistory } from "../src/Storage/RunHistory.js"
import { StepRetries } from "../src/Storage/StepRetries.js"

/**
 * What research uses when the adapters bring nothing else: no LLM (rules only), no website
 * research (its section says so), and the pdfkit brief. Adapters that provide an Llm,
 * WebsiteResearch or DossierRenderer of their own are used instead.
 */
export const ResearchDefaults = Layer.mergeAll(
  Llm.Disabled,
  WebsiteResearchOff("no website research in this configuration"),
  DossierPdfLive
)

/**
 * `research` replaces the research agent (tests and embedding apps put their own in); the
 * default researches with the adapters' WebsiteResearch, Crm and Llm.
 */
export const makeApp = <ROut, E, RIn, ROut2, E2, RIn2, E3 = never, RIn3 = never>(
  adapters: Layer.Layer<ROut, E, RIn>,
  engine: Layer.Layer<ROut2, E2, RIn2>,
  research?: Layer.Layer<Research, E3, RIn3>
) => {
  const researchLayer: Layer.Layer<Research, E3, RIn3 | Layer.Layer.Context<typeof Research.Default>> = research ??
    Research.Default
  return Orchestrator.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(EventProcessor.Default, Replies.Default)),
    Layer.provideMerge(EventWorkflowLive),
    Layer.provideMerge(Layer.mergeAll(
      TriggerDetection.Default,
      Extraction.Default,
      HitlStore.Default,
      DossierStore.Default,
      StepRetries.Default,
      researchLayer
    )),
    Layer.provideMerge(RunHistory.Default),
    Layer.provideMerge(adapters),
    Layer.provideMerge(ResearchDefaults),
    Layer.provideMerge(MigrationsLive),
    Layer.provideMerge(engine)
  )
}
