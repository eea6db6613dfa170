/**
 * Text as the PDF can print it: no control or invisible formatting characters, nothing the font
 * has no glyph for (emoji are left out, anything else becomes U+FFFD), fields cut to a length a
 * page can hold, and words too wide for their column broken so the line wrapper never has to.
 */

/** Whether the embedded font draws a code point. */
export type Coverage = (codePoint: number) => boolean

// C0/C1 controls (tab, newlines handled before), soft hyphen, Arabic letter mark, zero-width
// characters and joiners, bidi marks, embeddings, overrides and isolates, invisible operators,
// variation selectors, the byte order mark and tag characters.
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFE00-\uFE0F\uFEFF\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu

const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|[\u{1F1E6}-\u{1F1FF}\u20E3])$/u

const REPLACEMENT = "\uFFFD"

const isSurrogate = (c: string) => {
  const code = c.charCodeAt(0)
  return c.length === 1 && code >= 0xd800 && code <= 0xdfff
}

/** Characters only: keeps line breaks as `\n`. */
const printable = (input: string, covers: Coverage): string => {
  const text = input
    .normalize("NFC")
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n")
    .replace(/\t/g, " ")
    .replace(INVISIBLE, "")
  let out = ""
  for (const c of text) {
    if (c === "\n" || c === " ") out += c
    else if (isSurrogate(c)) out += REPLACEMENT
    else if (covers(c.codePointAt(0) ?? 0)) out += c
    else if (!EMOJI.test(c)) out += REPLACEMENT
  }
  return out
}

/** At most `max` characters (code points); a cut ends in "…". */
export const clip = (text: string, max: number): string => {
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("").trimEnd()}…`
}

/** One line: every run of white space (line breaks too) becomes one space. */
export const inline = (input: string, covers: Coverage, max: number): string =>
  clip(printable(input, covers).replace(/\s+/g, " ").trim(), max)

/** Paragraphs: single line breaks kept, blank lines collapsed to one, spaces squeezed. */
export const block = (input: string, covers: Coverage, max: number): string =>
  clip(
    printable(input, covers)
      .split("\n")
      .map((line) => line.replace(/ +/g, " ").trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim(),
    max
  )

/**
 * Breaks every word wider than `width` into pieces that fit, joined by spaces (each falls at a
 * line end). pdfkit can break such a word itself, but measures it again for every character:
 * a 10 000-character word took 16 s.
 */
export const breakLongWords = (
  text: string,
  width: number,
  fontSize: number,
  widthOf: (s: string) => number
): string => {
  const limit = width * 0.95
  // No glyph of the font is wider than 1.3 em: a word that short fits without measuring it.
  const surelyFits = Math.floor(limit / (1.3 * fontSize))
  const charWidths = new Map<string, number>()
  const charWidth = (c: string) => {
    let w = charWidths.get(c)
    if (w === undefined) {
      w = widthOf(c)
      charWidths.set(c, w)
    }
    return w
  }
  return text.replace(/\S+/gu, (word) => {
    if (word.length <= surelyFits || widthOf(word) <= limit) return word
    const pieces: Array<string> = []
    let piece = ""
    let used = 0
    for (const c of word) {
      const w = charWidth(c)
      if (used + w > limit && piece !== "") {
        pieces.push(piece)
        piece = ""
        used = 0
      }
      piece += c
      used += w
    }
    if (piece !== "") pieces.push(piece)
    return pieces.join(" ")
  })
}
