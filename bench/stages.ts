/**
 * Stage figures on a generated calendar, in process: the feed parser per event, and trigger
 * detection and company extraction through the real services (TriggerDetection with the words of
 * examples/trigger_words.txt, Extraction with OWN_DOMAINS) per event of the mixed calendar —
 * detection for every event, extraction for the triggered ones, as a cycle does.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Either, Layer, Option } from "effect"
import { Extraction } from "../src/Agents/Extraction.js"
import { TriggerDetection } from "../src/Agents/TriggerDetection.js"
import { AppConfig } from "../src/Config.js"
import type { CalendarEvent, TimeWindow } from "../src/Domain/CalendarEvent.js"
import { parseCalendar } from "../src/Integrations/ICalParse.js"

export interface ParseFigure {
  readonly events: number
  readonly bytes: number
  readonly runs: number
  /** The fastest run: the parser's own cost, least disturbed by garbage collection of the previous run. */
  readonly ms: number
  readonly usPerEvent: number
}

/** Parses `bytes` `runs` times; the events of the last run are returned for the next stages. */
export const parseFigure = (bytes: Uint8Array, window: TimeWindow, runs: number) => {
  const times: Array<number> = []
  let events: ReadonlyArray<CalendarEvent> = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const batch = parseCalendar(bytes, "bench:generated", window, { maxOccurrencesPerSeries: 1000 })
    times.push(performance.now() - t0)
    if (Either.isLeft(batch)) throw new Error(`the generated calendar does not parse: ${batch.left}`)
    events = batch.right.events
  }
  const ms = Math.min(...times)
  return {
    figure: { events: events.length, bytes: bytes.length, runs, ms, usPerEvent: (ms * 1000) / events.length } satisfies ParseFigure,
    events
  }
}

export interface DetectionFigures {
  readonly events: number
  readonly triggered: number
  /** Trigger detection, every event. */
  readonly detectUsPerEvent: number
  /** Company extraction, per triggered event. */
  readonly extractUsPerTriggered: number
  /** Both as a cycle runs them (detection, then extraction when triggered), per event of the calendar. */
  readonly combinedUsPerEvent: number
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

export const detectionFigures = (events: ReadonlyArray<CalendarEvent>, ownDomain: string, rounds = 3) =>
  Effect.gen(function*() {
    const triggers = yield* TriggerDetection
    const extraction = yield* Extraction
    const triggered: Array<CalendarEvent> = []
    for (const event of events) if (Option.isSome(yield* triggers.detect(event))) triggered.push(event)

    const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        const t0 = performance.now()
        return Effect.map(effect, () => performance.now() - t0)
      })
    const detectAll = Effect.forEach(events, (e) => triggers.detect(e), { discard: true })
    const extractTriggered = Effect.forEach(triggered, (e) => extraction.extract(e), { discard: true })
    const asACycle = Effect.forEach(events, (e) =>
      Effect.flatMap(triggers.detect(e), (t) => Option.isSome(t) ? Effect.asVoid(extraction.extract(e)) : Effect.void), { discard: true })

    const detectMs: Array<number> = []
    const extractMs: Array<number> = []
    const combinedMs: Array<number> = []
    for (let i = 0; i < rounds; i++) {
      detectMs.push(yield* timed(detectAll))
      extractMs.push(yield* timed(extractTriggered))
      combinedMs.push(yield* timed(asACycle))
    }
    return {
      events: events.length,
      triggered: triggered.length,
      detectUsPerEvent: (median(detectMs) * 1000) / events.length,
      extractUsPerTriggered: (median(extractMs) * 1000) / Math.max(1, triggered.length),
      combinedUsPerEvent: (median(combinedMs) * 1000) / events.length
    } satisfies DetectionFigures
  }).pipe(
    Effect.provide(Layer.mergeAll(TriggerDetection.Default, Extraction.Default).pipe(
      Layer.provide(AppConfig.layerWith({ ownDomains: [ownDomain] })),
      Layer.provide(NodeContext.layer)
    ))
  )
