/**
 * Which company a meeting is with. The domain comes from the event's text first (what the
 * organiser wrote on purpose), then its links, then people's e-mail addresses; the name from
 * the text (a labelled name, then one the domain confirms, then other explicit phrases), then
 * the attendees' contacts, then the domain itself. How names are found in the text and matched
 * to a domain is in Company/. When the rules find no domain and an LLM is configured, the model
 * is asked (Agents/SoftTrigger.ts: only what the meeting text backs up is taken).
 */
import { Effect, Option } from "effect"
import { AppConfig } from "../Config.js"
import type { CalendarEvent, Person } from "../Domain/CalendarEvent.js"
import type { Extraction as CompanyExtraction, ExtractionSource } from "../Domain/Company.js"
import { cached } from "../Domain/Text.js"
import {
  classifyDomain,
  type DomainCheck,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinAny,
  normalizeDomain
} from "../Domain/WebDomain.js"
import { domainKeys, keysOf, ownerLabel } from "./Company/DomainMatch.js"
import { type Clues, everyone, lazy, namesFromText, peopleWords } from "./Company/Names.js"
import { Llm } from "./Llm.js"
import { configuredLlm, makeCompanyFallback } from "./SoftTrigger.js"

export { stripSalutation } from "./Company/NameRules.js"

export interface ExtractionOptions {
  readonly ownDomains: ReadonlyArray<string>
}

// ---------------------------------------------------------------------------------------------
// Domain

interface Candidate {
  readonly domain: string
  readonly source: ExtractionSource
}

const emailDomains = (people: ReadonlyArray<Person | undefined>): Array<string> => {
  const domains: Array<string> = []
  for (const person of people) if (person?.email?.includes("@")) domains.push(normalizeDomain(person.email))
  return domains
}

/** Where a domain may be written, in the order they are looked at. */
const domainSources = (event: CalendarEvent): ReadonlyArray<readonly [ExtractionSource, ReadonlyArray<string>]> => [
  ["summary", findDomainsInText(event.summary)],
  ["description", findDomainsInText(event.description)],
  ["location", findDomainsInText(event.location)],
  ["url", event.urls.map(normalizeDomain)],
  ["attendee_email", emailDomains(event.attendees)],
  ["organizer_email", emailDomains([event.organizer])]
]

/** What a domain is to us: checked once per domain, as the same ones come back event after event. */
type Verdict =
  | { readonly _tag: "Skipped" }
  | { readonly _tag: "Link"; readonly check: DomainCheck }
  | { readonly _tag: "Candidate"; readonly check: DomainCheck }

// A Zoom or Teams link says where a meeting happens; a person's @zoom.us address does say who it is with.
const verdictOf = (domain: string, own: ReadonlyArray<string>): Verdict =>
  domain.length === 0 || isFreeMail(domain) || isWithinAny(domain, own)
    ? { _tag: "Skipped" }
    : isSharedPlatform(domain)
    ? { _tag: "Link", check: classifyDomain(domain) }
    : { _tag: "Candidate", check: classifyDomain(domain) }

const isPersonSource = (source: ExtractionSource) => source === "attendee_email" || source === "organizer_email"

const findDomain = (event: CalendarEvent, verdict: (domain: string) => Verdict) => {
  const invalid: Array<{ readonly domain: string; readonly reason: string }> = []
  let found: Candidate | undefined
  for (const [source, domains] of domainSources(event)) {
    for (const domain of domains) {
      const seen = verdict(domain)
      if (seen._tag === "Skipped" || (seen._tag === "Link" && !isPersonSource(source))) continue
      const { check } = seen
      if (check.valid) found ??= { domain, source }
      else if (!invalid.some((entry) => entry.domain === check.domain)) {
        invalid.push({ domain: check.domain, reason: check.reason })
      }
    }
  }
  return { found, invalid }
}

const contactCompany = (event: CalendarEvent, isOurs: (email: string) => boolean): string | undefined => {
  for (const person of everyone(event)) {
    const company = person.company?.trim() ?? ""
    if (company.length > 0 && (person.email === undefined || !isOurs(person.email))) return company
  }
  return undefined
}

const ownCompanies = (event: CalendarEvent, isOurs: (email: string) => boolean): Array<string> => {
  const companies: Array<string> = []
  for (const person of everyone(event)) {
    const company = person.company?.trim()
    if (company !== undefined && person.email !== undefined && isOurs(person.email)) companies.push(company)
  }
  return companies
}

/** "brightwave.io" → "Brightwave", "nordwind-logistik.de" → "Nordwind Logistik", "acme.co.uk" → "Acme". */
export const nameFromDomain = (domain: string): string | undefined => {
  const words = (ownerLabel(domain) ?? "").split("-").filter((word) => word.length > 0)
  return words.length === 0 ? undefined : words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(" ")
}
// Most meetings are with companies met before.
const nameFromDomainOf = cached((domain: string) => nameFromDomain(domain) ?? null)

// ---------------------------------------------------------------------------------------------

/** Prepares our own domains once; the returned function extracts the company of an event. */
export const compileExtraction = (options: ExtractionOptions) => {
  const own = options.ownDomains.map(normalizeDomain).filter((domain) => domain.length > 0)
  const ownKeys = own.flatMap(domainKeys)
  const verdict = cached((domain: string) => verdictOf(domain, own))
  const isOurs = cached((email: string) => isWithinAny(normalizeDomain(email), own))
  return (event: CalendarEvent): CompanyExtraction => {
    const { found, invalid } = findDomain(event, verdict)
    const clues: Clues = {
      domain: found === undefined ? [] : domainKeys(found.domain),
      own: lazy(() => [...ownKeys, ...ownCompanies(event, isOurs).flatMap((company) => keysOf(company.split(/\s+/)))]),
      people: lazy(() => peopleWords(event))
    }
    const text = namesFromText(event, clues)
    // A name after "Herr"/"Mr." is most likely a person's: the last resort, not a guess over the domain.
    const companyName = text.strong ?? contactCompany(event, isOurs) ??
      (found === undefined ? undefined : nameFromDomainOf(found.domain) ?? undefined) ?? text.weak
    return { companyName, domain: found?.domain, domainSource: found?.source, invalidDomains: invalid }
  }
}

export const extractCompany = (event: CalendarEvent, options: ExtractionOptions): CompanyExtraction =>
  compileExtraction(options)(event)

export class Extraction extends Effect.Service<Extraction>()("Agents/Extraction", {
  effect: Effect.gen(function*() {
    const { ownDomains } = yield* AppConfig
    const extractFrom = compileExtraction({ ownDomains })
    // Asked for every triggered event, and cheaper than a span of its own would be: the event's
    // span (EventProcessor.process) and its step log carry the result.
    const byRules = (event: CalendarEvent): Effect.Effect<CompanyExtraction> => Effect.sync(() => extractFrom(event))
    const extract = Option.match(configuredLlm(yield* Effect.serviceOption(Llm)), {
      onNone: () => byRules,
      onSome: (llm) => {
        const fallback = makeCompanyFallback(llm)
        // No domain, and none the rules turned down as a placeholder: the model may read what the rules did not.
        return (event: CalendarEvent): Effect.Effect<CompanyExtraction> => {
          const found = extractFrom(event)
          return found.domain === undefined && found.invalidDomains.length === 0
            ? fallback(event, found)
            : Effect.succeed(found)
        }
      }
    })
    return { extract } as const
  }),
  dependencies: []
}) {}
