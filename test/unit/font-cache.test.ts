/**
 * The glyph outlines shared by every PDF (src/Reporting/Pdf/FontCache.ts): a font that keeps them
 * embeds exactly the bytes fontkit embeds without them, in any order of documents.
 */
import * as fontkit from "fontkit"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { fontFiles } from "../../src/Reporting/DossierPdf.js"
import { keepDecodedGlyphs } from "../../src/Reporting/Pdf/FontCache.js"

const open = (file: string) => {
  const font = fontkit.create(readFileSync(file))
  if (!("createSubset" in font)) throw new Error(`${file} is a font collection`)
  return font
}

/** The embedded font of a document that shows `text`, as pdfkit makes it. */
const embedded = (font: fontkit.Font, text: string) => {
  const subset = font.createSubset()
  for (const glyph of font.layout(text).glyphs) subset.includeGlyph(glyph)
  return Buffer.from(subset.encode())
}

// Accented and non-Latin letters: several are composite glyphs in DejaVu, whose parts are embedded too.
const TEXTS = [
  "Discovery call with Müller & Yıldız Maschinenbau GmbH",
  "Ελληνική Εταιρεία — ООО Северный Ветер — Dvořák, Łódź, Šarić, ẞ",
  "Ærøskøbing Ĳssel Œuvre: ǅ ǈ ǋ Ḱ ḱ ṩ ỗ",
  "Discovery call with Müller & Yıldız Maschinenbau GmbH"
]

describe("fonts that keep their decoded glyphs", () => {
  for (const file of [fontFiles.regular, fontFiles.bold]) {
    it(`embed the same bytes as fontkit alone, document after document (${file.split("/").pop()})`, () => {
      const plain = open(file)
      const keeping = open(file)
      keepDecodedGlyphs(keeping)
      for (const text of [...TEXTS, ...TEXTS.slice().reverse()]) {
        expect(embedded(keeping, text).equals(embedded(plain, text))).toBe(true)
      }
    })
  }
})
