/**
 * Company and domain a person wrote in sentences or as a bare link, and whose they are: the
 * replier's own company and ours never count.
 */
import {
  classifyDomain,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinAny,
  normalizeDomain
} from "../../Domain/WebDomain.js"
import * as Rules from "./Rules.js"
import { fold, NEGATION_REACH, tokenize, wordSet } from "./Words.js"

// ----- domains in free text

interface FoundDomain {
  readonly domain: string
  /** Taken from an e-mail address ("max@acme.de"): weaker than a name or a link. */
  readonly email: boolean
  /** "not acme.com", "acme.com is wrong", "acme.com gehört jemand anderem". */
  readonly refuted: boolean
}

const NOT_BEFORE = wordSet(Rules.DOMAIN_NOT_BEFORE)
const NOT_AFTER = [...wordSet(Rules.DOMAIN_NOT_AFTER)]
/** What a domain's clause ends at, for the words that refute it. */
const CLAUSE_END = /[,;()[\]–—]|\s[-/]\s|[.!?](?:\s|$)/
/** The next domain-like word: what follows it is about that one. */
const NEXT_DOMAIN = /\s\S*\.\p{L}/u

const refutedBy = (before: string, after: string): boolean => {
  const head = tokenize(before.split(CLAUSE_END).at(-1) ?? "").slice(-NEGATION_REACH)
  const clause = after.split(CLAUSE_END)[0] ?? ""
  const tail = ` ${tokenize(clause.split(NEXT_DOMAIN)[0] ?? "").slice(0, 5).join(" ")} `
  return head.some((w) => NOT_BEFORE.has(w)) || NOT_AFTER.some((phrase) => tail.includes(` ${phrase} `))
}

/** Domains of a text in order, each with the words around it (up to the previous domain). */
export const domainsIn = (text: string): ReadonlyArray<FoundDomain> => {
  const found: Array<FoundDomain> = []
  const words = text.split(/(\s+)/)
  let since = 0
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? ""
    const domain = /[.@]/.test(word) ? findDomainsInText(word)[0] : undefined
    if (domain === undefined) continue
    const before = words.slice(since, i).join("")
    // Punctuation stuck to the word ("acme.de,") ends its clause as much as a spaced one.
    const after = (/[,;:)\]!?.]+$/.exec(word)?.[0] ?? "") + words.slice(i + 1, i + 24).join("")
    const email = /@/.test(word) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(word.replace(/^\W+/, ""))
    found.push({ domain, email, refuted: refutedBy(before, after) })
    since = i + 1
  }
  return found
}

// ----- company names in free text

const LEGAL_FORMS = new Set(Rules.LEGAL_FORMS)
const NOT_NAMES = wordSet(Rules.NOT_NAMES)
const NAME_JOINERS = new Set(["&", "+", "und", "and", "of", "de", "von", "van", "der"])
const MAX_NAME_WORDS = 6

