import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Either } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import nodeIcal from "node-ical"
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

/** A feed built in the test: VTIMEZONEs and VEVENTs given as content lines. */
const feed = (parts: { readonly zones?: ReadonlyArray<string>; readonly events: ReadonlyArray<ReadonlyArray<string>> }) =>
  Buffer.from([
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Lead Insights//tests//EN",
    ...(parts.zones ?? []),
    ...parts.events.flatMap((lines) => ["BEGIN:VEVENT", "DTSTAMP:20250101T000000Z", ...lines, "END:VEVENT"]),
    "END:VCALENDAR",
    ""
  ].join("\r\n"))

const parseFeed = (bytes: Uint8Array, from: string, to: string, maxOccurrencesPerSeries?: number): CalendarBatch =>
  Either.getOrThrowWith(
    parseCalendar(
      bytes,
      "ical:test",
      { from: new Date(from), to: new Date(to) },
      ...(maxOccurrencesPerSeries === undefined ? [] : [{ maxOccurrencesPerSeries }])
    ),
    (reason) => new Error(`expected a calendar: ${reason}`)
  )

const vtimezone = (tzid: string, standard: string, daylight: string) => [
  "BEGIN:VTIMEZONE",
  `TZID:${tzid}`,
  "BEGIN:DAYLIGHT",
  `TZOFFSETFROM:${standard}`,
  `TZOFFSETTO:${daylight}`,
  "DTSTART:19700329T020000",
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
  "END:DAYLIGHT",
  "BEGIN:STANDARD",
  `TZOFFSETFROM:${daylight}`,
  `TZOFFSETTO:${standard}`,
  "DTSTART:19701025T030000",
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
  "END:STANDARD",
  "END:VTIMEZONE"
]

