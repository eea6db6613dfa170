/**
 * The dossier PDF, read back with poppler (pdftotext, pdffonts): names in every script come back
 * exactly, the fonts are embedded with a Unicode map, empty and huge briefs render, nothing is
 * drawn outside the page margins, hostile text does not crash, re-renders are byte-identical,
 * and the renderer finds its fonts from an esbuild bundle too.
 */
import { it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { Brief, type BriefKeyFact } from "../../src/Domain/Brief.js"
import { BriefPdfLimits, fontFiles, renderBriefPdf } from "../../src/Reporting/DossierPdf.js"
import { packageRoot } from "../../src/Paths.js"
import { emptyBrief, HARD_NAMES, measureBriefPdf, pageCount, typicalBrief } from "../support/briefPdf.js"

// == poppler

const POPPLER = ["pdftotext", "pdffonts", "pdfinfo"] as const

const missingTools = () =>
  POPPLER.filter((tool) => {
    try {
      execFileSync(tool, ["-v"], { stdio: "ignore" })
      return false
    } catch {
      return true
    }
  })

const dir = mkdtempSync(path.join(tmpdir(), "li-pdf-"))
let files = 0

const saved = (pdf: Uint8Array) => {
  const file = path.join(dir, `brief-${++files}.pdf`)
  writeFileSync(file, pdf)
  return file
}

const pdftotext = (pdf: Uint8Array, ...args: ReadonlyArray<string>) =>
  execFileSync("pdftotext", ["-enc", "UTF-8", ...args, saved(pdf), "-"], { encoding: "utf8", maxBuffer: 64 << 20 })

/** The text with every run of white space as one space: what a reader sees, whatever the wrapping. */
const flat = (text: string) => text.replace(/\s+/g, " ")

/** Text per page (pdftotext ends each page with a form feed). */
const pagesOf = (text: string) => text.split("\f").slice(0, -1)

interface FontRow {
  readonly name: string
  readonly type: string
  readonly emb: string
  readonly sub: string
  readonly uni: string
}

const pdffonts = (pdf: Uint8Array): ReadonlyArray<FontRow> =>
  execFileSync("pdffonts", [saved(pdf)], { encoding: "utf8" })
    .split("\n")
    .slice(2)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      // name, type (may contain spaces), encoding, emb, sub, uni, object ID (two numbers)
      const m = /^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$/.exec(line.trim())
      if (m === null) throw new Error(`unexpected pdffonts line: ${line}`)
      return { name: m[1] ?? "", type: m[2] ?? "", emb: m[4] ?? "", sub: m[5] ?? "", uni: m[6] ?? "" }
    })

interface Word {
  readonly page: number
  readonly text: string
  readonly xMin: number
  readonly yMin: number
  readonly xMax: number
  readonly yMax: number
}

/** Every word with its box, from `pdftotext -bbox`. */
const words = (pdf: Uint8Array): ReadonlyArray<Word> => {
  const html = pdftotext(pdf, "-bbox")
  const out: Array<Word> = []
  html.split("<page ").slice(1).forEach((page, i) => {
    for (const m of page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
      out.push({ page: i + 1, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: m[5] ?? "" })
    }
  })
  return out
}

/** A4 with the renderer's margins (50 pt at the sides); the footer sits in the bottom margin. */
const expectInsidePage = (pdf: Uint8Array) => {
  const outside = words(pdf).filter((w) => w.xMin < 49 || w.xMax > 595.28 - 49 || w.yMin < 40 || w.yMax > 841.89 - 20)
  expect(outside.slice(0, 5)).toEqual([])
}

const render = (brief: Brief) => renderBriefPdf(brief)

// The typical brief drawn before any other: shaped words and decoded glyphs are shared between documents.
let firstTypical: Uint8Array

beforeAll(async () => {
  firstTypical = await Effect.runPromise(render(typicalBrief()))
  const missing = missingTools()
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} not found: these tests read the PDFs back with poppler. ` +
        "Install poppler-utils (apt-get install -y poppler-utils); CI does."
    )
  }
})

// KEEP_PDFS=1 keeps the rendered files to look at (pdftoppm -png -r 60 …).
afterAll(() => {
  if (process.env["KEEP_PDFS"] === "1") console.log(`PDFs kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
})

// == briefs

const fact = (i: number): BriefKeyFact => ({
  label: `Fact ${String(i).padStart(3, "0")}`,
  value: `value ${String(i).padStart(3, "0")} of Dvořák & Šarić in Łódź`,
  source: (i % 12) + 1
})

const sentence = (i: number) =>
  `Sentence ${i} says that Şahin Yıldız met Müller in Łódź to talk about predictive maintenance and spare parts. `

