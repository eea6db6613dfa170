/**
 * Text normalisation for matching: what a reader would call "the same word" compares equal,
 * whatever the case, accents or ß/ss spelling ("Müller" = "MULLER", "Straße" = "Strasse").
 */

const stripMarks = (text: string): string =>
  text.normalize("NFKD").replace(/\p{M}+/gu, "").normalize("NFKC")

const casefold = (text: string): string => text.toLowerCase().replace(/ß/g, "ss")

/**
 * NFKD, drop combining marks, NFKC, casefold. Marks are stripped again after lower-casing
 * because lower-casing can create them ("İ" → "i" + combining dot) and NFKC can create
 * upper-case letters ("㎒" → "MHz").
 */
export const normalizeText = (text: string): string => stripMarks(casefold(stripMarks(text)))

/** A configured word or phrase: normalised, trimmed, inner whitespace collapsed to one space. */
export const normalizeWord = (word: string): string => normalizeText(word).trim().replace(/\s+/g, " ")
