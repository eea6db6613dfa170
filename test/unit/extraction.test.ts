import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Extraction, extractCompany, nameFromDomain, stripSalutation } from "../../src/Agents/Extraction.js"
import { AppConfig } from "../../src/Config.js"
import { makeEvent, person } from "../fixtures/events.js"

type EventFields = Parameters<typeof makeEvent>[0]

const extract = (fields: EventFields, ownDomains: ReadonlyArray<string> = ["ourco.de"]) =>
  extractCompany(makeEvent(fields), { ownDomains })

describe("extractCompany: upstream scenarios", () => {
  it("8: a domain in the description, the name from 'with X'", () => {
    expect(extract({
      summary: "product roadmap review",
      description: "Exciting discussion with Example Labs about next steps. Visit examplelabs.io for details."
    })).toEqual({
      companyName: "Example Labs",
      domain: "examplelabs.io",
      domainSource: "description",
      invalidDomains: []
    })
  })

  it("9: stop-words end the name; no domain written, none invented", () => {
    const result = extract({
      summary: "first strategy touchpoint with example labs",
      description: "Exciting Conversation With Example Labs leadership on progress."
    })
    expect(result.companyName).toBe("Example Labs")
    expect(result.domain).toBeUndefined()
    expect(result.domainSource).toBeUndefined()
  })

  it("12 (adapted): text beats people; attendee and organizer e-mail domains are used, in that order", () => {
    const people = { organizer: person("host@sample.ai"), attendees: [person("guest@ignored.com")] }
    expect(extract({ summary: "Strategy review with contoso.io leadership", ...people }))
      .toMatchObject({ domain: "contoso.io", domainSource: "summary", companyName: "Contoso" })
    expect(extract({ summary: "Strategy review", ...people }))
      .toMatchObject({ domain: "ignored.com", domainSource: "attendee_email" })
    expect(extract({ summary: "Strategy review", organizer: person("host@sample.ai") }))
      .toMatchObject({ domain: "sample.ai", domainSource: "organizer_email", companyName: "Sample" })
  })

  it("12: free-mail and localhost addresses never give a domain", () => {
    const result = extract({
      summary: "Strategy review",
      attendees: ["user@gmail.com", "u@yahoo.com", "u@hotmail.com", "u@outlook.com", "u@live.com", "u@icloud.com",
        "u@me.com", "u@protonmail.com", "u@googlemail.com", "user@localhost"].map((email) => person(email))
    })
    expect(result.domain).toBeUndefined()
    expect(result.invalidDomains).toEqual([{ domain: "localhost", reason: "localhost is not a company domain" }])
  })

  it("13: a domain mentioned after a dash in the description", () => {
    const event = {
      summary: "Exploration call with Blue Ocean",
      description: "Exploration call - see blueocean.com for deck"
    }
    expect(extract(event)).toEqual({
      companyName: "Blue Ocean",
      domain: "blueocean.com",
      domainSource: "description",
      invalidDomains: []
    })
  })

  it("14: salutations are removed unless only a legal form (or a personal legal name) follows", () => {
    expect(stripSalutation("Firma Condata")).toBe("Condata")
    expect(stripSalutation("Herr Milonas Condata")).toBe("Milonas Condata")
    expect(stripSalutation("Herr GmbH")).toBe("Herr GmbH")
    expect(stripSalutation("Herr AG")).toBe("Herr AG")
    expect(stripSalutation("Mr. Smith LLC")).toBe("Mr. Smith LLC")
    expect(stripSalutation("Frau Müller Consulting")).toBe("Müller Consulting")
    expect(extract({ summary: "Termin bei Firma Condata am 12.03.2026" }).companyName).toBe("Condata")
    expect(extract({ summary: "Kundentermin mit Herrn Milonas Condata" }).companyName).toBe("Milonas Condata")
  })
})