const longBrief = (): Brief => ({
  ...typicalBrief(),
  key_facts: Array.from({ length: 200 }, (_, i) => fact(i + 1)),
  summary: { text: Array.from({ length: 60 }, (_, i) => sentence(i + 1)).join(""), citations: [1, 2, 3] },
  sources: Array.from({ length: 12 }, (_, i) => ({
    number: i + 1,
    title: `Source ${i + 1}`,
    url: `https://example.org/${i + 1}`,
    retrieved_at: "2026-11-26T08:00:00Z"
  }))
})

const HOSTILE = [
  "Ctrl\u0000\u0001\u0007\u001b[31m\u007f\u0085\u009bnull",
  // Latin letters inside the marks: pdftotext itself wraps right-to-left letters in U+202B…U+202C.
  "RTL \u202Eevil\u202C \u200Fmarked\u200E \u2066iso\u2069 \u061Cmark",
  "emoji 🚀 👩‍👩‍👧 🇩🇪 1️⃣ 👍🏽 ☺ ★ end",
  "lone \uD800 surrogate \uDFFF here",
  "W".repeat(10_000),
  "CJK 株式会社 and Devanagari हिन्दी",
  "tab\there\r\nline\u2028sep\u00ADsoft\uFEFFbom"
].join(" ")

const hostileBrief = (): Brief => {
  const base = typicalBrief()
  return {
    generated_at: "not a date \u0000",
    company: { name: HOSTILE, domain: "x".repeat(10_000) },
    meeting: {
      title: HOSTILE,
      when: HOSTILE,
      where: HOSTILE,
      organiser: { name: HOSTILE, email: HOSTILE, role: HOSTILE, company: HOSTILE },
      attendees: Array.from({ length: 3 }, () => ({ name: HOSTILE, email: "y".repeat(10_000), role: HOSTILE }))
    },
    key_facts: [{ label: HOSTILE, value: HOSTILE, source: 1 }, ...base.key_facts],
    crm_facts: [{ label: "z".repeat(10_000), value: HOSTILE }],
    similar_companies: [
      { name: HOSTILE, domain: HOSTILE, score: Number.NaN, reason: HOSTILE },
      { name: "Over", score: 7, reason: "score above 1 from a careless caller" }
    ],
    summary: { text: `${HOSTILE}\n\n${"Q".repeat(10_000)}\n\n${HOSTILE}`, citations: [1, 1, 2] },
    sections: { [HOSTILE]: { status: "failed", reason: HOSTILE }, website: { status: "insufficient_context", reason: HOSTILE } },
    sources: [{ number: 1, title: HOSTILE, url: `javascript:alert(1)//${HOSTILE}`, retrieved_at: HOSTILE }]
  }
}

// == tests

