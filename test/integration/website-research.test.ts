/**
 * The website research against local company sites behind a local proxy (test/support/siteServer.ts):
 * the product is pointed at the proxy the way companies do it, through HTTP_PROXY / HTTPS_PROXY.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schema } from "effect"
import { defaultUserAgent, type WebsiteOptions, WebsiteResearch } from "../../src/Agents/Website.js"
import { valuesOf, type WebsiteField, WebsiteResult } from "../../src/Domain/WebsiteFacts.js"
import { WebsiteResearchLive } from "../../src/Integrations/Website/Live.js"
import { BRENNER_DISALLOWED_PATH, BRENNER_IMPRINT_PATH, HOFMANN_SLOW_PATH } from "../fixtures/websites/sites.js"
import { type SiteServer, startSiteServer } from "../support/siteServer.js"

const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"] as const
const savedEnv = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]))
const setProxyEnv = (values: Partial<Record<(typeof PROXY_VARIABLES)[number], string>>) => {
  for (const name of PROXY_VARIABLES) {
    const value = values[name]
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}

/**
 * Fast for tests: a 5 ms pause, 4 s per request (enough for a TLS handshake on a busy machine,
 * far below the 30 s the slow pages take). Everything else as in production.
 */
const FAST: Partial<WebsiteOptions> = { timeout: Duration.seconds(4), delay: Duration.millis(5) }
const MAX_PAGE_BYTES = 2 * 1024 * 1024
const ONE_CHUNK = 64 * 1024

let server: SiteServer
const research = (domain: string, options: Partial<WebsiteOptions> = {}) =>
  Effect.runPromise(
    Effect.flatMap(WebsiteResearch, (website) => website.research(domain)).pipe(
      Effect.provide(WebsiteResearchLive({ ...FAST, ...options, ca: server.ca }))
    )
  )

const results = new Map<string, WebsiteResult>()
const result = (domain: string): WebsiteResult => {
  const found = results.get(domain)
  if (found === undefined) throw new Error(`no result for ${domain}`)
  return found
}
const sourcesOf = (r: WebsiteResult, field: WebsiteField) => r.facts.filter((f) => f.field === field).map((f) => f.source.url)
const seenOn = (domain: string) => server.requests.filter((r) => r.host === domain || r.host === `www.${domain}`)

const BRENNER = "brenner-maschinenbau.de"
const BRENNER_WWW = `https://www.${BRENNER}`
const IMPRINT_URL = `${BRENNER_WWW}${BRENNER_IMPRINT_PATH}`

beforeAll(async () => {
  server = await startSiteServer()
  setProxyEnv({ HTTP_PROXY: server.proxyUrl, HTTPS_PROXY: server.proxyUrl })
  const domains = [
    BRENNER,
    "hofmann-feinkost.de",
    "northwind-analytics.co.uk",
    "weber-elektro.de",
    "kraemer-werkzeuge.de",
    "offline-gmbh.de",
    "gateway-fehler.de",
    "langsam-bau.de",
    "katalog-riese.de",
    "verschlossen-ag.de",
    "leer-gmbh.de"
  ]
  // Three at a time: each site is crawled one request after another, sites side by side.
  const done = await Effect.runPromise(
    Effect.forEach(domains, (domain) => Effect.promise(() => research(domain)), { concurrency: 3 })
  )
  domains.forEach((domain, i) => results.set(domain, done[i] as WebsiteResult))
})

afterAll(async () => {
  setProxyEnv(savedEnv)
  await server?.close()
})

