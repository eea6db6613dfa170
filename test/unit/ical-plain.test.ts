/**
 * The plain path of the parser (blocks read without ical.js and node-ical) against the careful
 * one (every block through ical.js and node-ical, as the parser read them all before): the same
 * batch, event for event, on generated calendars and on inputs chosen to be awkward.
 */
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import type { Either } from "effect"
import nodeIcal from "node-ical"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { generateCalendar, prng } from "../../bench/generate.js"
import { type CalendarBatch, DeferredEvent, takeEvent } from "../../src/Domain/CalendarEvent.js"
import { splitComponents, unfoldBytes } from "../../src/Integrations/ICalBlocks.js"
import { parseCalendar, type ParseLimits } from "../../src/Integrations/ICalParse.js"
import { rawBlock, scanCalendar } from "../../src/Integrations/ICalScan.js"
import { stageCalendar } from "../../src/Integrations/ICalStage.js"

const DAY = 86_400_000

interface Case {
  readonly bytes: Uint8Array
  readonly from: string | number
  readonly to: string | number
  readonly limits?: ParseLimits
}

const both = ({ bytes, from, limits, to }: Case): readonly [Either.Either<CalendarBatch, string>, Either.Either<CalendarBatch, string>] => {
  const window = { from: new Date(from), to: new Date(to) }
  return [parseCalendar(bytes, "ical:test", window, limits), parseCalendar(bytes, "ical:test", window, limits, { plain: false })]
}

const sameBothWays = (c: Case) => {
  const [plain, careful] = both(c)
  expect(plain).toEqual(careful)
  // And the same when the plain events are deferred and built again one by one, as a cycle takes them.
  const window = { from: new Date(c.from), to: new Date(c.to) }
  expect(parseCalendar(c.bytes, "ical:test", window, c.limits, { defer: true })).toEqual(careful)
  return plain
}

/** A calendar of these lines (bytes when a line is folded by hand), CRLF after each. */
const feed = (lines: ReadonlyArray<string | Buffer>) =>
  Buffer.concat(["BEGIN:VCALENDAR", "VERSION:2.0", ...lines, "END:VCALENDAR"].flatMap((l) => [Buffer.from(l), Buffer.from("\r\n")]))

/** A byte offset one past the first byte of `what` in `line`: a fold there splits it. */
const inside = (line: string, what: string) => Buffer.from(line).indexOf(Buffer.from(what)) + 1

/** The line's bytes with a fold (CRLF and a space or tab) before each of the byte offsets. */
const foldAt = (line: string, offsets: ReadonlyArray<number>) => {
  const b = Buffer.from(line)
  const cuts = [0, ...offsets, b.length]
  return Buffer.concat(cuts.slice(1).flatMap((end, i) => [
    ...(i > 0 ? [Buffer.from(i % 2 ? "\r\n " : "\r\n\t")] : []),
    b.subarray(cuts[i] ?? 0, end)
  ]))
}

const berlin = [
  "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "DTSTART:19700329T020000",
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT", "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
  "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE"
]

const vevent = (...lines: ReadonlyArray<string>) => ["BEGIN:VEVENT", "DTSTAMP:20250101T000000Z", ...lines, "END:VEVENT"]

describe("generated calendars", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("are read without node-ical: UTC times and weekly rules are plain", () => {
    const parse = vi.spyOn(nodeIcal.sync, "parseICS")
    const firstDay = new Date(Date.UTC(2026, 2, 2))
    const calendar = generateCalendar({ events: 200, seed: 5, firstDay })
    const window = { from: new Date(firstDay.getTime() - DAY), to: new Date(firstDay.getTime() + calendar.days * DAY) }
    const batch = parseCalendar(Buffer.from(calendar.ics), "ical:test", window)
    expect(batch._tag === "Right" && batch.right.events.length).toBe(200)
    expect(parse).not.toHaveBeenCalled()
  })

  it.each([3, 7, 11])("gives the same batch both ways (seed %i)", (seed) => {
    const firstDay = new Date(Date.UTC(2026, 2, 2))
    const calendar = generateCalendar({ events: 300, seed, firstDay })
    const bytes = Buffer.from(calendar.ics)
    const whole = sameBothWays({ bytes, from: firstDay.getTime() - DAY, to: firstDay.getTime() + calendar.days * DAY })
    expect(whole._tag === "Right" && whole.right.events.length).toBe(300)
    sameBothWays({ bytes, from: firstDay.getTime() + 10 * DAY, to: firstDay.getTime() + 17 * DAY, limits: { maxOccurrencesPerSeries: 2 } })
  })
})

