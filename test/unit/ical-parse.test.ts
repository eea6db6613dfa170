import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { CalendarBatch } from "../../src/Domain/CalendarEvent.js"
import { parseCalendar } from "../../src/Integrations/ICalParse.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const fixture = (name: string) => path.join(here, "..", "fixtures", "ical", name)

const parse = (name: string, from: string, to: string) =>
  parseCalendar(readFileSync(fixture(name)), "ical:test", { from: new Date(from), to: new Date(to) })

const batch = (name: string, from: string, to: string): CalendarBatch =>
  Either.getOrThrowWith(parse(name, from, to), (reason) => new Error(`expected a calendar: ${reason}`))

const starts = (b: CalendarBatch) => b.events.map((e) => [e.eventId, e.start] as const)

describe("recurrence, EXDATE, RDATE and overrides across the DST change (in-file VTIMEZONE)", () => {
  it("expands the window with the moved and cancelled instances in place", () => {
    const b = batch("recurring-dst.ics", "2025-10-20T00:00:00Z", "2025-11-20T00:00:00Z")
    expect(starts(b)).toEqual([
      ["offsite@fixtures", "2025-10-19T07:00:00.000Z"],
      ["weekly-dst@fixtures_20251020T080000Z", "2025-10-20T08:00:00.000Z"],
      ["tuth@fixtures_20251021T140000Z", "2025-10-21T14:00:00.000Z"],
      ["weekly-dst@fixtures_20251027T090000Z", "2025-10-27T13:00:00.000Z"],
      ["tuth@fixtures_20251028T150000Z", "2025-10-28T15:00:00.000Z"],
      ["tuth@fixtures_20251030T150000Z", "2025-10-30T15:00:00.000Z"],
      ["weekly-dst@fixtures_20251105T140000Z", "2025-11-05T14:00:00.000Z"],
      ["weekly-dst@fixtures_20251117T090000Z", "2025-11-17T09:00:00.000Z"]
    ])
    expect(b.broken).toEqual([])
  })

  it("gives an override the fields it says, and keeps the original occurrence as its id", () => {
    const b = batch("recurring-dst.ics", "2025-10-27T00:00:00Z", "2025-10-28T00:00:00Z")
    const moved = b.events.find((e) => e.eventId === "weekly-dst@fixtures_20251027T090000Z")
    expect(moved?.summary).toBe("Weekly sync (afternoon)")
    expect(moved?.end).toBe("2025-10-27T14:00:00.000Z")
  })

  it("finds an instance moved into a window its original is not in, and not where it was", () => {
    const friday = batch("recurring-dst.ics", "2025-11-21T00:00:00Z", "2025-11-22T00:00:00Z")
    expect(starts(friday)).toEqual([["weekly-dst@fixtures_20251110T090000Z", "2025-11-21T09:00:00.000Z"]])
    const monday = batch("recurring-dst.ics", "2025-11-10T00:00:00Z", "2025-11-11T00:00:00Z")
    expect(monday.events).toEqual([])
  })

  it("leaves out an event that ends exactly when the window starts", () => {
    const b = batch("recurring-dst.ics", "2025-10-20T00:00:00Z", "2025-10-20T01:00:00Z")
    expect(b.events.map((e) => e.eventId)).toEqual(["offsite@fixtures"])
  })
})