describe("a German GmbH (Brenner Maschinenbau)", () => {
  it("finds the Impressum from the homepage's links, under a path nobody could guess", () => {
    const r = result(BRENNER)
    expect(r.status).toBe("completed")
    expect(r.pages.find((p) => p.kind === "imprint")).toMatchObject({ url: IMPRINT_URL, outcome: "ok", status: 200 })
  })

  it("the Impressum facts are right and point at the Impressum, with the time it was read", () => {
    const r = result(BRENNER)
    const imprint = r.pages.find((p) => p.url === IMPRINT_URL)
    expect(valuesOf(r, "legal_name")).toEqual(["Brenner Maschinenbau GmbH"])
    expect(valuesOf(r, "address")).toEqual(["Industriestraße 14, 88400 Biberach an der Riß, Deutschland"])
    expect(valuesOf(r, "register_number")).toEqual(["HRB 721234"])
    expect(valuesOf(r, "register_court")).toEqual(["Amtsgericht Ulm"])
    expect(valuesOf(r, "vat_id")).toEqual(["DE812345678"])
    expect(valuesOf(r, "managing_director")).toEqual(["Dipl.-Ing. Martin Brenner", "Dr. Sabine Vogt"])
    const legal: ReadonlyArray<WebsiteField> = ["legal_name", "address", "register_number", "register_court", "vat_id", "managing_director"]
    for (const field of legal) {
      for (const fact of r.facts.filter((f) => f.field === field)) {
        expect(fact.source).toEqual({ url: IMPRINT_URL, retrieved_at: imprint?.retrieved_at })
      }
    }
  })

  it("description, founding year, language and profiles from the homepage (JSON-LD, meta), no share button", () => {
    const r = result(BRENNER)
    expect(valuesOf(r, "description")[0]).toMatch(/^Brenner Maschinenbau entwickelt und fertigt CNC-Fräsmaschinen/)
    expect(sourcesOf(r, "description")[0]).toBe(`${BRENNER_WWW}/`)
    expect(valuesOf(r, "founding_year")).toEqual(["1952"])
    expect(valuesOf(r, "language")).toEqual(["de"])
    expect(valuesOf(r, "social_link")).toEqual([
      "https://www.linkedin.com/company/brenner-maschinenbau",
      "https://www.xing.com/pages/brenner-maschinenbau-gmbh",
      "https://www.youtube.com/@brennermaschinenbau"
    ])
  })

  it("products from the product pages, contact details from the contact page (obfuscated e-mail too)", () => {
    const r = result(BRENNER)
    expect(valuesOf(r, "product")).toEqual(expect.arrayContaining(["CNC-Fräsmaschinen BFM-Serie", "Drehzentren BDZ", "BFM 600"]))
    expect(valuesOf(r, "product")).not.toContain("Technische Daten")
    expect(valuesOf(r, "email")).toEqual(["info@brenner-maschinenbau.de", "vertrieb@brenner-maschinenbau.de"])
    expect(r.facts.find((f) => f.value === "vertrieb@brenner-maschinenbau.de")?.source.url).toBe(`${BRENNER_WWW}/kontakt/`)
    expect(valuesOf(r, "phone")).toContain("+49 7351 5820-0")
    expect(valuesOf(r, "phone")).not.toContain("+49 7351 5820-99")
  })

  it("follows the redirect to www. but reports the site under the bare domain asked for", () => {
    const r = result(BRENNER)
    expect(r.domain).toBe(BRENNER)
    expect(r.homepage).toBe(`${BRENNER_WWW}/`)
    expect(r.pages[0]).toMatchObject({ kind: "home", url: `${BRENNER_WWW}/`, requested_url: `https://${BRENNER}/` })
    expect(r.facts.every((f) => f.source.url.startsWith(`${BRENNER_WWW}/`))).toBe(true)
  })

  it("the page budget holds against 50 press links: no press page is requested", () => {
    const r = result(BRENNER)
    expect(r.pages.length).toBeLessThanOrEqual(8)
    expect(r.requests).toBeLessThanOrEqual(25)
    expect(seenOn(BRENNER).filter((s) => s.path.startsWith("/presse/") || s.path.startsWith("/karriere/"))).toEqual([])
    expect(new Set(r.pages.map((p) => p.url)).size).toBe(r.pages.length)
  })

  it("reads robots.txt first and never requests what it disallows, even when linked", () => {
    const r = result(BRENNER)
    expect(r.skipped).toContainEqual({ url: `${BRENNER_WWW}${BRENNER_DISALLOWED_PATH}`, reason: "disallowed by robots.txt" })
    const seen = seenOn(BRENNER)
    expect(seen.filter((s) => s.path.startsWith(BRENNER_DISALLOWED_PATH) || s.path.startsWith("/intern/"))).toEqual([])
    expect(seen[0]?.path).toBe("/robots.txt")
    expect(seen.filter((s) => s.host === `www.${BRENNER}`)[0]?.path).toBe("/robots.txt")
  })

  it("identifies itself with the product's User-Agent", () => {
    expect(defaultUserAgent).toMatch(/^LeadInsights\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/lead-insights\/lead-insights\)$/)
    expect(new Set(seenOn(BRENNER).map((s) => s.userAgent))).toEqual(new Set([defaultUserAgent]))
  })

  it("with fewer pages allowed, reads the Impressum before anything else after the homepage", async () => {
    const r = await research(BRENNER, { maxPages: 3 })
    expect(r.pages.map((p) => p.kind)).toEqual(["home", "imprint", "about"])
    expect(valuesOf(r, "register_number")).toEqual(["HRB 721234"])
  })

  it("with the request budget spent, returns what it has read so far", async () => {
    // robots.txt and the homepage take two requests each (bare domain, then www.); then one per page.
    const r = await research(BRENNER, { maxRequests: 6 })
    expect(r.requests).toBe(6)
    expect(r.status).toBe("completed")
    expect(r.pages.map((p) => p.kind)).toEqual(["home", "imprint", "about"])
  })
})

