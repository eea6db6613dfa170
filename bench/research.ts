/**
 * Research per company, for `npm run bench`: the research agent as the workflow runs it (the
 * website adapter through the local proxy against the local company sites of
 * test/support/siteServer.ts, the CRM's companies for similar ones, the rules' summary), one
 * company after another, with the product's politeness pause and a 2 s request time-out; then the
 * PDF of each dossier. Nothing is asserted.
 *
 * `researchBench()` measures; `researchBenchLines(result)` is the table to print. Columns of the
 * per-site table: site, status, research ms (median over the runs), pages, requests, KB read,
 * facts, PDF ms (median), PDF KB, PDF pages.
 */
import { Context, Duration, Effect, Layer, Option } from "effect"
import { Llm } from "../src/Agents/Llm.js"
import { Research } from "../src/Agents/Research.js"
import { AppConfig } from "../src/Config.js"
import { CrmCompany } from "../src/Domain/Crm.js"
import type { Dossier } from "../src/Domain/Dossier.js"
import { WebsiteResearchLive } from "../src/Integrations/Website/Live.js"
import { renderDossierPdf } from "../src/Reporting/DossierPdf.js"
import { InMemoryCrmLive } from "../layers/Test.js"
import { SITES } from "../test/fixtures/websites/sites.js"
import { makeEvent, person } from "../test/fixtures/events.js"
import { measureBriefPdf, pageCount, type PdfRenderFigures } from "../test/support/briefPdf.js"
import { startSiteServer } from "../test/support/siteServer.js"

export interface ResearchRow {
  readonly domain: string
  readonly status: string
  /** Median over the runs of one company's whole research. */
  readonly researchMs: number
  readonly pages: number
  readonly requests: number
  readonly bytes: number
  readonly facts: number
  readonly pdfMs: number
  readonly pdfBytes: number
  readonly pdfPages: number
}

export interface Spread {
  readonly median: number
  readonly p95: number
  readonly min: number
  readonly max: number
}

export interface ResearchBench {
  readonly runs: number
  readonly sites: ReadonlyArray<ResearchRow>
  /** Every research of every run, all sites. */
  readonly researchMs: Spread
  /** Only the sites that were read (`completed`). */
  readonly researchMsCompleted: Spread
  readonly pagesPerCompany: Spread
  readonly bytesPerCompany: Spread
  readonly pdfMs: Spread
  readonly pdfBytes: Spread
  /** The typical brief of test/support/briefPdf.ts, 20 renders. */
  readonly typicalPdf: PdfRenderFigures
}

const spread = (values: ReadonlyArray<number>): Spread => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0
  return { median: at(0.5), p95: at(0.95), min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 }
}

/** A CRM with a few companies, so similar companies are looked for as in a real run. */
const crm = [
  new CrmCompany({ id: "1", name: "Kranich Werkzeugmaschinen", domain: "kranich.example", industry: "Maschinenbau", size: "201-500", country: "DE", description: "Drehzentren und Fräsmaschinen", attachments: [] }),
  new CrmCompany({ id: "2", name: "Feinkost Maier", domain: "maier.example", industry: "Feinkost, Lebensmittel", size: "11-50", country: "DE", attachments: [] }),
  new CrmCompany({ id: "3", name: "Northwind Data", domain: "northwind.example", industry: "Software, data analytics", size: "51-200", country: "GB", attachments: [] })
]

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(Effect.timed(effect)), (result) =>
    result._tag === "Right" ? { ms: Duration.toMillis(result.right[0]), value: Option.some(result.right[1]) } : { ms: 0, value: Option.none<A>() })

