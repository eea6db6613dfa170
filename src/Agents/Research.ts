/**
 * Research: what we can learn about a company before the meeting, as a dossier. For each company
 * the sections run at once — its website (WebsiteResearch), the CRM's record (looked up by the
 * workflow before) and the CRM's other companies for similar ones — then the summary: written by
 * the LLM from the numbered facts when one is configured and answers, by the rules otherwise (and
 * the dossier says why). At most MAX_CONCURRENT_RESEARCH companies are researched at once in the
 * process. Never fails: a source that cannot be read gives its section a status and a reason.
 *
 * How the dossier is put together is in Research/: Assemble (sources, sections), Meeting (time
 * zone, people), Similar (scoring), Summary (rules and model).
 */
import { Clock, Duration, Effect, Option } from "effect"
import { AppConfig } from "../Config.js"
import type { CrmCompanyProfile } from "../Domain/Crm.js"
import { Dossier, DossierSummary } from "../Domain/Dossier.js"
import { normalizeDomain } from "../Domain/WebDomain.js"
import { valuesOf, type WebsiteResult } from "../Domain/WebsiteFacts.js"
import { Crm } from "./Crm.js"
import { Llm, LlmSummary } from "./Llm.js"
import {
  assembleDossier,
  type AssembleOptions,
  type Findings,
  notResearched,
  type ResearchInput,
  type SimilarFinding
} from "./Research/Assemble.js"
import { type CompanyProfile, countryOfDomain, isSame, mostSimilar, prepare, type Prepared } from "./Research/Similar.js"
import { fromModel, summaryFacts } from "./Research/Summary.js"
import { WebsiteResearch } from "./Website.js"

export type { ResearchInput } from "./Research/Assemble.js"

/** The CRM companies compared for similar ones, at most. */
export const MAX_CANDIDATES = 5000
/** The candidates a CRM chooses itself (`similarCandidates`): one page of HubSpot's search. */
export const MAX_CHOSEN_CANDIDATES = 200
/** A company the CRM gained in this time may be missing from the similar ones; nothing else is. */
const CANDIDATES_TTL = Duration.seconds(30)

/**
 * The dossier of what `input` holds (the calendar, the CRM record, a person's answers) and what
 * research found (nothing, unless given), as of `generatedAt`. Pure.
 */
export const buildDossier = (
  input: ResearchInput,
  generatedAt: string,
  findings: Findings = notResearched,
  options: AssembleOptions = {}
): Dossier => assembleDossier(input, generatedAt, findings, options)

const MAX_PRODUCTS_COMPARED = 8

/** What the researched company is, for comparing: the CRM's record first, the website for the rest. */
export const targetProfile = (input: ResearchInput, site: WebsiteResult | undefined): CompanyProfile => {
  const crm = Option.getOrUndefined(input.crm)
  const described = [
    crm?.description,
    ...(site === undefined ? [] : valuesOf(site, "description").slice(0, 1)),
    ...(site === undefined ? [] : valuesOf(site, "product").slice(0, MAX_PRODUCTS_COMPARED))
  ].filter((text): text is string => text !== undefined && text.trim() !== "")
  const domain = normalizeDomain(input.company.domain)
  return {
    name: input.company.name,
    domain,
    industry: crm?.industry,
    size: crm?.size,
    country: crm?.country ?? countryOfDomain(domain),
    description: described.length === 0 ? undefined : described.join(". "),
    crmId: crm?.id
  }
}

const preparedOf = (c: CrmCompanyProfile): Prepared =>
  prepare({
    name: c.name,
    domain: c.domain,
    industry: c.industry,
    size: c.size,
    country: c.country,
    description: c.description,
    crmId: c.id
  })

const withRulesNote = (dossier: Dossier, note: string): Dossier =>
  new Dossier({
    ...dossier,
    summary: new DossierSummary({ ...dossier.summary, note }),
    sections: { ...dossier.sections, summary: { status: "completed", reason: `rules only — ${note}` } },
    notes: [...dossier.notes, note]
  })

export class Research extends Effect.Service<Research>()("Agents/Research", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const website = yield* WebsiteResearch
    const crm = yield* Crm
    const llm = yield* Llm
    // One permit per company researched, for the whole process.
    const permits = yield* Effect.makeSemaphore(config.maxConcurrentResearch)

    const listing: Effect.Effect<
      { readonly _tag: "Listed"; readonly companies: ReadonlyArray<Prepared> } | SimilarFinding
    > = crm.listCompanies === undefined
      ? Effect.succeed({ _tag: "NotResearched", reason: `the ${crm.provider} CRM cannot list its companies` })
      : crm.listCompanies(MAX_CANDIDATES).pipe(
        Effect.map((companies) => ({ _tag: "Listed", companies: companies.map(preparedOf) }) as const),
        Effect.catchAll((error) => Effect.succeed({ _tag: "Failed", reason: error.message } as const))
      )
    // The CRM's companies, listed (and prepared for comparing) at most every CANDIDATES_TTL: every
    // research compares with all of them, and listing thousands per company made research grow with
    // the square of the companies.
    const candidates = yield* Effect.cachedWithTTL(listing, CANDIDATES_TTL)

    // A CRM that picks candidates itself is asked per company, with what its record says.
    const candidatesFor = (input: ResearchInput): typeof candidates => {
      if (crm.similarCandidates === undefined) return candidates
      const { country, industry, size } = targetProfile(input, undefined)
      return crm.similarCandidates({ industry, size, country }, MAX_CHOSEN_CANDIDATES).pipe(
        Effect.map((companies) => ({ _tag: "Listed", companies: companies.map(preparedOf) }) as const),
        Effect.catchAll((error) => Effect.succeed({ _tag: "Failed", reason: error.message } as const))
      )
    }

    const similarTo = (
      target: CompanyProfile,
      listed: Effect.Effect.Success<typeof candidates>
    ): SimilarFinding => {
      if (listed._tag !== "Listed") return listed
      const prepared = prepare(target)
      const others = listed.companies.filter((c) => !isSame(prepared, c))
      return { _tag: "Found", companies: mostSimilar(prepared, others), compared: others.length }
    }

    /** The model's summary when it gives one; the rules' summary, with the reason, when it does not. */
    const summarize = (dossier: Dossier, eventKey: string) =>
      Effect.gen(function*() {
        const facts = summaryFacts(dossier)
        const result = yield* llm.summarize({ eventKey, company: dossier.company, facts: facts.map((f) => f.fact) })
        if (result instanceof LlmSummary) return new Dossier({ ...dossier, summary: fromModel(result, facts) })
        return result.kind === "disabled" ? dossier : withRulesNote(dossier, result.note)
      })

    const research = Effect.fn("Research.research")(
      function*(input: ResearchInput) {
        const domain = normalizeDomain(input.company.domain)
        yield* Effect.annotateCurrentSpan({ domain })
        const [site, listed] = yield* Effect.all([website.research(domain), candidatesFor(input)], { concurrency: "unbounded" })
        const now = yield* Clock.currentTimeMillis
        const dossier = assembleDossier(
          input,
          new Date(now).toISOString(),
          { website: Option.some(site), similar: similarTo(targetProfile(input, site), listed) },
          { displayTimeZone: Option.getOrUndefined(config.displayTimeZone), ownDomains: config.ownDomains },
          crm.provider
        )
        return yield* summarize(dossier, input.eventKey ?? input.key)
      },
      (effect) => permits.withPermits(1)(effect)
    )

    return { research } as const
  })
}) {}