describe("politeness", () => {
  it("one request after another for a site, with the pause between them", async () => {
    const before = server.requests.length
    const r = await research("weber-elektro.de", { delay: Duration.millis(60) })
    expect(r.status).toBe("completed")
    const seen = server.requests.slice(before).filter((s) => s.host === "weber-elektro.de")
    // The first request, robots.txt over https, ended at the proxy (CONNECT :443 refused).
    expect(seen.length).toBe(r.requests - 1)
    for (let i = 1; i < seen.length; i++) {
      const previous = seen[i - 1]
      const current = seen[i]
      expect(previous?.endedAt).toBeDefined()
      expect((current?.startedAt ?? 0) - (previous?.endedAt ?? 0)).toBeGreaterThanOrEqual(55)
    }
  })
})

describe("a shop system that sends Latin-1 bytes declared as UTF-8 (Hofmann Feinkost)", () => {
  it("facts come out right, without a replacement character anywhere", () => {
    const r = result("hofmann-feinkost.de")
    expect(r.status).toBe("completed")
    expect(valuesOf(r, "legal_name")).toEqual(["Hofmann Feinkost GmbH & Co. KG"])
    expect(valuesOf(r, "address")).toEqual(["Königsallee 27, 40212 Düsseldorf"])
    expect(valuesOf(r, "managing_director")).toEqual(["Jürgen Hofmann", "Käthe Weiß"])
    expect(valuesOf(r, "description")[0]).toBe("Feinkost, Käse, Weine und Präsentkörbe aus Düsseldorf – für Genießer, die das Besondere suchen.")
    expect(valuesOf(r, "product")).toContain("Trüffel & Trüffelöle")
    expect(r.facts.filter((f) => f.value.includes("\ufffd"))).toEqual([])
  })

  it("the company's own register entry (HRA), not its general partner's (HRB)", () => {
    const r = result("hofmann-feinkost.de")
    expect(valuesOf(r, "register_number")).toEqual(["HRA 18492"])
    expect(sourcesOf(r, "register_number")).toEqual(["https://hofmann-feinkost.de/impressum.php?lang=de"])
  })

  it("a page that answers after 30 s times out; the rest of the site is still read", () => {
    const r = result("hofmann-feinkost.de")
    expect(r.pages.find((p) => p.url.endsWith(HOFMANN_SLOW_PATH))).toMatchObject({ kind: "about", outcome: "timeout", status: 0 })
    expect(r.pages.filter((p) => p.outcome === "ok").map((p) => p.kind)).toEqual(["home", "imprint", "contact", "products"])
  })
})

