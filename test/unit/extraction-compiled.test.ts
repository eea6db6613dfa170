/**
 * The extractor the service keeps (own domains prepared once, domain checks, words and spellings
 * remembered across events) gives every event what a fresh extraction of it alone gives.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { generateCalendar } from "../../bench/generate.js"
import { compileExtraction, extractCompany } from "../../src/Agents/Extraction.js"
import { parseCalendar } from "../../src/Integrations/ICalParse.js"
import { makeEvent, person } from "../fixtures/events.js"

const generatedEvents = (seed: number) => {
  const firstDay = new Date("2030-01-07T00:00:00Z")
  const calendar = generateCalendar({ events: 600, seed, firstDay, triggered: 0.5 })
  const window = { from: firstDay, to: new Date(firstDay.getTime() + calendar.days * 86_400_000) }
  const events = Either.getOrThrow(parseCalendar(new TextEncoder().encode(calendar.ics), "test", window)).events
  return { events, ownDomain: calendar.ownDomain }
}

describe("compileExtraction", () => {
  it("gives, event after event and pass after pass, what a fresh extraction gives", () => {
    for (const seed of [3, 11]) {
      const { events, ownDomain } = generatedEvents(seed)
      const options = { ownDomains: [ownDomain] }
      const extract = compileExtraction(options)
      const fresh = events.map((event) => extractCompany(event, options))
      expect(events.map(extract)).toEqual(fresh)
      expect(events.map(extract)).toEqual(fresh)
      // Enough of each kind for the comparison to mean something.
      expect(fresh.filter((found) => found.companyName !== undefined).length).toBeGreaterThan(100)
      expect(fresh.filter((found) => found.domainSource === "attendee_email").length).toBeGreaterThan(20)
      expect(fresh.filter((found) => found.domainSource === "description").length).toBeGreaterThan(20)
    }
  })

  it("keeps our own people's company apart per event", () => {
    const options = { ownDomains: ["ourco.de"] }
    const extract = compileExtraction(options)
    // Our colleague's company is Nordwind here: "mit Nordwind" names us, not them.
    const ours = makeEvent({
      summary: "Abstimmung mit Nordwind",
      attendees: [person("me@ourco.de", { company: "Nordwind" }), person("anna@acme.io")]
    })
    const theirs = makeEvent({ summary: "Abstimmung mit Nordwind", attendees: [person("anna@acme.io")] })
    for (const event of [ours, theirs, ours, theirs]) expect(extract(event)).toEqual(extractCompany(event, options))
    expect(extract(ours).companyName).toBe("Acme")
    expect(extract(theirs).companyName).toBe("Nordwind")
  })
})