describe("deferred events", () => {
  it("a plain feed lists its events unbuilt; each is built as the careful read gives it, in whatever order taken", () => {
    const firstDay = new Date(Date.UTC(2026, 2, 2))
    const calendar = generateCalendar({ events: 300, seed: 13, firstDay })
    const bytes = Buffer.from(calendar.ics)
    const window = { from: new Date(firstDay.getTime() - DAY), to: new Date(firstDay.getTime() + calendar.days * DAY) }
    const staged = stageCalendar(bytes, "ical:test", window)
    const listed = staged._tag === "Right" ? staged.right.finish(new Map()).events : []
    const careful = parseCalendar(bytes, "ical:test", window, undefined, { plain: false })
    const events = careful._tag === "Right" ? careful.right.events : []
    expect(listed.length).toBe(300)
    expect(listed.every((e) => e instanceof DeferredEvent)).toBe(true)
    expect(listed.filter((e) => e.seriesId !== undefined).length).toBeGreaterThan(10)
    // What a cycle plans with is the built event's.
    expect(listed.map((e) => [e.calendarId, e.eventId, e.seriesId, e.start, takeEvent(e).summary]))
      .toEqual(events.map((e) => [e.calendarId, e.eventId, e.seriesId, e.start, e.summary]))
    // Taken last first, and twice: the same events.
    const built = [...listed].reverse().map(takeEvent).reverse()
    expect(built).toEqual(events)
    expect(listed.map(takeEvent)).toEqual(events)
  })
})

