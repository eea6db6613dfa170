/**
 * An event's text as the name rules read it: clauses of words, each word with what the rules ask
 * of it (a legal form? a salutation? a name word?) worked out once.
 */
import { cached } from "../../Domain/Text.js"
import { spell, type Spelled } from "./Spelling.js"
import {
  ABBREVIATIONS,
  ARTICLES,
  COMPANY_PREFIXES,
  isConnector,
  isLegalForm,
  isMeetingWord,
  isNameWord,
  isSalutation,
  norm,
  PERSONAL_SALUTATIONS,
  PREPOSITIONS
} from "./Vocabulary.js"

export interface WordInfo {
  readonly norm: string
  readonly legalForm: boolean
  /** Personal ("Herr", "Mr.") or a company's ("Firma"). */
  readonly salutation: boolean
  readonly personal: boolean
  readonly companyPrefix: boolean
  readonly article: boolean
  readonly connector: boolean
  readonly preposition: boolean
  readonly meeting: boolean
  /** Can be part of a name in a text with capitals, and in an all-lower-case text. */
  readonly nameWord: boolean
  readonly nameWordLowerCase: boolean
  readonly spelled: Spelled
}

// A text asks the same few questions of every word, and the same words come back clause after
// clause and event after event: one look-up per word instead of one per question.
export const infoOf = cached((word: string): WordInfo => {
  const normalized = norm(word)
  return {
    norm: normalized,
    legalForm: isLegalForm(word),
    salutation: isSalutation(word),
    personal: PERSONAL_SALUTATIONS.has(normalized),
    companyPrefix: COMPANY_PREFIXES.has(normalized),
    article: ARTICLES.has(normalized),
    connector: isConnector(word),
    preposition: PREPOSITIONS.has(normalized),
    meeting: isMeetingWord(word),
    nameWord: isNameWord(word, false),
    nameWordLowerCase: isNameWord(word, true),
    spelled: spell(word)
  }
})

export const nameWordAt = (infos: ReadonlyArray<WordInfo>, i: number, lowerCase: boolean): boolean => {
  const info = infos[i]
  return info !== undefined && (lowerCase ? info.nameWordLowerCase : info.nameWord)
}

/** A clause of the text, and what ended it: ":", "-" (a dash between spaces), "," or ".". */
export interface Segment {
  readonly words: ReadonlyArray<string>
  readonly infos: ReadonlyArray<WordInfo>
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
  readonly info: WordInfo | undefined
  readonly end: string | undefined
}

const readToken = cached((raw: string): Token => {
  // "Acme <> OurCo", "Acme x OurCo" ("x" is lower case, so no name word): two parties, two clauses.
  if (/^(?:[-–—|•/=~]+|<+-*>+|↔)$/.test(raw)) return { separator: true }
  const word = cleanWord(raw)
  return { separator: false, word, info: word.length > 0 ? infoOf(word) : undefined, end: segmentEnd(raw, word) }
})

export const splitSegments = (text: string): Array<Segment> => {
  const segments: Array<Segment> = []
  let words: Array<string> = []
  let infos: Array<WordInfo> = []
  const close = (end: string) => {
    if (words.length > 0) segments.push({ words, infos, end })
    words = []
    infos = []
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
      if (token.info !== undefined) {
        words.push(token.word)
        infos.push(token.info)
      }
      if (token.end !== undefined) close(token.end)
    }
    close("\n")
  }
  return segments
}
