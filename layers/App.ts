/**
 * The application wired from its parts. Only the adapters behind the ports and the workflow
 * engine differ between the embedded default, the live configuration and tests.
 */
import { Layer } from "effect"
import { Extraction } from "../src/Agents/Extraction.js"
import { Research } from "../src/Agents/Research.js"
import { TriggerDetection } from "../src/Agents/TriggerDetection.js"
import { EventProcessor } from "../src/EventProcessor.js"
import { EventWorkflowLive } from "../src/EventWorkflow.js"
import { HitlStore } from "../src/Hitl/HitlStore.js"
import { Replies } from "../src/Hitl/Replies.js"
import { Orchestrator } from "../src/Orchestrator.js"
import { DossierStore } from "../src/Storage/DossierStore.js"
import { MigrationsLive } from "../src/Storage/Migrations.js"
import { RunHistory } from "../src/Storage/RunHistory.js"
import { StepRetries } from "../src/Storage/StepRetries.js"

/**
 * `research` replaces the research agent (its port will grow more sources; tests and embedding
 * apps put their own in).
 */
export const makeApp = <ROut, E, RIn, ROut2, E2, RIn2, E3 = never, RIn3 = never>(
  adapters: Layer.Layer<ROut, E, RIn>,
  engine: Layer.Layer<ROut2, E2, RIn2>,
  research: Layer.Layer<Research, E3, RIn3> = Research.Default as Layer.Layer<Research, E3, RIn3>
) =>
  Orchestrator.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(EventProcessor.Default, Replies.Default)),
    Layer.provideMerge(EventWorkflowLive),
    Layer.provideMerge(Layer.mergeAll(
      TriggerDetection.Default,
      Extraction.Default,
      HitlStore.Default,
      DossierStore.Default,
      StepRetries.Default,
      research
    )),
    Layer.provideMerge(RunHistory.Default),
    Layer.provideMerge(adapters),
    Layer.provideMerge(MigrationsLive),
    Layer.provideMerge(engine)
  )