describe("awkward input", () => {
  const window = { from: "2025-10-01T00:00:00Z", to: "2025-12-01T00:00:00Z" }

  it("folds inside multi-byte characters, with spaces and tabs, and escapes", () => {
    const summary = "SUMMARY:Kundentermin Müller\\, Bäckerei Groß\\; Vorbereitung 🎉"
    const description = "DESCRIPTION:Agenda:\\n1. Preise\\, Mengen\\\\n2. naïve – café\\N3. \\x"
    const bytes = feed([
      ...vevent("UID:fold@test", "DTSTART:20251020T090000Z", "DTEND:20251020T100000Z").slice(0, -1),
      // Inside "ü" (2 bytes) and the emoji (4 bytes); inside an escaped comma, "ï" and "–" (3 bytes).
      foldAt(summary, [inside(summary, "ü"), inside(summary, "🎉")]),
      foldAt(description, [inside(description, "\\,"), inside(description, "ï"), inside(description, "–")]),
      "LOCATION:Hamburg\\, Speicherstadt",
      "END:VEVENT"
    ])
    const batch = sameBothWays({ bytes, ...window })
    const [event] = batch._tag === "Right" ? batch.right.events : []
    expect(event?.summary).toBe("Kundentermin Müller, Bäckerei Groß; Vorbereitung 🎉")
    expect(event?.description).toBe("Agenda:\n1. Preise, Mengen\\n2. naïve – café\n3. \\x")
  })

  it("reads people, links and the skip rules as ical.js does", () => {
    sameBothWays({
      bytes: feed([
        ...vevent(
          "UID:people@test",
          "DTSTART:20251021T090000Z",
          "SUMMARY;LANGUAGE=de:Jahresgespräch",
          "ORGANIZER;CN=\"Weber, Jonas\";SENT-BY=\"mailto:a@b.de\":MAILTO:Jonas.Weber@example.org ",
          "ATTENDEE;CN=Jürgen Groß;ROLE=REQ-PARTICIPANT:mailto:juergen@example.org",
          "ATTENDEE;cn=\"a:b;c\";CN=Last wins:mailto:x@example.org",
          "ATTENDEE;ROLE=CHAIR:urn:uuid:no-address",
          "ATTENDEE;CN=Caret^nName:mailto:c@example.org",
          "URL;VALUE=URI:https://example.org/a",
          "CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://meet.example.org/x",
          "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
          "CATEGORIES:Work\\,Stuff,Jahrestag"
        ),
        ...vevent("UID:cancelled@test", "DTSTART:20251022T090000Z", "STATUS:cancelled", "SUMMARY:Gone"),
        ...vevent("UID:bday@test", "DTSTART;VALUE=DATE:20201023", "RRULE:FREQ=YEARLY", "SUMMARY:Geburtstag Oma"),
        ...vevent("UID:icon@test", "DTSTART:20251024T090000Z", "X-GOOGLE-CALENDAR-CONTENT-ICON:https://x.test/cake.png", "SUMMARY:Max"),
        ...vevent("UID:text-typed@test", "DTSTART:20251025T090000Z", "SUMMARY;VALUE=TEXT:Typed", "X-NOTE;VALUE=RECUR:FREQ=DAILY")
      ]),
      ...window
    })
  })

  it("expands rules, exceptions, extra dates and moved instances alike", () => {
    sameBothWays({
      bytes: feed([
        ...berlin,
        ...vevent(
          "UID:weekly@test",
          "DTSTART:20251006T090000Z",
          "DURATION:PT1H30M",
          "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;WKST=SU;INTERVAL=2;UNTIL=20251130T235959Z",
          "EXDATE:20251020T090000Z,20251022T090000Z",
          "RDATE:20251024T150000Z",
          "RDATE;VALUE=PERIOD:20251028T150000Z/PT2H"
        ),
        ...vevent("UID:weekly@test", "RECURRENCE-ID:20251103T090000Z", "DTSTART:20251104T120000Z", "DTEND:20251104T130000Z"),
        ...vevent("UID:daily@test", "DTSTART:20251001T070000", "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20251031T070000"),
        ...vevent(
          "UID:count@test",
          "DTSTART;TZID=Nowhere/Unknown:20251002T100000",
          "RRULE:FREQ=WEEKLY;COUNT=5",
          "EXDATE;TZID=Nowhere/Unknown:20251009T100000"
        ),
        ...vevent("UID:zoned@test", "DTSTART;TZID=Europe/Berlin:20251020T100000", "RRULE:FREQ=WEEKLY;COUNT=4"),
        ...vevent("UID:override-first@test", "RECURRENCE-ID:20251015T080000Z", "DTSTART:20251015T100000Z"),
        ...vevent("UID:override-first@test", "DTSTART:20251001T080000Z", "RRULE:FREQ=WEEKLY;COUNT=6"),
        ...vevent("UID:monthly@test", "DTSTART:20251031T080000Z", "RRULE:FREQ=MONTHLY;COUNT=3"),
        ...vevent(
          "UID:allday@test",
          "DTSTART;VALUE=DATE:20251003",
          "DTEND;VALUE=DATE:20251005",
          "RRULE:FREQ=WEEKLY;UNTIL=20251114T000000Z",
          "EXDATE;VALUE=DATE:20251010",
          "EXDATE:20251017T000000Z"
        ),
        ...vevent("UID:allday-duration@test", "DTSTART:20251006", "DURATION:P1D", "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=10"),
        ...vevent("UID:alarm@test", "DTSTART:20251007T080000Z", "BEGIN:VALARM", "ACTION:DISPLAY", "UID:alarm", "END:VALARM"),
        ...vevent("DTSTART:20251008T080000Z", "SUMMARY:No UID"),
        ...vevent("UID:twice@test", "DTSTART:20251009T080000Z", "SUMMARY:First"),
        ...vevent("UID:twice@test", "DTSTART:20251009T090000Z", "SUMMARY:Second master")
      ]),
      ...window
    })
  })

  it("reports the same broken blocks, in the same order", () => {
    const plain = sameBothWays({
      bytes: feed([
        ...vevent("UID:bad-rule@test", "DTSTART:20251020T090000Z", "RRULE:FREQ=FORTNIGHTLY"),
        ...vevent("UID:ok@test", "DTSTART:20251020T100000Z"),
        ...vevent("UID:bad-date@test", "DTSTART:20251345T000000Z"),
        ...vevent("UID:no-start@test", "SUMMARY:Nothing"),
        ...vevent("UID:twice-start@test", "DTSTART:20251020T090000Z", "DTSTART:20251021T090000Z"),
        ...vevent("UID:zero@test", "DTSTART:20251020T090000Z", "RRULE:FREQ=DAILY;INTERVAL=0"),
        "BEGIN:VEVENT",
        "UID:unterminated@test"
      ]),
      ...window
    })
    expect(plain._tag === "Right" && plain.right.broken.map((b) => b.eventId)).toEqual([
      "bad-rule@test",
      "bad-date@test",
      "no-start@test",
      "unterminated@test",
      "twice-start@test",
      "zero@test"
    ])
    sameBothWays({ bytes: feed(["BEGIN:VEVENT", "DTSTART:20251020T090000Z", "this line has no colon", "END:VEVENT"]), ...window })
  })

  it("gives random feeds the same batch both ways", () => {
    for (let seed = 1; seed <= 60; seed++) sameBothWays(randomFeed(seed))
  })
})