describe("an English Ltd (Northwind Analytics) with About, Services, Team, Contact and Legal", () => {
  it("reads the team, contact and legal pages", () => {
    const r = result("northwind-analytics.co.uk")
    expect(r.status).toBe("completed")
    expect(r.domain).toBe("northwind-analytics.co.uk")
    expect(new Set(r.pages.map((p) => p.kind))).toEqual(new Set(["home", "about", "services", "team", "contact", "imprint"]))
  })

  it("UK register facts, directors, address and founding year, each from where it stands", () => {
    const r = result("northwind-analytics.co.uk")
    const legal = "https://www.northwind-analytics.co.uk/legal"
    expect(valuesOf(r, "legal_name")).toEqual(["Northwind Analytics Ltd"])
    expect(valuesOf(r, "register_number")).toEqual(["09876543"])
    expect(valuesOf(r, "register_court")).toEqual(["Registrar of Companies for England and Wales"])
    expect(sourcesOf(r, "register_number")).toEqual([legal])
    expect(valuesOf(r, "managing_director")).toEqual(["Priya Shah", "Tom Fletcher"])
    expect(valuesOf(r, "managing_director")).not.toContain("Lukas Meyer")
    expect(valuesOf(r, "address")[0]).toMatch(/^71 Clerkenwell Road, London,? EC1R 5BL/)
    expect(valuesOf(r, "founding_year")).toEqual(["2014"])
    expect(valuesOf(r, "vat_id")).toEqual(["GB298771045"])
  })

  it("tolerates its broken JSON-LD; services, contact, profiles (no tweet button), language", () => {
    const r = result("northwind-analytics.co.uk")
    expect(valuesOf(r, "description")).toContain("Data science consultancy for retail and consumer brands.")
    expect(valuesOf(r, "product")).toEqual(["Demand Forecasting", "Customer Analytics", "Data Platform Engineering"])
    expect(valuesOf(r, "email")).toEqual(["hello@northwind-analytics.co.uk"])
    expect(valuesOf(r, "phone")).toEqual(["+44 20 7946 0321"])
    expect(valuesOf(r, "social_link")).toEqual([
      "https://twitter.com/northwindhq",
      "https://www.linkedin.com/company/northwind-analytics",
      "https://github.com/northwind-analytics"
    ])
    expect(valuesOf(r, "language")).toEqual(["en"])
  })
})

describe("the proxy refuses CONNECT to port 443 for a site (Elektro Weber)", () => {
  it("falls back to plain http for that site and reads it", () => {
    const r = result("weber-elektro.de")
    expect(r.status).toBe("completed")
    expect(r.homepage).toBe("http://weber-elektro.de/")
    expect(r.pages.every((p) => p.url.startsWith("http://weber-elektro.de/"))).toBe(true)
    expect(r.pages.map((p) => p.url)).toContain("http://weber-elektro.de/kontakt.html")
    expect(server.connects).toContain("weber-elektro.de:443")
    expect(seenOn("weber-elektro.de").every((s) => s.scheme === "http")).toBe(true)
  })

  it("the Impressum facts point at the http Impressum", () => {
    const r = result("weber-elektro.de")
    expect(valuesOf(r, "legal_name")).toEqual(["Elektro Weber e.K."])
    expect(valuesOf(r, "managing_director")).toEqual(["Stefan Weber"])
    expect(valuesOf(r, "register_number")).toEqual(["HRA 701234"])
    expect(new Set([...sourcesOf(r, "legal_name"), ...sourcesOf(r, "register_number")])).toEqual(new Set(["http://weber-elektro.de/impressum.html"]))
  })
})

describe("an old site whose root only forwards by meta refresh (Krämer Werkzeuge)", () => {
  it("follows the refresh to the real homepage and crawls from there", () => {
    const r = result("kraemer-werkzeuge.de")
    expect(r.status).toBe("completed")
    expect(r.homepage).toBe("https://kraemer-werkzeuge.de/de/index.html")
    expect(r.pages.map((p) => p.kind)).toEqual(expect.arrayContaining(["home", "home", "imprint", "about", "contact"]))
    expect(r.facts.filter((f) => f.source.url === "https://kraemer-werkzeuge.de/")).toEqual([])
  })

  it("reads the e-mail behind Cloudflare's protection, the founding year of a family firm, the phone", () => {
    const r = result("kraemer-werkzeuge.de")
    expect(valuesOf(r, "email")).toEqual(["info@kraemer-werkzeuge.de"])
    expect(valuesOf(r, "founding_year")).toEqual(["1921"])
    expect(valuesOf(r, "phone")).toEqual(["0212 23 45 60"])
    expect(valuesOf(r, "managing_director")).toEqual(["Heinz Krämer"])
    expect(valuesOf(r, "register_court")).toEqual(["Amtsgericht Wuppertal"])
    expect(valuesOf(r, "description")[0]).toMatch(/^Krämer fertigt Scheren, Messer und Zangen/)
  })
})

