/** Dossier → the brief the PDF shows: a pure mapping that keeps every number pointing at its source. */
import { describe, expect, it } from "vitest"
import { Option, Schema } from "effect"
import { buildDossier } from "../../src/Agents/Research.js"
import { Brief } from "../../src/Domain/Brief.js"
import { CrmAttachment, CrmCompany, CrmNoteSummary } from "../../src/Domain/Crm.js"
import { Dossier, DossierFile, DossierSummary, SimilarCompany } from "../../src/Domain/Dossier.js"
import { briefFromDossier } from "../../src/Reporting/BriefFromDossier.js"
import { cannedWebsite } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"

const DOMAIN = "brenner-maschinenbau.de"

const event = makeEvent({
  summary: "Kickoff Brenner",
  location: "Biberach",
  timeZone: "Europe/Berlin",
  organizer: person("anna@ourco.de", { name: "Anna Berger" }),
  attendees: [person("p.brenner@brenner-maschinenbau.de", { name: "Dr. Paul Brenner" }), person("info@brenner-maschinenbau.de")]
})

const site = cannedWebsite(DOMAIN, [
  { field: "legal_name", value: "Brenner Maschinenbau GmbH", path: "/rechtliches/x", kind: "imprint" },
  { field: "managing_director", value: "Paul Brenner", path: "/rechtliches/x", kind: "imprint" },
  { field: "managing_director", value: "Eva Brenner", path: "/rechtliches/x", kind: "imprint" },
  { field: "description", value: "CNC-Fräsmaschinen und Drehzentren." },
  { field: "product", value: "Drehzentren", path: "/produkte/", kind: "products" }
])

const crm = new CrmCompany({
  id: "7",
  name: "Brenner Maschinenbau",
  domain: DOMAIN,
  industry: "Maschinenbau",
  owner: "Anna Berger",
  attachments: [new CrmAttachment({ name: "Angebot.pdf" })],
  last_notes: [new CrmNoteSummary({ title: "Meeting preparation: Messe", created_at: "2026-09-12T10:00:00.000Z" })]
})

const dossier = buildDossier(
  { key: "k", company: { name: "Brenner", domain: DOMAIN }, event, crm: Option.some(crm) },
  "2026-11-20T08:00:00.000Z",
  {
    website: Option.some(site),
    similar: {
      _tag: "Found",
      compared: 3,
      companies: [new SimilarCompany({ name: "Adler", domain: "adler.at", score: 0.4, reason: "same industry (Maschinenbau)", matched: ["industry"] })]
    }
  },
  { ownDomains: ["ourco.de"] }
)

describe("briefFromDossier", () => {
  it("is a valid brief: key facts by field and source, CRM facts apart, people with their roles", () => {
    const brief = briefFromDossier(dossier)
    expect(Schema.decodeUnknownEither(Brief)(brief)._tag).toBe("Right")
    expect(brief.meeting).toMatchObject({ title: "Kickoff Brenner", where: "Biberach", when: "Thu 26 Nov 2026, 10:00–11:00 CET" })
    expect(brief.meeting.organiser).toEqual({ name: "Anna Berger", email: "anna@ourco.de", role: "Organiser, our side" })
    expect(brief.meeting.attendees).toEqual([
      { name: "Dr. Paul Brenner", email: "p.brenner@brenner-maschinenbau.de", role: "Managing director (website [1])", company: "Brenner" },
      { name: "", email: "info@brenner-maschinenbau.de", company: "Brenner" }
    ])
    expect(brief.key_facts).toEqual([
      { label: "Legal name", value: "Brenner Maschinenbau GmbH", source: 1 },
      { label: "About", value: "CNC-Fräsmaschinen und Drehzentren.", source: 2 },
      { label: "Managing directors", value: "Paul Brenner; Eva Brenner", source: 1 },
      { label: "Product or service", value: "Drehzentren", source: 3 }
    ])
    expect(brief.crm_facts).toEqual([
      { label: "Record", value: "Brenner Maschinenbau (crm CRM, id 7)" },
      { label: "Industry", value: "Maschinenbau" },
      { label: "Owner", value: "Anna Berger" },
      { label: "Last note", value: "2026-09-12 — Meeting preparation: Messe" },
      { label: "Attachments", value: "Angebot.pdf" }
    ])
    expect(brief.similar_companies).toEqual([{ name: "Adler", domain: "adler.at", score: 0.4, reason: "same industry (Maschinenbau)" }])
    expect(brief.sources.map((s) => [s.number, s.url ?? s.title])).toEqual([
      [1, `https://${DOMAIN}/rechtliches/x`],
      [2, `https://${DOMAIN}/`],
      [3, `https://${DOMAIN}/produkte/`],
      [4, "CRM record 7: Brenner Maschinenbau"],
      [5, "CRM companies compared with Brenner (3)"],
      [6, 'Calendar event "Kickoff Brenner" (test:calendar)']
    ])
  })

  it("the rules' summary is not marked inferred; only sections that did not simply complete are shown", () => {
    const brief = briefFromDossier(dossier)
    expect(brief.summary).toMatchObject({ inferred: false, citations: dossier.summary.citations })
    expect(brief.sections).toEqual({})
    const inferred = briefFromDossier(new Dossier({
      ...dossier,
      summary: new DossierSummary({ text: "Brenner builds lathes [1].", inferred: true, citations: [1], model: "m" }),
      sections: { ...dossier.sections, website: { status: "insufficient_context", reason: "the site timed out" }, pdf: { status: "failed" } }
    }))
    expect(inferred.summary).toEqual({ text: "Brenner builds lathes [1].", citations: [1], inferred: true })
    expect(inferred.sections).toEqual({ website: { status: "insufficient_context", reason: "the site timed out" } })
  })

  it("a dossier with nothing found, and one written by the first version, still make a brief", () => {
    const empty = buildDossier({ key: "e", company: { name: "Leer GmbH", domain: "leer.de" }, event: makeEvent(), crm: Option.none() }, "2026-11-20T08:00:00.000Z")
    const brief = briefFromDossier(empty)
    expect(Schema.decodeUnknownEither(Brief)(brief)._tag).toBe("Right")
    expect(brief.key_facts).toEqual([])
    expect(brief.crm_facts).toEqual([])
    expect(Object.keys(brief.sections).sort()).toEqual(["crm", "similar_companies", "website"])
    const legacy = Schema.decodeUnknownSync(DossierFile)({
      key: "old",
      generated_at: "2026-11-01T08:00:00.000Z",
      company: { name: "Acme", domain: "acme.io" },
      meeting: { event_id: "e", summary: "Kickoff", start: "2026-11-26", attendees: ["Ann <ann@acme.io>"] },
      summary: "Acme (acme.io) is not in the CRM yet.",
      sections: [],
      sources: [{ kind: "event", title: "Calendar event", retrieved_at: "2026-11-01T08:00:00.000Z" }]
    })
    const old = briefFromDossier(legacy)
    expect(Schema.decodeUnknownEither(Brief)(old)._tag).toBe("Right")
    expect(old.meeting).toMatchObject({ title: "Kickoff", when: "2026-11-26 (all day)", attendees: [{ name: "Ann", email: "ann@acme.io" }] })
  })
})