describe("memory", () => {
  it("events keep their own text: nothing of the feed stays with them", async () => {
    setFlagsFromString("--expose-gc")
    const gc: () => void = runInNewContext("gc")
    const settle = async () => {
      // Backing stores of dead buffers are freed after the collection that finds them dead.
      for (let i = 0; i < 3; i++) {
        gc()
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    // 10 MB of text nobody keeps (an X- property), ~100 bytes per event that is kept.
    const filler = `X-FILLER:${"x".repeat(10_000)}`
    const lines = Array.from({ length: 1000 }, (_, i) =>
      vevent(`UID:m${i}@test`, `DTSTART:202510${10 + (i % 20)}T090000Z`, `SUMMARY:Meeting ${i} Müller`, filler))
    let bytes: Buffer | undefined = feed(lines.flat())
    const feedBuffer = new WeakRef(bytes.buffer)
    await settle()
    const before = process.memoryUsage().heapUsed
    const batch = parseCalendar(bytes, "ical:test", { from: new Date("2025-10-01T00:00:00Z"), to: new Date("2025-11-01T00:00:00Z") })
    bytes = undefined
    await settle()
    expect(batch._tag === "Right" && batch.right.events.length).toBe(1000)
    expect(feedBuffer.deref()).toBeUndefined()
    // Slices of the feed's decoded text would keep all of that text (10 MB) on the heap.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024)
  })
})

describe("the walk over the bytes", () => {
  const PIECES = [
    "BEGIN:VEVENT", "END:VEVENT", "begin:vevent", "End:VEvent  ", "BEGIN:VALARM", "END:VALARM", "BEGIN:VTIMEZONE", "END:VTIMEZONE",
    "END:VCALENDAR", "BEGIN:VCALENDAR", "SUMMARY:x", "DESCRIPTION:üä", "\tfold", " fold", "", "X:\r", "begın:vevent", "BEGIN:VEV",
    " ENT", "END:VEVENT\t", "TZID:Foo", "ſ", "END:", "BEGIN:"
  ]

  it("cuts the same blocks as splitComponents", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = prng(seed)
      let text = r.chance(0.1) ? "\ufeff" : ""
      const n = 1 + r.int(30)
      for (let i = 0; i < n; i++) text += r.pick(PIECES) + (i < n - 1 || r.chance(0.5) ? r.pick(["\r\n", "\n", "\r\n", "\r\n "]) : "")
      const bytes = Buffer.from(text)
      const scan = scanCalendar(bytes)
      const old = splitComponents(unfoldBytes(bytes))
      expect(scan.events.map((range) => rawBlock(bytes, range))).toEqual(old.events)
      expect(old.timezones.every((z) => scan.timezones.includes(z))).toBe(true)
    }
  })
})

