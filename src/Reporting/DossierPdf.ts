/**
 * The dossier PDF: a one- or two-page meeting brief (`Domain/Brief.ts`) rendered with pdfkit.
 * DejaVu Sans from `assets/fonts` is embedded as a subset, so every Latin, Greek and Cyrillic name
 * prints as written (PDF standard fonts cannot encode Ş, ı, ř, Ł, š or ẞ). The same brief always
 * renders to the same bytes: the creation date (and the file ID pdfkit derives from it) is the
 * brief's `generated_at`.
 */
import { Effect } from "effect"
import * as fontkit from "fontkit"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import PDFDocument from "pdfkit"
import type { Brief } from "../Domain/Brief.js"
import type { Dossier } from "../Domain/Dossier.js"
import { packageRoot } from "../Paths.js"
import { briefFromDossier } from "./BriefFromDossier.js"
import { PdfError } from "./DossierRenderer.js"
import { drawBrief } from "./Pdf/BriefLayout.js"
import { keepDecodedGlyphs, shareShapedWords } from "./Pdf/FontCache.js"
import { A4, type FontFiles, type Fonts, MARGIN, PageWriter } from "./Pdf/Layout.js"
import { type Coverage, inline } from "./Pdf/Text.js"

export { BriefPdfLimits } from "./Pdf/BriefLayout.js"

export { PdfError } from "./DossierRenderer.js"

/** The fonts shipped with the package; found from source, from the bundle in dist/ and from tests. */
export const fontFiles: FontFiles = {
  regular: path.join(packageRoot, "assets", "fonts", "DejaVuSans.ttf"),
  bold: path.join(packageRoot, "assets", "fonts", "DejaVuSans-Bold.ttf")
}

const checkFonts = Effect.suspend(() => {
  const missing = [fontFiles.regular, fontFiles.bold].filter((file) => !existsSync(file))
  return missing.length === 0
    ? Effect.void
    : Effect.fail(new PdfError({ reason: `font not found: ${missing.join(", ")} (assets/fonts ships with the package)` }))
})

const reasonOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** A fixed creation date keeps re-renders byte-identical; an unreadable one falls back to the epoch. */
const creationDate = (generatedAt: string) => {
  const ms = Date.parse(generatedAt)
  return new Date(Number.isNaN(ms) ? 0 : ms)
}

/**
 * The fonts parsed once: parsing DejaVu Sans took most of a brief's render time when pdfkit did
 * it for every document. pdfkit takes a parsed fontkit font where it takes a file (since 0.14);
 * its type declarations only know files and bytes.
 */
const asFontSource = (font: fontkit.Font): PDFKit.Mixins.PDFFontSource => font as unknown as PDFKit.Mixins.PDFFontSource

let parsed: { readonly regular: fontkit.Font; readonly bold: fontkit.Font } | undefined
const parsedFonts = () => {
  if (parsed === undefined) {
    const open = (file: string) => {
      const font = fontkit.create(readFileSync(file))
      if (!("hasGlyphForCodePoint" in font)) throw new Error(`${file} is a font collection, not a font`)
      keepDecodedGlyphs(font)
      return font
    }
    const regular = open(fontFiles.regular)
    const bold = open(fontFiles.bold)
    parsed = { regular, bold }
  }
  return parsed
}

/** Whether the font can draw a character; a missing one is replaced before pdfkit sees it. */
const coverageOf = (font: fontkit.Font): Coverage => {
  const cache = new Map<number, boolean>()
  return (codePoint) => {
    let known = cache.get(codePoint)
    if (known === undefined) {
      known = font.hasGlyphForCodePoint(codePoint)
      cache.set(codePoint, known)
    }
    return known
  }
}

/** Metadata is not drawn with the font: only control and invisible characters go. */
const metadata = (text: string) => inline(text, () => true, 300)

/** Registered by name, so pdfkit opens each once per document instead of at every change of font. */
const FONTS: Fonts = { regular: "DejaVuSans", bold: "DejaVuSans-Bold" }

