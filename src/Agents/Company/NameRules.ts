/**
 * Names in an event's text: its clauses, and the rules that find a company's name in them (a
 * label, a legal form, "with X", "Kickoff – X").
 */
import { infoOf, nameWordAt, type Segment, type WordInfo } from "./Segments.js"
import { isConnector, LABELS } from "./Vocabulary.js"

// How many salutations to drop from the front: none when only a legal form follows, or a personal
// one leads a legal name.
const salutationsToDrop = (infos: ReadonlyArray<WordInfo>): number => {
  const count = infos.findIndex((info) => !info.salutation)
  if (count <= 0) return 0
  const rest = infos.slice(count)
  const personal = infos.slice(0, count).some((info) => info.personal)
  if (rest.every((info) => info.legalForm) || (personal && (rest[rest.length - 1]?.legalForm ?? false))) return 0
  return count
}

/**
 * "Firma Condata" → "Condata", "Herr Milonas Condata" → "Milonas Condata". Kept as is when only a
 * legal form follows ("Herr GmbH"), or a personal salutation leads a legal name ("Mr. Smith LLC").
 */
export const stripSalutation = (name: string): string => {
  const words = name.trim().split(/\s+/)
  return words.slice(salutationsToDrop(words.map(infoOf))).join(" ")
}

export const titleCase = (name: string) =>
  name.split(" ").map((word) => (isConnector(word) ? word : word.charAt(0).toUpperCase() + word.slice(1))).join(" ")

export const MAX_NAME_WORDS = 8

/** A name found in the text. `personal`: it followed "Herr"/"Mr." and is probably a person's. */
export interface Name {
  readonly text: string
  readonly personal: boolean
}

/** The name at the start of `words`: capitalised words (any words in an all-lower-case text). */
const takeName = (
  words: ReadonlyArray<string>,
  infos: ReadonlyArray<WordInfo>,
  lowerCase: boolean
): Name | undefined => {
  const articles = infos.findIndex((info) => !info.article)
  let first = articles < 0 ? words.length : articles
  let end = first
  while (end < words.length && end - first < MAX_NAME_WORDS && nameWordAt(infos, end, lowerCase)) end++
  while (end > first && (infos[end - 1]?.connector ?? false)) end--
  while (end > first && (infos[first]?.connector ?? false)) first++
  const picked = infos.slice(first, end)
  if (!picked.some((info) => !info.salutation && !info.connector)) return undefined
  // Words hold no whitespace: the salutations are dropped from the words as they were picked.
  const drop = salutationsToDrop(picked)
  const name = words.slice(first + drop, end).join(" ")
  const personal = drop > 0 && (picked[0]?.personal ?? false)
  return { text: lowerCase ? titleCase(name) : name, personal }
}

/** Every name a rule finds, in the order of the text; lazily, as usually the first one is taken. */
export type NameRule = (segments: ReadonlyArray<Segment>, lowerCase: boolean) => Iterable<Name>

export const defined = <A>(value: A | undefined): Array<A> => (value === undefined ? [] : [value])

const isLabel = ({ infos }: Segment) => {
  const last = infos[infos.length - 1]?.norm ?? ""
  const previous = infos[infos.length - 2]?.norm ?? ""
  return LABELS.has(last) || last === "firmenname" || (last === "name" && LABELS.has(previous))
}

/** "Company: X", "Kunde: X", "Firma X". */
export const labelRule: NameRule = function*(segments, lowerCase) {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]
    if (segment === undefined) break
    const next = segments[i + 1]
    if (segment.end === ":" && next !== undefined && isLabel(segment)) {
      yield* defined(takeName(next.words, next.infos, lowerCase))
    }
    const prefix = segment.infos.findIndex((info) => info.companyPrefix)
    if (prefix >= 0) yield* defined(takeName(segment.words.slice(prefix), segment.infos.slice(prefix), lowerCase))
  }
}

/** "… Nordwind Logistik GmbH & Co. KG …": the name words before a legal form, and the form. */
const legalFormRule: NameRule = function*(segments, lowerCase) {
  for (const { infos, words } of segments) {
    for (let i = 1; i < infos.length; i++) {
      if (!(infos[i]?.legalForm ?? false)) continue
      // "GmbH & Co. KG" is one legal form: its name was found at its first part.
      if (words[i - 1] === "&" || (infos[i - 1]?.legalForm ?? true)) continue
      let start = i
      while (start > 0 && i - start < 5 && nameWordAt(infos, start - 1, lowerCase)) start--
      let end = i + 1
      while (
        end < words.length && end - start < MAX_NAME_WORDS && ((infos[end]?.legalForm ?? false) || words[end] === "&")
      ) end++
      yield* defined(takeName(words.slice(start, end), infos.slice(start, end), lowerCase))
    }
  }
}

/** "with X", "mit X", "bei X", "für X". */
const prepositionRule: NameRule = function*(segments, lowerCase) {
  for (const { infos, words } of segments) {
    for (let i = 0; i < infos.length; i++) {
      if (infos[i]?.preposition ?? false) yield* defined(takeName(words.slice(i + 1), infos.slice(i + 1), lowerCase))
    }
  }
}

/** "Kickoff – Brightwave", "Prep: Brightwave", and "Brightwave – Kickoff". */
const dashRule: NameRule = (segments, lowerCase) => {
  const [first, second] = segments
  if (first === undefined || second === undefined || (first.end !== "-" && first.end !== ":")) return []
  const after = first.words.length <= 4 ? takeName(second.words, second.infos, lowerCase) : undefined
  return defined(
    after ?? (second.infos.every((info) => info.meeting) ? takeName(first.words, first.infos, lowerCase) : undefined)
  )
}

// Most explicit first. A dash in a description is too often just punctuation.
export const DESCRIPTION_RULES: ReadonlyArray<NameRule> = [legalFormRule, prepositionRule]
export const SUMMARY_RULES: ReadonlyArray<NameRule> = [...DESCRIPTION_RULES, dashRule]
