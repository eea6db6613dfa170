/**
 * How a word may be spelled in a domain: "Müller" as mueller or muller, "Groß" as gross, "&" as
 * und, and, or not at all.
 */
import { cached } from "../../Domain/Text.js"
import { isConnector, isLegalForm, norm, PLAIN_ASCII } from "./Vocabulary.js"

// German domains spell umlauts out ("mueller"); some drop the dots ("muller"): both count.
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ä: "ae",
  ö: "oe",
  ü: "ue",
  æ: "ae",
  œ: "oe",
  ø: "oe",
  å: "aa"
}
const TRANSLITERABLE = /[äöüæœøå]/g
const NOT_ALPHANUMERIC = /[^\p{L}\p{N}]+/gu

export const squash = (text: string) => norm(text).replace(NOT_ALPHANUMERIC, "")

/** "Müller" → ["mueller", "muller"], "Groß" → ["gross"], "Co." → ["co"]. */
export const spellings = (text: string): ReadonlyArray<string> => {
  if (PLAIN_ASCII.test(text)) return [squash(text)]
  const lower = text.normalize("NFC").toLowerCase()
  const plain = squash(lower)
  const transliterated = squash(lower.replace(TRANSLITERABLE, (letter) => TRANSLITERATIONS[letter] ?? letter))
  return transliterated === plain ? [plain] : [transliterated, plain]
}

/** A word of a name as the matcher sees it. */
export interface Spelled {
  readonly spellings: ReadonlyArray<string>
  /** A legal form or connector: a domain may leave it out. */
  readonly filler: boolean
  readonly initial: string
}

const AMPERSAND = /[&+]/g
const AMPERSAND_WORDS = ["und", "and"]

// "&" is spelled out in domains as often as it is left out: "Müller & Söhne" ~ muellerundsoehne.de,
// "1&1" ~ 1und1.de.
export const spell = cached((word: string): Spelled => {
  const options = spellings(word)
  const spelledOut = word.includes("&") || word.includes("+")
    ? AMPERSAND_WORDS.flatMap((spelling) => spellings(word.replace(AMPERSAND, spelling)))
    : []
  return {
    spellings: [...spelledOut, ...options],
    filler: isConnector(word) || isLegalForm(word),
    initial: (options[options.length - 1] ?? "").charAt(0)
  }
})