describe("extractCompany: domains", () => {
  it("takes the first valid domain by source: summary, description, location, urls, attendees, organizer", () => {
    const all = {
      summary: "Prep a.io",
      description: "see b.io",
      location: "c.io office",
      urls: ["https://d.io/x"],
      attendees: [person("x@e.io")],
      organizer: person("y@f.io")
    }
    expect(extract(all)).toMatchObject({ domain: "a.io", domainSource: "summary" })
    expect(extract({ ...all, summary: "Prep" })).toMatchObject({ domain: "b.io", domainSource: "description" })
    expect(extract({ ...all, summary: "Prep", description: "" }))
      .toMatchObject({ domain: "c.io", domainSource: "location" })
    expect(extract({ ...all, summary: "", description: "", location: "" }))
      .toMatchObject({ domain: "d.io", domainSource: "url" })
    expect(extract({ ...all, summary: "", description: "", location: "", urls: [] }))
      .toMatchObject({ domain: "e.io", domainSource: "attendee_email" })
  })

  it("a domain written in the text beats an attendee's e-mail domain", () => {
    expect(extract({ description: "Agenda: brightwave.io", attendees: [person("anna@nordwind.de")] }))
      .toMatchObject({ domain: "brightwave.io", domainSource: "description" })
  })

  it("skips our own domains (and their subdomains) and free-mail everywhere", () => {
    const result = extract({
      summary: "Prep ourco.de",
      description: "Notes on https://wiki.ourco.de/page, contact max@gmail.com",
      attendees: [person("me@ourco.de", { company: "OurCo" }), person("max@gmx.de"), person("lena@nordwind.de")]
    })
    expect(result).toMatchObject({ domain: "nordwind.de", domainSource: "attendee_email" })
  })

  it("skips conference links but not conference companies' people", () => {
    expect(extract({ location: "https://us02web.zoom.us/j/1", urls: ["https://teams.microsoft.com/l/meetup"] }).domain)
      .toBeUndefined()
    expect(extract({ location: "https://zoom.us/j/1", attendees: [person("sam@zoom.us")] }).domainSource)
      .toBe("attendee_email")
  })

  it("only invalid domains: no domain, and each reported once with its reason", () => {
    const result = extract({
      summary: "Prep example.com",
      description: "Server at http://10.0.0.1/ and printer.local; again https://Example.com/",
      attendees: [person("a@acme.test")]
    })
    expect(result.domain).toBeUndefined()
    expect(result.invalidDomains).toEqual([
      { domain: "example.com", reason: "a placeholder/reserved domain (RFC 2606)" },
      { domain: "10.0.0.1", reason: "an IP address, not a domain" },
      { domain: "printer.local", reason: "a private network name, not reachable on the internet" },
      { domain: "acme.test", reason: "a placeholder/reserved domain (RFC 2606)" }
    ])
  })

  it("an invalid domain does not hide a later valid one", () => {
    expect(extract({ summary: "Prep example.com", attendees: [person("a@acme.io")] }))
      .toMatchObject({ domain: "acme.io", invalidDomains: [{ domain: "example.com" }] })
  })

  it("file names, version numbers and 'z.B.' are not domains", () => {
    expect(extract({ summary: "Prep", description: "Siehe report.pdf und notes.txt, z.B. Version 2.4.1" }).domain)
      .toBeUndefined()
  })

  it("normalises what it finds: www, case, IDN", () => {
    expect(extract({ description: "Web: WWW.Müller-Maschinenbau.de/kontakt" }))
      .toMatchObject({ domain: "xn--mller-maschinenbau-m6b.de", companyName: "Müller Maschinenbau" })
  })
})

describe("extractCompany: names", () => {
  it("German patterns", () => {
    expect(extract({ summary: "Kundentermin mit Nordwind Logistik GmbH" }).companyName).toBe("Nordwind Logistik GmbH")
    expect(extract({ summary: "Vorbereitung Termin bei der Sparkasse Hamburg" }).companyName).toBe("Sparkasse Hamburg")
    expect(extract({ summary: "Angebot für Brightwave (Q3)" }).companyName).toBe("Brightwave")
    expect(extract({ summary: "Erstgespräch", description: "Kunde: Müller & Söhne GmbH & Co. KG, Hamburg" })
      .companyName)
      .toBe("Müller & Söhne GmbH & Co. KG")
    expect(extract({ summary: "Jahresgespräch Nordwind Logistik AG 2026" }).companyName).toBe("Nordwind Logistik AG")
    // a legal name in brackets beats the person named before it
    expect(extract({ summary: "Call mit Herrn Müller (Müller & Söhne KG)" }).companyName).toBe("Müller & Söhne KG")
    expect(extract({ summary: "Kickoff (intern) – Nordwind Logistik GmbH" }).companyName).toBe("Nordwind Logistik GmbH")
  })

  it("English patterns", () => {
    expect(extract({ summary: "Discovery call with Brightwave meeting" }).companyName).toBe("Brightwave")
    expect(extract({ summary: "Prep", description: "Company: Acme Corp\nAgenda: pricing" }).companyName)
      .toBe("Acme Corp")
    expect(extract({ summary: "Pitch for Globex Inc. on 12/03" }).companyName).toBe("Globex Inc.")
    expect(extract({ summary: "sync with acme robotics about pricing" }).companyName).toBe("Acme Robotics")
  })

  it("a name after a dash or colon following the trigger phrase, or before it", () => {
    expect(extract({ summary: "Kickoff – Brightwave (Q3)" }).companyName).toBe("Brightwave")
    expect(extract({ summary: "Demo prep: Nordwind Logistik" }).companyName).toBe("Nordwind Logistik")
    expect(extract({ summary: "Nordwind Logistik - Kickoff" }).companyName).toBe("Nordwind Logistik")
  })

  it("stop-words do not become names", () => {
    expect(extract({ summary: "Sync with the team" }).companyName).toBeUndefined()
    expect(extract({ summary: "Vorbereitung mit uns" }).companyName).toBeUndefined()
    expect(extract({ summary: "Prep for Kundentermin" }).companyName).toBeUndefined()
  })

  it("then the attendees' contact company, skipping our own people", () => {
    const result = extract({
      summary: "Demo prep",
      attendees: [person("me@ourco.de", { company: "OurCo" }), person("b@brightwave.io", { company: "Brightwave Ltd" })]
    })
    expect(result).toMatchObject({ companyName: "Brightwave Ltd", domain: "brightwave.io" })
  })

  it("then a name derived from the domain, else none", () => {
    expect(extract({ summary: "Demo prep", attendees: [person("b@nordwind-logistik.de")] }).companyName)
      .toBe("Nordwind Logistik")
    expect(nameFromDomain("brightwave.io")).toBe("Brightwave")
    expect(nameFromDomain("acme.co.uk")).toBe("Acme")
    expect(extract({ summary: "Demo prep" })).toEqual({
      companyName: undefined,
      domain: undefined,
      domainSource: undefined,
      invalidDomains: []
    })
  })
})

