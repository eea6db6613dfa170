/**
 * Which company a meeting is with. The domain comes from the event's text first (what the
 * organiser wrote on purpose), then its links, then people's e-mail addresses; the name from
 * the text (a labelled name, then one the domain confirms, then other explicit phrases), then
 * the attendees' contacts, then the domain itself. How names are found in the text and matched
 * to a domain is in Company/.
 */
import { Effect } from "effect"
import { AppConfig } from "../Config.js"
import type { CalendarEvent, Person } from "../Domain/CalendarEvent.js"
import type { Extraction as CompanyExtraction, ExtractionSource } from "../Domain/Company.js"
import {
  classifyDomain,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinAny,
  normalizeDomain
} from "../Domain/WebDomain.js"
import { domainKeys, keysOf, ownerLabel } from "./Company/DomainMatch.js"
import { defined } from "./Company/NameRules.js"
import { type Clues, everyone, namesFromText, peopleWords } from "./Company/Names.js"

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

const emailDomains = (people: ReadonlyArray<Person | undefined>): Array<string> =>
  people.flatMap((person) => (person?.email?.includes("@") ? [normalizeDomain(person.email)] : []))

const candidates = (event: CalendarEvent): Array<Candidate> => {
  const from = (source: ExtractionSource, domains: ReadonlyArray<string>) =>
    domains.map((domain): Candidate => ({ domain, source }))
  return [
    ...from("summary", findDomainsInText(event.summary)),
    ...from("description", findDomainsInText(event.description)),
    ...from("location", findDomainsInText(event.location)),
    ...from("url", event.urls.map(normalizeDomain)),
    ...from("attendee_email", emailDomains(event.attendees)),
    ...from("organizer_email", emailDomains([event.organizer]))
  ]
}


// A Zoom or Teams link says where a meeting happens; a person's @zoom.us address does say who it is with.
const isExcluded = ({ domain, source }: Candidate, own: ReadonlyArray<string>) =>
  domain.length === 0 || isFreeMail(domain) || isWithinAny(domain, own) ||
  (source !== "attendee_email" && source !== "organizer_email" && isSharedPlatform(domain))

const findDomain = (event: CalendarEvent, own: ReadonlyArray<string>) => {
  const invalid: Array<{ readonly domain: string; readonly reason: string }> = []
  let found: Candidate | undefined
  for (const candidate of candidates(event)) {
    if (isExcluded(candidate, own)) continue
    const check = classifyDomain(candidate.domain)
    if (check.valid) found ??= candidate
    else if (!invalid.some((entry) => entry.domain === check.domain)) {
      invalid.push({ domain: check.domain, reason: check.reason })
    }
  }
  return { found, invalid }
}

const contactCompany = (event: CalendarEvent, own: ReadonlyArray<string>): string | undefined =>
  everyone(event)
    .filter((person) => person.email === undefined || !isWithinAny(normalizeDomain(person.email), own))
    .map((person) => person.company?.trim() ?? "")
    .find((company) => company.length > 0)

const ownCompanies = (event: CalendarEvent, own: ReadonlyArray<string>): Array<string> =>
  everyone(event)
    .filter((person) => person.email !== undefined && isWithinAny(normalizeDomain(person.email), own))
    .flatMap((person) => defined(person.company?.trim()))

/** "brightwave.io" → "Brightwave", "nordwind-logistik.de" → "Nordwind Logistik", "acme.co.uk" → "Acme". */
export const nameFromDomain = (domain: string): string | undefined => {
  const words = (ownerLabel(domain) ?? "").split("-").filter((word) => word.length > 0)
  return words.length === 0 ? undefined : words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(" ")
}

// ---------------------------------------------------------------------------------------------

export const extractCompany = (event: CalendarEvent, options: ExtractionOptions): CompanyExtraction => {
  const own = options.ownDomains.map(normalizeDomain).filter((domain) => domain.length > 0)
  const { found, invalid } = findDomain(event, own)
  const clues: Clues = {
    domain: found === undefined ? [] : domainKeys(found.domain),
    own: [...own.flatMap(domainKeys), ...ownCompanies(event, own).flatMap((company) => keysOf(company.split(/\s+/)))],
    people: peopleWords(event)
  }
  const text = namesFromText(event, clues)
  // A name after "Herr"/"Mr." is most likely a person's: the last resort, not a guess over the domain.
  const companyName = text.strong ?? contactCompany(event, own) ??
    (found === undefined ? undefined : nameFromDomain(found.domain)) ?? text.weak
  return { companyName, domain: found?.domain, domainSource: found?.source, invalidDomains: invalid }
}

export class Extraction extends Effect.Service<Extraction>()("Agents/Extraction", {
  effect: Effect.gen(function*() {
    const { ownDomains } = yield* AppConfig
    const extract = Effect.fn("Extraction.extract")(function*(event: CalendarEvent) {
      const result = extractCompany(event, { ownDomains })
      yield* Effect.annotateCurrentSpan({
        "event.id": event.eventId,
        "extraction.domain_source": result.domainSource ?? "none",
        "extraction.invalid_domains": result.invalidDomains.length
      })
      return result
    })
    return { extract } as const
  }),
  dependencies: []
}) {}
