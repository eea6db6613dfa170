import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { readFileSync } from "node:fs"
import { parseCalendar } from "../../src/Integrations/ICalParse.js"
import { examplePath } from "../../src/Paths.js"

// The embedded default must have work to show on any day: the default window is [now − 1 d, now + 14 d).
const DAY = 86_400_000
const bytes = readFileSync(examplePath("calendar.ics"))
const windowAt = (now: Date) => ({ from: new Date(now.getTime() - DAY), to: new Date(now.getTime() + 14 * DAY) })

const nows: ReadonlyArray<readonly [string, Date]> = [
  ["today", new Date()],
  ["2026-11-26", new Date("2026-11-26T10:00:00Z")],
  ["2029-03-01", new Date("2029-03-01T10:00:00Z")],
  ["2031-07-15", new Date("2031-07-15T10:00:00Z")]
]

describe("examples/calendar.ics", () => {
  it.each(nows)("has the demo meetings in the default window at %s", (_, now) => {
    const batch = Either.getOrThrow(parseCalendar(bytes, "ical:example", windowAt(now)))
    const summaries = batch.events.map((e) => e.summary)
    expect(batch.broken).toEqual([])
    for (
      const expected of [
        /^Discovery call with Brightwave Analytics/,
        /^Erstgespräch Nordwind Logistik GmbH$/,
        /^Kundentermin Vorbereitung: Bäckerei Groß$/,
        /^Kundengespräch Müller Maschinenbau AG$/,
        /^Pitch prep – Test Corp$/,
        /^Customer meeting prep$/,
        /^Team standup$/,
        /^Researcher onboarding$/,
        /^Halvorsen Maritime – intro$/
      ]
    ) expect(summaries.some((s) => expected.test(s))).toBe(true)
    expect(summaries.some((s) => /Old Lead/.test(s))).toBe(false)
    expect(batch.events.some((e) => e.eventId.startsWith("birthday-jonas@"))).toBe(false)
    expect(batch.events.every((e) => e.calendarId === "ical:example")).toBe(true)
    const starts = batch.events.map((e) => Date.parse(e.allDay ? `${e.start}T00:00:00Z` : e.start))
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
  })

  it("carries the details the later steps need", () => {
    const { events } = Either.getOrThrow(parseCalendar(bytes, "ical:example", windowAt(new Date("2029-03-01T10:00:00Z"))))
    const brightwave = events.find((e) => e.summary === "Discovery call with Brightwave Analytics")
    expect(brightwave?.description).toContain("https://www.brightwave.io/about")
    expect(brightwave?.attendees.map((p) => p.email)).toContain("olivia.grant@brightwave.io")
    expect(brightwave?.organizer?.email).toBe("anna.berger@lead-insights.app")
    const nordwind = events.find((e) => e.summary.startsWith("Erstgespräch"))
    expect(nordwind?.location).toBe("Hamburg, Speicherstadt")
    expect(nordwind?.organizer).toEqual({ email: "Jonas.Weber@lead-insights.app", name: "Weber, Jonas" })
    expect(nordwind?.attendees.map((p) => p.email)).toContain("l.petersen@nordwind-logistik.de")
    const muller = events.find((e) => e.summary.startsWith("Kundengespräch"))
    expect(muller?.description).toContain("www.müller-maschinenbau.de")
    const baker = events.find((e) => e.summary.endsWith("Bäckerei Groß"))
    expect(baker?.attendees.map((p) => p.email)).toContain("juergen.gross@baeckerei-gross.de")
    expect(events.find((e) => e.allDay)?.start).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it("shows the moved instance and drops the excluded one in the week of 2026-11-26", () => {
    const { events } = Either.getOrThrow(parseCalendar(bytes, "ical:example", windowAt(new Date("2026-11-26T10:00:00Z"))))
    const brightwave = events.filter((e) => e.eventId.startsWith("discovery-brightwave@"))
    expect(brightwave.map((e) => [e.eventId, e.start])).toEqual([
      ["discovery-brightwave@lead-insights.app_20261208T090000Z", "2026-12-09T14:00:00.000Z"]
    ])
  })
})