const bare = (word: string) => word.replace(/^[„“"'«»‚(]+/, "").replace(/[,;:!?)"“”'»]+$/, "")
const formOf = (word: string): string | undefined => {
  const w = bare(word)
  if (LEGAL_FORMS.has(w)) return w
  const noDot = w.replace(/\.$/, "")
  return LEGAL_FORMS.has(noDot) ? noDot : undefined
}
const isNameWord = (word: string) => {
  const w = bare(word)
  return /^[\p{Lu}\p{N}]/u.test(w) && !NOT_NAMES.has(fold(w)) && !/[.@]\p{L}/u.test(w)
}
const endsClause = (word: string) => /[,;:!?)]$/.test(word) || (/\.$/.test(word) && formOf(word) === undefined)

/** "gmbh" → "GmbH": how a legal form is spelled, for names typed in lower case. */
const FORM_SPELLING = new Map([...LEGAL_FORMS].reverse().map((form) => [fold(form).replace(/\.$/, ""), form.replace(/\.$/, "")]))
const titleCase = (word: string) =>
  FORM_SPELLING.get(fold(word)) ?? (NAME_JOINERS.has(fold(word)) ? word : word.charAt(0).toUpperCase() + word.slice(1))

/**
 * The name at the start of `words`: capitalised words and joiners ("Müller & Söhne KG"), then
 * forms. In a text typed all in lower case ("firma ist keller logistik gmbh") any word counts,
 * and the name is capitalised.
 */
const nameAt = (words: ReadonlyArray<string>, lowerCase: boolean): string | undefined => {
  const picked: Array<string> = []
  const anyWord = (word: string) =>
    /^[\p{L}\p{N}]/u.test(bare(word)) && !NOT_NAMES.has(fold(bare(word))) && !/[.@]\p{L}/u.test(word)
  const nameLike = (word: string) => isNameWord(word) || (lowerCase && anyWord(word))
  for (const word of words) {
    if (picked.length === MAX_NAME_WORDS) break
    if (!(nameLike(word) || formOf(word) !== undefined || (picked.length > 0 && NAME_JOINERS.has(fold(word))))) break
    picked.push(word)
    if (endsClause(word)) break
  }
  while (picked.length > 0 && NAME_JOINERS.has(fold(picked.at(-1) ?? ""))) picked.pop()
  if (!picked.some(nameLike)) return undefined
  const name = picked.map(bare).join(" ").replace(/\.$/, (dot) => (formOf(picked.at(-1) ?? "")?.endsWith(".") ? dot : ""))
  return lowerCase ? name.split(" ").map(titleCase).join(" ") : name
}

/** "… Nordwind Logistik GmbH & Co. KG …": the capitalised words before a legal form, and the forms. */
const legalNameIn = (line: string): string | undefined => {
  const words = line.split(/\s+/).filter((w) => w.length > 0)
  for (let i = 1; i < words.length; i++) {
    if (formOf(words[i] ?? "") === undefined || !isNameWord(words[i - 1] ?? "") || endsClause(words[i - 1] ?? "")) continue
    let start = i - 1
    while (
      start > 0 && i - start < MAX_NAME_WORDS - 1 && !endsClause(words[start - 1] ?? "") &&
      (isNameWord(words[start - 1] ?? "") || (NAME_JOINERS.has(fold(words[start - 1] ?? "")) && start > 1))
    ) start--
    const name = nameAt(words.slice(start), false)
    if (name !== undefined) return name
  }
  return undefined
}

/** "the company is Acme", "Firma ist Keller Logistik GmbH", or any name with a legal form. */
const companyIn = (line: string): string | undefined => {
  const intro = Rules.COMPANY_INTRO.exec(line)
  const named = intro ? nameAt(line.slice(intro.index + intro[0].length).split(/\s+/), !/\p{Lu}/u.test(line)) : undefined
  return named ?? legalNameIn(line)
}

// ----- whose text it is

export interface ReplySource {
  /** The sender's address: its domain is the replier's own company. */
  readonly from?: string | undefined
  /** Our own domains: never the company a meeting is with. */
  readonly ownDomains?: ReadonlyArray<string> | undefined
}

const letters = (text: string) => fold(text).replace(/[^\p{L}\p{N}]/gu, "")

const ownCompanies = (source: ReplySource): ReadonlyArray<string> =>
  [source.from?.split("@")[1] ?? "", ...(source.ownDomains ?? [])]
    .map(normalizeDomain)
    .filter((d) => d.length > 0 && !isFreeMail(d))

/** The label that names a company: "lead-insights.app" → "leadinsights", "acme.co.uk" → "acme". */
const brandOf = (domain: string) => {
  const labels = domain.split(".")
  const second = labels.at(-2) ?? ""
  return letters(labels.length > 2 && second.length <= 3 ? labels.at(-3) ?? "" : second)
}

/** Domains spell "Krämer" as "kraemer": the name is compared both ways. */
const UMLAUTS: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", Ä: "Ae", Ö: "Oe", Ü: "Ue" }

const isOwnName = (name: string, own: ReadonlyArray<string>) => {
  const spellings = [letters(name), letters(name.replace(/[äöüÄÖÜ]/g, (c) => UMLAUTS[c] ?? c))]
  return own.some((d) => {
    const brand = brandOf(d)
    return brand.length >= 3 && spellings.some((n) => n.includes(brand))
  })
}

/**
 * Company and domain a person wrote in sentences or as a bare link: "their site is acme.io",
 * "Website wäre www.acme.de", "Das ist die Nordwind Logistik GmbH". Never the replier's own company
 * or ours, a free-mail provider, a meeting or file-sharing host, or a domain the text refutes.
 */
export const freeTextFields = (lines: ReadonlyArray<string>, source: ReplySource) => {
  const own = ownCompanies(source)
  const candidates = lines.flatMap(domainsIn).filter((d) =>
    !d.refuted && classifyDomain(d.domain).valid && !isFreeMail(d.domain) && !isSharedPlatform(d.domain) &&
    !isWithinAny(d.domain, own)
  )
  const domain = (candidates.find((d) => !d.email) ?? candidates[0])?.domain
  const company = lines.map(companyIn).find((name) => name !== undefined && !isOwnName(name, own))
  return { company, domain }
}
