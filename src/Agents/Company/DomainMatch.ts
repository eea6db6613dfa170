/**
 * Does a name match a domain? "Bäckerei Groß" ~ baeckerei-gross.de, "Müller & Söhne KG" ~
 * mueller-soehne.de, "Northwind Traders" ~ northwindtraders.com, "Bayerische Motoren Werke" ~ bmw.de.
 */
import { domainToUnicode } from "node:url"
import { cached } from "../../Domain/Text.js"
import { MAX_NAME_WORDS } from "./NameRules.js"
import { nameWordAt, type Segment } from "./Segments.js"
import { spell, type Spelled, spellings, squash } from "./Spelling.js"
import { LEGAL_FORMS } from "./Vocabulary.js"

/** A domain label (or a company name) as letters only, and the offsets where its words end. */
export interface NameKey {
  readonly letters: string
  readonly wordEnds: ReadonlySet<number>
}

// Words a domain or name may spell out or leave out: "mueller-und-soehne", "acme-gmbh".
const FILLERS = new Set([...LEGAL_FORMS].map(squash).concat(["und", "and", "u", "n", "of"]))
// Cut off the end of a label written as one word ("acmegmbh", "globexgroup") when enough is left.
const LABEL_SUFFIXES = ["gmbh", "ag", "kg", "inc", "ltd", "llc", "plc", "corp", "group", "gruppe", "holding"]
const MIN_KEY_LETTERS = 3

export const keysOf = (words: ReadonlyArray<string>): Array<NameKey> => {
  const keys = new Map<string, NameKey>()
  const add = (parts: ReadonlyArray<string>) => {
    let letters = ""
    const wordEnds = new Set<number>()
    for (const part of parts) {
      letters += part
      wordEnds.add(letters.length)
    }
    if (letters.length > 0 && !keys.has(letters)) keys.set(letters, { letters, wordEnds })
  }
  const spelled = words.map(spellings).filter((options) => (options[0] ?? "").length > 0)
  const core = spelled.filter((options) => !FILLERS.has(options[0] ?? ""))
  for (const variant of [0, 1]) {
    for (const parts of [spelled, core]) {
      const letters = parts.map((options) => options[Math.min(variant, options.length - 1)] ?? "")
      add(letters)
      const [only] = letters
      if (letters.length !== 1 || only === undefined) continue
      for (const suffix of LABEL_SUFFIXES) {
        const rest = only.length - suffix.length
        if (only.endsWith(suffix) && rest >= MIN_KEY_LETTERS) add([only.slice(0, rest)])
      }
    }
  }
  return [...keys.values()]
}

const SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov", "ltd", "plc", "or", "ne", "gv"])

/** The label that names the owner: "acme" of "eu.acme.co.uk", "müller" of "xn--mller-kva.de". */
export const ownerLabel = (domain: string): string | undefined => {
  const labels = domainToUnicode(domain).split(".")
  labels.pop()
  let label = labels.pop()
  if (label !== undefined && SECOND_LEVEL.has(label) && labels.length > 0) label = labels.pop()
  return label
}

// The same few companies' domains come back meeting after meeting: spelled out once.
export const domainKeys = cached((domain: string): ReadonlyArray<NameKey> =>
  keysOf((ownerLabel(domain) ?? "").split("-"))
)

/**
 * Words a name may be in: `start`–`end` are name words; the spelling may run on past `end` into the
 * clause's other words ("Brauerei Zum Löwen" ~ brauerei-zum-loewen.de, though "zum" is a stop word).
 */
export interface Stretch {
  readonly words: ReadonlyArray<string>
  readonly spelled: ReadonlyArray<Spelled>
  readonly start: number
  readonly end: number
}

export const stretchOf = (words: ReadonlyArray<string>): Stretch => ({
  words,
  spelled: words.map(spell),
  start: 0,
  end: words.length
})

/**
 * Stretches of name words in each clause, where a name without a phrase around it can be:
 * "Messe-Vorbereitung Northwind Traders" → "Northwind Traders". Meeting words, dates and stop
 * words end a stretch; the words after "Herr"/"Mr." are a person's name and left out.
 */