describe("dossier PDF", () => {
  it.effect("prints names in every Latin script exactly, with embedded Unicode fonts", () =>
    Effect.gen(function*() {
      const pdf = yield* render(typicalBrief())
      const text = pdftotext(pdf)
      for (const name of [...HARD_NAMES, "Müller & Yıldız Maschinenbau GmbH", "Jana Dvořák", "Ivan Šarić", "Straße"]) {
        expect(text).toContain(name)
      }
      expect(flat(text)).toContain("Recent news Opened a service centre in Łódź")
      expect(text).toMatch(/Summary\s+INFERRED/)
      expect(flat(text)).toContain("it cites [1] [3] [4]")
      expect(text).toContain("News: not enough context — no articles newer than 90 days")
      expect(text).toContain("https://mueller-yildiz.de/ueber-uns")
      // Each source's URL is a link, and nothing else is.
      const raw = Buffer.from(pdf).toString("latin1")
      expect(raw.match(/\/URI \([^)]*\)/g)).toEqual(typicalBrief().sources.map((s) => `/URI (${s.url})`))
      const pages = pagesOf(text)
      expect(pages.length).toBeGreaterThanOrEqual(1)
      expect(pages.length).toBeLessThanOrEqual(2)
      pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`))

      const fonts = pdffonts(pdf)
      expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, "")).sort()).toEqual(["DejaVuSans", "DejaVuSans-Bold"])
      for (const font of fonts) expect(font).toMatchObject({ type: "CID TrueType", emb: "yes", sub: "yes", uni: "yes" })
      expectInsidePage(pdf)
    }))

  it.effect("renders a brief whose sections are all empty, with their statuses where the sections would be", () =>
    Effect.gen(function*() {
      const pdf = yield* render(emptyBrief())
      const text = pdftotext(pdf)
      expect(pagesOf(text)).toHaveLength(1)
      for (
        const line of [
          "Leer GmbH",
          "Intro call",
          "No attendees listed.",
          "Website: not enough context — site unreachable",
          "CRM: failed — CRM timed out after 3 attempts",
          "Similar companies: no candidates found",
          "Summary: not enough context",
          "No sources.",
          "Page 1 of 1"
        ]
      ) expect(text).toContain(line)
      // The statuses stand in their sections.
      const at = (s: string) => text.indexOf(s)
      expect(at("Key facts")).toBeLessThan(at("Website: not enough context"))
      expect(at("Website: not enough context")).toBeLessThan(at("CRM\n"))
      expect(at("Similar companies\n")).toBeLessThan(at("Similar companies: no candidates"))
      expect(text).not.toContain("INFERRED")
      expect(pdffonts(pdf).every((f) => f.emb === "yes" && f.uni === "yes")).toBe(true)
    }))

  it.effect("flows 200 facts and a long summary onto numbered pages without losing text", () =>
    Effect.gen(function*() {
      const brief = longBrief()
      const pdf = yield* render(brief)
      const text = pdftotext(pdf)
      const pages = pagesOf(text)
      expect(pages.length).toBeGreaterThanOrEqual(4)
      expect(pageCount(pdf)).toBe(pages.length)
      pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`))
      expect(pages[1]).toContain("Key facts (continued)")
      const all = flat(text)
      for (const i of [1, 2, 57, 99, 100, 123, 150, 199, 200]) {
        const f = fact(i)
        expect(all).toContain(`${f.label} ${f.value} [${f.source}]`)
      }
      for (const i of [1, 17, 30, 31, 59, 60]) expect(all).toContain(sentence(i).trim())
      expect(all).not.toContain("more facts")
      expect(all.indexOf("Fact 200")).toBeLessThan(all.indexOf("Sentence 1 "))
      expectInsidePage(pdf)
    }))

  it.effect("caps very long lists with '… and N more'", () =>
    Effect.gen(function*() {
      const base = typicalBrief()
      const person = base.meeting.attendees[0]!
      const pdf = yield* render({
        ...base,
        meeting: { ...base.meeting, attendees: Array.from({ length: 100 }, () => person) },
        key_facts: Array.from({ length: 1000 }, (_, i) => fact(i + 1)),
        crm_facts: Array.from({ length: 100 }, (_, i) => ({ label: `CRM ${i}`, value: "v" })),
        similar_companies: Array.from({ length: 40 }, (_, i) => ({ name: `Peer ${i}`, score: 0.5 })),
        sources: Array.from({ length: 300 }, (_, i) => ({ number: i + 1, title: `S${i + 1}`, retrieved_at: "2026-11-26" }))
      })
      const all = flat(pdftotext(pdf))
      expect(all).toContain(`… and ${100 - BriefPdfLimits.attendees} more attendees`)
      expect(all).toContain(`… and ${1000 - BriefPdfLimits.keyFacts} more facts`)
      expect(all).toContain(`… and ${100 - BriefPdfLimits.crmFacts} more CRM facts`)
      expect(all).toContain(`… and ${40 - BriefPdfLimits.similarCompanies} more companies`)
      expect(all).toContain(`… and ${300 - BriefPdfLimits.sources} more sources`)
      expect(all).toContain(`Fact ${BriefPdfLimits.keyFacts}`)
      expect(all).not.toContain(`Fact ${BriefPdfLimits.keyFacts + 1}`)
      expectInsidePage(pdf)
    }), 60_000)

  it.effect("survives hostile text: control characters, bidi marks, emoji, lone surrogates, 10 000-character words", () =>
    Effect.gen(function*() {
      const pdf = yield* render(hostileBrief())
      const text = pdftotext(pdf)
      const invisible = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/
      const codes = (re: RegExp) => Array.from(text).filter((c) => re.test(c)).map((c) => c.codePointAt(0)?.toString(16))
      expect(codes(invisible)).toEqual([])
      for (const gone of ["🚀", "👩", "👧", "🇩", "👍", "🏽", "\u200D", "\uFE0F"]) expect(text).not.toContain(gone)
      const all = flat(text)
      expect(all).toContain("Ctrl[31m null RTL evil marked iso mark")
      expect(all).toMatch(/emoji 1\S? ☺ ★ end/) // the font has ☺ and ★, not the others
      expect(all).toContain("lone � surrogate � here")
      expect(all).toContain("CJK ���� and Devanagari")
      expect(all).toContain("W".repeat(40))
      expect(all).toContain("Q".repeat(40))
      // The 10 000-character words are cut at the field limits, not left to overflow.
      expect(text).not.toContain("W".repeat(BriefPdfLimits.value))
      expect(all).toContain("tab here line sepsoftbom")
      // A score outside 0…1 (not a valid brief, but a caller may skip decoding) is shown clamped.
      expect(flat(pdftotext(pdf, "-layout"))).toContain("Over 1.00 score above 1")
      // Only http(s) URLs become links.
      expect(Buffer.from(pdf).toString("latin1")).not.toContain("/URI")
      expect(all).toContain("javascript:alert(1)//Ctrl")
      // The document's metadata is cleaned too.
      const info = execFileSync("pdfinfo", [saved(pdf)], { encoding: "utf8" })
      expect(info).toMatch(/^Title: +Ctrl\[31m null RTL evil marked iso mark emoji/m)
      expect(info).toMatch(/^CreationDate: +Thu Jan {1,2}1 00:00:00 1970/m)
      expectInsidePage(pdf)
      expect(pdffonts(pdf).every((f) => f.emb === "yes" && f.uni === "yes")).toBe(true)
    }), 60_000)

  it.effect("renders the same brief to the same bytes; the creation date is the brief's", () =>
    Effect.gen(function*() {
      const first = yield* render(typicalBrief())
      const second = yield* render(typicalBrief())
      expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true)
      expect(Buffer.from(first).toString("latin1")).toContain("(D:20261126090000Z)")
      const later = yield* render({ ...typicalBrief(), generated_at: "2026-11-27T09:00:00.000Z" })
      expect(Buffer.from(later).equals(Buffer.from(first))).toBe(false)
    }))

  it.effect("draws a brief to the same bytes whatever was drawn before it (shaped words and decoded glyphs are shared)", () =>
    Effect.gen(function*() {
      yield* render(hostileBrief())
      yield* render(longBrief())
      yield* render({ ...typicalBrief(), company: { name: "Ærøskøbing Ĳssel Œuvre", domain: "aero.dk" } })
      const again = yield* render(typicalBrief())
      expect(Buffer.from(again).equals(Buffer.from(firstTypical))).toBe(true)
    }), 60_000)

  it("the example briefs are valid briefs; a score above 1 is not", () => {
    for (const brief of [typicalBrief(), emptyBrief(), longBrief()]) {
      expect(Either.isRight(Schema.decodeUnknownEither(Brief)(brief))).toBe(true)
    }
    const bad = { ...typicalBrief(), similar_companies: [{ name: "Too good", score: 1.5 }] }
    expect(Either.isLeft(Schema.decodeUnknownEither(Brief)(bad))).toBe(true)
  })

  it.effect("measures render time and size for the bench", () =>
    Effect.gen(function*() {
      const figures = yield* measureBriefPdf(typicalBrief(), 2)
      expect(figures.runs).toBe(2)
      expect(figures.bytes).toBeGreaterThan(10_000)
      expect(figures.pages).toBeGreaterThanOrEqual(1)
      expect(figures.medianMs).toBeGreaterThan(0)
    }))

  it("ships its fonts under the package root", () => {
    expect(fontFiles.regular).toBe(path.join(packageRoot, "assets", "fonts", "DejaVuSans.ttf"))
    for (const file of [fontFiles.regular, fontFiles.bold, path.join(packageRoot, "assets", "fonts", "DejaVu-LICENSE.txt")]) {
      expect(existsSync(file)).toBe(true)
    }
  })
})