describe("time zones", () => {
  it("resolves an IANA TZID without VTIMEZONE, across both DST changes, and reads an unknown zone as UTC", () => {
    expect(starts(batch("tzid-no-vtimezone.ics", "2025-10-01T00:00:00Z", "2025-12-01T00:00:00Z"))).toEqual([
      ["berlin-no-vtz@fixtures_20251020T080000Z", "2025-10-20T08:00:00.000Z"],
      ["unknown-zone@fixtures", "2025-10-22T12:00:00.000Z"],
      ["berlin-no-vtz@fixtures_20251027T090000Z", "2025-10-27T09:00:00.000Z"],
      ["ny-no-vtz@fixtures_20251030T130000Z", "2025-10-30T13:00:00.000Z"],
      ["berlin-no-vtz@fixtures_20251103T090000Z", "2025-11-03T09:00:00.000Z"],
      ["ny-no-vtz@fixtures_20251106T140000Z", "2025-11-06T14:00:00.000Z"]
    ])
  })

  it("reads Windows zone names with and without VTIMEZONE", () => {
    const b = batch("windows-tz.ics", "2025-10-01T00:00:00Z", "2025-12-01T00:00:00Z")
    const id = (s: string) => `040000008200E00074C5B7101A82E00800000000${s}`
    expect(starts(b)).toEqual([
      [id("windows-with-vtz_20251020T080000Z"), "2025-10-20T08:00:00.000Z"],
      [id("windows-with-vtz_20251027T090000Z"), "2025-10-27T09:00:00.000Z"],
      [id("windows-with-vtz_20251103T090000Z"), "2025-11-03T09:00:00.000Z"],
      [id("windows-without-vtz"), "2025-11-04T17:00:00.000Z"],
      [id("windows-tokyo"), "2025-11-05T00:00:00.000Z"]
    ])
    expect(b.events[0]?.summary).toBe("Jour fixe (Outlook)")
  })

  it("treats floating times as UTC and reads LF-only files", () => {
    const b = batch("lf-only.ics", "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z")
    expect(starts(b)).toEqual([
      ["lf-utc@fixtures", "2025-06-10T09:00:00.000Z"],
      ["lf-floating@fixtures_20250611T090000Z", "2025-06-11T09:00:00.000Z"],
      ["lf-floating@fixtures_20250612T090000Z", "2025-06-12T09:00:00.000Z"]
    ])
    expect(b.events[0]?.summary).toBe("Line feeds only, folded across lines")
  })

  it("expands an open-ended rule years later and honours UTC and multi-value EXDATEs", () => {
    expect(starts(batch("open-ended-utc.ics", "2026-11-26T00:00:00Z", "2026-12-15T00:00:00Z"))).toEqual([
      ["utc-mo-we@fixtures_20261130T150000Z", "2026-11-30T15:00:00.000Z"],
      ["open-ended@fixtures_20261207T090000Z", "2026-12-07T09:00:00.000Z"],
      ["utc-mo-we@fixtures_20261209T150000Z", "2026-12-09T15:00:00.000Z"],
      ["open-ended@fixtures_20261214T090000Z", "2026-12-14T09:00:00.000Z"]
    ])
  })
})

describe("all-day events", () => {
  it("gives dates, not instants, with weekly UNTIL and EXDATE;VALUE=DATE", () => {
    const b = batch("all-day.ics", "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z")
    expect(b.events.map((e) => [e.eventId, e.start, e.end, e.allDay])).toEqual([
      ["allday-multi@fixtures", "2025-03-30", "2025-04-02", true],
      ["allday-single@fixtures", "2025-04-01", "2025-04-02", true],
      ["allday-weekly@fixtures_20250402", "2025-04-02", "2025-04-03", true],
      ["allday-weekly@fixtures_20250409", "2025-04-09", "2025-04-10", true],
      ["allday-weekly@fixtures_20250423", "2025-04-23", "2025-04-24", true],
      ["allday-noend@fixtures", "2025-04-30", "2025-05-01", true],
      ["allday-weekly@fixtures_20250430", "2025-04-30", "2025-05-01", true]
    ])
  })
})

describe("text", () => {
  const event = () => batch("folding.ics", "2025-10-20T00:00:00Z", "2025-10-21T00:00:00Z").events[0]

  it("unfolds inside multi-byte characters and TAB folds, and unescapes", () => {
    const e = event()
    expect(e?.summary).toBe("Kundentermin Müller Maschinenbau, Bäckerei Groß; Vorbereitung")
    expect(e?.description).toBe(
      "Agenda:\n1. Preise, Mengen; Termine\n2. Pfad C:\\Angebote\\2025\nwww.müller-maschinenbau.de"
    )
    expect(e?.location).toBe("Hamburg, Speicherstadt")
  })

  it("reads organizer and attendees: mailto stripped, CN unquoted, order kept, empty ones skipped", () => {
    const e = event()
    expect(e?.organizer).toEqual({ email: "Jonas.Weber@lead-insights.app", name: "Weber, Jonas" })
    expect(e?.attendees.map((p) => ({ ...p }))).toEqual([
      { email: "anna.berger@lead-insights.app", name: "Anna Berger" },
      { email: "info@mueller-maschinenbau.de" },
      { name: "Jürgen Groß" }
    ])
  })

  it("collects the URL and conference links", () => {
    expect(event()?.urls).toEqual(["https://www.brightwave.io/about", "https://meet.google.com/abc-defg-hij"])
  })

  it("defaults missing text to empty strings", () => {
    const e = batch("duplicate-uid.ics", "2025-10-20T00:00:00Z", "2025-10-27T00:00:00Z").events[0]
    expect([e?.description, e?.location, e?.urls, e?.attendees]).toEqual(["", "", [], []])
    expect(e?.organizer).toBeUndefined()
  })
})

