/**
 * Similar companies: the CRM's companies scored against the one researched by industry, size,
 * country and what they do (token cosine on descriptions), each with a reason naming what matched.
 * Deterministic (ties by name, then domain), never the company itself, at most `limit`. Pure.
 */
import { SimilarCompany, type SimilarityCriterion } from "../../Domain/Dossier.js"
import { normalizeText } from "../../Domain/Text.js"
import { isWithinDomain, normalizeDomain } from "../../Domain/WebDomain.js"

export interface CompanyProfile {
  readonly name: string
  readonly domain: string
  readonly industry?: string | undefined
  readonly size?: string | undefined
  readonly country?: string | undefined
  /** What the company does: the CRM's description, or the website's description and products. */
  readonly description?: string | undefined
  readonly crmId?: string | undefined
}

export const WEIGHTS: Readonly<Record<SimilarityCriterion, number>> = {
  industry: 0.4,
  description: 0.25,
  size: 0.2,
  country: 0.15
}

/** A candidate needs at least this score, and a match on industry or description. */
export const MIN_SCORE = 0.2
export const MAX_SIMILAR = 5

// ---------------------------------------------------------------------------------------------
// Words

const STOP_WORDS = new Set(
  ("a an and are as at be by for from has have in is it its of on or our the their to we with you your " +
    "all also any can more most new not one other out over such than that this very was were will " +
    "der die das den dem des ein eine einer eines einem und oder mit für von zu zur zum im in ist sind " +
    "wir unsere unser ihr ihre sie auf aus bei als auch nach seit über unter sowie durch vom am an " +
    "le la les de des du et en un une pour avec sur").split(" ")
)

/** The words that say something, as written: three letters or more, no stop words, no numbers. */
const writtenWords = (text: string | undefined): ReadonlyArray<{ readonly written: string; readonly key: string }> =>
  text === undefined
    ? []
    : text.split(/[^\p{L}\p{N}]+/u).flatMap((written) => {
      const key = normalizeText(written)
      return key.length >= 3 && !STOP_WORDS.has(key) && !/^\d+$/.test(key) ? [{ written, key }] : []
    })

/** The words that say something: normalised (case, accents, ß), three letters or more, no stop words, no numbers. */
export const contentWords = (text: string | undefined): ReadonlyArray<string> => writtenWords(text).map((w) => w.key)

/** A crude stem, so "logistics"/"logistik" and "services"/"service" meet: the first six letters. */
const stem = (word: string) => word.slice(0, 6)

/**
 * Per text, worked out once: every research compares its company with all of the CRM's, whose
 * texts are the same each time (without this, research grew with the square of the companies).
 */
const remembered = <A>(compute: (text: string | undefined) => A) => {
  const known = new Map<string, A>()
  return (text: string | undefined): A => {
    if (text === undefined) return compute(text)
    let value = known.get(text)
    if (value === undefined) {
      if (known.size >= 20_000) known.clear()
      value = compute(text)
      known.set(text, value)
    }
    return value
  }
}

/** Counts per stem, and the first word written for each stem (what a reader is shown). */
const termCounts = remembered((text: string | undefined) => {
  const counts = new Map<string, number>()
  const words = new Map<string, string>()
  for (const { key, written } of writtenWords(text)) {
    const term = stem(key)
    counts.set(term, (counts.get(term) ?? 0) + 1)
    if (!words.has(term)) words.set(term, written)
  }
  let sum = 0
  for (const n of counts.values()) sum += n * n
  return { counts, words, norm: Math.sqrt(sum) }
})

/** Cosine similarity of two texts' (stemmed) word counts: 0 … 1, and the words they share (as `b` writes them). */
export const cosine = (a: string | undefined, b: string | undefined): { readonly score: number; readonly shared: ReadonlyArray<string> } => {
  const { counts: ca, norm: na } = termCounts(a)
  const { counts: cb, words, norm: nb } = termCounts(b)
  let dot = 0
  const shared: Array<string> = []
  for (const [term, n] of ca) {
    const m = cb.get(term)
    if (m !== undefined) {
      dot += n * m
      shared.push(words.get(term) ?? term)
    }
  }
  if (dot === 0) return { score: 0, shared: [] }
  return { score: dot / (na * nb), shared: shared.sort() }
}

