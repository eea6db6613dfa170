import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { PageKind, WebsiteField } from "../../src/Domain/WebsiteFacts.js"
import { extractPage } from "../../src/Integrations/Website/Extract.js"
import { parseHtml } from "../../src/Integrations/Website/Html.js"
import { parseJsonLd, readJsonLd } from "../../src/Integrations/Website/JsonLd.js"
import { cleanValue, mergeFacts } from "../../src/Integrations/Website/Merge.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const read = (name: string) => readFileSync(path.join(here, "..", "fixtures", "websites", name), "utf8")
const AT = "2025-06-02T09:30:00.000Z"

const factsFrom = (html: string, url: string, domain: string, kind: PageKind) => {
  const facts = mergeFacts(extractPage({ url, retrievedAt: AT, kind, doc: parseHtml(html), siteDomains: [domain] }, 2025))
  const values = (field: WebsiteField) => facts.filter((f) => f.field === field).map((f) => f.value)
  return { facts, values, one: (field: WebsiteField) => values(field)[0] }
}

describe("a GmbH & Co. KG's Impressum laid out as a definition list", () => {
  const url = "https://www.schaller-logistik.de/service/impressum/"
  const { facts, values, one } = factsFrom(read("de-kg-impressum.html"), url, "schaller-logistik.de", "imprint")

  it("reads the company's own register entry, not its general partner's", () => {
    expect(one("legal_name")).toBe("Schaller Logistik GmbH & Co. KG")
    expect(one("register_number")).toBe("HRA 104562")
    expect(one("register_court")).toMatch(/Stuttgart$/)
    expect(values("register_number")).not.toContain("HRB 109876")
  })

  it("names the general partner's managing directors, not the person responsible for content twice", () => {
    expect(values("managing_director")).toEqual(["Thomas Schaller", "Anja Schaller-Brandt"])
  })

  it("address, VAT id, the obfuscated e-mail, the phone but not the fax, not the agency's address", () => {
    expect(one("address")).toBe("Kanalstraße 5-7, 74076 Heilbronn")
    expect(one("vat_id")).toBe("DE146825330")
    expect(values("email")).toEqual(["info@schaller-logistik.de"])
    expect(values("phone")).toEqual(["+49 7131 9620-0"])
  })

  it("each fact points at the page and the time it was read", () => {
    expect(facts.every((f) => f.source.url === url && f.source.retrieved_at === AT)).toBe(true)
  })

  it("nothing from the cookie banner (Borlabs GmbH is not the company)", () => {
    expect(facts.some((f) => f.value.includes("Borlabs"))).toBe(false)
  })
})

describe("a partnership's Impressum built with a page builder (labels in bold, one line each)", () => {
  const { values, one } = factsFrom(read("de-partg-impressum.html"), "https://www.mueller-partner-stb.de/impressum/", "mueller-partner-stb.de", "imprint")

  it("every name under 'Vertreten durch:', professional titles kept; the Partnerschaftsregister", () => {
    expect(values("managing_director")).toEqual(["StB Dipl.-Kfm. Jens Müller", "StB Katrin Albrecht", "Dr. Olaf Weidner"])
    expect(one("legal_name")).toBe("Müller & Partner Steuerberatungsgesellschaft mbB")
    expect(one("register_number")).toBe("PR 720123")
    expect(one("register_court")).toBe("Amtsgericht Stuttgart")
    expect(one("vat_id")).toBe("DE287654321")
  })

  it("the firm's address, not the chamber's", () => {
    expect(one("address")).toBe("Hauptstr. 12a, D-70173 Stuttgart")
    expect(values("phone")).toEqual(["0711-1234560"])
  })
})

describe("a German company's imprint in English, as a table", () => {
  const { values, one } = factsFrom(read("de-company-imprint-en.html"), "https://www.vireo-bio.com/en/imprint/", "vireo-bio.com", "imprint")

  it("reads label and value from the table's cells", () => {
    expect(one("legal_name")).toBe("Vireo Biosystems GmbH")
    expect(one("address")).toBe("Am Klopferspitz 19a, 82152 Planegg-Martinsried, Germany")
    expect(values("managing_director")).toEqual(["Dr. Hanna Lindqvist", "Dr. Felix Ortmann"])
    expect(one("register_number")).toBe("HRB 251177")
    expect(one("register_court")).toBe("Local Court Munich")
    expect(one("vat_id")).toBe("DE318224905")
    expect(one("founding_year")).toBe("2019")
    expect(values("phone")).toEqual(["+49 89 2180 7740"])
  })
})

