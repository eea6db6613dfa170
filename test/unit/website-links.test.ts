import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parseHtml } from "../../src/Integrations/Website/Html.js"
import { type Candidate, candidateLinks, type LinkKind, nextLink, onwardFrom, scoreLink } from "../../src/Integrations/Website/Links.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const fixture = (name: string) => parseHtml(readFileSync(path.join(here, "..", "fixtures", "websites", name), "utf8"))

/** What a crawl with the given page budget would open, in order. */
const chosen = (candidates: ReadonlyArray<Candidate>, pages: number) => {
  const counts: Partial<Record<LinkKind, number>> = {}
  const seen = new Set<string>()
  const out: Array<Candidate> = []
  for (let next = nextLink(candidates, counts, seen); next !== undefined && out.length < pages; next = nextLink(candidates, counts, seen)) {
    seen.add(next.url)
    counts[next.kind] = (counts[next.kind] ?? 0) + 1
    out.push(next)
  }
  return out
}

describe("link selection: a German machine builder's homepage (mega menu, <base>, language switch)", () => {
  const home = "https://www.kessler-antriebe.de/de/"
  const candidates = candidateLinks(fixture("de-home-nav.html"), home, home, ["kessler-antriebe.de"], "de")
  const byKind = (kind: LinkKind) => candidates.filter((c) => c.kind === kind).map((c) => c.url)
  const urls = candidates.map((c) => c.url)

  it("finds the Impressum under a path nobody could guess, and ranks it first", () => {
    expect(candidates[0]?.url).toBe("https://www.kessler-antriebe.de/de/rechtliche-hinweise/anbieter-b29e/")
    expect(candidates[0]?.kind).toBe("imprint")
  })

  it("finds about, management, contact, products and services pages", () => {
    expect(byKind("about")).toContain("https://www.kessler-antriebe.de/de/unternehmen/wir-ueber-uns/")
    expect(byKind("team")).toContain("https://www.kessler-antriebe.de/de/unternehmen/geschaeftsfuehrung/")
    expect(byKind("contact")).toContain("https://www.kessler-antriebe.de/de/kontakt/")
    expect(byKind("products")).toContain("https://www.kessler-antriebe.de/de/produkte/")
    expect(byKind("services")).toContain("https://www.kessler-antriebe.de/de/service/")
  })

  it("leaves out privacy, terms, jobs, press, news, downloads, PDFs, search, logins, other sites and non-links", () => {
    for (const word of ["datenschutz", "agb", "karriere", "presse", "aktuelles", "downloads", ".pdf", "suche", "portal.", "partner-netzwerk", "mailto", "tel:", "javascript"]) {
      expect(urls.filter((u) => u.includes(word))).toEqual([])
    }
    expect(urls).not.toContain(home)
  })

  it("prefers the homepage's language: the English legal notice ranks below the German Impressum", () => {
    const english = candidates.find((c) => c.url.endsWith("/en/legal-notice/"))
    const german = candidates.find((c) => c.url.endsWith("/anbieter-b29e/"))
    expect(english === undefined || (german !== undefined && english.score < german.score)).toBe(true)
  })

  it("within the page budget: one page per kind, two for products, the Impressum always among them", () => {
    const three = chosen(candidates, 3)
    expect(three[0]?.kind).toBe("imprint")
    expect(new Set(three.map((c) => c.kind)).size).toBe(3)
    const all = chosen(candidates, 20)
    expect(all.filter((c) => c.kind === "imprint")).toHaveLength(1)
    expect(all.filter((c) => c.kind === "products")).toHaveLength(2)
    expect(all.filter((c) => c.kind === "about")).toHaveLength(1)
    expect(all.length).toBeLessThanOrEqual(7)
  })
})