/** Jaccard similarity of two industry labels' word sets ("Logistik, Spedition" vs "Logistics"). */
const stems = remembered((text: string | undefined): ReadonlySet<string> => new Set(contentWords(text).map(stem)))

export const industrySimilarity = (a: string | undefined, b: string | undefined): number => {
  const sa = stems(a)
  const sb = stems(b)
  if (sa.size === 0 || sb.size === 0) return 0
  const common = [...sa].filter((w) => sb.has(w)).length
  return common / (sa.size + sb.size - common)
}

// ---------------------------------------------------------------------------------------------
// Size bands and countries

/** Employee-count bands, as CRMs write them ("51-200", "1001-5000", "5000+", "about 1,200"). */
const BANDS: ReadonlyArray<readonly [number, number]> = [
  [1, 10],
  [11, 50],
  [51, 200],
  [201, 500],
  [501, 1000],
  [1001, 5000],
  [5001, 10000],
  [10001, Number.POSITIVE_INFINITY]
]

/** The band index of a size: a range's middle, or a single number. */
export const sizeBand = (size: string | undefined): number | undefined => {
  if (size === undefined) return undefined
  const numbers = [...size.replace(/(\d)[.,'’ ](?=\d{3}\b)/g, "$1").matchAll(/\d+/g)].map((m) => Number(m[0]))
  const first = numbers[0]
  if (first === undefined) return undefined
  const second = numbers[1]
  const value = second !== undefined && second > first ? Math.sqrt(first * second) : first
  const band = BANDS.findIndex(([lo, hi]) => value >= lo && value <= hi)
  return band < 0 ? (value < 1 ? 0 : BANDS.length - 1) : band
}

/** Country names as CRMs write them (English, German, ISO codes) → one code. */
const COUNTRIES: Readonly<Record<string, string>> = {
  de: "DE", deu: "DE", germany: "DE", deutschland: "DE",
  at: "AT", aut: "AT", austria: "AT", osterreich: "AT",
  ch: "CH", che: "CH", switzerland: "CH", schweiz: "CH", suisse: "CH",
  gb: "GB", uk: "GB", "united kingdom": "GB", "great britain": "GB", england: "GB", grossbritannien: "GB",
  us: "US", usa: "US", "united states": "US", "united states of america": "US", "vereinigte staaten": "US",
  fr: "FR", france: "FR", frankreich: "FR",
  nl: "NL", netherlands: "NL", niederlande: "NL", "the netherlands": "NL",
  be: "BE", belgium: "BE", belgien: "BE",
  dk: "DK", denmark: "DK", danemark: "DK",
  no: "NO", norway: "NO", norwegen: "NO",
  se: "SE", sweden: "SE", schweden: "SE",
  fi: "FI", finland: "FI", finnland: "FI",
  pl: "PL", poland: "PL", polen: "PL",
  cz: "CZ", czechia: "CZ", "czech republic": "CZ", tschechien: "CZ",
  it: "IT", italy: "IT", italien: "IT",
  es: "ES", spain: "ES", spanien: "ES",
  ie: "IE", ireland: "IE", irland: "IE"
}

const countryCode = (country: string | undefined): string | undefined => {
  if (country === undefined) return undefined
  const key = normalizeText(country).replace(/[^\p{L} ]+/gu, " ").replace(/\s+/g, " ").trim()
  return COUNTRIES[key] ?? (key.length > 0 ? key : undefined)
}

const COUNTRY_TLDS: Readonly<Record<string, string>> = {
  de: "DE", at: "AT", ch: "CH", uk: "GB", fr: "FR", nl: "NL", be: "BE", dk: "DK", no: "NO", se: "SE",
  fi: "FI", pl: "PL", cz: "CZ", it: "IT", es: "ES", ie: "IE"
}

/** The country a country-code domain suggests ("brenner.de" → "DE"); none for .com, .io … */
export const countryOfDomain = (domain: string): string | undefined =>
  COUNTRY_TLDS[normalizeDomain(domain).split(".").pop() ?? ""]

// ---------------------------------------------------------------------------------------------
// Scoring

export interface Scored {
  readonly score: number
  readonly matched: ReadonlyArray<SimilarityCriterion>
  readonly reason: string
}

const round2 = (n: number) => Math.round(n * 100) / 100

/** How like `target` the `candidate` is, and why; undefined when it is not similar enough. */
export const score = (target: CompanyProfile, candidate: CompanyProfile): Scored | undefined => {
  const parts: Array<{ criterion: SimilarityCriterion; value: number; why: string }> = []
  const industry = industrySimilarity(target.industry, candidate.industry)
  if (industry > 0) {
    parts.push({
      criterion: "industry",
      value: industry,
      why: industry === 1 ? `same industry (${candidate.industry})` : `related industry (${candidate.industry})`
    })
  }
  const description = cosine(target.description, candidate.description)
  if (description.score > 0) {
    parts.push({
      criterion: "description",
      value: description.score,
      why: `similar business (shared words: ${description.shared.slice(0, 4).join(", ")})`
    })
  }
  const ta = sizeBand(target.size)
  const ca = sizeBand(candidate.size)
  if (ta !== undefined && ca !== undefined && Math.abs(ta - ca) <= 1) {
    parts.push({
      criterion: "size",
      value: ta === ca ? 1 : 0.5,
      why: ta === ca ? `same size (${candidate.size})` : `similar size (${candidate.size})`
    })
  }
  const tc = countryCode(target.country)
  if (tc !== undefined && tc === countryCode(candidate.country)) {
    parts.push({ criterion: "country", value: 1, why: `same country (${candidate.country})` })
  }
  if (!parts.some((p) => p.criterion === "industry" || p.criterion === "description")) return undefined
  const total = round2(Math.min(1, parts.reduce((sum, p) => sum + WEIGHTS[p.criterion] * p.value, 0)))
  if (total < MIN_SCORE) return undefined
  return { score: total, matched: parts.map((p) => p.criterion), reason: parts.map((p) => p.why).join("; ") }
}

/** The company itself, by domain (either way), name or CRM record. */
export const isSelf = (target: CompanyProfile, candidate: CompanyProfile) => {
  const a = normalizeDomain(target.domain)
  const b = normalizeDomain(candidate.domain)
  const sameName = normalizeText(target.name).replace(/[^\p{L}\p{N}]+/gu, "") ===
    normalizeText(candidate.name).replace(/[^\p{L}\p{N}]+/gu, "")
  return (a !== "" && b !== "" && (isWithinDomain(a, b) || isWithinDomain(b, a))) || sameName ||
    (target.crmId !== undefined && target.crmId === candidate.crmId)
}

/** The `limit` most similar candidates, best first; ties by name, then domain. */
export const similarCompanies = (
  target: CompanyProfile,
  candidates: ReadonlyArray<CompanyProfile>,
  limit = MAX_SIMILAR
): ReadonlyArray<SimilarCompany> =>
  candidates
    .filter((candidate) => !isSelf(target, candidate))
    .flatMap((candidate) => {
      const scored = score(target, candidate)
      return scored === undefined ? [] : [{ candidate, scored }]
    })
    .sort((a, b) =>
      b.scored.score - a.scored.score ||
      a.candidate.name.localeCompare(b.candidate.name, "en") ||
      a.candidate.domain.localeCompare(b.candidate.domain, "en")
    )
    .slice(0, limit)
    .map(({ candidate, scored }) =>
      new SimilarCompany({
        name: candidate.name,
        domain: normalizeDomain(candidate.domain),
        score: scored.score,
        reason: scored.reason,
        matched: scored.matched,
        ...(candidate.crmId === undefined ? {} : { crm_id: candidate.crmId })
      })
    )
