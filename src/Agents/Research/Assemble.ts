/**
 * The dossier from what research found: numbered sources (the website's pages that gave facts,
 * the CRM record, the CRM's companies, the calendar event, a person's answers), the website facts
 * as they were read, the CRM's own record in its own section, similar companies, the meeting, a
 * status per section and the summary the rules write. Pure: `generatedAt` is the only time in it.
 */
import { Option } from "effect"
import type { CalendarEvent } from "../../Domain/CalendarEvent.js"
import type { CrmCompany } from "../../Domain/Crm.js"
import {
  CrmFacts,
  Dossier,
  DossierSource,
  type SectionStatus,
  type SimilarCompany,
  WebsiteCrawl
} from "../../Domain/Dossier.js"
import { normalizeDomain } from "../../Domain/WebDomain.js"
import { type PageKind, WebsiteField, type WebsiteFact, type WebsiteResult } from "../../Domain/WebsiteFacts.js"
import { chooseZone, directorsFrom, meetingOf } from "./Meeting.js"
import { rulesSummary } from "./Summary.js"

export interface ResearchInput {
  /** The dossier's key: the workflow execution that asks for it. */
  readonly key: string
  /** The event's key for budgets (LLM tokens per event); the dossier's key when not given. */
  readonly eventKey?: string | undefined
  readonly company: { readonly name: string; readonly domain: string }
  readonly event: CalendarEvent
  readonly crm: Option.Option<CrmCompany>
  /** Fields a person supplied by e-mail (`company_name`, `web_domain`, free notes …). */
  readonly humanNotes?: Record<string, string>
}

/** How the similar-companies search went. */
export type SimilarFinding =
  | { readonly _tag: "Found"; readonly companies: ReadonlyArray<SimilarCompany>; readonly compared: number }
  | { readonly _tag: "Failed"; readonly reason: string }
  | { readonly _tag: "NotResearched"; readonly reason: string }

export interface Findings {
  /** None: the website was not looked at for this dossier. */
  readonly website: Option.Option<WebsiteResult>
  readonly similar: SimilarFinding
}

export const notResearched: Findings = {
  website: Option.none(),
  similar: { _tag: "NotResearched", reason: "not researched for this dossier" }
}

export interface AssembleOptions {
  /** DISPLAY_TIMEZONE: the zone the meeting time is written in when the event has none of its own. */
  readonly displayTimeZone?: string | undefined
  readonly ownDomains?: ReadonlyArray<string> | undefined
}

// ---------------------------------------------------------------------------------------------
// Labels

export const FIELD_LABEL: Readonly<Record<WebsiteField, string>> = {
  legal_name: "Legal name",
  description: "About",
  address: "Address",
  register_number: "Commercial register",
  register_court: "Register court",
  vat_id: "VAT ID",
  managing_director: "Managing director",
  founding_year: "Founded",
  product: "Products and services",
  email: "E-mail",
  phone: "Phone",
  social_link: "Social media",
  language: "Website language"
}

const PAGE_TITLE: Readonly<Record<PageKind, string>> = {
  home: "Homepage",
  imprint: "Impressum (legal notice)",
  about: "About page",
  contact: "Contact page",
  team: "Team page",
  products: "Products page",
  services: "Services page"
}

const FIELD_ORDER = new Map(WebsiteField.literals.map((field, i) => [field, i]))

/** Facts in the order a reader wants them (legal name first), the adapter's best-first order kept within a field. */
export const orderedFacts = (facts: ReadonlyArray<WebsiteFact>): ReadonlyArray<WebsiteFact> =>
  facts.map((fact, i) => ({ fact, i }))
    .sort((a, b) => (FIELD_ORDER.get(a.fact.field) ?? 99) - (FIELD_ORDER.get(b.fact.field) ?? 99) || a.i - b.i)
    .map(({ fact }) => fact)