export const nameStretches = (segments: ReadonlyArray<Segment>, lowerCase: boolean): Array<Stretch> =>
  segments.flatMap(({ infos, words }) => {
    const spelled = infos.map((info) => info.spelled)
    const stretches: Array<Stretch> = []
    let start = 0
    let person = false
    for (let i = 0; i <= words.length; i++) {
      const info = infos[i]
      const salutation = info?.personal ?? false
      const breaks = info === undefined || salutation || info.companyPrefix || info.article ||
        !nameWordAt(infos, i, lowerCase)
      if (!breaks) continue
      if (i > start && !person) stretches.push({ words, spelled, start, end: i })
      start = i + 1
      person = salutation
    }
    return stretches
  })

// A shorter name still counts when it ends where a word of the label ends ("Acme" of
// "acme-robotics") or covers at least half of it ("Northwind" of "northwindtraders").
const isCredibleStart = (key: NameKey, length: number) =>
  length >= MIN_KEY_LETTERS && (key.wordEnds.has(length) || 2 * length >= key.letters.length)

/**
 * Where the words from `start` stop spelling `key`: after the word that completes it, or at the
 * stretch's end when the name words spell a credible start of it. Fillers may be skipped. The
 * state is the set of offsets reached in the key (at most its length): linear, no backtracking.
 */
const startsWithAny = (letters: string, spellings: ReadonlyArray<string>): boolean => {
  for (const spelling of spellings) if (spelling.length > 0 && letters.startsWith(spelling)) return true
  return false
}

const spelledUntil = ({ end, spelled }: Stretch, start: number, key: NameKey): number | undefined => {
  const { letters } = key
  // Most words start no name: say so before setting anything up.
  const first = spelled[start]
  if (first === undefined || !startsWithAny(letters, first.spellings)) return undefined
  // A name has at most MAX_NAME_WORDS words: this bounds the work on a long run of fillers too.
  const stop = Math.min(spelled.length, start + MAX_NAME_WORDS)
  let reached: ReadonlyArray<number> = [0]
  let atEnd: ReadonlyArray<number> = []
  for (let i = start; i < stop; i++) {
    const word = spelled[i]
    if (word === undefined) break
    const next = new Set<number>()
    for (const at of reached) {
      if (word.filler && i > start) next.add(at)
      for (const spelling of word.spellings) {
        if (spelling.length > 0 && letters.startsWith(spelling, at)) next.add(at + spelling.length)
      }
    }
    if (next.has(letters.length)) return i + 1
    if (next.size === 0) break
    reached = [...next]
    if (i + 1 === end) atEnd = reached
  }
  return atEnd.some((at) => isCredibleStart(key, at)) ? end : undefined
}

const MIN_INITIALS = 2

/**
 * "Bayerische Motoren Werke" for "bmw", "Procter & Gamble" for "pg": a name word per letter. Only
 * a whole stretch counts: any few capitalised words have some initials.
 */
const initialsOf = ({ end, spelled, start }: Stretch): string =>
  spelled.slice(start, end).filter((word) => !word.filler).map((word) => word.initial).join("")

const mayBeInitials = (key: NameKey): boolean => key.letters.length >= MIN_INITIALS && key.wordEnds.size === 1

export interface Match {
  readonly start: number
  readonly end: number
}

/** The first words, starting among the stretch's name words, that spell one of `keys`. */
export const findMatch = (stretch: Stretch, keys: ReadonlyArray<NameKey>): Match | undefined => {
  // Initials count for the whole stretch only: from its first word.
  let initials: string | undefined
  for (let start = stretch.start; start < stretch.end && keys.length > 0; start++) {
    if (stretch.spelled[start]?.filler !== false) continue
    for (const key of keys) {
      const spelled = spelledUntil(stretch, start, key)
      if (spelled !== undefined) return { start, end: spelled }
      if (start === stretch.start && mayBeInitials(key) && (initials ??= initialsOf(stretch)) === key.letters) {
        return { start, end: stretch.end }
      }
    }
  }
  return undefined
}
