/** The dossier research writes from the CRM record, the meeting and a person's answers. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema, TestClock } from "effect"
import { Research, type ResearchInput } from "../../src/Agents/Research.js"
import { CrmAttachment, CrmCompany } from "../../src/Domain/Crm.js"
import { Dossier } from "../../src/Domain/Dossier.js"
import { makeEvent, person } from "../fixtures/events.js"

const event = makeEvent({
  eventId: "nordwind-1",
  summary: "Erstgespräch Nordwind Logistik GmbH",
  description: "Kennenlernen mit Lars Petersen (Leiter Einkauf).",
  location: "Hamburg, Speicherstadt",
  start: "2026-11-25T13:00:00.000Z",
  end: "2026-11-25T14:00:00.000Z",
  organizer: person("jonas.weber@lead-insights.app", { name: "Jonas Weber" }),
  attendees: [
    person("l.petersen@nordwind-logistik.de", { name: "Lars Petersen", company: "Nordwind Logistik GmbH" }),
    person("anna.berger@lead-insights.app", { name: "Anna Berger" })
  ]
})

const nordwind = new CrmCompany({
  id: "2",
  name: "Nordwind Logistik GmbH",
  domain: "nordwind-logistik.de",
  industry: "Logistik, Spedition",
  country: "Deutschland",
  notes: "Bestandskunde seit 2023.",
  attachments: [new CrmAttachment({ name: "Rahmenvertrag 2025.pdf", url: "https://crm.example.invalid/files/1" })]
})

const input = (overrides: Partial<ResearchInput> = {}): ResearchInput => ({
  key: "wf-nordwind-1",
  company: { name: "Nordwind Logistik GmbH", domain: "www.Nordwind-Logistik.de" },
  event,
  crm: Option.some(nordwind),
  ...overrides
})

const research = (i: ResearchInput) =>
  Effect.flatMap(Research, (r) => r.research(i)).pipe(Effect.provide(Research.Default))

const section = (dossier: Dossier, title: string) => dossier.sections.find((s) => s.title === title)?.lines ?? []

describe("Research.research", () => {
  it.effect("builds the dossier from the CRM record and the meeting", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input())
      expect(dossier.key).toBe("wf-nordwind-1")
      expect(dossier.company).toEqual({ name: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" })
      expect(dossier.meeting).toEqual({
        event_id: "nordwind-1",
        summary: "Erstgespräch Nordwind Logistik GmbH",
        start: "2026-11-25T13:00:00.000Z",
        location: "Hamburg, Speicherstadt",
        organizer: "Jonas Weber <jonas.weber@lead-insights.app>",
        attendees: [
          "Lars Petersen <l.petersen@nordwind-logistik.de>, Nordwind Logistik GmbH",
          "Anna Berger <anna.berger@lead-insights.app>"
        ]
      })
      expect(dossier.sections.map((s) => s.title)).toEqual([
        "Meeting",
        "Company profile",
        "CRM attachments",
        "What we know",
        "What we don't know yet"
      ])
      expect(section(dossier, "Meeting")).toContain("When: 2026-11-25 13:00–14:00 UTC")
      expect(section(dossier, "Company profile")).toEqual(expect.arrayContaining([
        "Industry: Logistik, Spedition",
        "Country: Deutschland",
        "CRM notes: Bestandskunde seit 2023."
      ]))
      expect(section(dossier, "CRM attachments")).toEqual([
        "Rahmenvertrag 2025.pdf — https://crm.example.invalid/files/1"
      ])
      expect(section(dossier, "What we know")).toEqual(expect.arrayContaining([
        "The company is in the CRM (record id 2).",
        "1 attachment on file in the CRM.",
        "Attending from Nordwind Logistik GmbH: Lars Petersen <l.petersen@nordwind-logistik.de>, Nordwind Logistik GmbH."
      ]))
      expect(section(dossier, "What we don't know yet")).toContain("Size: not on record.")
      expect(dossier.summary).toMatch(/^Nordwind Logistik GmbH \(nordwind-logistik\.de\) is in the CRM \(industry Logistik/)
      expect(dossier.summary).toContain("with Lars Petersen")
      expect(dossier.sources.map((s) => s.kind)).toEqual(["crm", "event"])
    }))

  it.effect("says what is missing for a company the CRM does not know", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input({
        company: { name: "Bäckerei Groß", domain: "baeckerei-gross.de" },
        crm: Option.none(),
        event: makeEvent({ summary: "Kundentermin Bäckerei Groß", location: "" })
      }))
      expect(dossier.sections.map((s) => s.title)).not.toContain("CRM attachments")
      expect(section(dossier, "Company profile")).toContain("Not in the CRM yet: a new company.")
      expect(section(dossier, "Meeting")).toContain("Attendees: none listed")
      expect(section(dossier, "What we don't know yet")).toEqual(expect.arrayContaining([
        "Industry, size and country: nothing on record.",
        "Who attends from Bäckerei Groß: nobody from baeckerei-gross.de is on the invitation."
      ]))
      expect(dossier.summary).toContain("is not in the CRM yet")
      expect(dossier.meeting.location).toBeUndefined()
      expect(dossier.sources.map((s) => s.kind)).toEqual(["event"])
    }))

  it.effect("adds what a person supplied, as a section and a source", () =>
    Effect.gen(function*() {
      const dossier = yield* research(input({
        crm: Option.none(),
        humanNotes: { company_name: "Nordwind Logistik GmbH & Co. KG", notes: "Wants a quote before Q1.", empty: " " }
      }))
      expect(section(dossier, "Notes from the requester")).toEqual([
        "Company name: Nordwind Logistik GmbH & Co. KG",
        "Notes: Wants a quote before Q1."
      ])
      expect(dossier.sources.map((s) => s.kind)).toEqual(["event", "human"])
      expect(dossier.summary).toContain("A person supplied further details")
    }))

  it.effect("is deterministic: the same inputs at the same time give the same dossier", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-20T08:00:00.000Z"))
      const first = yield* research(input())
      const second = yield* research(input())
      expect(first.generated_at).toBe("2026-11-20T08:00:00.000Z")
      expect(first.sources.every((s) => s.retrieved_at === first.generated_at)).toBe(true)
      const encode = Schema.encodeSync(Dossier)
      expect(encode(second)).toEqual(encode(first))
      yield* TestClock.adjust("1 hour")
      expect((yield* research(input())).generated_at).toBe("2026-11-20T09:00:00.000Z")
    }))
})