/** Researches every site of the local web `runs` times (sequentially) and renders each dossier's PDF. */
export const researchBench = (options: { readonly runs?: number } = {}): Effect.Effect<ResearchBench> =>
  Effect.gen(function*() {
    const runs = Math.max(1, options.runs ?? 2)
    const server = yield* Effect.acquireRelease(Effect.promise(() => startSiteServer()), (s) => Effect.promise(() => s.close()))
    const layer = Research.Default.pipe(
      Layer.provide(Layer.mergeAll(
        WebsiteResearchLive({
          timeout: Duration.seconds(2),
          proxy: { httpProxy: server.proxyUrl, httpsProxy: server.proxyUrl, noProxy: "" },
          ca: server.ca
        }),
        InMemoryCrmLive(crm),
        Llm.Disabled,
        Layer.orDie(AppConfig.layerWith({ ownDomains: ["ourco.example"] }))
      ))
    )
    // Built in this scope: the website adapter's connections live until the bench ends.
    const research = Context.get(yield* Layer.build(layer), Research)
    const samples: Array<{ domain: string; ms: number; dossier: Dossier; pdfMs: number; pdf: Uint8Array | undefined }> = []
    for (let run = 0; run < runs; run++) {
      for (const site of SITES) {
        const event = makeEvent({
          eventId: `bench-${site.domain}`,
          summary: `Kickoff with ${site.domain}`,
          organizer: person("anna@ourco.example"),
          attendees: [person(`ceo@${site.domain}`)]
        })
        const { ms, value } = yield* timed(research.research({
          key: `bench-${run}-${site.domain}`,
          company: { name: site.domain, domain: site.domain },
          event,
          crm: Option.none()
        }))
        if (Option.isNone(value)) continue
        const pdf = yield* timed(renderDossierPdf(value.value))
        samples.push({ domain: site.domain, ms, dossier: value.value, pdfMs: pdf.ms, pdf: Option.getOrUndefined(pdf.value) })
      }
    }
    const rows = SITES.flatMap((site): Array<ResearchRow> => {
      const of = samples.filter((s) => s.domain === site.domain)
      const last = of[of.length - 1]
      if (last === undefined) return []
      const crawl = last.dossier.website
      return [{
        domain: site.domain,
        status: last.dossier.sections["website"]?.status ?? "?",
        researchMs: spread(of.map((s) => s.ms)).median,
        pages: crawl?.pages.length ?? 0,
        requests: crawl?.requests ?? 0,
        bytes: crawl?.bytes_read ?? 0,
        facts: last.dossier.company_facts.length,
        pdfMs: spread(of.map((s) => s.pdfMs)).median,
        pdfBytes: last.pdf?.byteLength ?? 0,
        pdfPages: last.pdf === undefined ? 0 : pageCount(last.pdf)
      }]
    })
    const completed = new Set(rows.filter((r) => r.status === "completed").map((r) => r.domain))
    return {
      runs,
      sites: rows,
      researchMs: spread(samples.map((s) => s.ms)),
      researchMsCompleted: spread(samples.filter((s) => completed.has(s.domain)).map((s) => s.ms)),
      pagesPerCompany: spread(samples.map((s) => s.dossier.website?.pages.length ?? 0)),
      bytesPerCompany: spread(samples.map((s) => s.dossier.website?.bytes_read ?? 0)),
      pdfMs: spread(samples.map((s) => s.pdfMs)),
      pdfBytes: spread(samples.flatMap((s) => (s.pdf === undefined ? [] : [s.pdf.byteLength]))),
      typicalPdf: yield* measureBriefPdf().pipe(Effect.orDie)
    }
  }).pipe(Effect.scoped)

/** The table `npm run bench` prints. */
export const researchBenchLines = (b: ResearchBench): ReadonlyArray<string> => {
  const n = (x: number, width = 8, digits = 0) => x.toFixed(digits).padStart(width)
  const kb = (bytes: number) => bytes / 1024
  return [
    `research per company, local sites through the local proxy (${b.sites.length} sites × ${b.runs} runs, one after another)`,
    "                                          median      p95      min      max",
    `  research, all sites (ms)              ${n(b.researchMs.median)} ${n(b.researchMs.p95)} ${n(b.researchMs.min)} ${n(b.researchMs.max)}`,
    `  research, sites read (ms)             ${n(b.researchMsCompleted.median)} ${n(b.researchMsCompleted.p95)} ${n(b.researchMsCompleted.min)} ${n(b.researchMsCompleted.max)}`,
    `  pages fetched per company             ${n(b.pagesPerCompany.median)} ${n(b.pagesPerCompany.p95)} ${n(b.pagesPerCompany.min)} ${n(b.pagesPerCompany.max)}`,
    `  KB read per company                   ${n(kb(b.bytesPerCompany.median))} ${n(kb(b.bytesPerCompany.p95))} ${n(kb(b.bytesPerCompany.min))} ${n(kb(b.bytesPerCompany.max))}`,
    `  dossier PDF render (ms)               ${n(b.pdfMs.median)} ${n(b.pdfMs.p95)} ${n(b.pdfMs.min)} ${n(b.pdfMs.max)}`,
    `  dossier PDF size (KB)                 ${n(kb(b.pdfBytes.median))} ${n(kb(b.pdfBytes.p95))} ${n(kb(b.pdfBytes.min))} ${n(kb(b.pdfBytes.max))}`,
    `  typical brief PDF: ${b.typicalPdf.medianMs.toFixed(0)} ms median (${b.typicalPdf.runs} renders), ${
      (b.typicalPdf.bytes / 1024).toFixed(0)
    } KB, ${b.typicalPdf.pages} pages`,
    "  site                         status                research ms  pages  requests  KB read  facts  PDF ms  PDF KB  PDF pages",
    ...b.sites.map((r) =>
      `  ${r.domain.padEnd(28)} ${r.status.padEnd(21)} ${n(r.researchMs, 11)} ${n(r.pages, 6)} ${n(r.requests, 9)} ${n(kb(r.bytes), 8)} ${
        n(r.facts, 6)
      } ${n(r.pdfMs, 7)} ${n(kb(r.pdfBytes), 7)} ${n(r.pdfPages, 10)}`
    )
  ]
}
