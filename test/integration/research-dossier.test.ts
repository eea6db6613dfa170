/**
 * The whole event workflow (doubles for calendar, CRM and mail; the in-memory engine; the real
 * clock) with the real research sources: the website adapter against the local site server, which
 * is also the proxy it goes through (test/support/siteServer.ts), the pdfkit brief read back with
 * pdftotext, and the OpenAI adapter against the local fake server (test/support/fakeOpenAi.ts).
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Logger, LogLevel, Option } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import type { Llm } from "../../src/Agents/Llm.js"
import type { WebsiteResearch } from "../../src/Agents/Website.js"
import { AppConfig } from "../../src/Config.js"
import type { CalendarEvent } from "../../src/Domain/CalendarEvent.js"
import type { CrmCompany } from "../../src/Domain/Crm.js"
import type { Dossier } from "../../src/Domain/Dossier.js"
import type { WebsiteResult } from "../../src/Domain/WebsiteFacts.js"
import { layerFromConfig } from "../../src/Integrations/OpenAiLlm.js"
import { WebsiteResearchLive } from "../../src/Integrations/Website/Live.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { DossierPdfLive } from "../../src/Reporting/DossierRenderer.js"
import { cannedWebsite, TestApp, TestCrm } from "../../layers/Test.js"
import { BRENNER_IMPRINT_PATH } from "../fixtures/websites/sites.js"
import { makeEvent, person } from "../fixtures/events.js"
import { answer, type FakeOpenAi, makeFakeOpenAi, status } from "../support/fakeOpenAi.js"
import { type SiteServer, startSiteServer } from "../support/siteServer.js"
import { tempDir } from "../support/spawn.js"

const OWN = "ourco.de"
const BRENNER = "brenner-maschinenbau.de"

const hasPdftotext = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

const pdfText = (file: string) => execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ")

/** Three days from now at 09:00 UTC: inside the polled window whatever the day. */
const soon = (hours = 0) => {
  const day = Math.floor(Date.now() / 86_400_000) + 3
  return new Date(day * 86_400_000 + (9 + hours) * 3_600_000).toISOString()
}

const kickoff = (eventId: string, domain: string, name: string) =>
  makeEvent({
    eventId,
    summary: `Kickoff with ${name}`,
    description: `Agenda and deck: https://www.${domain}/`,
    start: soon(),
    end: soon(1),
    timeZone: "Europe/Berlin",
    organizer: person(`anna@${OWN}`, { name: "Anna Berger" }),
    attendees: [person(`m.brenner@${domain}`, { name: "Martin Brenner" })]
  })

const runOnce = (options: {
  readonly events: ReadonlyArray<CalendarEvent>
  readonly website?: Layer.Layer<WebsiteResearch>
  readonly websites?: Readonly<Record<string, WebsiteResult>>
  readonly llm?: Layer.Layer<Llm>
  readonly companies?: ReadonlyArray<CrmCompany>
}) =>
  Effect.gen(function*() {
    const summary = yield* Effect.flatMap(Orchestrator, (o) => o.runCycle)
    const notes = yield* (yield* TestCrm).notes
    return { summary, notes }
  }).pipe(
    Effect.provide(
      TestApp({
        events: options.events,
        ...(options.website ? { website: options.website } : {}),
        ...(options.websites ? { websites: options.websites } : {}),
        ...(options.llm ? { llm: options.llm } : {}),
        ...(options.companies ? { companies: options.companies } : {}),
        renderer: DossierPdfLive
      }).pipe(
        Layer.provideMerge(AppConfig.layerWith({
          logStorageDir: tempDir("li-research-"),
          triggerWords: Option.some(["kickoff"]),
          ownDomains: [OWN]
        })),
        Layer.provideMerge(NodeContext.layer)
      )
    ),
    Effect.provide(Logger.minimumLogLevel(LogLevel.None))
  )

const dossierOf = (outcome: { readonly dossier?: { readonly json_path: string } | undefined }): typeof Dossier.Encoded =>
  JSON.parse(readFileSync(outcome.dossier?.json_path ?? "", "utf8"))