describe("sites that cannot be researched end as insufficient_context, with the reason", () => {
  it("a host the proxy cannot reach (502): unreachable, the proxy's error page not taken as content", () => {
    const r = result("offline-gmbh.de")
    expect(r.status).toBe("insufficient_context")
    expect(r.status === "insufficient_context" && r.reason).toMatch(/cannot be reached.*502/)
    expect(r.facts).toEqual([])
    expect(r.pages).toEqual([])
    expect(server.connects).toEqual(expect.arrayContaining(["offline-gmbh.de:443", "offline-gmbh.de:80"]))
  })

  it("a gateway's 502 error page is not content", () => {
    const r = result("gateway-fehler.de")
    expect(r.status).toBe("insufficient_context")
    expect(r.status === "insufficient_context" && r.reason).toBe("the homepage https://gateway-fehler.de/ answered HTTP 502")
    expect(r.pages).toEqual([expect.objectContaining({ kind: "home", status: 502, outcome: "http_error", bytes: 0 })])
    expect(r.facts).toEqual([])
  })

  it("a homepage that answers after 30 s: timed out", () => {
    const r = result("langsam-bau.de")
    expect(r.status).toBe("insufficient_context")
    expect(r.status === "insufficient_context" && r.reason).toMatch(/^the homepage https:\/\/langsam-bau\.de\/ timed out/)
    expect(r.pages[0]).toMatchObject({ outcome: "timeout", status: 0 })
  })

  it("a 5 MB homepage: reading stops at the limit", () => {
    const r = result("katalog-riese.de")
    expect(r.status).toBe("insufficient_context")
    expect(r.status === "insufficient_context" && r.reason).toMatch(/larger than the 2 MB limit/)
    expect(r.pages[0]).toMatchObject({ outcome: "too_large", status: 200 })
    expect(r.pages[0]?.bytes).toBeGreaterThan(MAX_PAGE_BYTES)
    expect(r.bytes_read).toBeLessThanOrEqual(MAX_PAGE_BYTES + ONE_CHUNK)
  })

  it("robots.txt disallows everything: the homepage is not requested", () => {
    const r = result("verschlossen-ag.de")
    expect(r.status).toBe("insufficient_context")
    expect(r.status === "insufficient_context" && r.reason).toBe("the homepage https://verschlossen-ag.de/ was not read: disallowed by robots.txt")
    expect(seenOn("verschlossen-ag.de").map((s) => s.path)).toEqual(["/robots.txt"])
    expect(r.facts).toEqual([])
  })

  it("an empty homepage: no usable content", () => {
    const r = result("leer-gmbh.de")
    expect(r.status).toBe("insufficient_context")
    expect(r.status === "insufficient_context" && r.reason).toMatch(/no usable content/)
  })

  it("not a company's domain: nothing is requested", async () => {
    const before = server.connects.length
    const r = await research("localhost")
    expect(r.status).toBe("insufficient_context")
    expect(r.requests).toBe(0)
    expect(server.connects.length).toBe(before)
  })

  it("every result, also the failed ones, is a valid WebsiteResult", () => {
    for (const r of results.values()) {
      expect(Schema.decodeUnknownSync(WebsiteResult)(Schema.encodeSync(WebsiteResult)(r))).toEqual(r)
    }
  })
})

describe("proxy settings as companies write them", () => {
  it("lower-case http_proxy / https_proxy are honoured, and no_proxy hosts bypass the proxy", async () => {
    setProxyEnv({ http_proxy: server.proxyUrl, https_proxy: server.proxyUrl, no_proxy: "direkt-gmbh.invalid-tld-test.de" })
    try {
      const before = server.connects.length
      const weber = await research("weber-elektro.de")
      expect(weber.status).toBe("completed")
      expect(server.connects.slice(before)).toContain("weber-elektro.de:80")
      const direct = await research("direkt-gmbh.invalid-tld-test.de", { timeout: Duration.millis(500) })
      expect(direct.status).toBe("insufficient_context")
      expect(server.connects.filter((c) => c.startsWith("direkt-gmbh"))).toEqual([])
    } finally {
      setProxyEnv({ HTTP_PROXY: server.proxyUrl, HTTPS_PROXY: server.proxyUrl })
    }
  })
})
