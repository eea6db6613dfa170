/**
 * Doubles for every integration, for tests and for apps that embed Lead Insights:
 * a calendar whose events the test sets, contacts from a list, an in-memory event ledger and CRM,
 * websites from a table, an LLM that is off (or answers what the test scripts), mail in memory.
 * The run history stays real (on whatever LOG_STORAGE_DIR the config names; tests use a temp dir).
 */
import { Clock, Context, Effect, Layer, Option, Ref } from "effect"
import { CalendarError, CalendarFeed } from "../src/Agents/CalendarFeed.js"
import { CrmError } from "../src/Agents/Crm.js"
import { type Contact, Contacts } from "../src/Agents/Contacts.js"
import { EventLedger, type LedgerEntry } from "../src/Agents/EventLedger.js"
import { type CalendarEvent, DeferredEvent, type ListedBatch } from "../src/Domain/CalendarEvent.js"
import { Crm } from "../src/Agents/Crm.js"
import {
  type CompanyResult,
  Llm,
  type MeetingTextInput,
  type SoftTriggerInput,
  type SummarizeInput,
  type SummaryResult,
  type SoftTriggerResult,
  unavailable
} from "../src/Agents/Llm.js"
import { websiteOff } from "../src/Agents/Research/WebsiteOff.js"
import { WebsiteResearch } from "../src/Agents/Website.js"
import { normalizeDomain } from "../src/Domain/WebDomain.js"
import {
  FactSource,
  FetchedPage,
  type PageKind,
  WebsiteCompleted,
  WebsiteFact,
  type WebsiteField,
  type WebsiteResult
} from "../src/Domain/WebsiteFacts.js"
import { DossierRenderer, PdfError } from "../src/Reporting/DossierRenderer.js"
import { Inbox } from "../src/Agents/Inbox.js"
import { Mailer } from "../src/Agents/Mailer.js"
import { CrmCompany, CrmCompanyProfile, CrmDelivery, type CrmNote } from "../src/Domain/Crm.js"
import type { IncomingMail, OutgoingMail } from "../src/Domain/Mail.js"
import { buildDossier, Research, type ResearchInput } from "../src/Agents/Research.js"
import { makeApp } from "./App.js"
import { MemoryEngineLive } from "./Engine.js"

/** What the test calendar returns next: a batch, or a failure of the whole feed. */
export class TestCalendar extends Context.Tag("Test/TestCalendar")<TestCalendar, {
  readonly set: (next: ListedBatch | CalendarError) => Effect.Effect<void>
  readonly setEvents: (events: ReadonlyArray<CalendarEvent>) => Effect.Effect<void>
}>() {}

export const TEST_CALENDAR_ID = "test:calendar"

export const TestCalendarLive = (initial: ReadonlyArray<CalendarEvent> = []) =>
  Layer.effectContext(Effect.gen(function*() {
    const next = yield* Ref.make<ListedBatch | CalendarError>({ events: initial, broken: [] })
    const feed = CalendarFeed.of({
      calendarId: TEST_CALENDAR_ID,
      fetch: (window) =>
        Ref.get(next).pipe(
          Effect.flatMap((batch) =>
            batch instanceof CalendarError ? Effect.fail(batch) : Effect.succeed({
              events: batch.events.filter((e) => {
                const start = Date.parse(e.start)
                const end = e instanceof DeferredEvent || e.end === undefined ? start : Date.parse(e.end)
                return end >= window.from.getTime() && start < window.to.getTime()
              }),
              broken: batch.broken
            })
          )
        )
    })
    return Context.make(CalendarFeed, feed).pipe(Context.add(TestCalendar, {
      set: (batch) => Ref.set(next, batch),
      setEvents: (events) => Ref.set(next, { events, broken: [] })
    }))
  }))

export const TestContactsLive = (contacts: ReadonlyArray<Contact> = []) =>
  Layer.succeed(
    Contacts,
    Contacts.of({
      lookup: (email) =>
        Effect.succeed(Option.fromNullable(contacts.find((c) => c.email.toLowerCase() === email.toLowerCase())))
    })
  )

export const InMemoryLedgerLive = Layer.sync(EventLedger, () => {
  const entries = new Map<string, LedgerEntry>()
  const key = (c: string, e: string) => `${c}\u0000${e}`
  return EventLedger.of({
    lookup: (c, e) => Effect.sync(() => Option.fromNullable(entries.get(key(c, e)))),
    record: (c, e, entry) => Effect.sync(() => void entries.set(key(c, e), entry)),
    lookupMany: (c, ids) =>
      Effect.sync(() => new Map(ids.flatMap((e) => Option.toArray(Option.fromNullable(entries.get(key(c, e)))).map((x) => [e, x] as const)))),
    recordMany: (c, list) => Effect.sync(() => list.forEach(([e, entry]) => entries.set(key(c, e), entry)))
  })
})