describe("what is left out", () => {
  it("skips cancelled events and instances, birthdays and anniversaries, but not meetings named after them", () => {
    const b = batch("cancelled-birthday.ics", "2025-10-20T00:00:00Z", "2025-10-27T00:00:00Z")
    expect(b.events.map((e) => e.eventId)).toEqual([
      "cancelled-instance@fixtures_20251020T080000Z",
      "cancelled-instance@fixtures_20251022T080000Z",
      "birthday-campaign@fixtures_20251022T130000Z",
      "birthday-allday-campaign@fixtures_20251023",
      "party-planning@fixtures"
    ])
  })
})

describe("damaged input", () => {
  it("reports broken VEVENTs one by one and returns the good ones", () => {
    const b = batch("malformed.ics", "2025-10-01T00:00:00Z", "2025-11-01T00:00:00Z")
    expect(b.events.map((e) => e.eventId)).toEqual(["good-1@fixtures", "good-2@fixtures", "good-3@fixtures"])
    expect(b.broken.map((x) => [x.eventId, x.summary, x.start, x.reason])).toEqual([
      ["bad-date@fixtures", "Impossible date", undefined, "invalid DTSTART \"20251345T256000Z\""],
      [
        "no-colon@fixtures",
        "Has a line without a colon",
        "2025-10-21T09:00:00.000Z",
        "invalid line (no \":\"): \"this line has no colon at all\""
      ],
      ["unterminated@fixtures", "Never ends", "2025-10-22T09:00:00.000Z", "missing END:VEVENT"],
      ["no-start@fixtures", "No start at all", undefined, "missing DTSTART"],
      ["bad-freq@fixtures", "Unknown frequency", "2025-10-24T09:00:00.000Z", expect.stringContaining("FORTNIGHTLY")],
      ["vevent-8", "", undefined, "invalid DTSTART \"2025-10-25\""],
      ["cut-off@fixtures", "File ends inside me", "2025-10-26T09:00:00.000Z", "missing END:VEVENT"]
    ])
    expect(b.broken.every((x) => x.calendarId === "ical:test")).toBe(true)
  })

  it("keeps both events of a duplicated UID and gives an event without UID a stable id", () => {
    const ids = () => batch("duplicate-uid.ics", "2025-10-20T00:00:00Z", "2025-10-27T00:00:00Z").events.map((e) => e.eventId)
    const first = ids()
    expect(first.slice(0, 2)).toEqual(["dup@fixtures", "dup@fixtures#2"])
    expect(first[2]).toMatch(/^gen-[0-9a-f]{16}$/)
    expect(ids()).toEqual(first)
  })

  it.each([
    ["not-calendar.html", "not an iCalendar file (got HTML or XML)"],
    ["empty.ics", "empty file, not an iCalendar"],
    ["binary.ics", "not an iCalendar file (no BEGIN:VCALENDAR)"]
  ])("rejects %s as a whole", (name, reason) => {
    expect(parse(name, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")).toEqual(Either.left(reason))
  })
})

describe("process time zone", () => {
  // The parser runs in a child under other TZs; its output must equal this process's (TZ=UTC).
  const script = `
    import { readFileSync } from "node:fs"
    import { parseCalendar } from ${JSON.stringify(path.join(here, "..", "..", "src", "Integrations", "ICalParse.ts"))}
    const out = {}
    for (const [name, from, to] of JSON.parse(process.argv[1])) {
      const r = parseCalendar(readFileSync(name), "ical:test", { from: new Date(from), to: new Date(to) })
      out[name] = r._tag === "Right" ? r.right.events.map((e) => [e.eventId, e.start, e.end]) : r.left
    }
    console.log(JSON.stringify(out))`
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["all-day.ics", "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z"],
    ["lf-only.ics", "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"],
    ["recurring-dst.ics", "2025-10-20T00:00:00Z", "2025-11-20T00:00:00Z"],
    ["tzid-no-vtimezone.ics", "2025-10-01T00:00:00Z", "2025-12-01T00:00:00Z"]
  ]
  const expected = Object.fromEntries(cases.map(([name, from, to]) => [
    fixture(name),
    batch(name, from, to).events.map((e) => [e.eventId, e.start, e.end])
  ]))

  it.each(["America/Los_Angeles", "Pacific/Kiritimati"])("gives the same events under TZ=%s", (tz) => {
    expect(process.env.TZ).toBe("UTC")
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(cases.map(([n, f, t]) => [fixture(n), f, t]))],
      { env: { ...process.env, TZ: tz }, encoding: "utf8" }
    )
    expect(JSON.parse(out)).toEqual(expected)
  })
})