describe("an Austrian Impressum (Offenlegung, Firmenbuch, UID)", () => {
  const { values, one } = factsFrom(read("at-impressum.html"), "https://www.alpensolar.at/impressum", "alpensolar.at", "imprint")

  it("FN, Firmenbuchgericht, ATU number, managing directors with Austrian titles", () => {
    expect(one("legal_name")).toBe("Alpen Solar Technik GmbH")
    expect(one("register_number")).toMatch(/^FN 412345 ?h$/)
    expect(one("register_court")).toBe("Landesgericht Innsbruck")
    expect(one("vat_id")).toBe("ATU68123456")
    expect(values("managing_director")).toEqual(["Mag. Lisa Hofer", "DI Markus Pichler"])
  })

  it("address with the A- prefix and country, founding year, contact, profiles but no share button", () => {
    expect(one("address")).toBe("Gewerbepark 12, A-6063 Rum bei Innsbruck, Österreich")
    expect(one("founding_year")).toBe("2011")
    expect(values("email")).toEqual(["office@alpensolar.at"])
    expect(values("phone")).toEqual(["+43 512 567890-0"])
    expect(values("social_link")).toEqual(["https://www.facebook.com/alpensolar.tirol", "https://www.instagram.com/alpensolar"])
  })
})

describe("a Swiss AG's Impressum", () => {
  const { values, one } = factsFrom(read("ch-impressum.html"), "https://www.zpo-optik.ch/de/impressum/", "zpo-optik.ch", "imprint")

  it("UID as register number, the cantonal register, the CEO but not the board chairman", () => {
    expect(one("legal_name")).toBe("Zürcher Präzisionsoptik AG")
    expect(one("register_number")).toBe("CHE-109.876.543")
    expect(one("register_court")).toBe("Handelsregister des Kantons Zürich")
    expect(values("managing_director")).toEqual(["Corinne Baumann"])
    expect(one("address")).toBe("Seestrasse 201, CH-8800 Thalwil, Schweiz")
    expect(values("social_link")).toEqual(["https://www.linkedin.com/company/zpo-optik"])
  })
})

describe("a US Inc.'s about page with JSON-LD @graph", () => {
  const { values, one } = factsFrom(read("en-us-about.html"), "https://brightline-robotics.com/about/", "brightline-robotics.com", "about")

  it("legal name, founding date and address from JSON-LD, written the American way", () => {
    expect(one("legal_name")).toBe("Brightline Robotics, Inc.")
    expect(one("founding_year")).toBe("2016")
    expect(one("address")).toBe("500 Technology Square, Suite 300, Cambridge, MA 02139, US")
  })

  it("CEO and President from the leadership list, not the CTO or VP Sales", () => {
    expect(values("managing_director")).toEqual(["Maria Gonzalez", "David Chen"])
  })

  it("description from meta and og tags, contact and every profile once, no tweet button", () => {
    expect(values("description")[0]).toMatch(/^Brightline Robotics builds autonomous mobile robots/)
    expect(values("phone")).toEqual(["(617) 555-0188"])
    expect(values("email")).toEqual(["press@brightline-robotics.com"])
    expect(values("social_link")).toEqual([
      "https://x.com/brightlinebots",
      "https://www.youtube.com/channel/UC3xYzBrightline",
      "https://github.com/brightline-robotics",
      "https://www.linkedin.com/company/brightline-robotics",
      "https://www.instagram.com/brightlinerobotics"
    ])
  })
})