describe("research against local company sites, through the proxy", () => {
  let server: SiteServer
  beforeAll(async () => {
    server = await startSiteServer()
  })
  afterAll(() => server.close())

  const website = () =>
    WebsiteResearchLive({
      delay: Duration.millis(5),
      timeout: Duration.seconds(2),
      proxy: { httpProxy: server.proxyUrl, httpsProxy: server.proxyUrl, noProxy: "" },
      ca: server.ca
    })

  it.live("a German GmbH: dossier.json with each fact's page, dossier.pdf naming the company and its managing directors", () =>
    Effect.gen(function*() {
      const { notes, summary } = yield* runOnce({ events: [kickoff("brenner", BRENNER, "Brenner Maschinenbau")], website: website() })
      const [outcome] = summary.events
      expect(outcome?.status).toBe("delivered")
      const dossier = dossierOf(outcome ?? {})
      const imprint = `https://www.${BRENNER}${BRENNER_IMPRINT_PATH}`
      const fact = (field: string) => dossier.company_facts.filter((f) => f.field === field)
      expect(fact("legal_name").map((f) => [f.value, f.source.url])).toEqual([["Brenner Maschinenbau GmbH", imprint]])
      expect(fact("managing_director").map((f) => f.value)).toEqual(["Dipl.-Ing. Martin Brenner", "Dr. Sabine Vogt"])
      expect(fact("managing_director").every((f) => f.source.url === imprint && !Number.isNaN(Date.parse(f.source.retrieved_at)))).toBe(true)
      expect(dossier.sections["website"]).toEqual({ status: "completed" })
      expect(dossier.sources[0]).toMatchObject({ number: 1, kind: "website", url: imprint })
      expect(dossier.company).toEqual({ name: "Brenner Maschinenbau", domain: BRENNER })
      expect(dossier.meeting.time_zone).toBe("Europe/Berlin")
      expect(dossier.meeting.attendees[0]).toMatchObject({ name: "Martin Brenner", side: "company", title: "Managing director (website [1])" })

      const pdf = outcome?.dossier?.pdf_path ?? ""
      expect(pdf).toBe(path.join(path.dirname(outcome?.dossier?.json_path ?? ""), "dossier.pdf"))
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-")
      expect(notes[0]?.dossierPdfPath).toBe(pdf)
      if (hasPdftotext) {
        const text = pdfText(pdf)
        for (const expected of ["Brenner Maschinenbau GmbH", "Dipl.-Ing. Martin Brenner", "Dr. Sabine Vogt", "Biberach an der Riß", "HRB 721234"]) {
          expect(text).toContain(expected)
        }
      }
    }))

  it.live("a site the proxy cannot reach: the event is still delivered, its website section says why", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const { summary } = yield* runOnce({ events: [kickoff("offline", "offline-gmbh.de", "Offline GmbH")], website: website() })
      const [outcome] = summary.events
      expect(outcome?.status).toBe("delivered")
      const dossier = dossierOf(outcome ?? {})
      expect(dossier.company_facts).toEqual([])
      expect(dossier.sections["website"]).toMatchObject({ status: "insufficient_context", reason: expect.stringContaining("cannot be reached") })
      expect(existsSync(outcome?.dossier?.pdf_path ?? "")).toBe(true)
      expect(Date.now() - started).toBeLessThan(20_000)
    }))
})

describe("research with an LLM (a local OpenAI-compatible server)", () => {
  const site = cannedWebsite(BRENNER, [
    { field: "legal_name", value: "Brenner Maschinenbau GmbH", path: "/impressum", kind: "imprint" },
    { field: "managing_director", value: "Martin Brenner", path: "/impressum", kind: "imprint" },
    { field: "description", value: "CNC-Fräsmaschinen und Drehzentren für die Metallbearbeitung." }
  ])

  const llmFor = (fake: FakeOpenAi, env: Record<string, string> = {}): Layer.Layer<Llm> =>
    layerFromConfig.pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({
        OPENAI_BASE_URL: fake.baseUrl,
        OPENAI_API_KEY: "sk-test",
        OPENAI_API_STYLE: "responses",
        LLM_MAX_ATTEMPTS: "2",
        ...env
      }))))),
      Layer.provide(SqliteClient.layer({ filename: ":memory:" })),
      Layer.orDie
    )

  it.scopedLive("the summary is the model's, marked inferred, citing the sources of the facts it used", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      // Facts go to the model numbered in the dossier's order: 1 legal name, 2 description, 3 managing director.
      fake.script(answer({
        summary: "Brenner Maschinenbau GmbH [1] builds CNC milling machines and turning centres [2]; Martin Brenner runs it [3].",
        citations: [1, 2, 3]
      }))
      const { summary } = yield* runOnce({ events: [kickoff("brenner", BRENNER, "Brenner")], websites: { [BRENNER]: site }, llm: llmFor(fake) })
      const [outcome] = summary.events
      expect(outcome?.status).toBe("delivered")
      const dossier = dossierOf(outcome ?? {})
      expect(dossier.summary).toMatchObject({
        inferred: true,
        model: expect.stringMatching(/gpt-4o-mini/),
        text: "Brenner Maschinenbau GmbH [1] builds CNC milling machines and turning centres [2]; Martin Brenner runs it [1].",
        citations: [1, 2]
      })
      expect(dossier.sources.slice(0, 2).map((s) => s.url)).toEqual([`https://${BRENNER}/impressum`, `https://${BRENNER}/`])
      const asked = JSON.stringify(fake.requests[0]?.body)
      expect(asked).toContain("[1] legal name: Brenner Maschinenbau GmbH")
      expect(asked).toContain("[3] managing director: Martin Brenner")
      if (hasPdftotext) expect(pdfText(outcome?.dossier?.pdf_path ?? "")).toContain("INFERRED")
    }))

  it.scopedLive("429 after every try, or the day's budget spent: the rules' summary, and the dossier says why", () =>
    Effect.gen(function*() {
      const limited = yield* makeFakeOpenAi()
      limited.otherwise(status(429, { "retry-after-ms": "20" }))
      const rateLimited = dossierOf(
        (yield* runOnce({ events: [kickoff("a", BRENNER, "Brenner")], websites: { [BRENNER]: site }, llm: llmFor(limited) })).summary.events[0] ?? {}
      )
      expect(rateLimited.summary).toMatchObject({ inferred: false, note: "LLM unavailable: rate limited by the API (429 after 2 tries)" })
      expect(rateLimited.summary.text).toContain("Managing director: Martin Brenner [1].")
      expect(rateLimited.notes).toEqual(["LLM unavailable: rate limited by the API (429 after 2 tries)"])
      expect(rateLimited.sections["summary"]).toEqual({ status: "completed", reason: "rules only — LLM unavailable: rate limited by the API (429 after 2 tries)" })

      const unpaid = yield* makeFakeOpenAi()
      const overBudget = dossierOf(
        (yield* runOnce({
          events: [kickoff("b", BRENNER, "Brenner")],
          websites: { [BRENNER]: site },
          llm: llmFor(unpaid, { LLM_DAILY_BUDGET_USD: "0" })
        })).summary.events[0] ?? {}
      )
      expect(overBudget.summary).toMatchObject({ inferred: false, note: "LLM unavailable: daily LLM budget reached" })
      expect(unpaid.requests).toEqual([])
    }))
})
