/** Words as the reply rules compare them: folded, then split into words and emoji. */
import { normalizeText } from "../../Domain/Text.js"

/** Case-, accent- and ß/ss-insensitive, one apostrophe: "I’ll" = "i'll", "nötig" = "notig". */
export const fold = (text: string) => normalizeText(text.replace(/[’‘`´]/g, "'"))

// Words (with inner apostrophes and hyphens: "don't", "no-go") and single emoji ("👍", "✅").
const TOKEN = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*|[\p{Extended_Pictographic}\u2713]/gu

/** "+1" is a thumbs-up written in text. */
export const tokenize = (text: string): ReadonlyArray<string> =>
  fold(text.replace(/(^|\s)\+1(?=$|[\s.!,])/g, "$1👍")).match(TOKEN) ?? []

export const wordSet = (words: ReadonlyArray<string>) => new Set(words.map((w) => tokenize(w).join(" ")))

/** How far before a word a negation still applies ("I do not really approve"). */
export const NEGATION_REACH = 3
