import { describe, expect, it } from "@effect/vitest"
import { allowAll, disallowAll, isAllowed, parseRobots } from "../../src/Integrations/Website/Robots.js"

const allowed = (robots: string, path: string, token = "LeadInsights") =>
  isAllowed(parseRobots(robots, token), `https://www.example-firma.de${path}`)

describe("robots.txt", () => {
  it("Disallow forbids the folder and what is under it, nothing else", () => {
    const robots = "User-agent: *\nDisallow: /intern/\n"
    expect(allowed(robots, "/intern/")).toBe(false)
    expect(allowed(robots, "/intern/mitarbeiterportal")).toBe(false)
    expect(allowed(robots, "/internationales")).toBe(true)
    expect(allowed(robots, "/")).toBe(true)
  })

  it("the longest matching rule wins; Allow wins a tie", () => {
    const robots = "User-agent: *\nDisallow: /intern/\nAllow: /intern/presse-kit.html\nDisallow: /shop\nAllow: /shop\n"
    expect(allowed(robots, "/intern/presse-kit.html")).toBe(true)
    expect(allowed(robots, "/intern/presse-kit")).toBe(false)
    expect(allowed(robots, "/shop/artikel")).toBe(true)
  })

  it("* matches any characters and $ anchors the end", () => {
    const robots = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?sessionid=\nDisallow: /kunden*/login\n"
    expect(allowed(robots, "/downloads/katalog.pdf")).toBe(false)
    expect(allowed(robots, "/downloads/katalog.pdf?x=1")).toBe(true)
    expect(allowed(robots, "/produkte?sessionid=abc")).toBe(false)
    expect(allowed(robots, "/kunden-bereich/login")).toBe(false)
    expect(allowed(robots, "/kunden")).toBe(true)
  })

  it("a group for our product token replaces the * group; matching is case-insensitive", () => {
    const robots = [
      "User-agent: *",
      "Disallow: /",
      "",
      "User-agent: leadinsights",
      "Disallow: /preise/",
      ""
    ].join("\n")
    expect(allowed(robots, "/ueber-uns")).toBe(true)
    expect(allowed(robots, "/preise/2025")).toBe(false)
    expect(allowed(robots, "/ueber-uns", "OtherBot")).toBe(false)
  })

  it("consecutive User-agent lines share one group; other bots' groups do not apply", () => {
    const robots = "User-agent: Googlebot\nUser-agent: LeadInsights\nDisallow: /a/\n\nUser-agent: BadBot\nDisallow: /\n"
    expect(allowed(robots, "/a/x")).toBe(false)
    expect(allowed(robots, "/b/")).toBe(true)
  })

  it("no group for us or for *: everything is allowed; an empty Disallow allows all", () => {
    expect(allowed("User-agent: BadBot\nDisallow: /\n", "/x")).toBe(true)
    expect(allowed("User-agent: *\nDisallow:\n", "/x")).toBe(true)
    expect(allowed("", "/x")).toBe(true)
  })

  it("comments, odd spacing, CRLF and rules before any group are tolerated", () => {
    const robots = "Disallow: /vorher/\r\n# Kommentar\r\nuser-agent :  *   # alle\r\n  disallow:/privat/  # intern\r\n"
    expect(allowed(robots, "/privat/a")).toBe(false)
    expect(allowed(robots, "/vorher/a")).toBe(true)
  })

  it("percent-encoding does not decide a match", () => {
    const robots = "User-agent: *\nDisallow: /über-uns/intern\nDisallow: /%7Ejoe/\n"
    expect(allowed(robots, "/%C3%BCber-uns/intern")).toBe(false)
    expect(allowed(robots, "/~joe/index.html")).toBe(false)
  })

  it("reads Crawl-delay; robots.txt itself is always allowed", () => {
    expect(parseRobots("User-agent: *\nCrawl-delay: 2\nDisallow: /\n", "LeadInsights").crawlDelay).toBe(2)
    expect(isAllowed(disallowAll, "https://x.de/robots.txt")).toBe(true)
    expect(isAllowed(disallowAll, "https://x.de/")).toBe(false)
    expect(isAllowed(allowAll, "https://x.de/anything")).toBe(true)
  })
})
