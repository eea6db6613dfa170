import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Exit, Layer, Option } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { type Contact, Contacts, enrichEvent } from "../../src/Agents/Contacts.js"
import { AppConfig } from "../../src/Config.js"
import { CalendarEvent, Person } from "../../src/Domain/CalendarEvent.js"
import { parseVCards, VCardContactsLive } from "../../src/Integrations/VCardContacts.js"
import { examplePath } from "../../src/Paths.js"

const v3 = [
  "BEGIN:VCARD",
  "VERSION:3.0",
  "FN:Jürgen Groß",
  "N:Groß;Jürgen;;;",
  "ORG:Bäckerei Groß GmbH & Co. KG;Geschäftsführung;Filiale Nord",
  "EMAIL;TYPE=INTERNET,WORK:juergen.gross@baeckerei-gross.de",
  "EMAIL;TYPE=INTERNET,HOME:JG@example.org",
  "END:VCARD",
  "BEGIN:VCARD",
  "VERSION:4.0",
  "N:Müller;Sabine;;Dr.;",
  "ORG:Müller Maschinenbau AG",
  "EMAIL;TYPE=work:s.mueller@mueller-maschinenbau.de",
  "END:VCARD",
  "BEGIN:VCARD",
  "VERSION:4.0",
  "FN:No Address",
  "END:VCARD"
].join("\r\n")

describe("parseVCards", () => {
  it("gives one contact per address, company from the first ORG unit, name from FN or N", () => {
    expect(parseVCards(v3)).toEqual<ReadonlyArray<Contact>>([
      { email: "juergen.gross@baeckerei-gross.de", name: "Jürgen Groß", company: "Bäckerei Groß GmbH & Co. KG" },
      { email: "JG@example.org", name: "Jürgen Groß", company: "Bäckerei Groß GmbH & Co. KG" },
      { email: "s.mueller@mueller-maschinenbau.de", name: "Dr. Sabine Müller", company: "Müller Maschinenbau AG" }
    ])
  })

  it("throws on text that is not vCard", () => {
    expect(() => parseVCards("<html>nope</html>")).toThrow(/not a vCard/)
    expect(() => parseVCards("BEGIN:VCARD\r\nthis is no property\r\nEND:VCARD")).toThrow()
  })
})

const layerFor = (vcardFile: string) =>
  VCardContactsLive.pipe(Layer.provide(Layer.mergeAll(AppConfig.layerWith({ vcardFile }), NodeContext.layer)))

const lookup = (email: string) => Effect.flatMap(Contacts, (c) => c.lookup(email))

describe("VCardContactsLive", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "vcard-test-"))

  it.effect("reads the example file, folded lines included, case-insensitively", () =>
    Effect.gen(function*() {
      const jurgen = yield* lookup("Juergen.Gross@Baeckerei-Gross.de")
      expect(Option.map(jurgen, (c) => [c.name, c.company])).toEqual(
        Option.some(["Jürgen Groß", "Bäckerei Groß GmbH & Co. KG"])
      )
      const second = yield* lookup("o.grant@brightwave.io")
      expect(Option.map(second, (c) => c.company)).toEqual(Option.some("Brightwave Analytics"))
      expect(yield* lookup("nobody@nowhere.test")).toEqual(Option.none())
    }).pipe(Effect.provide(layerFor(examplePath("contacts.vcf")))))

  it.effect("unfolds a line folded inside a multi-byte character before decoding", () => {
    const file = path.join(dir, "folded.vcf")
    const head = Buffer.from("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lars Petersen\r\nORG:Nordwind Logistik Gm", "utf8")
    const org = Buffer.from("bH Hafen Süd;Einkauf", "utf8")
    const cut = org.indexOf(Buffer.from("ü")) + 1
    writeFileSync(file, Buffer.concat([
      head,
      org.subarray(0, cut),
      Buffer.from("\r\n "),
      org.subarray(cut),
      Buffer.from("\r\nEMAIL:l.petersen@nordwind-logistik.de\r\nEND:VCARD\r\n")
    ]))
    return Effect.gen(function*() {
      const lars = yield* lookup("l.petersen@nordwind-logistik.de")
      expect(Option.map(lars, (c) => c.company)).toEqual(Option.some("Nordwind Logistik GmbH Hafen Süd"))
    }).pipe(Effect.provide(layerFor(file)))
  })

  it.effect("treats a missing file as no contacts", () =>
    Effect.gen(function*() {
      expect(yield* lookup("anna.berger@lead-insights.app")).toEqual(Option.none())
    }).pipe(Effect.provide(layerFor(path.join(dir, "missing.vcf")))))

  it.effect("fails with a message naming a malformed file", () => {
    const file = path.join(dir, "broken.vcf")
    writeFileSync(file, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN Anna without colon\r\nEND:VCARD\r\n")
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.provide(lookup("x@y.z"), layerFor(file)))
      expect(Exit.isFailure(exit)).toBe(true)
      const message = Exit.isFailure(exit) ? String(exit.cause) : ""
      expect(message).toContain(file)
    })
  })
})

describe("enrichEvent", () => {
  const book = new Map<string, Contact>([
    ["olivia.grant@brightwave.io", { email: "olivia.grant@brightwave.io", name: "Olivia Grant", company: "Brightwave Analytics" }],
    ["anna.berger@lead-insights.app", { email: "anna.berger@lead-insights.app", name: "Anna B.", company: "Lead Insights GmbH" }]
  ])
  const contacts = Contacts.of({ lookup: (email) => Effect.succeed(Option.fromNullable(book.get(email.toLowerCase()))) })
  const event = new CalendarEvent({
    calendarId: "ical:test",
    eventId: "e1",
    summary: "Discovery call",
    description: "",
    location: "",
    start: "2026-11-26T09:00:00.000Z",
    allDay: false,
    urls: [],
    organizer: new Person({ email: "Anna.Berger@lead-insights.app", name: "Anna Berger" }),
    attendees: [
      new Person({ email: "Olivia.Grant@brightwave.io" }),
      new Person({ email: "stranger@elsewhere.test", name: "Stranger" }),
      new Person({ name: "Room 1" })
    ]
  })

  it.effect("fills missing names and companies, never overwriting the calendar's name", () =>
    Effect.gen(function*() {
      const out = yield* enrichEvent(contacts, event)
      expect({ ...out.organizer }).toEqual({
        email: "Anna.Berger@lead-insights.app",
        name: "Anna Berger",
        company: "Lead Insights GmbH"
      })
      expect(out.attendees.map((p) => ({ ...p }))).toEqual([
        { email: "Olivia.Grant@brightwave.io", name: "Olivia Grant", company: "Brightwave Analytics" },
        { email: "stranger@elsewhere.test", name: "Stranger" },
        { name: "Room 1" }
      ])
      expect(out.summary).toBe(event.summary)
    }))
})
