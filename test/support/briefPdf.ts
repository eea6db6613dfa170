/**
 * Briefs for the dossier PDF tests, and the render measurement `npm run bench` reports
 * ("PDF render time and size" for a typical brief).
 */
import { Effect } from "effect"
import type { Brief } from "../../src/Domain/Brief.js"
import { renderBriefPdf } from "../../src/Reporting/DossierPdf.js"

/** Names no PDF standard font can print: they must come back from pdftotext exactly. */
export const HARD_NAMES = ["Müller", "Şahin Yıldız", "Dvořák", "Łódź", "Šarić", "ẞ"] as const

/** What a salesperson would get for a real meeting: every section filled, one status not completed. */
export const typicalBrief = (): Brief =>
  ({
    generated_at: "2026-11-26T09:00:00.000Z",
    company: { name: "Müller & Yıldız Maschinenbau GmbH", domain: "mueller-yildiz.de" },
    meeting: ({
      title: "Kickoff: predictive maintenance pilot (Łódź plant)",
      when: "Thu 3 Dec 2026, 10:00–11:00 CET",
      where: "Microsoft Teams — link in the invitation",
      organiser: ({ name: "Anna Schmidt", email: "anna.schmidt@our-company.example", role: "Account Executive" }),
      attendees: [
        ({ name: "Şahin Yıldız", email: "s.yildiz@mueller-yildiz.de", role: "CTO", company: "Müller & Yıldız" }),
        ({ name: "Jana Dvořák", email: "j.dvorak@mueller-yildiz.de", role: "Head of Operations", company: "Müller & Yıldız" }),
        ({ name: "Ivan Šarić", email: "ivan.saric@mueller-yildiz.de", role: "Plant manager, Łódź" }),
        ({ name: "", email: "procurement@mueller-yildiz.de" }),
        ({ name: "Anna Schmidt", email: "anna.schmidt@our-company.example", role: "Account Executive", company: "Our Company" })
      ]
    }),
    key_facts: [
      { label: "Industry", value: "Special-purpose machinery for the automotive supply chain", source: 1 },
      { label: "Headquarters", value: "Straße der Einheit 12, 09112 Chemnitz, Germany", source: 1 },
      { label: "Register entry", value: "MÜLLER & YILDIZ GMBH, GROẞE BLEICHE 5, HRB 4711", source: 2 },
      { label: "Plants", value: "Chemnitz (DE), Łódź (PL), Brno (CZ)", source: 2 },
      { label: "Employees", value: "about 1,200 (2025 annual report)", source: 3 },
      { label: "Revenue", value: "EUR 310 million in 2025, up 8 % on 2024", source: 3 },
      { label: "Managing directors", value: "Dr. Petra Müller (CEO), Şahin Yıldız (CTO)", source: 1 },
      { label: "Recent news", value: "Opened a service centre in Łódź in October 2026; hiring 40 technicians.", source: 4 }
    ],
    crm_facts: [
      { label: "Status", value: "Prospect since 2025-03" },
      { label: "Owner", value: "Anna Schmidt" },
      { label: "Last activity", value: "2026-10-14 — call with Jana Dvořák about downtime figures" },
      { label: "Open deals", value: "Predictive maintenance pilot, EUR 45,000 (stage: discovery)" }
    ],
    similar_companies: [
      { name: "Šarić Automation d.o.o.", domain: "saric-automation.hr", score: 0.82, reason: "Same segment (special machinery), similar size, customer since 2024" },
      { name: "Nordwerk Anlagenbau AG", domain: "nordwerk.de", score: 0.74, reason: "Automotive supplier with plants in Poland" },
      { name: "Vltava Stroje a.s.", domain: "vltava-stroje.cz", score: 0.61, reason: "Maintenance pilot last year; similar product mix" }
    ],
    summary: {
      text:
        "Müller & Yıldız builds special-purpose machinery for automotive suppliers and runs three plants in Germany, Poland and the Czech Republic. " +
        "Growth is steady and the new service centre in Łódź suggests that after-sales service is becoming a priority.\n\n" +
        "Downtime was the topic of the last call: expect questions about integration with their existing PLCs and about the data the pilot needs. " +
        "Şahin Yıldız (CTO) will likely decide on the technical fit; Jana Dvořák owns the budget for the Łódź plant.",
      citations: [1, 3, 4]
    },
    sections: {
      website: { status: "completed" },
      crm: { status: "completed" },
      similar_companies: { status: "completed" },
      news: { status: "insufficient_context", reason: "no articles newer than 90 days" }
    },
    sources: [
      ({ number: 1, title: "Müller & Yıldız — Über uns", url: "https://mueller-yildiz.de/ueber-uns", retrieved_at: "2026-11-26T08:58:12Z" }),
      ({ number: 2, title: "Standorte", url: "https://mueller-yildiz.de/standorte", retrieved_at: "2026-11-26T08:58:13Z" }),
      ({ number: 3, title: "Geschäftsbericht 2025 (PDF)", url: "https://mueller-yildiz.de/media/gb-2025.pdf", retrieved_at: "2026-11-26T08:58:20Z" }),
      ({ number: 4, title: "Neues Servicezentrum in Łódź", url: "https://mueller-yildiz.de/news/servicezentrum-lodz", retrieved_at: "2026-11-26T08:58:25Z" })
    ]
  })

/** Every section empty: only the statuses say why. */
export const emptyBrief = (): Brief =>
  ({
    generated_at: "2026-11-26T09:00:00.000Z",
    company: { name: "Leer GmbH", domain: "leer.de" },
    meeting: ({ title: "Intro call", when: "Mon 30 Nov 2026, 14:00 CET", attendees: [] }),
    key_facts: [],
    crm_facts: [],
    similar_companies: [],
    sections: {
      website: { status: "insufficient_context", reason: "site unreachable" },
      crm: { status: "failed", reason: "CRM timed out after 3 attempts" },
      similar_companies: { status: "no_candidates" },
      summary: { status: "insufficient_context" }
    },
    sources: []
  })

/** Pages in a pdfkit file: its page objects are written uncompressed. */
export const pageCount = (pdf: Uint8Array): number =>
  (Buffer.from(pdf).toString("latin1").match(/\/Type \/Page(?!s)/g) ?? []).length

export interface PdfRenderFigures {
  readonly runs: number
  readonly medianMs: number
  readonly minMs: number
  readonly maxMs: number
  readonly bytes: number
  readonly pages: number
}

/** Renders `brief` `runs` times after one warm-up; time per render and the size of the result. */
export const measureBriefPdf = (brief: Brief = typicalBrief(), runs = 20) =>
  Effect.gen(function*() {
    const first = yield* renderBriefPdf(brief)
    const times: Array<number> = []
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      yield* renderBriefPdf(brief)
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    const figures: PdfRenderFigures = {
      runs,
      medianMs: times[Math.floor(runs / 2)] ?? NaN,
      minMs: times[0] ?? NaN,
      maxMs: times[runs - 1] ?? NaN,
      bytes: first.byteLength,
      pages: pageCount(first)
    }
    return figures
  })
