/**
 * What pdfkit and fontkit work out again for every document, kept once per parsed font instead.
 * Both reach into the libraries' internals (pdfkit 0.20, fontkit 2.0, pinned); where those are not
 * as expected, nothing is shared and a brief renders as before, only slower. Neither changes a
 * byte of the PDF: what is kept is what the libraries would compute again from the same font.
 */
import type * as fontkit from "fontkit"

/**
 * The words pdfkit has shaped, shared by every document: pdfkit shapes each word (fontkit's
 * layout, the largest part of a render) once per document, and every brief shapes the same labels
 * and most of the same words again. A shaped word depends only on the font and the text, and
 * pdfkit never changes one it cached, so one cache per font serves all documents; it starts over
 * past MAX_SHAPED_WORDS. It takes pdfkit's own per-document cache (`layoutCache`).
 */
const MAX_SHAPED_WORDS = 1_000
const CHECK_EVERY_DOCUMENTS = 32
const shaped = new Map<fontkit.Font, { words: Record<string, unknown>; documents: number }>()
interface PdfKitFont {
  readonly font?: unknown
  layoutCache?: Record<string, unknown>
}
export const shareShapedWords = (doc: PDFKit.PDFDocument, font: fontkit.Font) => {
  const current = (doc as unknown as { readonly _font?: PdfKitFont })._font
  if (current?.font !== font || current.layoutCache === undefined) return
  let entry = shaped.get(font)
  if (entry === undefined || (++entry.documents % CHECK_EVERY_DOCUMENTS === 0 && Object.keys(entry.words).length > MAX_SHAPED_WORDS)) {
    entry = { words: Object.create(null) as Record<string, unknown>, documents: 0 }
    shaped.set(font, entry)
  }
  current.layoutCache = entry.words
}

/**
 * Each glyph's outline decoded once for all documents: fontkit's subsetting, which embeds the
 * glyphs a document uses, decodes every one of them again per document (a quarter of a brief's
 * render). A decoded outline depends only on the glyph, and neither fontkit nor pdfkit changes
 * one, except for variable fonts (their outlines depend on the chosen variation), which are left
 * alone. At most MAX_DECODED_GLYPHS a font are kept (a brief uses under a hundred).
 */
const MAX_DECODED_GLYPHS = 1_000
interface DecodingGlyph {
  _decode: () => unknown
}
const isDecoding = (glyph: unknown): glyph is DecodingGlyph =>
  typeof glyph === "object" && glyph !== null && "_decode" in glyph && typeof glyph._decode === "function"

export const keepDecodedGlyphs = (font: fontkit.Font): void => {
  if (Object.keys(font.variationAxes).length > 0) return
  const getGlyph = font.getGlyph.bind(font)
  const kept = new Set<number>()
  font.getGlyph = (id, codePoints) => {
    const glyph = getGlyph(id, codePoints)
    // fontkit keeps one glyph object per id, so its own decode is replaced once.
    if (!kept.has(id) && kept.size < MAX_DECODED_GLYPHS && isDecoding(glyph)) {
      kept.add(id)
      const decode = glyph._decode.bind(glyph)
      let decoded: { readonly value: unknown } | undefined
      glyph._decode = () => (decoded ??= { value: decode() }).value
    }
    return glyph
  }
}