const hostAndPath = (url: string) => url.replace(/^[a-z]+:\/\//i, "").replace(/\/$/, "")

// ---------------------------------------------------------------------------------------------
// Sources

/** The sources of a dossier, numbered, and the number of each website page's. */
interface Sources {
  readonly list: ReadonlyArray<DossierSource>
  readonly ofUrl: (url: string) => number | undefined
}

const numberSources = (
  input: ResearchInput,
  generatedAt: string,
  website: Option.Option<WebsiteResult>,
  similar: SimilarFinding,
  humanLines: number
): Sources => {
  const list: Array<DossierSource> = []
  const add = (fields: Omit<ConstructorParameters<typeof DossierSource>[0], "number">) => {
    const number = list.length + 1
    list.push(new DossierSource({ ...fields, number }))
    return number
  }
  const byUrl = new Map<string, number>()
  Option.map(website, (result) => {
    const kinds = new Map(result.pages.map((page) => [page.url, page.kind]))
    for (const fact of orderedFacts(result.facts)) {
      const url = fact.source.url
      if (byUrl.has(url)) continue
      const kind = kinds.get(url)
      const title = `${kind === undefined ? "Website" : PAGE_TITLE[kind]}: ${hostAndPath(url)}`
      byUrl.set(url, add({ kind: "website", title, url, retrieved_at: fact.source.retrieved_at }))
    }
  })
  Option.map(input.crm, (c) => add({ kind: "crm", title: `CRM record ${c.id}: ${c.name}`, retrieved_at: generatedAt }))
  if (similar._tag === "Found" && similar.companies.length > 0) {
    add({
      kind: "similar_companies",
      title: `CRM companies compared with ${input.company.name} (${similar.compared})`,
      retrieved_at: generatedAt
    })
  }
  add({ kind: "event", title: `Calendar event "${input.event.summary}" (${input.event.calendarId})`, retrieved_at: generatedAt })
  if (humanLines > 0) add({ kind: "human", title: "Details supplied by a person by e-mail", retrieved_at: generatedAt })
  return { list, ofUrl: (url) => byUrl.get(url) }
}

// ---------------------------------------------------------------------------------------------
// Sections

const crmFacts = (crm: CrmCompany, provider: string | undefined) =>
  new CrmFacts({
    provider: provider ?? "crm",
    record_id: crm.id,
    name: crm.name,
    ...(crm.industry === undefined ? {} : { industry: crm.industry }),
    ...(crm.size === undefined ? {} : { size: crm.size }),
    ...(crm.country === undefined ? {} : { country: crm.country }),
    ...(crm.owner === undefined ? {} : { owner: crm.owner }),
    ...(crm.description === undefined ? {} : { description: crm.description }),
    ...(crm.notes === undefined ? {} : { notes: crm.notes }),
    last_notes: crm.last_notes ?? [],
    attachments: crm.attachments
  })

const websiteStatus = (website: Option.Option<WebsiteResult>): SectionStatus =>
  Option.match(website, {
    onNone: (): SectionStatus => ({ status: "insufficient_context", reason: "the website was not researched for this dossier" }),
    onSome: (result): SectionStatus =>
      result.status === "insufficient_context"
        ? { status: "insufficient_context", reason: result.reason }
        : result.facts.length === 0
        ? { status: "insufficient_context", reason: `no facts found on ${result.pages.length} page(s) read` }
        : { status: "completed" }
  })

const similarStatus = (similar: SimilarFinding): SectionStatus => {
  switch (similar._tag) {
    case "Found":
      return similar.companies.length > 0
        ? { status: "completed" }
        : {
          status: "no_candidates",
          reason: similar.compared === 0
            ? "the CRM holds no other companies"
            : `none of the ${similar.compared} companies in the CRM is similar enough`
        }
    case "Failed":
      return { status: "failed", reason: similar.reason }
    case "NotResearched":
      return { status: "insufficient_context", reason: similar.reason }
  }
}

const crawlOf = (result: WebsiteResult) =>
  new WebsiteCrawl({
    ...(result.homepage === undefined ? {} : { homepage: result.homepage }),
    pages: result.pages.map((p) => ({ url: p.url, kind: p.kind, status: p.status, outcome: p.outcome })),
    skipped: result.skipped.map((s) => ({ url: s.url, reason: s.reason })),
    requests: result.requests,
    bytes_read: result.bytes_read,
    duration_ms: result.duration_ms
  })

const humanNotesOf = (notes: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(notes ?? {}).flatMap(([k, v]) => (v.trim() === "" ? [] : [[k, v.trim()]])))

/**
 * The dossier for `input`, as of `generatedAt`, from `findings`, with the rules' summary.
 * Without findings it is the dossier of the calendar, the CRM record and a person's answers.
 */
export const assembleDossier = (
  input: ResearchInput,
  generatedAt: string,
  findings: Findings = notResearched,
  options: AssembleOptions = {},
  crmProvider?: string
): Dossier => {
  const domain = normalizeDomain(input.company.domain)
  const company = { name: input.company.name, domain }
  const website = findings.website
  const facts = Option.match(website, { onNone: (): ReadonlyArray<WebsiteFact> => [], onSome: (r) => orderedFacts(r.facts) })
  const humanNotes = humanNotesOf(input.humanNotes)
  const sources = numberSources(input, generatedAt, website, findings.similar, Object.keys(humanNotes).length)
  const meeting = meetingOf(input.event, chooseZone(input.event.timeZone, options.displayTimeZone), {
    company,
    ownDomains: options.ownDomains ?? [],
    directors: directorsFrom(facts, (f) => sources.ofUrl(f.source.url))
  })
  const crm = Option.map(input.crm, (c) => crmFacts(c, crmProvider))
  const similar = findings.similar._tag === "Found" ? findings.similar.companies : []
  const draft: DossierDraft = {
    key: input.key,
    generated_at: generatedAt,
    company,
    meeting,
    company_facts: facts,
    ...(Option.isSome(crm) ? { crm: crm.value } : {}),
    similar_companies: similar,
    sections: {
      website: websiteStatus(website),
      crm: Option.isSome(crm)
        ? { status: "completed" as const }
        : { status: "insufficient_context" as const, reason: `${company.name} is not in the CRM yet` },
      similar_companies: similarStatus(findings.similar),
      summary: { status: "completed" }
    },
    human_notes: humanNotes,
    ...Option.match(website, { onNone: () => ({}), onSome: (result) => ({ website: crawlOf(result) }) }),
    notes: [],
    sources: sources.list
  }
  return new Dossier({ ...draft, summary: rulesSummary(draft) })
}

/** A dossier before its summary: what the summary is written from. */
export type DossierDraft = Omit<ConstructorParameters<typeof Dossier>[0], "summary" | "version">