describe("a UK Limited's contact page", () => {
  const { values, one } = factsFrom(read("en-uk-contact.html"), "https://www.thistleandloom.co.uk/contact", "thistleandloom.co.uk", "contact")

  it("a Scottish company number, the address written a line per part, the spelled-out e-mail", () => {
    expect(one("legal_name")).toBe("Thistle & Loom Limited")
    expect(one("register_number")).toBe("SC512345")
    expect(one("register_court")).toBe("Registrar of Companies for Scotland")
    expect(one("address")).toBe("22 Abbey Mount, Edinburgh, EH8 8EJ, Scotland")
    expect(values("email")).toEqual(["hello@thistleandloom.co.uk"])
    expect(values("phone")).toEqual(["0131 496 0762"])
  })

  it("the year of founding, not the year the story began", () => {
    expect(one("founding_year")).toBe("2012")
  })
})

describe("a homepage", () => {
  const { values, one } = factsFrom(read("de-home-nav.html"), "https://www.kessler-antriebe.de/de/", "kessler-antriebe.de", "home")

  it("language, description, products named by the links under /produkte/, the name the description starts with", () => {
    expect(one("language")).toBe("de")
    expect(one("description")).toMatch(/^Kessler Antriebstechnik GmbH entwickelt Getriebemotoren/)
    expect(values("product")).toEqual(expect.arrayContaining(["Getriebemotoren", "Servoantriebe", "Frequenzumrichter"]))
    expect(values("product")).not.toContain("Alle Produkte")
    expect(one("legal_name")).toBe("Kessler Antriebstechnik GmbH")
  })
})

describe("register entries as Impressums write them", () => {
  const register = (html: string) => {
    const { one } = factsFrom(html, "https://f.de/impressum", "f.de", "imprint")
    return [one("register_number"), one("register_court")]
  }

  it("court and number in their many spellings", () => {
    expect(register("<p>Eingetragen beim Amtsgericht München unter HRB 123456</p>")).toEqual(["HRB 123456", "Amtsgericht München"])
    expect(register("<p>Registergericht: AG Charlottenburg<br>HRB 98765 B</p>")).toEqual(["HRB 98765 B", "Amtsgericht Charlottenburg"])
    expect(register("<p>Handelsregister: HRB 1234 AG Ulm</p>")).toEqual(["HRB 1234", "Amtsgericht Ulm"])
    expect(register("<p>Sitz: Köln, Handelsregister des Amtsgerichts Köln, HRA 5512</p>")).toEqual(["HRA 5512", "Amtsgericht Köln"])
    expect(register("<p>Genossenschaftsregister: Amtsgericht Hannover GnR 301</p>")).toEqual(["GnR 301", "Amtsgericht Hannover"])
  })

  it("PR in a sentence is not a register; the general partner's entry is not the company's", () => {
    expect(register("<p>Unsere PR 2024: neue Kampagne</p><p>Amtsgericht Ulm, HRA 700</p>")[0]).toBe("HRA 700")
    const kg = `<dl><dt>Persönlich haftende Gesellschafterin</dt><dd>Muster Verwaltungs-GmbH, Amtsgericht Ulm HRB 1</dd>
      <dt>Registergericht</dt><dd>Amtsgericht Ulm, HRA 2</dd></dl>`
    expect(register(kg)).toEqual(["HRA 2", "Amtsgericht Ulm"])
  })
})

describe("contact details written to keep robots out", () => {
  it("Cloudflare's e-mail protection, [at]/(dot) spellings, entities; the fax stays out", () => {
    const hex = "5c35323a331c3a352e313d713e39352f2c353930723839" // info@firma-beispiel.de
    const { values } = factsFrom(
      `<p>E-Mail: <a href="/cdn-cgi/l/email-protection#${hex}"><span class="__cf_email__" data-cfemail="${hex}">[email&#160;protected]</span></a></p>
       <p>vertrieb (at) firma-beispiel.de · buchhaltung&#64;firma-beispiel.de</p>
       <p>Telefon (Zentrale): 089 / 12 34 56-0 · Telefax: 089 / 12 34 56-99 · F +49 89 123456-98</p>`,
      "https://firma-beispiel.de/kontakt",
      "firma-beispiel.de",
      "contact"
    )
    expect(values("email")).toHaveLength(3)
    expect(values("email")).toEqual(expect.arrayContaining(["info@firma-beispiel.de", "vertrieb@firma-beispiel.de", "buchhaltung@firma-beispiel.de"]))
    expect(values("phone")).toEqual(["089 / 12 34 56-0"])
  })
})