/** What the test CRM holds, and the notes delivered to it. */
export class TestCrm extends Context.Tag("Test/TestCrm")<TestCrm, {
  readonly notes: Effect.Effect<ReadonlyArray<CrmNote>>
  readonly failNextDeliveries: (n: number) => Effect.Effect<void>
}>() {}

export const InMemoryCrmLive = (companies: ReadonlyArray<CrmCompany> = []) =>
  Layer.effectContext(Effect.gen(function*() {
    const known = new Map(companies.map((c) => [c.domain, c]))
    const notes = new Map<string, CrmNote>()
    let failures = 0
    const crm = Crm.of({
      provider: "test",
      findByDomain: (domain) => Effect.sync(() => Option.fromNullable(known.get(domain))),
      listCompanies: (limit) =>
        Effect.sync(() =>
          [...known.values()].slice(0, limit).map((c) =>
            new CrmCompanyProfile({
              id: c.id,
              name: c.name,
              domain: c.domain,
              ...(c.industry === undefined ? {} : { industry: c.industry }),
              ...(c.size === undefined ? {} : { size: c.size }),
              ...(c.country === undefined ? {} : { country: c.country }),
              ...(c.description === undefined ? {} : { description: c.description })
            })
          )
        ),
      deliver: (note) =>
        Effect.suspend(() => {
          if (failures > 0) {
            failures--
            return Effect.fail(new CrmError({ reason: "HTTP 503 from the test CRM" }))
          }
          const company = known.get(note.domain) ??
            new CrmCompany({ id: `c-${known.size + 1}`, name: note.companyName, domain: note.domain, attachments: [] })
          known.set(note.domain, company)
          const created = !notes.has(note.key)
          if (created) notes.set(note.key, note)
          return Effect.succeed(new CrmDelivery({ provider: "test", company_id: company.id, note_id: note.key, created }))
        })
    })
    return Context.make(Crm, crm).pipe(Context.add(TestCrm, {
      notes: Effect.sync(() => [...notes.values()]),
      failNextDeliveries: (n) => Effect.sync(() => void (failures = n))
    }))
  }))

/** The mail the test mailer "sent" (one per Message-ID), and a way to drop replies into the inbox. */
export class TestMail extends Context.Tag("Test/TestMail")<TestMail, {
  readonly sent: Effect.Effect<ReadonlyArray<OutgoingMail>>
  readonly receive: (mail: IncomingMail) => Effect.Effect<void>
  readonly acks: Effect.Effect<ReadonlyArray<{ readonly ref: string; readonly outcome: string }>>
}>() {}

export const TestMailLive = Layer.effectContext(Effect.gen(function*() {
  const sent = new Map<string, OutgoingMail>()
  const waiting: Array<IncomingMail> = []
  const acks: Array<{ ref: string; outcome: string }> = []
  return Context.make(Mailer, Mailer.of({
    send: (mail) => Effect.sync(() => void (sent.has(mail.messageId) || sent.set(mail.messageId, mail)))
  })).pipe(
    Context.add(Inbox, Inbox.of({
      list: Effect.sync(() => waiting.map((m) => m.ref)),
      read: (ref) => Effect.sync(() => Option.fromNullable(waiting.find((m) => m.ref === ref))),
      ack: (ref, outcome) =>
        Effect.sync(() => {
          const at = waiting.findIndex((m) => m.ref === ref)
          if (at >= 0) waiting.splice(at, 1)
          acks.push({ ref, outcome: outcome._tag === "processed" ? "processed" : `rejected: ${outcome.reason}` })
        })
    })),
    Context.add(TestMail, {
      sent: Effect.sync(() => [...sent.values()]),
      receive: (mail) => Effect.sync(() => void waiting.push(mail)),
      acks: Effect.sync(() => [...acks])
    })
  )
}))

/** The research agent on its own data only, taking `ms` (a slow source, for tests and the bench). */
export const ResearchTaking = (ms: number) =>
  Layer.succeed(
    Research,
    Research.make({
      research: Effect.fn("Research.research")(function*(input: ResearchInput) {
        yield* Effect.sleep(ms)
        return buildDossier(input, new Date(yield* Clock.currentTimeMillis).toISOString())
      })
    })
  )

/** A fact of a canned website: what, and on which page of the site (default the homepage). */
export interface CannedFact {
  readonly field: WebsiteField
  readonly value: string
  readonly path?: string
  readonly kind?: PageKind
}

