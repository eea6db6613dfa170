/**
 * Similar companies: the CRM's companies scored against the one researched by industry, size,
 * country and what they do (token cosine on descriptions), each with a reason naming what matched.
 * Deterministic (ties by name, then domain), never the company itself, at most `limit`. Pure.
 */
import { SimilarCompany, type SimilarityCriterion } from "../../Domain/Dossier.js"
import { normalizeText } from "../../Domain/Text.js"
import { isWithinNormalized, normalizeDomain } from "../../Domain/WebDomain.js"

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

/** The cosine of two texts' stem counts; the shared words (as `b` writes them) go to `shared` when given. */
const cosineOf = (a: string | undefined, b: string | undefined, shared?: Array<string>): number => {
  const { counts: ca, norm: na } = termCounts(a)
  const { counts: cb, words, norm: nb } = termCounts(b)
  let dot = 0
  for (const [term, n] of ca) {
    const m = cb.get(term)
    if (m !== undefined) {
      dot += n * m
      shared?.push(words.get(term) ?? term)
    }
  }
  return dot === 0 ? 0 : dot / (na * nb)
}

/** Cosine similarity of two texts' (stemmed) word counts: 0 … 1, and the words they share (as `b` writes them). */
export const cosine = (a: string | undefined, b: string | undefined): { readonly score: number; readonly shared: ReadonlyArray<string> } => {
  const shared: Array<string> = []
  const score = cosineOf(a, b, shared)
  return score === 0 ? { score: 0, shared: [] } : { score, shared: shared.sort() }
}

/** Jaccard similarity of two industry labels' word sets ("Logistik, Spedition" vs "Logistics"). */
const stems = remembered((text: string | undefined): ReadonlySet<string> => new Set(contentWords(text).map(stem)))

export const industrySimilarity = (a: string | undefined, b: string | undefined): number => {
  const sa = stems(a)
  const sb = stems(b)
  if (sa.size === 0 || sb.size === 0) return 0
  let common = 0
  for (const w of sa) if (sb.has(w)) common++
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

/**
 * A profile with what comparing it takes worked out once: a research compares its company with
 * every one of the CRM's (thousands), and working out each candidate's domain, name, size band and
 * country again for every research made research grow with the square of the companies.
 */
export interface Prepared {
  readonly profile: CompanyProfile
  readonly domain: string
  /** The name without case, accents or anything but letters and digits. */
  readonly name: string
  readonly sizeBand: number | undefined
  readonly country: string | undefined
}

export const prepare = (profile: CompanyProfile): Prepared => ({
  profile,
  domain: normalizeDomain(profile.domain),
  name: normalizeText(profile.name).replace(/[^\p{L}\p{N}]+/gu, ""),
  sizeBand: sizeBand(profile.size),
  country: countryCode(profile.country)
})

/** The company itself, by domain (either way), name or CRM record. */
export const isSame = (target: Prepared, candidate: Prepared): boolean => {
  const a = target.domain
  const b = candidate.domain
  return (a !== "" && b !== "" && (isWithinNormalized(a, b) || isWithinNormalized(b, a))) || target.name === candidate.name ||
    (target.profile.crmId !== undefined && target.profile.crmId === candidate.profile.crmId)
}

/** Each criterion's part of a candidate's score (0 when it did not match). */
interface Parts {
  readonly industry: number
  readonly description: number
  readonly size: number | undefined
  readonly country: boolean
}

const partsOf = (t: Prepared, c: Prepared): Parts => {
  const ta = t.sizeBand
  const ca = c.sizeBand
  return {
    industry: industrySimilarity(t.profile.industry, c.profile.industry),
    description: cosineOf(t.profile.description, c.profile.description),
    size: ta !== undefined && ca !== undefined && Math.abs(ta - ca) <= 1 ? (ta === ca ? 1 : 0.5) : undefined,
    country: t.country !== undefined && t.country === c.country
  }
}

/** The score of the parts, or undefined below MIN_SCORE or without industry or description. */
const totalOf = (parts: Parts): number | undefined => {
  if (parts.industry <= 0 && parts.description <= 0) return undefined
  let sum = 0
  if (parts.industry > 0) sum += WEIGHTS.industry * parts.industry
  if (parts.description > 0) sum += WEIGHTS.description * parts.description
  if (parts.size !== undefined) sum += WEIGHTS.size * parts.size
  if (parts.country) sum += WEIGHTS.country
  const total = round2(Math.min(1, sum))
  return total < MIN_SCORE ? undefined : total
}

/** Why a candidate scored `total`: each criterion that matched, in words. */
const explained = (t: Prepared, c: Prepared, parts: Parts, total: number): Scored => {
  const candidate = c.profile
  const why: Array<readonly [SimilarityCriterion, string]> = []
  if (parts.industry > 0) {
    const kind = parts.industry === 1 ? "same" : "related"
    why.push(["industry", `${kind} industry (${candidate.industry})`])
  }
  if (parts.description > 0) {
    const { shared } = cosine(t.profile.description, candidate.description)
    why.push(["description", `similar business (shared words: ${shared.slice(0, 4).join(", ")})`])
  }
  if (parts.size !== undefined) {
    why.push(["size", parts.size === 1 ? `same size (${candidate.size})` : `similar size (${candidate.size})`])
  }
  if (parts.country) why.push(["country", `same country (${candidate.country})`])
  return { score: total, matched: why.map(([criterion]) => criterion), reason: why.map(([, text]) => text).join("; ") }
}

/** How like `target` the `candidate` is, and why; undefined when it is not similar enough. */
export const score = (target: CompanyProfile, candidate: CompanyProfile): Scored | undefined => {
  const t = prepare(target)
  const c = prepare(candidate)
  const parts = partsOf(t, c)
  const total = totalOf(parts)
  return total === undefined ? undefined : explained(t, c, parts, total)
}

/** The `limit` most similar of `others` (never the target: see `isSame`), best first; ties by name, then domain. */
export const mostSimilar = (
  target: Prepared,
  others: ReadonlyArray<Prepared>,
  limit = MAX_SIMILAR
): ReadonlyArray<SimilarCompany> =>
  others
    .flatMap((candidate) => {
      const parts = partsOf(target, candidate)
      const total = totalOf(parts)
      return total === undefined ? [] : [{ candidate, parts, total }]
    })
    .sort((a, b) =>
      b.total - a.total ||
      a.candidate.profile.name.localeCompare(b.candidate.profile.name, "en") ||
      a.candidate.profile.domain.localeCompare(b.candidate.profile.domain, "en")
    )
    .slice(0, limit)
    // Put in words only for the few shown.
    .map(({ candidate, parts, total }) => {
      const scored = explained(target, candidate, parts, total)
      const { crmId } = candidate.profile
      return new SimilarCompany({
        name: candidate.profile.name,
        domain: candidate.domain,
        score: scored.score,
        reason: scored.reason,
        matched: scored.matched,
        ...(crmId === undefined ? {} : { crm_id: crmId })
      })
    })

/** The `limit` most similar candidates, best first; ties by name, then domain. */
export const similarCompanies = (
  target: CompanyProfile,
  candidates: ReadonlyArray<CompanyProfile>,
  limit = MAX_SIMILAR
): ReadonlyArray<SimilarCompany> => {
  const t = prepare(target)
  return mostSimilar(t, candidates.map(prepare).filter((c) => !isSame(t, c)), limit)
}