describe("extractCompany: the name in the meeting text before one derived from the domain", () => {
  // [summary, an attendee's e-mail (the domain; none when the summary names it), the name expected]
  const cases: ReadonlyArray<readonly [string, string | undefined, string]> = [
    // the name after the meeting words, spelled like the domain
    ["Messe-Vorbereitung Northwind Traders", "sales@northwindtraders.com", "Northwind Traders"],
    ["Kickoff Acme Robotics", "info@acme-robotics.com", "Acme Robotics"],
    ["Discovery call – Globex Corp", "a.b@globex.com", "Globex Corp"],
    ["Vorbereitung Kundentermin Müller & Söhne KG", "info@mueller-soehne.de", "Müller & Söhne KG"],
    ["Vorbereitung Kundentermin Müller & Söhne KG", "info@muellerundsoehne.de", "Müller & Söhne KG"],
    ["Demo for Initech (initech.io)", undefined, "Initech"],
    ["Kundentermin: Bäckerei Groß", "j.gross@baeckerei-gross.de", "Bäckerei Groß"],
    ["kundentermin bäckerei groß", "j.gross@baeckerei-gross.de", "Bäckerei Groß"],
    ["Telko Alpine Ski House", "a@alpineskihouse.com", "Alpine Ski House"],
    ["Kundentermin Société Générale", "a@societegenerale.fr", "Société Générale"],
    ["Kickoff 1&1 Versatel", "a@1und1.de", "1&1 Versatel"],
    // a meeting word or stop word inside the name, when the domain spells it
    ["Onboarding Trey Research", "a@treyresearch.net", "Trey Research"],
    ["Besuch Brauerei Zum Löwen", "a@brauerei-zum-loewen.de", "Brauerei Zum Löwen"],
    // the domain as initials
    ["Q3 Review Bayerische Motoren Werke", "a@bmw.de", "Bayerische Motoren Werke"],
    ["Jour fixe Procter & Gamble", "a@pg.com", "Procter & Gamble"],
    // the domain is a short form: the name runs on in the title, up to a topic or a city
    ["Kickoff Acme Robotics", "info@acme.com", "Acme Robotics"],
    ["Messe-Vorbereitung Northwind Traders Berlin", "a@northwind.de", "Northwind Traders"],
    ["Kickoff Acme Rahmenvertrag", "a@acme.de", "Acme"],
    ["Northwind Q3 Business Review", "a@northwind.com", "Northwind"],
    ["Kickoff Neues Projekt Fabrikam", "a@fabrikam.de", "Fabrikam"],
    // the name first, in brackets, after a person, or drawn by a rule
    ["Wayne Enterprises Kickoff", "a@wayneenterprises.com", "Wayne Enterprises"],
    ["Call w/ Sarah (Tailwind Traders)", "sarah@tailwindtraders.com", "Tailwind Traders"],
    ["Sync with Anna from Umbrella", "anna@umbrella.com", "Umbrella"],
    ["Follow-up Österreichische Post AG", "a@post.at", "Österreichische Post AG"],
    ["Meeting prep: OurCo <> Fabrikam Labs", "a@fabrikam.com", "Fabrikam Labs"],
    // a legal name counts even when the domain is someone else's
    ["Kickoff Globex Corp", "a@initech.io", "Globex Corp"],
    ["Angebotspräsentation Contoso Pharma GmbH", "a@cp-gruppe.de", "Contoso Pharma GmbH"],
    // nothing credible in the text: the domain's name
    ["Kickoff Acme Robotics", "a@globex.com", "Globex"],
    ["Call mit Herrn Müller", "h.mueller@baeckerei-gross.de", "Baeckerei Gross"],
    ["Call mit Herrn Müller", "h@mueller.de", "Mueller"],
    ["Vorbereitung Montag 12. März", "a@fabrikam.de", "Fabrikam"],
    ["Kundentermin – Hamburg", "a@fabrikam.de", "Fabrikam"],
    ["Termin in München – Online", "a@fabrikam.de", "Fabrikam"],
    ["Kickoff mit OurCo", "a@fabrikam.de", "Fabrikam"]
  ]

  it.each(cases)("%s (%s) → %s", (summary, email, expected) => {
    expect(extract({ summary, attendees: email === undefined ? [] : [person(email)] }).companyName).toBe(expected)
  })

  it("also finds the name in the description", () => {
    const attendees = [person("a@northwindtraders.com")]
    expect(extract({ summary: "Kickoff", description: "Agenda\nNorthwind Traders stellt sich vor", attendees })
      .companyName).toBe("Northwind Traders")
  })

  it("without a domain, a bare capitalised phrase is no name", () => {
    expect(extract({ summary: "Messe-Vorbereitung Northwind Traders" }).companyName).toBeUndefined()
    expect(extract({ summary: "Researcher onboarding" }).companyName).toBeUndefined()
  })

  it("a labelled name still comes first", () => {
    const attendees = [person("a@acme.de")]
    expect(extract({ summary: "Kickoff Acme", description: "Kunde: Acme Robotics GmbH", attendees }).companyName)
      .toBe("Acme Robotics GmbH")
  })

  it("the attendees' names are people, not companies; a surname the domain spells is the company", () => {
    const anna = person("anna.schmidt@globex.com", { name: "Anna Schmidt" })
    expect(extract({ summary: "Sync with Anna", attendees: [anna] }).companyName).toBe("Globex")
    expect(extract({ summary: "Prep: call with Anna Schmidt", attendees: [anna] }).companyName).toBe("Globex")
    // no name in the calendar: a mailbox like "first.last" stands for one
    expect(extract({ summary: "Sync with Anna", attendees: [person("anna.schmidt@globex.com")] }).companyName)
      .toBe("Globex")
    const max = person("max@weber.de", { name: "Weber, Max" })
    expect(extract({ summary: "Call mit Max Weber", attendees: [max] }).companyName).toBe("Weber")
    expect(extract({ summary: "Kickoff Weber", attendees: [max] }).companyName).toBe("Weber")
  })

  it("a name after Herr/Mr. comes after the contacts and the domain", () => {
    const summary = "Kundentermin mit Herrn Milonas Condata"
    expect(extract({ summary }).companyName).toBe("Milonas Condata")
    expect(extract({ summary, attendees: [person("m@condata.de", { company: "Condata GmbH" })] }).companyName)
      .toBe("Condata GmbH")
    expect(extract({ summary, attendees: [person("m@condata.de")] }).companyName).toBe("Condata")
  })

  it("never names our own company, by domain or by our people's contact company", () => {
    const attendees = [person("me@ourco.de", { company: "Lead Insights GmbH" }), person("a@fabrikam.de")]
    expect(extract({ summary: "Review with Lead Insights", attendees }).companyName).toBe("Fabrikam")
    expect(extract({ summary: "Kickoff OurCo GmbH", attendees }).companyName).toBe("Fabrikam")
  })

  // How long this takes is measured by `npm run bench`, not asserted here.
  it("reads long, odd text to the end and still finds the domain", () => {
    const texts = [
      Array.from({ length: 4000 }, (_, i) => `Aa${i % 7}`).join(" "),
      Array.from({ length: 5000 }, () => "GmbH").join(" "),
      `Acme ${Array.from({ length: 10000 }, () => "&").join(" ")}`,
      Array.from({ length: 3000 }, () => "Müller & Söhne Co.").join(" ")
    ].map((text) => text.slice(0, 32_000))
    for (const description of texts) {
      expect(extract({ summary: description.slice(0, 1000), description, attendees: [person("a@acme-aa.de")] }).domain)
        .toBe("acme-aa.de")
    }
  })
})

describe("Extraction service", () => {
  it.effect("uses OWN_DOMAINS from the configuration", () =>
    Effect.gen(function*() {
      const extraction = yield* Extraction
      const result = yield* extraction.extract(makeEvent({
        summary: "Prep",
        attendees: [person("me@ourco.de"), person("anna@nordwind.de")]
      }))
      expect(result.domain).toBe("nordwind.de")
    }).pipe(Effect.provide(Extraction.Default), Effect.provide(AppConfig.layerWith({ ownDomains: ["ourco.de"] }))))
})
