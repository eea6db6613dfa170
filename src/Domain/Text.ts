/**
 * Text normalisation for matching: what a reader would call "the same word" compares equal,
 * whatever the case, accents or ß/ss spelling ("Müller" = "MULLER", "Straße" = "Strasse").
 */

const CACHE_SIZE = 4096
// Words and domains are short; a long string is rarely seen twice and would hold memory.
const MAX_KEY_LENGTH = 128

/**
 * `f`, remembering its last few thousand answers: the same words come back clause after clause and
 * event after event. Cleared when full, which keeps memory bounded without bookkeeping. An
 * `undefined` answer is worked out again each time.
 */
export const cached = <A>(f: (word: string) => A): (word: string) => A => {
  const answers = new Map<string, A>()
  return (word) => {
    let answer = answers.get(word)
    if (answer === undefined) {
      answer = f(word)
      if (word.length > MAX_KEY_LENGTH) return answer
      if (answers.size >= CACHE_SIZE) answers.clear()
      answers.set(word, answer)
    }
    return answer
  }
}

const stripMarks = (text: string): string =>
  text.normalize("NFKD").replace(/\p{M}+/gu, "").normalize("NFKC")

const casefold = (text: string): string => text.toLowerCase().replace(/ß/g, "ss")

/**
 * The definition: NFKD, drop combining marks, NFKC, casefold. Marks are stripped again after
 * lower-casing because lower-casing can create them ("İ" → "i" + combining dot) and NFKC can
 * create upper-case letters ("㎒" → "MHz").
 */
const normalizeWhole = (text: string): string => stripMarks(casefold(stripMarks(text)))

// The four Unicode normalisations cost far more than the matching they serve, and most words are
// plain ASCII, which normalising only lower-cases. It can be done word by word: ASCII whitespace
// is a starter that composes with nothing, and is neither cased nor case-ignorable (the context
// of a final sigma), so no step looks across it. Words with other characters are remembered.
const normalizeNonAscii = cached(normalizeWhole)
const ASCII = /^[\x00-\x7f]*$/
const NON_ASCII = /[^\x00-\x7f]/g

const isAsciiSpace = (code: number) => code === 32 || (code >= 9 && code <= 13)

// Latin letters with accents, ß, spaces, dashes, quotes, currency signs: each normalises the same
// wherever it stands. Once marks are dropped nothing composes with them, and the one letter that
// lower-cases by its context (the Greek capital sigma) is not among them. A text of ASCII and
// these is normalised character by character, from a table (made on first use: a few milliseconds).
const SIMPLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x80, 0x24f],
  [0x1e00, 0x1eff],
  [0x2000, 0x206f],
  [0x20a0, 0x20cf]
]

/**
 * Normalises a text character by character, or says it cannot (undefined): a character is not in
 * the table.
 */
const makeSimple = () => {
  const table = new Map<string, string>()
  for (const [from, to] of SIMPLE_RANGES) {
    for (let code = from; code <= to; code++) {
      const char = String.fromCharCode(code)
      const normalized = normalizeWhole(char)
      const unsure = /\p{M}/u.test(char) || /[\u0370-\u03ff]/.test(stripMarks(char)) ||
        normalized.toLowerCase() !== normalized
      if (!unsure) table.set(char, normalized)
    }
  }
  let missing = false
  const fromTable = (char: string) => {
    const normalized = table.get(char)
    if (normalized !== undefined) return normalized
    missing = true
    return char
  }
  return (text: string): string | undefined => {
    missing = false
    const replaced = text.replace(NON_ASCII, fromTable)
    return missing ? undefined : replaced.toLowerCase()
  }
}
let bySimple: ((text: string) => string | undefined) | undefined

export const normalizeText = (text: string): string => {
  if (ASCII.test(text)) return text.toLowerCase()
  const simple = (bySimple ??= makeSimple())(text)
  if (simple !== undefined) return simple
  let out = ""
  let done = 0
  NON_ASCII.lastIndex = 0
  for (let found = NON_ASCII.exec(text); found !== null; found = NON_ASCII.exec(text)) {
    let start = found.index
    while (start > done && !isAsciiSpace(text.charCodeAt(start - 1))) start--
    let end = found.index + 1
    while (end < text.length && !isAsciiSpace(text.charCodeAt(end))) end++
    out += text.slice(done, start).toLowerCase() + normalizeNonAscii(text.slice(start, end))
    done = end
    NON_ASCII.lastIndex = end
  }
  return out + text.slice(done).toLowerCase()
}

/** A configured word or phrase: normalised, trimmed, inner whitespace collapsed to one space. */
export const normalizeWord = (word: string): string => normalizeText(word).trim().replace(/\s+/g, " ")