const newDocument = (brief: Brief, fonts: { readonly regular: fontkit.Font; readonly bold: fontkit.Font }) => {
  const created = creationDate(brief.generated_at)
  const doc = new PDFDocument({
    size: [A4.width, A4.height],
    margins: { ...MARGIN },
    bufferPages: true,
    // The embedded font from the start: pdfkit would otherwise load Helvetica, whose metrics it
    // requires as "#standard-fonts/Helvetica", a subpath import of its own package.json that
    // does not resolve from our esbuild bundle ("Cannot find module").
    // Typed as a file name; pdfkit opens whatever `font()` takes (here the parsed font).
    font: asFontSource(fonts.regular) as unknown as string,
    lang: "en",
    displayTitle: true,
    info: {
      Title: metadata(`${brief.company.name} — meeting brief`),
      Subject: metadata(brief.meeting.title),
      Creator: "Lead Insights",
      CreationDate: created,
      ModDate: created
    }
  })
  shareShapedWords(doc, fonts.regular)
  doc.registerFont(FONTS.regular, asFontSource(fonts.regular))
  doc.registerFont(FONTS.bold, asFontSource(fonts.bold))
  // Opened once here (pdfkit keeps a font per name for the document), each with the shared words.
  shareShapedWords(doc.font(FONTS.bold), fonts.bold)
  shareShapedWords(doc.font(FONTS.regular), fonts.regular)
  return doc
}

/** The brief as PDF bytes. */
export const renderBriefPdf = Effect.fn("DossierPdf.renderBriefPdf")(function*(brief: Brief) {
  yield* checkFonts
  const { bytes, pages } = yield* Effect.async<{ readonly bytes: Uint8Array; readonly pages: number }, PdfError>(
    (resume) => {
      let settled = false
      const fail = (cause: unknown) => {
        if (settled) return
        settled = true
        resume(Effect.fail(new PdfError({ reason: reasonOf(cause) })))
      }
      let doc: PDFKit.PDFDocument
      let fonts: ReturnType<typeof parsedFonts>
      try {
        fonts = parsedFonts()
        doc = newDocument(brief, fonts)
      } catch (cause) {
        fail(cause)
        return
      }
      const chunks: Array<Uint8Array> = []
      let pages = 0
      doc.on("data", (chunk: Uint8Array) => chunks.push(chunk))
      doc.on("error", fail)
      doc.on("end", () => {
        if (settled) return
        settled = true
        resume(Effect.succeed({ bytes: Buffer.concat(chunks), pages }))
      })
      try {
        drawBrief(new PageWriter(doc, FONTS, coverageOf(fonts.regular)), brief)
        pages = doc.bufferedPageRange().count
        doc.end()
      } catch (cause) {
        fail(cause)
      }
      return Effect.sync(() => {
        settled = true
        doc.removeAllListeners()
      })
    }
  )
  yield* Effect.annotateCurrentSpan({ "pdf.bytes": bytes.byteLength, "pdf.pages": pages })
  return bytes
})

/** A dossier as its PDF brief. */
export const renderDossierPdf = (dossier: Dossier): Effect.Effect<Uint8Array, PdfError> =>
  renderBriefPdf(briefFromDossier(dossier))

/**
 * A small brief drawn once and thrown away, for a renderer that has just started: it parses the
 * fonts and gets pdfkit's drawing code compiled before the first dossier asks for them (the first
 * brief otherwise takes several times as long as the next ones).
 */
export const warmUp: Effect.Effect<void> = Effect.ignore(renderBriefPdf({
  generated_at: "2026-01-01T00:00:00.000Z",
  company: { name: "Müller & Yıldız GmbH", domain: "example.com" },
  meeting: { title: "Kick-off: Vorbereitung", when: "Mon 5 Jan 2026, 09:00 CET", attendees: [] },
  key_facts: [],
  crm_facts: [],
  similar_companies: [],
  sections: {
    website: { status: "insufficient_context", reason: "warm-up" },
    crm: { status: "no_candidates" },
    similar_companies: { status: "no_candidates" },
    summary: { status: "insufficient_context" }
  },
  sources: []
}))