describe("link selection: an English SaaS homepage (absolute links, subdomains)", () => {
  const home = "https://harborfreight-analytics.io/"
  const candidates = candidateLinks(fixture("en-home-nav.html"), home, home, ["harborfreight-analytics.io"], "en")
  const kindOf = (suffix: string) => candidates.find((c) => c.url.endsWith(suffix))?.kind

  it("classifies Legal notice, About, Leadership, Contact us, Platform and Solutions", () => {
    expect(kindOf("/legal/imprint")).toBe("imprint")
    expect(kindOf("/company/about")).toBe("about")
    expect(kindOf("/company/leadership")).toBe("team")
    expect(kindOf("/contact-us")).toBe("contact")
    expect(kindOf("/platform")).toBe("products")
    expect(kindOf("/solutions/ocean-freight")).toBe("products")
  })

  it("does not open careers, blog, pricing, sign-in, privacy, terms or the whitepaper", () => {
    for (const suffix of ["/company/careers", "/blog", "/blog/how-we-built-eta-predictions", "/pricing", "/signin", "/legal/privacy", "/legal/terms", ".pdf"]) {
      expect(kindOf(suffix)).toBeUndefined()
    }
  })

  it("the imprint in the site's own language ranks above the German one", () => {
    const en = candidates.find((c) => c.url.endsWith("/legal/imprint"))
    const de = candidates.find((c) => c.url.endsWith("/de/impressum"))
    expect(en !== undefined && de !== undefined && en.score > de.score).toBe(true)
  })
})

describe("scoreLink", () => {
  const home = "https://www.firma.de/"
  it("reads anchor text and path in German and English", () => {
    expect(scoreLink("https://www.firma.de/x7/", "Impressum", home, "de")?.kind).toBe("imprint")
    expect(scoreLink("https://www.firma.de/impressum", "", home, "de")?.kind).toBe("imprint")
    expect(scoreLink("https://www.firma.de/rechtliches", "Rechtliches", home, "de")?.kind).toBe("imprint")
    expect(scoreLink("https://www.firma.de/ueber-uns", "Über uns", home, "de")?.kind).toBe("about")
    expect(scoreLink("https://www.firma.de/p/42", "Unser Team", home, "de")?.kind).toBe("team")
    expect(scoreLink("https://www.firma.de/leistungen", "Leistungen", home, "de")?.kind).toBe("services")
    expect(scoreLink("https://www.firma.de/en/contact", "Contact", home, "de")?.kind).toBe("contact")
  })

  it("an Impressum combined with the privacy policy is still opened; the privacy policy alone is not", () => {
    expect(scoreLink("https://www.firma.de/impressum-datenschutz", "Impressum & Datenschutz", home, "de")?.kind).toBe("imprint")
    expect(scoreLink("https://www.firma.de/datenschutz", "Datenschutz", home, "de")).toBeUndefined()
    expect(scoreLink("https://www.firma.de/produkte/kompressoren", "Kompressoren", home, "de")?.kind).toBe("products")
  })
})

describe("a homepage that only sends visitors on", () => {
  it("follows a meta refresh on the site", () => {
    const doc = parseHtml(`<html><head><meta http-equiv="Refresh" content="0; URL='/de/start.html'"></head><body></body></html>`)
    expect(onwardFrom(doc, "https://www.firma.de/", ["firma.de"])).toBe("https://www.firma.de/de/start.html")
    const away = parseHtml(`<meta http-equiv="refresh" content="0;url=https://www.anderswo.com/">`)
    expect(onwardFrom(away, "https://www.firma.de/", ["firma.de"])).toBeUndefined()
  })

  it("a choice of languages: German for a .de/.at/.ch site, English otherwise", () => {
    const doc = parseHtml(`<a href="/en/">English</a> <a href="/de/index.php">Deutsch</a> <a href="/fr/">Français</a>`)
    expect(onwardFrom(doc, "https://www.firma.at/", ["firma.at"])).toBe("https://www.firma.at/de/index.php")
    expect(onwardFrom(doc, "https://www.firma.com/", ["firma.com"])).toBe("https://www.firma.com/en/")
    expect(onwardFrom(parseHtml(`<a href="/produkte/">Produkte</a>`), "https://www.firma.de/", ["firma.de"])).toBeUndefined()
  })
})
