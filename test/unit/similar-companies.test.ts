/** Similar companies: scored by industry, size, country and description, deterministic, bounded, never the company itself. */
import { describe, expect, it } from "vitest"
import {
  type CompanyProfile,
  cosine,
  countryOfDomain,
  industrySimilarity,
  MAX_SIMILAR,
  score,
  similarCompanies,
  sizeBand
} from "../../src/Agents/Research/Similar.js"

const brenner: CompanyProfile = {
  name: "Brenner Maschinenbau GmbH",
  domain: "brenner-maschinenbau.de",
  industry: "Maschinenbau",
  size: "201-500",
  country: "Deutschland",
  description: "CNC-Fräsmaschinen, Drehzentren und Automationslösungen für die Metallbearbeitung"
}

const candidate = (name: string, fields: Partial<CompanyProfile> = {}): CompanyProfile => ({
  name,
  domain: `${name.toLowerCase().replace(/[^a-z]+/g, "-")}.example`,
  ...fields
})

describe("the parts of the score", () => {
  it("industry: word overlap of the labels, stems meeting across languages", () => {
    expect(industrySimilarity("Maschinenbau", "maschinenbau")).toBe(1)
    expect(industrySimilarity("Logistik, Spedition", "Logistics")).toBe(0.5)
    expect(industrySimilarity("Software, data analytics", "Logistik, Spedition")).toBe(0)
    expect(industrySimilarity(undefined, "Logistik")).toBe(0)
  })

  it("description: cosine of the content words, stop words and numbers left out", () => {
    const same = cosine("CNC-Fräsmaschinen und Drehzentren", "Drehzentren, CNC-Fräsmaschinen")
    expect(same.score).toBeCloseTo(1)
    expect(same.shared).toEqual(["CNC", "Drehzentren", "Fräsmaschinen"])
    expect(cosine("der die das und 2025", "der die das und 2025").score).toBe(0)
    expect(cosine("Käse und Wein", "Maschinen und Anlagen").score).toBe(0)
  })

  it("size: the band of a range or a count, as CRMs write them", () => {
    expect(sizeBand("201-500")).toBe(sizeBand("about 300 employees"))
    expect(sizeBand("1.200 Mitarbeiter")).toBe(sizeBand("1001-5000"))
    expect(sizeBand("5000+")).toBe(sizeBand("1001-5000"))
    expect(sizeBand("50000")).toBe(7)
    expect(sizeBand("unknown")).toBeUndefined()
  })

  it("country of a country-code domain", () => {
    expect(countryOfDomain("www.brenner.de")).toBe("DE")
    expect(countryOfDomain("acme.co.uk")).toBe("GB")
    expect(countryOfDomain("acme.io")).toBeUndefined()
  })
})

describe("score", () => {
  it("names what matched, weighted: industry 0.4, description 0.25, size 0.2, country 0.15", () => {
    const twin = candidate("Zwilling Werkzeugmaschinen", {
      industry: "Maschinenbau",
      size: "251-400",
      country: "Germany",
      description: "Drehzentren und CNC-Fräsmaschinen"
    })
    const scored = score(brenner, twin)
    expect(scored?.matched).toEqual(["industry", "description", "size", "country"])
    expect(scored?.reason).toMatch(
      /^same industry \(Maschinenbau\); similar business \(shared words: .*\); same size \(251-400\); same country \(Germany\)$/
    )
    expect(scored?.score).toBeGreaterThan(0.8)
    expect(scored?.score).toBeLessThanOrEqual(1)
  })

  it("the same country and size alone make no similar company", () => {
    expect(score(brenner, candidate("Café", { industry: "Gastronomie", size: "201-500", country: "DE" }))).toBeUndefined()
  })
})

describe("similarCompanies", () => {
  const crm: ReadonlyArray<CompanyProfile> = [
    { ...brenner, domain: "www.Brenner-Maschinenbau.de", crmId: "1" },
    candidate("Brenner Maschinenbau GmbH"),
    candidate("Adler Maschinenbau", { industry: "Maschinenbau", country: "Österreich" }),
    candidate("Zeller Maschinenbau", { industry: "Maschinenbau", country: "Österreich" }),
    candidate("Hofmann Feinkost", { industry: "Feinkost", size: "11-50", country: "Deutschland" }),
    candidate("Kranich Anlagenbau", { industry: "Anlagenbau, Maschinenbau", size: "501-1000", country: "Deutschland" }),
    ...Array.from({ length: 8 }, (_, i) => candidate(`Maschinen ${i}`, { industry: "Maschinenbau" }))
  ]

  it("never the company itself (by domain or name), best first, ties by name, at most five", () => {
    const found = similarCompanies(brenner, crm)
    expect(found).toHaveLength(MAX_SIMILAR)
    expect(found.map((c) => c.name)).not.toContain("Brenner Maschinenbau GmbH")
    expect(found.map((c) => c.name)).not.toContain("Hofmann Feinkost")
    expect(found[0]?.name).toBe("Kranich Anlagenbau")
    expect(found.slice(1).map((c) => c.name)).toEqual(["Adler Maschinenbau", "Maschinen 0", "Maschinen 1", "Maschinen 2"])
    expect(found.every((c, i) => i === 0 || c.score <= (found[i - 1]?.score ?? 1))).toBe(true)
    expect(found.every((c) => c.reason.length > 0 && c.matched.length > 0)).toBe(true)
  })

  it("is deterministic: the same CRM in any order gives the same list", () => {
    const reversed = similarCompanies(brenner, [...crm].reverse())
    expect(reversed).toEqual(similarCompanies(brenner, crm))
  })

  it("no candidates: an empty list", () => {
    expect(similarCompanies(brenner, [candidate("Hofmann Feinkost", { industry: "Feinkost" })])).toEqual([])
    expect(similarCompanies(brenner, [])).toEqual([])
  })
})
