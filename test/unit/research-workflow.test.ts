/**
 * Research in the event workflow, on doubles (layers/Test.ts) under the TestClock: the dossier JSON
 * and its PDF side by side, their paths in the run summary and the CRM note; a PDF that cannot be
 * rendered does not hold the dossier back; with an LLM, soft triggers (evidence in the meeting
 * text) and the company when the rules find none.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, TestClock } from "effect"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { type Llm, LlmCompany, LlmSoftTrigger } from "../../src/Agents/Llm.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import type { CalendarEvent } from "../../src/Domain/CalendarEvent.js"
import type { CrmCompany } from "../../src/Domain/Crm.js"
import type { WebsiteResult } from "../../src/Domain/WebsiteFacts.js"
import type { DossierRenderer } from "../../src/Reporting/DossierRenderer.js"
import { cannedWebsite, FailingPdfRendererLive, ScriptedLlmLive, TestApp, TestCrm } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { tempDir } from "../support/spawn.js"
import { BASE, cycle, OWN_DOMAIN, outcomeOf, testConfig } from "../support/workflow.js"

const ACME = "acme-robotics.com"

const acme = makeEvent({
  eventId: "acme",
  summary: "Discovery call with Acme Robotics",
  description: `Deck at https://${ACME}`,
  organizer: person(`anna@${OWN_DOMAIN}`, { name: "Anna Berger" }),
  attendees: [person(`jane@${ACME}`, { name: "Jane Roe" })]
})

const acmeSite = cannedWebsite(ACME, [
  { field: "legal_name", value: "Acme Robotics Inc.", path: "/legal", kind: "imprint" },
  { field: "managing_director", value: "Jane Roe", path: "/legal", kind: "imprint" }
])

const withApp = <A, E, R>(
  options: {
    readonly events: ReadonlyArray<CalendarEvent>
    readonly companies?: ReadonlyArray<CrmCompany>
    readonly websites?: Record<string, WebsiteResult>
    readonly llm?: Layer.Layer<Llm>
    readonly renderer?: Layer.Layer<DossierRenderer>
    readonly config?: Partial<AppConfigShape>
  },
  body: (ctx: { readonly logStorageDir: string }) => Effect.Effect<A, E, R>
) => {
  const logStorageDir = tempDir("li-research-wf-")
  const layer = TestApp({
    events: options.events,
    ...(options.companies ? { companies: options.companies } : {}),
    websites: options.websites ?? { [ACME]: acmeSite },
    ...(options.llm ? { llm: options.llm } : {}),
    ...(options.renderer ? { renderer: options.renderer } : {})
  }).pipe(
    Layer.provideMerge(AppConfig.layerWith({ ...testConfig(logStorageDir), ...options.config })),
    Layer.provideMerge(NodeContext.layer)
  )
  return TestClock.setTime(BASE).pipe(
    Effect.zipRight(Effect.suspend(() => body({ logStorageDir }))),
    Effect.provide(layer),
    Effect.provide(Logger.minimumLogLevel(LogLevel.None))
  )
}

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"))

const spent = { model: "test-model", tokens: 50, costUsd: 0 }

describe("the research step", () => {
  it.effect("writes dossier.json and dossier.pdf side by side; both paths reach the run summary and the CRM note", () =>
    withApp({ events: [acme] }, () =>
      Effect.gen(function*() {
        const outcome = outcomeOf(yield* cycle, "acme")
        expect(outcome.status).toBe("delivered")
        const { json_path, pdf_path } = outcome.dossier ?? { json_path: "" }
        expect(pdf_path).toBe(path.join(path.dirname(json_path), "dossier.pdf"))
        expect(existsSync(pdf_path ?? "")).toBe(true)
        const dossier = json(json_path)
        expect(dossier.company_facts).toEqual([
          { field: "legal_name", value: "Acme Robotics Inc.", source: { url: `https://${ACME}/legal`, retrieved_at: "2026-11-20T08:00:00.000Z" } },
          { field: "managing_director", value: "Jane Roe", source: { url: `https://${ACME}/legal`, retrieved_at: "2026-11-20T08:00:00.000Z" } }
        ])
        expect(dossier.meeting.attendees[0]).toMatchObject({ name: "Jane Roe", side: "company", title: "Managing director (website [1])" })
        expect(dossier.sections.pdf).toBeUndefined()
        const [note] = yield* (yield* TestCrm).notes
        expect(note?.dossierJsonPath).toBe(json_path)
        expect(note?.dossierPdfPath).toBe(pdf_path)
        expect(note?.body).toContain(`Brief (PDF): ${pdf_path}`)
      })))

  it.effect("a PDF that cannot be rendered: the JSON dossier is delivered, and says why there is no PDF", () =>
    withApp({ events: [acme], renderer: FailingPdfRendererLive("font not found: DejaVuSans.ttf") }, () =>
      Effect.gen(function*() {
        const outcome = outcomeOf(yield* cycle, "acme")
        expect(outcome.status).toBe("delivered")
        expect(outcome.error).toBeUndefined()
        expect(outcome.dossier?.pdf_path).toBeUndefined()
        const jsonPath = outcome.dossier?.json_path ?? ""
        expect(existsSync(path.join(path.dirname(jsonPath), "dossier.pdf"))).toBe(false)
        const dossier = json(jsonPath)
        expect(dossier.sections.pdf).toEqual({ status: "failed", reason: "dossier PDF: font not found: DejaVuSans.ttf" })
        expect(dossier.notes).toContain("dossier.pdf could not be rendered: dossier PDF: font not found: DejaVuSans.ttf")
        expect(dossier.company_facts).toHaveLength(2)
        const [note] = yield* (yield* TestCrm).notes
        expect(note?.dossierPdfPath).toBeUndefined()
        expect(note?.body).toContain("No PDF brief")
      })))
})

describe("with an LLM", () => {
  /** No trigger word ("kickoff", "discovery call", "customer meeting"), but a first meeting with a new customer. */
  const intro = makeEvent({
    eventId: "intro",
    summary: "First call with the new logistics customer Nordwind",
    description: "They want to see the reporting module. nordwind-logistik.de",
    organizer: person(`anna@${OWN_DOMAIN}`),
    attendees: [person("lars@nordwind-logistik.de", { name: "Lars Petersen" })]
  })
  const internal = makeEvent({
    eventId: "internal",
    summary: "Weekly sales sync",
    attendees: [person(`anna@${OWN_DOMAIN}`), person(`ben@${OWN_DOMAIN}`)]
  })

  it.effect("a soft trigger with evidence from the meeting text: a person approves before research", () => {
    const asked: Array<string> = []
    const llm = ScriptedLlmLive({
      softTrigger: (input) => {
        asked.push(input.text)
        return new LlmSoftTrigger({ matched: true, label: "first meeting with a new customer", evidence: "First call with the new logistics customer", ...spent })
      }
    })
    return withApp({ events: [intro, internal], llm }, () =>
      Effect.gen(function*() {
        const summary = yield* cycle
        const outcome = outcomeOf(summary, "intro")
        expect(outcome.status).toBe("awaiting_approval")
        expect(outcome.trigger).toEqual({ type: "soft", matched_word: "First call with the new logistics customer", matched_field: "summary" })
        expect(outcome.company).toEqual({ name: "Nordwind", domain: "nordwind-logistik.de" })
        // A meeting among ourselves is not even asked about.
        expect(outcomeOf(summary, "internal").status).toBe("no_trigger")
        expect(asked).toHaveLength(1)
      }))
  })

  it.effect("without an LLM, or when the model sees no soft trigger, the meeting has none", () =>
    Effect.all([
      withApp({ events: [intro] }, () => Effect.map(cycle, (s) => expect(outcomeOf(s, "intro").status).toBe("no_trigger"))),
      withApp({
        events: [intro],
        llm: ScriptedLlmLive({ softTrigger: () => new LlmSoftTrigger({ matched: false, label: "", evidence: "", reason: "the model saw no soft trigger", ...spent }) })
      }, () => Effect.map(cycle, (s) => expect(outcomeOf(s, "intro").status).toBe("no_trigger")))
    ]))

  it.effect("the company the rules cannot find: the model's, when the meeting text names it", () => {
    const vague = (eventId: string) =>
      makeEvent({
        eventId,
        summary: "Kickoff",
        description: "Kick-off with the team of Hanse Spedition at their Hamburg office",
        organizer: person(`anna@${OWN_DOMAIN}`)
      })
    const answering = (domainInText: boolean) =>
      ScriptedLlmLive({
        extractCompany: () => new LlmCompany({ name: "Hanse Spedition", domain: "hanse-spedition.de", domainInText, rejected: [], ...spent })
      })
    return Effect.all([
      withApp({ events: [vague("named")], llm: answering(true) }, () =>
        Effect.gen(function*() {
          const outcome = outcomeOf(yield* cycle, "named")
          expect(outcome.status).toBe("delivered")
          expect(outcome.company).toEqual({ name: "Hanse Spedition", domain: "hanse-spedition.de" })
        })),
      // A domain the model only guessed is not taken: a person is asked for it, the name filled in.
      withApp({ events: [vague("guessed")], llm: answering(false) }, () =>
        Effect.gen(function*() {
          const outcome = outcomeOf(yield* cycle, "guessed")
          expect(outcome.status).toBe("awaiting_missing_info")
          expect(outcome.company).toEqual({ name: "Hanse Spedition" })
        })),
      withApp({ events: [vague("rules")] }, () =>
        Effect.gen(function*() {
          const outcome = outcomeOf(yield* cycle, "rules")
          expect(outcome.status).toBe("awaiting_missing_info")
          expect(outcome.company).toBeUndefined()
        }))
    ])
  })
})