/** A small feed of random VEVENTs: UTC, floating, zoned and all-day times, rules, exceptions, overrides, folds. */
const randomFeed = (seed: number): Case => {
  const r = prng(seed)
  const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")
  const date = (ms: number) => utc(ms).slice(0, 8)
  const days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
  const base0 = Date.UTC(2025, 9, 1, 8 + r.int(10), r.pick([0, 30]))
  const at = (ms: number, kind: string) =>
    kind === "date"
      ? `;VALUE=DATE:${date(ms)}`
      : kind === "utc"
      ? `:${utc(ms)}`
      : kind === "floating"
      ? `:${utc(ms).slice(0, -1)}`
      : `;TZID=${kind}:${utc(ms).slice(0, -1)}`
  const lines: Array<string> = [...(r.chance(0.5) ? berlin : [])]
  for (let i = 0, n = 1 + r.int(6); i < n; i++) {
    const kind = r.pick(["utc", "utc", "floating", "date", "Europe/Berlin", "Nowhere/Unknown"])
    const start = base0 + r.int(30) * DAY
    const uid = `r${seed}-${i}@test`
    const rule = [`FREQ=${r.pick(["DAILY", "WEEKLY", "WEEKLY", "MONTHLY"])}`]
    if (r.chance(0.3)) rule.push(`INTERVAL=${1 + r.int(3)}`)
    if (r.chance(0.4)) rule.push(`COUNT=${1 + r.int(12)}`)
    else if (r.chance(0.4)) rule.push(`UNTIL=${kind === "date" ? date(start + r.int(60) * DAY) : utc(start + r.int(60) * DAY)}`)
    if (r.chance(0.4)) rule.push(`BYDAY=${[...new Set([days[(new Date(start).getUTCDay() + 6) % 7], r.pick(days)])].join(",")}`)
    if (r.chance(0.2)) rule.push(`WKST=${r.pick(days)}`)
    lines.push(...vevent(
      `UID:${uid}`,
      `DTSTART${at(start, kind)}`,
      ...(r.chance(0.5)
        ? [`DTEND${at(start + (kind === "date" ? DAY : 3_600_000), kind)}`]
        : r.chance(0.5)
        ? [`DURATION:${r.pick(["PT45M", "P1D", "PT2H"])}`]
        : []),
      ...(r.chance(0.5) ? [`RRULE:${rule.join(";")}`] : []),
      ...(r.chance(0.3) ? [`EXDATE${at(start + 7 * DAY, kind)}`] : []),
      `SUMMARY:${r.pick(["Kick-off Müller", "Call\\, later", "Geburtstag", "Zoë – café"])}`,
      ...(r.chance(0.5) ? [`ATTENDEE;CN=${r.pick(["Anna", "\"Groß, Jürgen\""])}:mailto:p${r.int(3)}@example.org`] : [])
    ))
    if (r.chance(0.3)) {
      lines.push(...vevent(`UID:${uid}`, `RECURRENCE-ID${at(start + 7 * DAY, kind)}`, `DTSTART${at(start + 8 * DAY, kind)}`, "SUMMARY:Moved"))
    }
  }
  const folded = lines.map((l) => {
    const cut = 5 + r.int(40)
    return Buffer.byteLength(l) > cut + 2 && r.chance(0.3) ? foldAt(l, [cut]) : l
  })
  const bytes = feed(folded)
  const from = base0 + (r.int(30) - 5) * DAY
  return { bytes, from, to: from + (1 + r.int(45)) * DAY, ...(r.chance(0.2) ? { limits: { maxOccurrencesPerSeries: 1 + r.int(4) } } : {}) }
}
