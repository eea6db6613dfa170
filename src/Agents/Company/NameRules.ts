/**
 * Names in an event's text: its clauses, and the rules that find a company's name in them (a
 * label, a legal form, "with X", "Kickoff – X").
 */
import { cached } from "../../Domain/Text.js"
import {
  ABBREVIATIONS,
  ARTICLES,
  COMPANY_PREFIXES,
  isConnector,
  isLegalForm,
  isMeetingWord,
  isNameWord,
  isSalutation,
  LABELS,
  norm,
  PERSONAL_SALUTATIONS,
  PREPOSITIONS
} from "./Vocabulary.js"

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

export const titleCase = (name: string) =>
  name.split(" ").map((word) => (isConnector(word) ? word : word.charAt(0).toUpperCase() + word.slice(1))).join(" ")

export const MAX_NAME_WORDS = 8

/** A name found in the text. `personal`: it followed "Herr"/"Mr." and is probably a person's. */
export interface Name {
  readonly text: string
  readonly personal: boolean
}

/** The name at the start of `words`: capitalised words (any words in an all-lower-case text). */
const takeName = (words: ReadonlyArray<string>, lowerCase: boolean): Name | undefined => {
  const start = words.findIndex((word) => !ARTICLES.has(norm(word)))
  const picked: Array<string> = []
  for (const word of start < 0 ? [] : words.slice(start)) {
    if (picked.length === MAX_NAME_WORDS || !isNameWord(word, lowerCase)) break
    picked.push(word)
  }
  while (picked.length > 0 && isConnector(picked[picked.length - 1] ?? "")) picked.pop()
  while (picked.length > 0 && isConnector(picked[0] ?? "")) picked.shift()
  if (!picked.some((word) => !isSalutation(word) && !isConnector(word))) return undefined
  const whole = picked.join(" ")
  const name = stripSalutation(whole)
  const personal = name !== whole && PERSONAL_SALUTATIONS.has(norm(picked[0] ?? ""))
  return { text: lowerCase ? titleCase(name) : name, personal }
}

/** A clause of the text, and what ended it: ":", "-" (a dash between spaces), "," or ".". */
export interface Segment {
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

/** A word of the text as read: a separator between two parties, or a word and what it ends. */
type Token = { readonly separator: true } | {
  readonly separator: false
  readonly word: string
  readonly end: string | undefined
}

// The same words come back line after line and event after event: each is read once.
const readToken = cached((raw: string): Token => {
  // "Acme <> OurCo", "Acme x OurCo" ("x" is lower case, so no name word): two parties, two clauses.
  if (/^(?:[-–—|•/=~]+|<+-*>+|↔)$/.test(raw)) return { separator: true }
  const word = cleanWord(raw)
  return { separator: false, word, end: segmentEnd(raw, word) }
})

export const splitSegments = (text: string): Array<Segment> => {
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
      const token = readToken(raw)
      if (token.separator) {
        close("-")
        continue
      }
      if (token.word.length > 0) words.push(token.word)
      if (token.end !== undefined) close(token.end)
    }
    close("\n")
  }
  return segments
}

/** Every name a rule finds, in the order of the text; lazily, as usually the first one is taken. */
export type NameRule = (segments: ReadonlyArray<Segment>, lowerCase: boolean) => Iterable<Name>

export const defined = <A>(value: A | undefined): Array<A> => (value === undefined ? [] : [value])

const isLabel = (words: ReadonlyArray<string>) => {
  const last = norm(words[words.length - 1] ?? "")
  const previous = norm(words[words.length - 2] ?? "")
  return LABELS.has(last) || last === "firmenname" || (last === "name" && LABELS.has(previous))
}

/** "Company: X", "Kunde: X", "Firma X". */
export const labelRule: NameRule = function*(segments, lowerCase) {
  for (const [i, segment] of segments.entries()) {
    const next = segments[i + 1]
    if (segment.end === ":" && next !== undefined && isLabel(segment.words)) {
      yield* defined(takeName(next.words, lowerCase))
    }
    const prefix = segment.words.findIndex((word) => COMPANY_PREFIXES.has(norm(word)))
    if (prefix >= 0) yield* defined(takeName(segment.words.slice(prefix), lowerCase))
  }
}

/** "… Nordwind Logistik GmbH & Co. KG …": the name words before a legal form, and the form. */
const legalFormRule: NameRule = function*(segments, lowerCase) {
  for (const { words } of segments) {
    for (const [i, word] of words.entries()) {
      // "GmbH & Co. KG" is one legal form: its name was found at its first part.
      const previous = words[i - 1]
      if (!isLegalForm(word) || previous === undefined || previous === "&" || isLegalForm(previous)) continue
      let start = i
      while (start > 0 && i - start < 5 && isNameWord(words[start - 1] ?? "", lowerCase)) start--
      let end = i + 1
      while (
        end < words.length && end - start < MAX_NAME_WORDS && (isLegalForm(words[end] ?? "") || words[end] === "&")
      ) end++
      yield* defined(takeName(words.slice(start, end), lowerCase))
    }
  }
}

/** "with X", "mit X", "bei X", "für X". */
const prepositionRule: NameRule = function*(segments, lowerCase) {
  for (const { words } of segments) {
    for (const [i, word] of words.entries()) {
      if (PREPOSITIONS.has(norm(word))) yield* defined(takeName(words.slice(i + 1), lowerCase))
    }
  }
}

/** "Kickoff – Brightwave", "Prep: Brightwave", and "Brightwave – Kickoff". */
const dashRule: NameRule = (segments, lowerCase) => {
  const [first, second] = segments
  if (first === undefined || second === undefined || (first.end !== "-" && first.end !== ":")) return []
  const after = first.words.length <= 4 ? takeName(second.words, lowerCase) : undefined
  return defined(after ?? (second.words.every(isMeetingWord) ? takeName(first.words, lowerCase) : undefined))
}

// Most explicit first. A dash in a description is too often just punctuation.
export const DESCRIPTION_RULES: ReadonlyArray<NameRule> = [legalFormRule, prepositionRule]
export const SUMMARY_RULES: ReadonlyArray<NameRule> = [...DESCRIPTION_RULES, dashRule]
