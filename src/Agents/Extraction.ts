/**
 * Which company a meeting is with. The domain comes from the event's text first (what the
 * organiser wrote on purpose), then its links, then people's e-mail addresses; the name from
 * explicit phrases in the text, then the attendees' contacts, then the domain itself.
 */
import { Effect } from "effect"
import { domainToUnicode } from "node:url"
import { AppConfig } from "../Config.js"
import type { CalendarEvent, Person } from "../Domain/CalendarEvent.js"
import type { Extraction as CompanyExtraction, ExtractionSource } from "../Domain/Company.js"
import { normalizeText } from "../Domain/Text.js"
import {
  classifyDomain,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinDomain,
  normalizeDomain
} from "../Domain/WebDomain.js"

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

const isOwn = (domain: string, own: ReadonlyArray<string>) => own.some((parent) => isWithinDomain(domain, parent))

// A Zoom or Teams link says where a meeting happens; a person's @zoom.us address does say who it is with.
const isExcluded = ({ domain, source }: Candidate, own: ReadonlyArray<string>) =>
  domain.length === 0 || isFreeMail(domain) || isOwn(domain, own) ||
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

// ---------------------------------------------------------------------------------------------
// Vocabulary (compared normalised: case, accents and ß/ss do not matter)

const wordSet = (words: string) => new Set(words.split(/\s+/).map(normalizeText))
const norm = (word: string) => normalizeText(word)

const PERSONAL_SALUTATIONS = wordSet("herr herrn frau hr. hr fr. mr mr. mrs mrs. ms ms. dr dr. prof prof. sir")
const COMPANY_PREFIXES = wordSet("firma fa fa.")
const ARTICLES = wordSet("der die das dem den des ein eine einem einen einer the a an")
const CONNECTORS = wordSet("& + und and of")
const PREPOSITIONS = wordSet("with mit bei für fuer for")
const LABELS = wordSet("company firma kunde customer client unternehmen account organisation organization")
const ABBREVIATIONS = wordSet("z.b. e.g. i.e. bzw. ca. usw. etc. vs. u.a. d.h. evtl. ggf. inkl. incl. nr. no.")
const STOP_WORDS = wordSet(`
  we us our you your me my them their him her it team teams everyone all everybody
  wir uns unser unsere unserem unseren unserer euch ihnen ihm ihr mir dir sich alle allen
  kollegen kollegin kunden kunde customer customers client clients interessent interessenten
  about on re regarding to from in at by via über wegen zum zur zu im am an auf vom von nach vor per
  leadership management marketing sales vertrieb geschäftsführung einkauf hr legal finance board
  engineering support product operations next steps new neue neuer neuen neuem potential internal intern
  today tomorrow heute morgen uhr pm cet cest utc
  january february march april may june july august september october november december
  jan feb mar apr jun jul aug sep sept oct nov dec januar februar märz mai juni juli oktober dezember
  monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag freitag
  samstag sonntag`)
const MEETING_WORDS = wordSet(`
  meeting call termin kickoff kick-off prep vorbereitung besprechung gespräch workshop demo review sync
  briefing pitch präsentation presentation abstimmung jour fixe intro introduction follow-up followup telko
  telefonat video zoom discovery onboarding recherche research proposal angebot update status planning
  planung lunch dinner session visit besuch touchpoint strategy strategie conversation discussion`)
// German compounds: "Kundentermin", "Jahresgespräch", "Teammeeting".
const MEETING_SUFFIX = /(?:termin|gesprach|besprechung|meeting)$/

const LEGAL_FORMS = new Set([
  "GmbH", "gGmbH", "mbH", "AG", "KG", "KGaA", "OHG", "SE", "UG", "GbR", "eG", "e.K.", "e.V.", "Ltd", "Ltd.",
  "Limited", "LLC", "L.L.C.", "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Incorporated", "PLC", "plc", "LLP",
  "S.A.", "SA", "SAS", "SARL", "B.V.", "BV", "N.V.", "NV", "AB", "ASA", "Oy", "S.p.A.", "SpA", "S.r.l.", "Srl",
  "Pty", "Co.", "Co"
])
// Short forms ("AG", "SE", "AB") are also ordinary words in lower case; only these long ones are safe to fold.
const FOLDED_LEGAL_FORMS = wordSet(
  "gmbh ggmbh mbh kgaa ohg gbr ltd ltd. limited llc inc inc. corp corp. corporation plc llp"
)

