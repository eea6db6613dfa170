/**
 * The application wired from its parts. Only the adapters behind the ports differ between the
 * embedded default, the live configuration and tests.
 */
import { Layer } from "effect"
import { Extraction } from "../src/Agents/Extraction.js"
import { TriggerDetection } from "../src/Agents/TriggerDetection.js"
import { EventWorkflow } from "../src/EventWorkflow.js"
import { Orchestrator } from "../src/Orchestrator.js"
import { RunHistory } from "../src/Storage/RunHistory.js"

export const makeApp = <ROut, E, RIn>(adapters: Layer.Layer<ROut, E, RIn>) =>
  Orchestrator.Default.pipe(
    Layer.provideMerge(EventWorkflow.Default),
    Layer.provideMerge(Layer.mergeAll(TriggerDetection.Default, Extraction.Default, RunHistory.Default)),
    Layer.provideMerge(adapters)
  )
