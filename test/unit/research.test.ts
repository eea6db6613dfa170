/**
 * The dossier research writes: the meeting in the organiser's zone with the people's roles, the
 * website's facts each with its page, the CRM's record apart from them, similar companies from the
 * CRM, the summary by rules (or by the LLM, its citations turned into source numbers), a status per
 * section, and research bounded by MAX_CONCURRENT_RESEARCH. On doubles (layers/Test.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Schema, TestClock } from "effect"
import { Llm, LlmSummary, unavailable } from "../../src/Agents/Llm.js"
import { Research, type ResearchInput } from "../../src/Agents/Research.js"
import { WebsiteResearch } from "../../src/Agents/Website.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import { CrmAttachment, CrmCompany, CrmNoteSummary } from "../../src/Domain/Crm.js"
import { Dossier } from "../../src/Domain/Dossier.js"
import type { WebsiteResult } from "../../src/Domain/WebsiteFacts.js"
import { cannedWebsite, InMemoryCrmLive, ScriptedLlmLive, TestWebsiteLive } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"

const NORDWIND = "nordwind-logistik.de"

const event = makeEvent({
  eventId: "nordwind-1",
  summary: "Erstgespräch Nordwind Logistik GmbH",
  description: "Kennenlernen mit Lars Petersen (Leiter Einkauf).",
  location: "Hamburg, Speicherstadt",
  start: "2026-11-25T13:00:00.000Z",
  end: "2026-11-25T14:00:00.000Z",
  timeZone: "Europe/Berlin",
  organizer: person("jonas.weber@ourco.de", { name: "Jonas Weber" }),
  attendees: [
    person("l.petersen@nordwind-logistik.de", { name: "Lars Petersen", company: "Nordwind Logistik GmbH" }),
    person("anna.berger@ourco.de", { name: "Anna Berger" }),
    person("berater@extern.example.org", { name: "Max Extern" })
  ]
})

const nordwind = new CrmCompany({
  id: "2",
  name: "Nordwind Logistik GmbH",
  domain: NORDWIND,
  industry: "Logistik, Spedition",
  size: "201-500",
  country: "Deutschland",
  owner: "Jonas Weber",
  notes: "Bestandskunde seit 2023.",
  attachments: [new CrmAttachment({ name: "Rahmenvertrag 2025.pdf", url: "https://crm.example.invalid/files/1" })],
  last_notes: [new CrmNoteSummary({ title: "Meeting preparation: QBR", created_at: "2026-10-01T08:00:00.000Z" })]
})

const others = [
  new CrmCompany({
    id: "3",
    name: "Hanse Spedition KG",
    domain: "hanse-spedition.de",
    industry: "Spedition, Logistik",
    size: "201-500",
    country: "Germany",
    attachments: []
  }),
  new CrmCompany({ id: "4", name: "Brightwave Analytics", domain: "brightwave.io", industry: "Software", size: "51-200", country: "United Kingdom", attachments: [] })
]

const website = cannedWebsite(NORDWIND, [
  { field: "legal_name", value: "Nordwind Logistik GmbH", path: "/impressum-x1", kind: "imprint" },
  { field: "address", value: "Am Sandtorkai 1, 20457 Hamburg", path: "/impressum-x1", kind: "imprint" },
  { field: "managing_director", value: "Lars Petersen", path: "/impressum-x1", kind: "imprint" },
  { field: "register_number", value: "HRB 12345", path: "/impressum-x1", kind: "imprint" },
  { field: "description", value: "Kontraktlogistik und Spedition für den Mittelstand." }
])

const input = (overrides: Partial<ResearchInput> = {}): ResearchInput => ({
  key: "wf-nordwind-1",
  company: { name: "Nordwind Logistik GmbH", domain: "www.Nordwind-Logistik.de" },
  event,
  crm: Option.some(nordwind),
  ...overrides
})

const researchLayer = (options: {
  readonly websites?: Record<string, WebsiteResult>
  readonly llm?: Layer.Layer<Llm>
  readonly website?: Layer.Layer<WebsiteResearch>
  readonly config?: Partial<AppConfigShape>
} = {}) =>
  Research.Default.pipe(
    Layer.provide(Layer.mergeAll(
      options.website ?? TestWebsiteLive(options.websites ?? { [NORDWIND]: website }),
      InMemoryCrmLive([nordwind, ...others]),
      options.llm ?? Llm.Disabled,
      Layer.orDie(AppConfig.layerWith({ ownDomains: ["ourco.de"], ...options.config }))
    ))
  )

const research = (i: ResearchInput, layer = researchLayer()) =>
  Effect.flatMap(Research, (r) => r.research(i)).pipe(Effect.provide(layer))

describe("Research.research", () => {
  it.effect("the meeting in the organiser's zone, with each person's side and what the website says they are", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input())
      expect(dossier.company).toEqual({ name: "Nordwind Logistik GmbH", domain: NORDWIND })
      expect(dossier.meeting).toMatchObject({
        title: "Erstgespräch Nordwind Logistik GmbH",
        time_zone: "Europe/Berlin",
        time_zone_source: "event",
        when: "Wed 25 Nov 2026, 14:00–15:00 CET",
        start_local: "2026-11-25T14:00:00+01:00",
        location: "Hamburg, Speicherstadt",
        organiser: { name: "Jonas Weber", role: "organiser", side: "ours" }
      })
      expect(dossier.meeting.attendees.map((p) => [p.name, p.role, p.side, p.title])).toEqual([
        ["Lars Petersen", "attendee", "company", "Managing director (website [1])"],
        ["Anna Berger", "attendee", "ours", undefined],
        ["Max Extern", "attendee", "other", undefined]
      ])
    }))

  it.effect("without the event's own zone: DISPLAY_TIMEZONE, else UTC", () =>
    Effect.gen(function*() {
      const floating = makeEvent({ ...event, timeZone: undefined, start: "2026-07-01T08:30:00.000Z", end: "2026-07-01T09:00:00.000Z" })
      const inNewYork = yield* research(input({ event: floating }), researchLayer({ config: { displayTimeZone: Option.some("America/New_York") } }))
      expect(inNewYork.meeting).toMatchObject({
        time_zone: "America/New_York",
        time_zone_source: "display_timezone",
        start_local: "2026-07-01T04:30:00-04:00"
      })
      expect(inNewYork.meeting.when).toMatch(/^Wed 1 Jul 2026, 04:30–05:00 /)
      const inUtc = yield* research(input({ event: floating }))
      expect(inUtc.meeting).toMatchObject({ time_zone: "UTC", time_zone_source: "utc", when: "Wed 1 Jul 2026, 08:30–09:00 UTC" })
      const allDay = yield* research(input({ event: makeEvent({ start: "2026-11-26", end: "2026-11-28", allDay: true }) }))
      expect(allDay.meeting.when).toBe("Thu 26 Nov 2026 – Fri 27 Nov 2026 (all day)")
    }))

  it.effect("website facts keep their page and time; the sources are numbered; the CRM's record stands apart", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input())
      expect(dossier.sections["website"]).toEqual({ status: "completed" })
      expect(dossier.company_facts.map((f) => [f.field, f.value, f.source.url])).toEqual([
        ["legal_name", "Nordwind Logistik GmbH", `https://${NORDWIND}/impressum-x1`],
        ["description", "Kontraktlogistik und Spedition für den Mittelstand.", `https://${NORDWIND}/`],
        ["address", "Am Sandtorkai 1, 20457 Hamburg", `https://${NORDWIND}/impressum-x1`],
        ["register_number", "HRB 12345", `https://${NORDWIND}/impressum-x1`],
        ["managing_director", "Lars Petersen", `https://${NORDWIND}/impressum-x1`]
      ])
      expect(dossier.company_facts.every((f) => f.source.retrieved_at === "2026-11-20T08:00:00.000Z")).toBe(true)
      expect(dossier.sources.map((s) => [s.number, s.kind, s.url])).toEqual([
        [1, "website", `https://${NORDWIND}/impressum-x1`],
        [2, "website", `https://${NORDWIND}/`],
        [3, "crm", undefined],
        [4, "similar_companies", undefined],
        [5, "event", undefined]
      ])
      expect(dossier.sources[0]?.title).toBe(`Impressum (legal notice): ${NORDWIND}/impressum-x1`)
      expect(dossier.crm).toMatchObject({
        record_id: "2",
        industry: "Logistik, Spedition",
        size: "201-500",
        country: "Deutschland",
        owner: "Jonas Weber",
        notes: "Bestandskunde seit 2023.",
        last_notes: [{ title: "Meeting preparation: QBR" }],
        attachments: [{ name: "Rahmenvertrag 2025.pdf" }]
      })
      expect(dossier.sections["crm"]).toEqual({ status: "completed" })
      expect(dossier.website).toMatchObject({ homepage: `https://${NORDWIND}/`, requests: 3 })
    }))

  it.effect("similar companies come from the CRM, never the company itself, with score and reason", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input())
      expect(dossier.similar_companies.map((c) => [c.name, c.score, c.matched])).toEqual([
        ["Hanse Spedition KG", 0.75, ["industry", "size", "country"]]
      ])
      expect(dossier.similar_companies[0]?.reason).toBe(
        "same industry (Spedition, Logistik); same size (201-500); same country (Germany)"
      )
      expect(dossier.sections["similar_companies"]).toEqual({ status: "completed" })
      const alone = yield* research(
        input(),
        Research.Default.pipe(Layer.provide(Layer.mergeAll(
          TestWebsiteLive({}),
          InMemoryCrmLive([nordwind]),
          Llm.Disabled,
          Layer.orDie(AppConfig.layerWith({}))
        )))
      )
      expect(alone.similar_companies).toEqual([])
      expect(alone.sections["similar_companies"]).toEqual({ status: "no_candidates", reason: "the CRM holds no other companies" })
      expect(alone.sections["website"]?.status).toBe("insufficient_context")
    }))

  it.effect("without an LLM the summary is the facts put together by rules, citing their sources", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input())
      expect(dossier.summary.inferred).toBe(false)
      expect(dossier.summary.note).toBeUndefined()
      expect(dossier.summary.text).toContain("Nordwind Logistik GmbH (nordwind-logistik.de), Am Sandtorkai 1, 20457 Hamburg [1].")
      expect(dossier.summary.text).toContain("Managing director: Lars Petersen [1].")
      expect(dossier.summary.text).toContain("In the CRM (record 2): industry Logistik, Spedition, size 201-500, country Deutschland, owner Jonas Weber; 1 attachment on file [3].")
      expect(dossier.summary.text).toContain('Meeting "Erstgespräch Nordwind Logistik GmbH" on Wed 25 Nov 2026, 14:00–15:00 CET with Lars Petersen [5].')
      expect(dossier.summary.citations).toEqual([1, 3, 4, 5])
      expect(dossier.notes).toEqual([])
    }))

  it.effect("with an LLM the summary is inferred, its fact numbers turned into source numbers", () =>
    Effect.gen(function*() {
      let asked: ReadonlyArray<{ id: number; field: string; source: string }> = []
      const llm = ScriptedLlmLive({
        summarize: (i) => {
          asked = i.facts
          const director = i.facts.find((f) => f.field === "managing director")?.id ?? 0
          const crm = i.facts.find((f) => f.field === "industry (CRM)")?.id ?? 0
          const legal = i.facts.find((f) => f.field === "legal name")?.id ?? 0
          return new LlmSummary({
            text: `Nordwind is a logistics company led by Lars Petersen [${legal}, ${director}], a customer since 2023 [${crm}].`,
            citations: [legal, director, crm],
            droppedCitations: [],
            model: "test-model",
            tokens: 120,
            costUsd: 0.0001
          })
        }
      })
      const dossier = yield* research(input(), researchLayer({ llm }))
      expect(asked.find((f) => f.field === "managing director")).toMatchObject({ source: `https://${NORDWIND}/impressum-x1` })
      expect(dossier.summary).toMatchObject({
        inferred: true,
        model: "test-model",
        text: "Nordwind is a logistics company led by Lars Petersen [1], a customer since 2023 [3].",
        citations: [1, 3]
      })
      expect(dossier.sections["summary"]).toEqual({ status: "completed" })
    }))

  it.effect("an LLM that is unavailable (rate limited, over budget) leaves the rules' summary, noted in the dossier", () =>
    Effect.gen(function*() {
      const llm = ScriptedLlmLive({ summarize: () => unavailable("daily_budget", "daily LLM budget reached") })
      const dossier = yield* research(input(), researchLayer({ llm }))
      expect(dossier.summary).toMatchObject({ inferred: false, note: "LLM unavailable: daily LLM budget reached" })
      expect(dossier.sections["summary"]).toEqual({ status: "completed", reason: "rules only — LLM unavailable: daily LLM budget reached" })
      expect(dossier.notes).toEqual(["LLM unavailable: daily LLM budget reached"])
    }))

  it.effect("a company the CRM does not know: its CRM section says so, nothing else stands in for it", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input({
        company: { name: "Bäckerei Groß", domain: "baeckerei-gross.de" },
        crm: Option.none(),
        event: makeEvent({ summary: "Kundentermin Bäckerei Groß", location: "" })
      }))
      expect(dossier.crm).toBeUndefined()
      expect(dossier.sections["crm"]).toEqual({ status: "insufficient_context", reason: "Bäckerei Groß is not in the CRM yet" })
      expect(dossier.summary.text).toContain("Bäckerei Groß is not in the CRM yet.")
      expect(dossier.meeting.location).toBeUndefined()
      expect(dossier.meeting.attendees).toEqual([])
      expect(dossier.sources.map((s) => s.kind)).toEqual(["event"])
    }))

  it.effect("what a person supplied is kept, as a source of its own", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input({
        crm: Option.none(),
        humanNotes: { company_name: "Nordwind Logistik GmbH & Co. KG", notes: "Wants a quote before Q1.", empty: " " }
      }))
      expect(dossier.human_notes).toEqual({ company_name: "Nordwind Logistik GmbH & Co. KG", notes: "Wants a quote before Q1." })
      expect(dossier.sources.map((s) => s.kind)).toEqual(["website", "website", "event", "human"])
      expect(dossier.summary.text).toContain("A person supplied: company name: Nordwind Logistik GmbH & Co. KG; notes: Wants a quote before Q1. [4].")
    }))

  it.effect("is deterministic: the same inputs at the same time give the same dossier", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-20T08:00:00.000Z"))
      const first = yield* research(input())
      const second = yield* research(input())
      expect(first.generated_at).toBe("2026-11-20T08:00:00.000Z")
      const encode = Schema.encodeSync(Dossier)
      expect(encode(second)).toEqual(encode(first))
      yield* TestClock.adjust("1 hour")
      expect((yield* research(input())).generated_at).toBe("2026-11-20T09:00:00.000Z")
    }))

  it.effect("researches at most MAX_CONCURRENT_RESEARCH companies at once", () =>
    Effect.gen(function*() {
      let running = 0
      let most = 0
      const release = yield* Deferred.make<void>()
      const slow = Layer.succeed(WebsiteResearch, WebsiteResearch.of({
        research: (domain) =>
          Effect.gen(function*() {
            running++
            most = Math.max(most, running)
            yield* Deferred.await(release)
            running--
            return cannedWebsite(domain, [])
          })
      }))
      const layer = researchLayer({ website: slow, config: { maxConcurrentResearch: 2 } })
      yield* Effect.gen(function*() {
        const r = yield* Research
        const fibers = yield* Effect.forEach(
          ["a.de", "b.de", "c.de", "d.de", "e.de"],
          (domain) => Effect.fork(r.research(input({ key: domain, company: { name: domain, domain } }))),
        )
        yield* Effect.yieldNow().pipe(Effect.repeatN(20))
        expect(running).toBe(2)
        yield* Deferred.succeed(release, undefined)
        const dossiers = yield* Fiber.joinAll(fibers)
        expect(dossiers.map((d) => d.company.domain)).toEqual(["a.de", "b.de", "c.de", "d.de", "e.de"])
      }).pipe(Effect.provide(layer))
      expect(most).toBe(2)
    }))
})