describe("a homepage that does not say its language", () => {
  it("is German or English by its words", () => {
    const german = "<p>Wir sind ein Familienunternehmen und fertigen für unsere Kunden Maschinen, die nicht nur schnell sind, sondern auch mit der Zeit gehen. Die Qualität ist das, was uns und unsere Kunden verbindet, und das seit vielen Jahren mit der gleichen Sorgfalt für Sie.</p>"
    expect(factsFrom(`<html><body>${german}</body></html>`, "https://x.de/", "x.de", "home").one("language")).toBe("de")
    expect(factsFrom(`<html><body><p>Hello</p></body></html>`, "https://x.de/", "x.de", "home").one("language")).toBeUndefined()
  })
})

describe("JSON-LD, tolerantly", () => {
  it("repairs trailing commas, raw line breaks in strings, HTML comment wrappers and blocks written back to back", () => {
    expect(parseJsonLd(`{"name": "A GmbH", "sameAs": ["x",],}`)).toEqual({ name: "A GmbH", sameAs: ["x"] })
    expect(parseJsonLd(`{"description": "zwei\nZeilen"}`)).toEqual({ description: "zwei Zeilen" })
    expect(parseJsonLd(`<!-- {"name": "B AG"} -->`)).toEqual({ name: "B AG" })
    expect(parseJsonLd(`{"@type": "WebSite"}{"@type": "Organization", "name": "C KG"}`)).toEqual([
      { "@type": "WebSite" },
      { "@type": "Organization", name: "C KG" }
    ])
    expect(parseJsonLd(`{"name": `)).toBeUndefined()
  })

  it("an odd property does not lose the others; LocalBusiness subtypes count as the company", () => {
    const { organizations } = readJsonLd([
      `{"@context": "https://schema.org", "@type": ["Dentist", "MedicalBusiness"], "name": {"@value": "Praxis Dr. Lange"},
        "address": "Marktplatz 3, 72070 Tübingen", "telephone": 7071123456, "foundingDate": {"nonsense": true},
        "sameAs": "https://www.instagram.com/praxis.lange"}`,
      `{"@type": "Service", "name": "Zahnreinigung"}`,
      `not json at all`
    ])
    expect(organizations).toHaveLength(1)
    expect(organizations[0]?.name).toEqual(["Praxis Dr. Lange"])
    expect(organizations[0]?.telephone).toEqual(["7071123456"])
    expect(organizations[0]?.foundingDate).toEqual([])
    expect(organizations[0]?.address).toEqual(["Marktplatz 3, 72070 Tübingen"])
  })
})

describe("merging and cleaning", () => {
  it("the Impressum beats the homepage for legal facts; duplicates fold; fields come in dossier order", () => {
    const home = parseHtml(`<html lang="de"><body><footer><p>Tel. 07351 58200</p><p>© 2025 Brenner Maschinenbau GmbH</p></footer></body></html>`)
    const imprint = parseHtml(`<p>Brenner Maschinenbau GmbH<br>Industriestraße 14<br>88400 Biberach</p><p>Tel.: +49 (0) 7351 5820-0</p>`)
    const facts = mergeFacts([
      ...extractPage({ url: "https://b.de/", retrievedAt: AT, kind: "home", doc: home, siteDomains: ["b.de"] }, 2025),
      ...extractPage({ url: "https://b.de/impressum", retrievedAt: AT, kind: "imprint", doc: imprint, siteDomains: ["b.de"] }, 2025)
    ])
    expect(facts.map((f) => f.field)).toEqual(["legal_name", "address", "phone", "language"])
    expect(facts.find((f) => f.field === "legal_name")?.source.url).toBe("https://b.de/impressum")
    expect(facts.filter((f) => f.field === "phone")).toHaveLength(1)
  })

  it("no value keeps a replacement or control character, and none runs on forever", () => {
    expect(cleanValue("M\ufffdller\u0000 GmbH\u0096")).toBe("Mller GmbH")
    const long = cleanValue(`${"Wir bauen Maschinen. ".repeat(60)}`)
    expect(long.length).toBeLessThanOrEqual(600)
    expect(long.endsWith(".")).toBe(true)
  })
})