const isLegalForm = (word: string) => LEGAL_FORMS.has(word) || FOLDED_LEGAL_FORMS.has(norm(word))
const isSalutation = (word: string) => PERSONAL_SALUTATIONS.has(norm(word)) || COMPANY_PREFIXES.has(norm(word))
const isConnector = (word: string) => CONNECTORS.has(norm(word))
const isMeetingWord = (word: string) => MEETING_WORDS.has(norm(word)) || MEETING_SUFFIX.test(norm(word))
const isDateLike = (word: string) =>
  /^\d+(?:[./:-]\d+)*\.?$/.test(word) || /^\d{1,2}(?:[.:]\d{2})?(?:am|pm|h|uhr)$/i.test(word) ||
  /^(?:q[1-4]|h[12]|kw\d{1,2}|cw\d{1,2})$/i.test(word)
const looksLikeAddress = (word: string) => word.includes("@") || word.includes("://") || /\.\p{L}/u.test(word)

const isNameWord = (word: string, lowerCase: boolean): boolean => {
  if (isLegalForm(word) || isSalutation(word) || isConnector(word)) return true
  if (STOP_WORDS.has(norm(word)) || isMeetingWord(word) || isDateLike(word) || looksLikeAddress(word)) return false
  return lowerCase || /^[\p{Lu}\p{N}]/u.test(word)
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * "Firma Condata" → "Condata", "Herr Milonas Condata" → "Milonas Condata". Kept as is when only a
 * legal form follows ("Herr GmbH"), or a personal salutation leads a legal name ("Mr. Smith LLC").
 */
export const stripSalutation = (name: string): string => {
  const words = name.trim().split(/\s+/)
  const count = words.findIndex((word) => !isSalutation(word))
  if (count <= 0) return words.join(" ")
  const rest = words.slice(count)
  const personal = words.slice(0, count).some((word) => PERSONAL_SALUTATIONS.has(norm(word)))
  const last = rest[rest.length - 1] ?? ""
  if (rest.every(isLegalForm) || (personal && isLegalForm(last))) return words.join(" ")
  return rest.join(" ")
}

const titleCase = (name: string) =>
  name.split(" ").map((word) => (isConnector(word) ? word : word.charAt(0).toUpperCase() + word.slice(1))).join(" ")

const MAX_NAME_WORDS = 8

/** The name at the start of `words`: capitalised words (any words in an all-lower-case text). */
const takeName = (words: ReadonlyArray<string>, lowerCase: boolean): string | undefined => {
  const start = words.findIndex((word) => !ARTICLES.has(norm(word)))
  const picked: Array<string> = []
  for (const word of start < 0 ? [] : words.slice(start)) {
    if (picked.length === MAX_NAME_WORDS || !isNameWord(word, lowerCase)) break
    picked.push(word)
  }
  while (picked.length > 0 && isConnector(picked[picked.length - 1] ?? "")) picked.pop()
  while (picked.length > 0 && isConnector(picked[0] ?? "")) picked.shift()
  if (!picked.some((word) => !isSalutation(word) && !isConnector(word))) return undefined
  const name = stripSalutation(picked.join(" "))
  return lowerCase ? titleCase(name) : name
}

/** A clause of the text, and what ended it: ":", "-" (a dash between spaces), "," or ".". */
interface Segment {
  readonly words: ReadonlyArray<string>
  readonly end: string
}

const keepsDot = (word: string) => isLegalForm(word) || isSalutation(word) || ABBREVIATIONS.has(norm(word))

const cleanWord = (raw: string): string => {
  const word = raw.replace(/^[^\p{L}\p{N}&+]+/u, "").replace(/[^\p{L}\p{N}&+.]+$/u, "")
  return keepsDot(word) ? word : word.replace(/\.+$/, "")
}

const segmentEnd = (raw: string, word: string): string | undefined => {
  const last = raw.replace(/["'“”’»)\]]+$/, "").slice(-1)
  if (last === ":") return ":"
  if (",;!?".includes(last) && last !== "") return ","
  return last === "." && !word.endsWith(".") ? "." : undefined
}

const splitSegments = (text: string): Array<Segment> => {
  const segments: Array<Segment> = []
  let words: Array<string> = []
  const close = (end: string) => {
    if (words.length > 0) segments.push({ words, end })
    words = []
  }
  // "(…)" parts are asides (dates, cities, notes): they end the clause and are dropped.
  // Brackets end a segment but keep their content: "(Müller & Söhne KG)" can name the company.
  const prepared = text.replace(/[()[\]]/g, " , ").replace(/:(?=\p{L})/gu, ": ")
  for (const line of prepared.split(/\r?\n/)) {
    for (const raw of line.split(/\s+/)) {
      if (/^[-–—|•/]+$/.test(raw)) {
        close("-")
        continue
      }
      const word = cleanWord(raw)
      if (word.length > 0) words.push(word)
      const end = segmentEnd(raw, word)
      if (end !== undefined) close(end)
    }
    close("\n")
  }
  return segments
}

type NameRule = (segments: ReadonlyArray<Segment>, lowerCase: boolean) => string | undefined

const firstOf = <A>(items: ReadonlyArray<A>, f: (item: A, index: number) => string | undefined) => {
  for (const [index, item] of items.entries()) {
    const result = f(item, index)
    if (result !== undefined) return result
  }
  return undefined
}

const isLabel = (words: ReadonlyArray<string>) => {
  const last = norm(words[words.length - 1] ?? "")
  const previous = norm(words[words.length - 2] ?? "")
  return LABELS.has(last) || last === "firmenname" || (last === "name" && LABELS.has(previous))
}

/** "Company: X", "Kunde: X", "Firma X". */
const labelRule: NameRule = (segments, lowerCase) =>
  firstOf(segments, (segment, i) => {
    const next = segments[i + 1]
    const labelled = segment.end === ":" && next !== undefined && isLabel(segment.words)
      ? takeName(next.words, lowerCase)
      : undefined
    const prefix = segment.words.findIndex((word) => COMPANY_PREFIXES.has(norm(word)))
    return labelled ?? (prefix < 0 ? undefined : takeName(segment.words.slice(prefix), lowerCase))
  })

/** "… Nordwind Logistik GmbH & Co. KG …": the name words before a legal form, and the form. */
const legalFormRule: NameRule = (segments, lowerCase) =>
  firstOf(segments, ({ words }) =>
    firstOf(words, (word, i) => {
      if (!isLegalForm(word) || i === 0) return undefined
      let start = i
      while (start > 0 && i - start < 5 && isNameWord(words[start - 1] ?? "", lowerCase)) start--
      let end = i + 1
      while (end < words.length && (isLegalForm(words[end] ?? "") || words[end] === "&")) end++
      return takeName(words.slice(start, end), lowerCase)
    }))

/** "with X", "mit X", "bei X", "für X". */
const prepositionRule: NameRule = (segments, lowerCase) =>
  firstOf(segments, ({ words }) =>
    firstOf(words, (word, i) => (PREPOSITIONS.has(norm(word)) ? takeName(words.slice(i + 1), lowerCase) : undefined)))

/** "Kickoff – Brightwave", "Prep: Brightwave", and "Brightwave – Kickoff". */
const dashRule: NameRule = (segments, lowerCase) => {
  const [first, second] = segments
  if (first === undefined || second === undefined || (first.end !== "-" && first.end !== ":")) return undefined
  const after = first.words.length <= 4 ? takeName(second.words, lowerCase) : undefined
  return after ?? (second.words.every(isMeetingWord) ? takeName(first.words, lowerCase) : undefined)
}

// Most explicit first. A dash in a description is too often just punctuation.
const DESCRIPTION_RULES: ReadonlyArray<NameRule> = [labelRule, legalFormRule, prepositionRule]
const SUMMARY_RULES: ReadonlyArray<NameRule> = [...DESCRIPTION_RULES, dashRule]

const nameFromText = (event: CalendarEvent): string | undefined =>
  firstOf([event.summary, event.description], (text, i) => {
    const segments = splitSegments(text)
    const lowerCase = !/\p{Lu}/u.test(text)
    const rules = i === 0 ? SUMMARY_RULES : DESCRIPTION_RULES
    return firstOf(rules, (rule) => rule(segments, lowerCase))
  })

const contactCompany = (event: CalendarEvent, own: ReadonlyArray<string>): string | undefined =>
  [...event.attendees, ...(event.organizer === undefined ? [] : [event.organizer])]
    .filter((person) => person.email === undefined || !isOwn(normalizeDomain(person.email), own))
    .map((person) => person.company?.trim() ?? "")
    .find((company) => company.length > 0)

const SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov", "ltd", "plc", "or", "ne", "gv"])

/** "brightwave.io" → "Brightwave", "nordwind-logistik.de" → "Nordwind Logistik", "acme.co.uk" → "Acme". */
export const nameFromDomain = (domain: string): string | undefined => {
  const labels = domainToUnicode(domain).split(".")
  labels.pop()
  let label = labels.pop()
  if (label !== undefined && SECOND_LEVEL.has(label) && labels.length > 0) label = labels.pop()
  const words = (label ?? "").split("-").filter((word) => word.length > 0)
  return words.length === 0 ? undefined : words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(" ")
}

// ---------------------------------------------------------------------------------------------

export const extractCompany = (event: CalendarEvent, options: ExtractionOptions): CompanyExtraction => {
  const own = options.ownDomains.map(normalizeDomain).filter((domain) => domain.length > 0)
  const { found, invalid } = findDomain(event, own)
  const companyName = nameFromText(event) ?? contactCompany(event, own) ??
    (found === undefined ? undefined : nameFromDomain(found.domain))
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