/** What website research would have found on `https://<domain>/…`: the facts, each from its page. */
export const cannedWebsite = (
  domain: string,
  facts: ReadonlyArray<CannedFact>,
  retrievedAt = "2026-11-20T08:00:00.000Z"
): WebsiteResult => {
  const url = (path = "/") => `https://${domain}${path}`
  const pages = new Map<string, PageKind>([[url(), "home"]])
  for (const fact of facts) if (!pages.has(url(fact.path))) pages.set(url(fact.path), fact.kind ?? "about")
  return new WebsiteCompleted({
    status: "completed",
    domain,
    homepage: url(),
    facts: facts.map((f) =>
      new WebsiteFact({ field: f.field, value: f.value, source: new FactSource({ url: url(f.path), retrieved_at: retrievedAt }) })
    ),
    pages: [...pages].map(([pageUrl, kind]) =>
      new FetchedPage({ url: pageUrl, kind, status: 200, outcome: "ok", bytes: 10_000, retrieved_at: retrievedAt })
    ),
    skipped: [],
    requests: pages.size + 1,
    bytes_read: pages.size * 10_000,
    started_at: retrievedAt,
    duration_ms: 0
  })
}

/** Websites from a table (by bare domain); any other site has nothing to read. */
export const TestWebsiteLive = (sites: Readonly<Record<string, WebsiteResult>> = {}) => {
  const none = websiteOff("the test double has no website for this domain")
  return Layer.succeed(
    WebsiteResearch,
    WebsiteResearch.of({
      research: (domain) => {
        const site = sites[normalizeDomain(domain)]
        return site === undefined ? none.research(domain) : Effect.succeed(site)
      }
    })
  )
}

/** An LLM that answers what the test scripts; a method not scripted is unavailable. */
export const ScriptedLlmLive = (script: {
  readonly summarize?: (input: SummarizeInput) => SummaryResult
  readonly softTrigger?: (input: SoftTriggerInput) => SoftTriggerResult
  readonly extractCompany?: (input: MeetingTextInput) => CompanyResult
}) => {
  const notScripted = unavailable("nothing_to_do", "not scripted in this test")
  return Layer.succeed(
    Llm,
    Llm.of({
      description: "scripted test LLM",
      summarize: (input) => Effect.sync(() => script.summarize?.(input) ?? notScripted),
      softTrigger: (input) => Effect.sync(() => script.softTrigger?.(input) ?? notScripted),
      extractCompany: (input) => Effect.sync(() => script.extractCompany?.(input) ?? notScripted)
    })
  )
}

/**
 * A dossier renderer that only marks where the PDF would be: a few bytes naming the company, not
 * a PDF reader can open. Rendering the real brief takes a tenth of a second or more; the decision-tree
 * tests deliver dozens of dossiers. Tests of the PDF itself use `DossierPdfLive`.
 */
export const PlaceholderPdfRendererLive = Layer.succeed(
  DossierRenderer,
  DossierRenderer.of({
    render: (dossier) =>
      Effect.succeed(new TextEncoder().encode(`%PDF-1.7\n% test placeholder for ${dossier.company.domain}\n%%EOF\n`)),
    warm: Effect.void
  })
)

/** A dossier renderer that always fails: the JSON dossier is delivered without a PDF. */
export const FailingPdfRendererLive = (reason = "the test renderer makes no PDF") =>
  Layer.succeed(DossierRenderer, DossierRenderer.of({ render: () => Effect.fail(new PdfError({ reason })), warm: Effect.void }))

export const TestAdapters = (options: {
  readonly events?: ReadonlyArray<CalendarEvent>
  readonly contacts?: ReadonlyArray<Contact>
  readonly companies?: ReadonlyArray<CrmCompany>
  /** Canned website results by domain (`cannedWebsite`); other sites have nothing. */
  readonly websites?: Readonly<Record<string, WebsiteResult>>
  /** Instead of `websites`: a website research of the test's own (the real adapter against local sites). */
  readonly website?: Layer.Layer<WebsiteResearch>
  /** Default: no LLM (`Llm.Disabled`). */
  readonly llm?: Layer.Layer<Llm>
  /** Default: a placeholder (`PlaceholderPdfRendererLive`); `DossierPdfLive` renders the real brief. */
  readonly renderer?: Layer.Layer<DossierRenderer>
} = {}) =>
  Layer.mergeAll(
    TestCalendarLive(options.events),
    TestContactsLive(options.contacts),
    InMemoryLedgerLive,
    InMemoryCrmLive(options.companies),
    TestMailLive,
    options.website ?? TestWebsiteLive(options.websites),
    options.llm ?? Llm.Disabled,
    options.renderer ?? PlaceholderPdfRendererLive
  )

/**
 * The whole application on doubles and the in-memory workflow engine.
 * Still needs AppConfig and a FileSystem (run history and dossiers go to LOG_STORAGE_DIR).
 */
export const TestApp = (options: Parameters<typeof TestAdapters>[0] = {}) =>
  makeApp(TestAdapters(options), MemoryEngineLive)