// The program runs from an esbuild bundle (dist/); pdfkit and the font lookup must work there too.
describe("dossier PDF from an esbuild bundle", () => {
  it("renders with the fonts from assets/fonts", { timeout: 60_000 }, async () => {
    const { build } = await import("esbuild")
    // Inside the package, as dist/ is, so the bundle finds the package root; `.tmp-*` is ignored by git.
    const out = mkdtempSync(path.join(packageRoot, ".tmp-pdf-bundle-"))
    try {
      const entry = path.join(out, "entry.ts")
      writeFileSync(
        entry,
        [
          `import { Effect } from "effect"`,
          `import { writeFileSync } from "node:fs"`,
          `import { renderBriefPdf } from ${JSON.stringify(path.join(packageRoot, "src/Reporting/DossierPdf.ts"))}`,
          `import { typicalBrief } from ${JSON.stringify(path.join(packageRoot, "test/support/briefPdf.ts"))}`,
          `writeFileSync(process.argv[2], await Effect.runPromise(renderBriefPdf(typicalBrief())))`
        ].join("\n")
      )
      // The options of scripts/build.mjs that matter here.
      await build({
        entryPoints: [entry],
        outdir: path.join(out, "dist"),
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "node",
        target: "node20",
        external: ["better-sqlite3", "pg-native"],
        banner: {
          js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
        },
        logLevel: "error"
      })
      const file = path.join(out, "bundled.pdf")
      execFileSync(process.execPath, [path.join(out, "dist", "entry.js"), file], { cwd: tmpdir(), stdio: "pipe" })
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" })
      for (const name of HARD_NAMES) expect(text).toContain(name)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
