/**
 * Dossier PDFs drawn on their own thread (what the built program does): the bytes are a PDF with
 * the dossier's names, several at once all arrive, the thread is started again after it stopped
 * for being idle, and a thread that cannot start makes a failed PDF (which the workflow records),
 * not a failed program.
 */
import { it } from "@effect/vitest"
import { type Duration, Effect, Either, Option } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { buildDossier } from "../../src/Agents/Research.js"
import { DossierRenderer } from "../../src/Reporting/DossierRenderer.js"
import { DossierPdfThread } from "../../src/Reporting/PdfThread.js"
import { makeEvent, person } from "../fixtures/events.js"

const dossierFor = (name: string, domain: string) =>
  buildDossier({
    key: `k-${domain}`,
    company: { name, domain },
    event: makeEvent({ summary: `Kick-off mit ${name}`, organizer: person("Jürgen Dvořák", "jd@lead-insights.app") }),
    crm: Option.none()
  }, "2026-12-01T08:00:00.000Z")

const textOf = (pdf: Uint8Array) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "li-pdf-thread-")), "brief.pdf")
  writeFileSync(file, pdf)
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ")
}

// The TypeScript entry through tsx; the built program runs dist/app/pdf-worker.js.
const thread = (idle: Duration.DurationInput) =>
  DossierPdfThread({
    worker: new URL("../fixtures/programs/pdf-worker-from-source.mjs", import.meta.url),
    idle
  })

/** The counting entry (test/fixtures/programs/pdf-worker-counting.mjs): it notes its starts and, while it runs, beats. */
const countingThread = DossierPdfThread({
  worker: new URL("../fixtures/programs/pdf-worker-counting.mjs", import.meta.url),
  idle: "100 millis"
})

/** A file the counting thread writes lines to, named to it in `variable` while the scope lasts: how many it has. */
const linesOf = (variable: "PDF_THREAD_STARTS" | "PDF_THREAD_BEATS") =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "li-pdf-lines-")), "lines")
      writeFileSync(file, "")
      process.env[variable] = file
      return () => readFileSync(file, "utf8").split("\n").filter(Boolean).length
    }),
    () => Effect.sync(() => delete process.env[variable])
  )

describe("the PDF thread", () => {
  it.live("renders dossiers, several at once, and again after it stopped for being idle", () =>
    Effect.gen(function*() {
      const renderer = yield* DossierRenderer
      const companies = [["Şahin Yıldız Holding", "sahin.com.tr"], ["Łódź Maschinen", "lodz-maschinen.pl"], ["Müller GmbH", "mueller.de"]] as const
      const pdfs = yield* Effect.forEach(companies, ([name, domain]) => renderer.render(dossierFor(name, domain)), { concurrency: "unbounded" })
      pdfs.forEach((pdf, i) => {
        expect(Buffer.from(pdf.subarray(0, 5)).toString("latin1")).toBe("%PDF-")
        expect(textOf(pdf)).toContain(companies[i]![0])
      })
      yield* Effect.sleep("400 millis")
      const again = yield* renderer.render(dossierFor("Dvořák a.s.", "dvorak.cz"))
      expect(textOf(again)).toContain("Dvořák a.s.")
    }).pipe(Effect.provide(thread("100 millis"))), 60_000)

  it.live("warm starts the thread before any PDF is asked for, and the first PDF uses that thread", () =>
    Effect.gen(function*() {
      const startCount = yield* linesOf("PDF_THREAD_STARTS")
      yield* Effect.gen(function*() {
        const renderer = yield* DossierRenderer
        yield* renderer.warm
        // Nothing was rendered, yet the thread comes up (the idle time of 100 ms has long passed by then).
        for (let i = 0; i < 200 && startCount() === 0; i++) yield* Effect.sleep("50 millis")
        expect(startCount()).toBe(1)
        yield* Effect.sleep("300 millis")
        const pdf = yield* renderer.render(dossierFor("Łódź Maschinen", "lodz-maschinen.pl"))
        expect(textOf(pdf)).toContain("Łódź Maschinen")
        expect(startCount()).toBe(1)
      }).pipe(Effect.provide(countingThread))
    }).pipe(Effect.scoped), 60_000)

  it.live("a program that ends while the thread is still starting leaves no thread running", () =>
    Effect.gen(function*() {
      const beatCount = yield* linesOf("PDF_THREAD_BEATS")
      // Warmed, and the program ends at once: the thread is still loading.
      yield* Effect.gen(function*() {
        const renderer = yield* DossierRenderer
        yield* renderer.warm
        yield* Effect.sleep("20 millis")
      }).pipe(Effect.provide(countingThread))
      const atClose = beatCount()
      yield* Effect.sleep("1500 millis")
      // A thread left running would go on beating.
      expect(beatCount()).toBe(atClose)
    }).pipe(Effect.scoped), 60_000)

  it.live("warm never fails, even when the thread cannot start; the PDF then fails with the reason", () =>
    Effect.gen(function*() {
      const renderer = yield* DossierRenderer
      yield* renderer.warm
      const result = yield* Effect.either(renderer.render(dossierFor("Müller GmbH", "mueller.de")))
      expect(Either.isLeft(result) && result.left.message).toBe("dossier PDF: the PDF thread did not start")
    }).pipe(Effect.provide(DossierPdfThread({
      worker: new URL("../fixtures/programs/broken-pdf-worker.mjs", import.meta.url),
      idle: "50 millis",
      startTimeout: "2 seconds"
    }))), 60_000)

  it.live("a thread that cannot start fails that PDF with the reason, and the next one is tried again", () =>
    Effect.gen(function*() {
      const renderer = yield* DossierRenderer
      for (let i = 0; i < 2; i++) {
        const result = yield* Effect.either(renderer.render(dossierFor("Müller GmbH", "mueller.de")))
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) expect(result.left.message).toBe("dossier PDF: the PDF thread did not start")
      }
    }).pipe(Effect.provide(DossierPdfThread({
      worker: new URL("../fixtures/programs/broken-pdf-worker.mjs", import.meta.url),
      idle: "50 millis",
      startTimeout: "2 seconds"
    }))), 60_000)
})