describe("bounded work per feed", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("parses the VTIMEZONEs once per feed, not once per event", () => {
    const parse = vi.spyOn(nodeIcal.sync, "parseICS")
    const events = Array.from({ length: 40 }, (_, i) => [
      `UID:tz-${i}@tests`,
      `DTSTART;TZID=${i % 2 === 0 ? "Europe/Berlin" : "Customized Time Zone"}:202510${String(10 + (i % 20)).padStart(2, "0")}T100000`,
      "DURATION:PT1H",
      ...(i % 5 === 0 ? ["RRULE:FREQ=WEEKLY;COUNT=3", "RDATE;TZID=Europe/Berlin:20251030T150000"] : []),
      `SUMMARY:Meeting ${i}`
    ])
    const b = parseFeed(
      feed({ zones: [...vtimezone("Europe/Berlin", "+0100", "+0200"), ...vtimezone("Customized Time Zone", "+0100", "+0200")], events }),
      "2025-10-01T00:00:00Z",
      "2025-12-01T00:00:00Z"
    )
    const zonesParsed = parse.mock.calls.map(([text]) => text.split("BEGIN:VTIMEZONE").length - 1)
    expect(zonesParsed.reduce((a, n) => a + n, 0)).toBe(2)
    expect(b.broken).toEqual([])
    // the zones still apply: the file's own, and a custom TZID known only from its VTIMEZONE
    expect(b.events.find((e) => e.eventId === "tz-0@tests_20251010T080000Z")?.start).toBe("2025-10-10T08:00:00.000Z")
    expect(b.events.find((e) => e.eventId === "tz-0@tests_20251030T140000Z")?.start).toBe("2025-10-30T14:00:00.000Z")
    expect(b.events.find((e) => e.eventId === "tz-1@tests")?.start).toBe("2025-10-11T08:00:00.000Z")
  })

  it("a series node-ical throws on is reported broken alone; the others are read in the same pass", () => {
    const original = nodeIcal.sync.parseICS
    vi.spyOn(nodeIcal.sync, "parseICS").mockImplementation((text) => {
      if (text.includes("UID:poison@tests")) throw new Error("node-ical fell over")
      return original(text)
    })
    const events = Array.from({ length: 9 }, (_, i) => [
      `UID:${i === 6 ? "poison" : `ok-${i}`}@tests`,
      `DTSTART;TZID=Europe/Berlin:202510${10 + i}T100000`,
      `SUMMARY:Meeting ${i}`
    ])
    const b = parseFeed(
      feed({ zones: vtimezone("Europe/Berlin", "+0100", "+0200"), events }),
      "2025-10-01T00:00:00Z",
      "2025-11-01T00:00:00Z"
    )
    expect(b.events.map((e) => e.eventId)).toEqual([0, 1, 2, 3, 4, 5, 7, 8].map((i) => `ok-${i}@tests`))
    expect(b.events[0]?.start).toBe("2025-10-10T08:00:00.000Z")
    expect(b.broken.map((x) => [x.eventId, x.reason])).toEqual([["poison@tests", "node-ical fell over"]])
  })

  it("keeps the first occurrences of a series in the window and counts the rest as skipped", () => {
    const bytes = feed({
      events: [
        ["UID:hourly@tests", "DTSTART:20251001T000000Z", "DURATION:PT30M", "RRULE:FREQ=HOURLY", "SUMMARY:Hourly standup"],
        // An occurrence moved to the window's first hour is one of the first kept.
        ["UID:hourly@tests", "RECURRENCE-ID:20251020T120000Z", "DTSTART:20251020T003000Z", "DURATION:PT30M", "SUMMARY:Moved"],
        ["UID:weekly@tests", "DTSTART:20251006T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY", "SUMMARY:Weekly"]
      ]
    })
    const b = parseFeed(bytes, "2025-10-20T00:00:00Z", "2025-11-03T00:00:00Z", 10)
    const hourly = b.events.filter((e) => e.eventId.startsWith("hourly@"))
    expect(hourly.map((e) => e.start.slice(11, 16))).toEqual([
      "00:00", "00:30", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00", "08:00"
    ])
    expect(hourly[1]?.summary).toBe("Moved")
    expect(b.events.filter((e) => e.eventId.startsWith("weekly@")).length).toBe(2)
    // 14 days × 24 hours in the window, 10 of them kept.
    expect(b.skipped?.map((s) => ({ ...s }))).toEqual([
      { calendarId: "ical:test", seriesId: "hourly@tests", summary: "Hourly standup", kept: 10, skipped: 326, atLeast: false }
    ])
  })

  it("keeps 50 occurrences per series unless told otherwise, and nothing is skipped below that", () => {
    const bytes = feed({ events: [["UID:hourly@tests", "DTSTART:20251001T000000Z", "RRULE:FREQ=HOURLY", "SUMMARY:Hourly"]] })
    const b = parseFeed(bytes, "2025-10-20T00:00:00Z", "2025-10-22T00:00:00Z")
    expect(b.events.length).toBe(48)
    expect(b.skipped).toBeUndefined()
    const c = parseFeed(bytes, "2025-10-20T00:00:00Z", "2025-10-23T00:00:00Z")
    expect(c.events.length).toBe(50)
    expect(c.skipped?.[0]).toMatchObject({ kept: 50, skipped: 22, atLeast: false })
  })

  it("cuts a series with more occurrences than the rule library counts to its first ones", () => {
    const bytes = feed({
      events: [
        ["UID:minutely@tests", "DTSTART:20250101T000000Z", "RRULE:FREQ=MINUTELY", "SUMMARY:Every minute"],
        ["UID:single@tests", "DTSTART:20251021T090000Z", "SUMMARY:Kickoff"]
      ]
    })
    const b = parseFeed(bytes, "2025-10-20T00:00:00Z", "2025-11-03T00:00:00Z", 5)
    expect(b.broken).toEqual([])
    expect(b.events.map((e) => e.start)).toEqual([
      ...Array.from({ length: 5 }, (_, m) => `2025-10-20T00:0${m}:00.000Z`),
      "2025-10-21T09:00:00.000Z"
    ])
    expect(b.skipped?.[0]).toMatchObject({ seriesId: "minutely@tests", kept: 5, atLeast: true })
    expect(b.skipped?.[0]?.skipped).toBeGreaterThan(1000)
  })

  it("stores at most 32 KB of description and 1 KB of summary and location, and says what was cut", () => {
    const description = `Kickoff mit Müller Maschinenbau (www.mueller-maschinenbau.de)\\n${"x".repeat(10 * 1024 * 1024)}`
    const attendees = Array.from({ length: 5000 }, (_, i) => `ATTENDEE;CN=Person ${i}:mailto:p${i}@example.org`)
    const bytes = feed({
      events: [
        [
          "UID:huge@tests",
          "DTSTART:20251021T090000Z",
          "RRULE:FREQ=DAILY;COUNT=3",
          `SUMMARY:Kickoff ${"ü".repeat(5000)}`,
          `LOCATION:${"Hamburg ".repeat(1000)}`,
          `DESCRIPTION:${description}`,
          `ORGANIZER;CN=${"Very Long Name ".repeat(100)}:mailto:${"a".repeat(300)}@example.org`,
          ...attendees,
          `URL:https://example.org/${"p".repeat(5000)}`,
          "URL:https://example.org/short"
        ],
        ["UID:broken@tests", `SUMMARY:${"Broken ".repeat(1000)}`, `X-NOTE:${"y".repeat(100_000)}`, "this line has no colon"],
        ["UID:small@tests", "DTSTART:20251021T100000Z", "SUMMARY:Small", "DESCRIPTION:short"]
      ]
    })
    const b = parseFeed(bytes, "2025-10-20T00:00:00Z", "2025-10-27T00:00:00Z")
    const huge = b.events.filter((e) => e.eventId.startsWith("huge@"))
    expect(huge.length).toBe(3)
    for (const e of huge) {
      expect(e.description.length).toBeLessThanOrEqual(32 * 1024)
      expect(e.description.startsWith("Kickoff mit Müller Maschinenbau (www.mueller-maschinenbau.de)\n")).toBe(true)
      expect(e.description.endsWith("…")).toBe(true)
      expect(e.summary.length).toBeLessThanOrEqual(1024)
      expect(e.summary.startsWith("Kickoff üü")).toBe(true)
      expect(e.location.length).toBeLessThanOrEqual(1024)
      expect(e.attendees.length).toBe(200)
      expect(e.organizer).toEqual({ name: expect.stringMatching(/^Very Long Name .*…$/) })
      expect(e.organizer?.name?.length).toBeLessThanOrEqual(256)
      expect(e.urls).toEqual(["https://example.org/short"])
      expect(e.truncated).toEqual(["summary", "description", "location", "attendees"])
    }
    // The whole event, as a workflow row or step line would carry it, stays small.
    expect(JSON.stringify(huge[0]).length).toBeLessThan(64 * 1024)
    const small = b.events.find((e) => e.eventId === "small@tests")
    expect(small?.truncated).toBeUndefined()
    expect(b.broken.map((x) => [x.eventId, x.summary.length <= 1024, x.reason.length <= 500])).toEqual([
      ["broken@tests", true, true]
    ])
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

describe("the organiser's clock", () => {
  const one = (dtstart: string) =>
    new TextEncoder().encode(
      [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:clock@fixtures",
        "DTSTAMP:20261201T000000Z", dtstart, "SUMMARY:Kick-off", "END:VEVENT", "END:VCALENDAR", ""
      ].join("\r\n")
    )
  const zoneOf = (dtstart: string) => {
    const b = Either.getOrThrow(parseCalendar(one(dtstart), "ical:test", {
      from: new Date("2026-12-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z")
    }))
    return b.events.map((e) => [e.start, e.timeZone])
  }

  it("an event written in a zone keeps it (IANA or Windows name); UTC and floating times have none", () => {
    expect(zoneOf("DTSTART;TZID=Europe/Berlin:20261209T100000")).toEqual([["2026-12-09T09:00:00.000Z", "Europe/Berlin"]])
    expect(zoneOf("DTSTART;TZID=W. Europe Standard Time:20261209T100000")).toEqual([["2026-12-09T09:00:00.000Z", "Europe/Berlin"]])
    expect(zoneOf("DTSTART;TZID=\"America/New_York\":20261209T100000")).toEqual([["2026-12-09T15:00:00.000Z", "America/New_York"]])
    expect(zoneOf("DTSTART:20261209T100000Z")).toEqual([["2026-12-09T10:00:00.000Z", undefined]])
    expect(zoneOf("DTSTART:20261209T100000")).toEqual([["2026-12-09T10:00:00.000Z", undefined]])
  })
})
