/**
 * A deterministic calendar for the benchmarks: the same seed, size and start day always give the
 * same bytes. English and German meetings with realistic summaries and descriptions of a few
 * hundred characters, 1–4 attendees, organisers from our own domain, about one in ten with a
 * trigger word, some weekly series — and a companies CSV for LOCAL_CRM_FILE.
 *
 * Every triggered meeting is "complete": its company's web domain is in the text, or (when the text
 * does not name the company) in an attendee's address, and the CSV holds no attachments for any
 * company, so no person is asked and each triggered event ends `delivered`, or `dossier_reused`
 * when an earlier meeting with the same company already produced a dossier. The others end
 * `no_trigger`: their text holds none of the words of examples/trigger_words.txt.
 */

/** mulberry32: tiny, fast and good enough to pick words; Math.random cannot be seeded. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <A>(items: ReadonlyArray<A>): A => items[int(items.length)] as A
  return { next, int, pick, chance: (p: number) => next() < p }
}

type Rng = ReturnType<typeof prng>
type Lang = "en" | "de"

// ---------------------------------------------------------------------------------------------
// Companies and people

const SYLLABLES = [
  "ka", "lo", "ver", "tri", "no", "sa", "mi", "den", "bor", "lex", "qua", "ri", "ton", "vel", "zen", "dra", "fin",
  "gal", "mar", "ost", "wen", "tel", "ara", "bri", "nor", "sol", "vik", "hel", "ing", "ro", "sta", "lin", "dal",
  "fal", "ken", "mo", "par", "rel", "sen", "tor"
]
const SECTORS: ReadonlyArray<{ readonly name: string; readonly slug: string; readonly industry: string }> = [
  { name: "Logistik GmbH", slug: "logistik", industry: "Logistik, Spedition" },
  { name: "Maschinenbau AG", slug: "maschinenbau", industry: "Maschinenbau" },
  { name: "Analytics Ltd", slug: "analytics", industry: "Software, data analytics" },
  { name: "Software GmbH", slug: "software", industry: "Software" },
  { name: "Energy AS", slug: "energy", industry: "Renewable energy" },
  { name: "Consulting", slug: "consulting", industry: "Management consulting" },
  { name: "Systems Inc.", slug: "systems", industry: "Industrial automation" },
  { name: "Medizintechnik GmbH", slug: "medtech", industry: "Medizintechnik" },
  { name: "Foods", slug: "foods", industry: "Food and beverages" },
  { name: "Robotics", slug: "robotics", industry: "Robotics" },
  { name: "Bau GmbH & Co. KG", slug: "bau", industry: "Bauwesen" },
  { name: "Maritime", slug: "maritime", industry: "Shipping, maritime services" },
  { name: "Versicherung AG", slug: "versicherung", industry: "Versicherungen" },
  { name: "Labs", slug: "labs", industry: "Biotechnology" }
]
const TLDS = ["de", "de", "de", "io", "com", "com", "at", "ch", "co.uk", "nl", "dk", "eu"]
const COUNTRIES: Record<string, string> = {
  de: "Deutschland", io: "United Kingdom", com: "United States", at: "Österreich", ch: "Schweiz",
  "co.uk": "United Kingdom", nl: "Netherlands", dk: "Denmark", eu: "Deutschland"
}
const SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000"]

export interface BenchCompany {
  readonly name: string
  readonly domain: string
  readonly industry: string
  readonly country: string
  readonly size: string
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

const makeCompanies = (rng: Rng, count: number): ReadonlyArray<BenchCompany> => {
  const seen = new Set<string>()
  const out: Array<BenchCompany> = []
  while (out.length < count) {
    const brand = capitalise(Array.from({ length: 2 + rng.int(2) }, () => rng.pick(SYLLABLES)).join(""))
    const sector = rng.pick(SECTORS)
    const tld = rng.pick(TLDS)
    const domain = `${brand.toLowerCase()}${rng.chance(0.5) ? `-${sector.slug}` : ""}.${tld}`
    if (seen.has(domain)) continue
    seen.add(domain)
    out.push({ name: `${brand} ${sector.name}`, domain, industry: sector.industry, country: COUNTRIES[tld] ?? "", size: rng.pick(SIZES) })
  }
  return out
}

const FIRST = [
  "Anna", "Jonas", "Lena", "Lukas", "Marie", "Felix", "Sophie", "Paul", "Jürgen", "Sören", "Olivia", "James",
  "Emily", "Oliver", "Hannah", "Noah", "Charlotte", "Liam", "Grace", "Henrik", "Ingrid", "Björn", "Chloé", "Zoë"
]
const LAST = [
  "Berger", "Müller", "Schäfer", "Weber", "Krüger", "Hoffmann", "Petersen", "Grant", "Walsh", "Hughes", "Becker",
  "Lindqvist", "Jørgensen", "Novak", "Richter", "Groß", "Wagner", "Clarke", "Evans", "Dubois", "Fischer", "Köhler"
]
const FREE_MAIL = ["gmail.com", "web.de", "gmx.de", "outlook.com"]

/** "Jürgen Groß" → "juergen.gross": what a mail server would make of the name. */
const mailbox = (first: string, last: string) =>
  `${first}.${last}`.toLowerCase()
    .replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss").replace(/ø/g, "o")
    .normalize("NFKD").replace(/[^a-z.]/g, "")

interface Who {
  readonly name: string
  readonly email: string
}

const personAt = (rng: Rng, domain: string): Who => {
  const first = rng.pick(FIRST)
  const last = rng.pick(LAST)
  return { name: `${first} ${last}`, email: `${mailbox(first, last)}@${domain}` }
}

// ---------------------------------------------------------------------------------------------
// Text. Trigger words (examples/trigger_words.txt) appear only in the TRIGGERED_* templates.

/** `{c}` is the company's name, `{d}` its domain. Every one holds exactly one trigger word. */
const TRIGGERED_NAMED: Record<Lang, ReadonlyArray<string>> = {
  en: [
    "Discovery call with {c}", "Kickoff {c}: rollout plan", "Pitch to {c}", "Proposal walkthrough — {c}",
    "Client meeting {c}", "Due diligence session with {c}", "Sales meeting: {c}", "First meeting with {c}",
    "Customer meeting {c} (Q3 goals)"
  ],
  de: [
    "Erstgespräch {c}", "Kundentermin bei {c}", "Angebotspräsentation für {c}", "Jahresgespräch mit {c}",
    "Kundengespräch {c} – nächste Schritte", "Akquise-Termin {c}", "Kick-off mit {c}"
  ]
}
/** The company only in an attendee's address: the summary names nobody. */
const TRIGGERED_UNNAMED: Record<Lang, ReadonlyArray<string>> = {
  en: ["Discovery call", "Kickoff: rollout plan", "Pitch for the new regional lead", "Proposal walkthrough", "Client meeting"],
  de: ["Erstgespräch", "Kundentermin vor Ort", "Angebotspräsentation", "Kundengespräch Verlängerung", "Jahresgespräch"]
}
/** The trigger only in the description; the summary is an ordinary one. */
const TRIGGER_SENTENCE: Record<Lang, ReadonlyArray<string>> = {
  en: ["Please do the usual research before we meet.", "Meeting preparation: check their last orders and open tickets."],
  de: ["Bitte zur Vorbereitung die letzten Bestellungen ansehen.", "Vorher bitte kurze Recherche zu den Ansprechpartnern."]
}
const PLAIN_NAMED: Record<Lang, ReadonlyArray<string>> = {
  en: ["Call with {c}", "Lunch with {c}", "Partner update {c}", "{c} — delivery schedule", "Invoice questions {c}"],
  de: ["Telefonat {c}", "Mittagessen mit {c}", "Abstimmung Lieferung {c}", "Rückruf {c} wegen Rechnung", "Besuch bei {c}"]
}
const PLAIN: Record<Lang, ReadonlyArray<string>> = {
  en: [
    "Team sync", "Weekly planning", "Quarterly review", "Budget review Q3", "Hiring panel", "Product demo (internal)",
    "Marketing stand-up", "1:1", "Pipeline review", "All hands", "CRM training", "Board update", "Retro"
  ],
  de: [
    "Teammeeting Vertrieb", "Jour fixe Marketing", "Abstimmung Budget", "Quartalsplanung", "Schulung CRM",
    "Mitarbeitergespräch", "Monatsabschluss", "Messeplanung", "Wochenplanung", "Abteilungsrunde", "Retrospektive"
  ]
}
/** Filler of a description: none holds a trigger word or anything that reads like a domain. */
const SENTENCES: Record<Lang, ReadonlyArray<string>> = {
  en: [
    "We want to go through the current status and agree on the next steps.",
    "Agenda: introductions, current setup, open questions, timeline and budget.",
    "They asked for a short overview of our reporting module and the onboarding process.",
    "Last time we talked about pricing for the second year; the numbers are in the shared folder.",
    "Their team is evaluating two other vendors, so we should be clear about integration effort.",
    "Please bring the latest roadmap slides and the reference list for their industry.",
    "The contract renewal is due at the end of the quarter.",
    "Main contact is the head of operations; procurement joins for the last twenty minutes.",
    "We will keep it to forty-five minutes and send a summary afterwards.",
    "Questions from the last call: data export, single sign-on and hosting in the EU.",
    "If the room is taken we move to the small one on the second floor."
  ],
  de: [
    "Wir wollen den aktuellen Stand besprechen und die nächsten Schritte festlegen.",
    "Agenda: Vorstellung, aktuelle Situation, offene Fragen, Zeitplan und Budget.",
    "Der Kunde hat um einen kurzen Überblick über unser Berichtsmodul gebeten.",
    "Beim letzten Mal ging es um die Preise für das zweite Jahr; die Zahlen liegen im Teamordner.",
    "Das Team vergleicht noch zwei andere Anbieter, daher sollten wir den Integrationsaufwand klar benennen.",
    "Bitte die aktuellen Folien zur Produktplanung und die Referenzliste mitbringen.",
    "Die Vertragsverlängerung steht zum Quartalsende an.",
    "Ansprechpartner ist die Leitung Betrieb; der Einkauf kommt für die letzten zwanzig Minuten dazu.",
    "Wir planen fünfundvierzig Minuten und schicken danach eine Zusammenfassung.",
    "Offene Fragen vom letzten Telefonat: Datenexport, Single Sign-on und Hosting in der EU.",
    "Falls der Raum belegt ist, weichen wir in den kleinen Raum im zweiten Stock aus."
  ]
}
const COMPANY_LINE: Record<Lang, ReadonlyArray<string>> = {
  en: ["Background: https://www.{d}/about", "Their website: {d}", "Deck from their side: https://{d}/downloads/overview"],
  de: ["Hintergrund: https://www.{d}/unternehmen", "Webseite: {d}", "Unterlagen: https://{d}/presse"]
}
const DIAL_IN = [
  "Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_bench",
  "Zoom: https://zoom.us/j/93812345678",
  "Google Meet: https://meet.google.com/abc-defg-hij"
]
const LOCATIONS: Record<Lang, ReadonlyArray<string>> = {
  en: ["Video call", "Microsoft Teams", "Zoom", "London office, room Thames", "Customer site", ""],
  de: ["Videokonferenz", "Microsoft Teams", "Hamburg, Besprechungsraum Elbe", "München, Raum 2", "Beim Kunden vor Ort", ""]
}

const fill = (template: string, company: BenchCompany) => template.replaceAll("{c}", company.name).replaceAll("{d}", company.domain)

const description = (rng: Rng, lang: Lang, lines: ReadonlyArray<string>): string => {
  const filler: Array<string> = []
  // A few hundred characters: three to six sentences.
  for (let n = 3 + rng.int(4); filler.length < n;) {
    const s = rng.pick(SENTENCES[lang])
    if (!filler.includes(s)) filler.push(s)
  }
  const at = rng.int(filler.length + 1)
  return [...filler.slice(0, at), ...lines, ...filler.slice(at)].join("\n")
}

// ---------------------------------------------------------------------------------------------
// iCalendar output

const escapeText = (s: string) => s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n")

/** UTF-8 length of one code point. */
const octetsOf = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4)

/** RFC 5545 §3.1: lines longer than 75 octets folded, never inside a UTF-8 sequence. */
export const fold = (line: string): string => {
  if (Buffer.byteLength(line) <= 75) return line
  const parts: Array<string> = []
  let from = 0
  let octets = 0
  // The first line holds 75 octets; each continuation line starts with a space, so 74 more.
  let limit = 75
  for (let i = 0; i < line.length;) {
    const codePoint = line.codePointAt(i) ?? 0
    const size = octetsOf(codePoint)
    if (octets + size > limit) {
      parts.push(line.slice(from, i))
      from = i
      octets = 0
      limit = 74
    }
    octets += size
    i += codePoint > 0xffff ? 2 : 1
  }
  parts.push(line.slice(from))
  return parts.join("\r\n ")
}

const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")

const personLine = (property: "ORGANIZER" | "ATTENDEE", who: Who, extra = "") =>
  `${property};CN="${who.name}"${extra}:mailto:${who.email}`

// ---------------------------------------------------------------------------------------------

export interface GenerateOptions {
  /** Occurrences in the window: single events plus every occurrence of the series. */
  readonly events: number
  readonly seed?: number
  /** Midnight UTC of the first day meetings may be on; all of them lie in the `days` that follow. */
  readonly firstDay: Date
  readonly ownDomain?: string
  /** Share of occurrences with a trigger word. */
  readonly triggered?: number
}

export interface GeneratedCalendar {
  readonly ics: string
  /** For LOCAL_CRM_FILE: half of the companies, none with attachments. */
  readonly companiesCsv: string
  readonly occurrences: number
  readonly vevents: number
  readonly series: number
  /** Occurrences carrying a trigger word: these should end delivered or dossier_reused. */
  readonly triggered: number
  readonly companies: number
  /** CAL_LOOKAHEAD_DAYS that covers every occurrence, from the start of `firstDay`. */
  readonly days: number
  readonly ownDomain: string
}

const DAY = 86_400_000
/** Singles lie in the first DAYS; a series starts in the first SERIES_START_DAYS and recurs weekly (≤ 8). */
const DAYS = 90
const SERIES_START_DAYS = 30

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, "\"\"")}"` : s)

export const generateCalendar = (options: GenerateOptions): GeneratedCalendar => {
  const rng = prng(options.seed ?? 7)
  const ownDomain = options.ownDomain ?? "lead-insights.app"
  const share = options.triggered ?? 0.1
  // About twenty meetings per company: repeat meetings give dossier_reused, as in a real pipeline.
  const companies = makeCompanies(rng, Math.max(50, Math.ceil(options.events / 20)))
  const colleagues = Array.from({ length: 25 }, () => personAt(rng, ownDomain))
  const first = options.firstDay.getTime()
  const stamp = utc(first - DAY)

  const lines: Array<string> = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Lead Insights//Bench calendar//EN",
    "CALSCALE:GREGORIAN",
    `X-WR-CALNAME:Bench ${options.events}`
  ]
  let occurrences = 0
  let vevents = 0
  let series = 0
  let triggered = 0

  while (occurrences < options.events) {
    const left = options.events - occurrences
    const isSeries = left >= 4 && rng.chance(0.02)
    const count = isSeries ? Math.min(left, 4 + rng.int(5)) : 1
    const lang: Lang = rng.chance(0.5) ? "de" : "en"
    const company = rng.pick(companies)
    const trigger = rng.chance(share)
    const organizer = rng.pick(colleagues)
    const people: Array<Who> = []
    const extra: Array<string> = []
    let summary: string

    if (trigger) {
      const named = rng.chance(0.6)
      const inDescription = rng.chance(0.2)
      if (named) {
        // The domain in the text; the guest may still write from a free-mail address.
        summary = fill(rng.pick(inDescription ? PLAIN_NAMED[lang] : TRIGGERED_NAMED[lang]), company)
        extra.push(fill(rng.pick(COMPANY_LINE[lang]), company))
        people.push(rng.chance(0.5) ? personAt(rng, company.domain) : personAt(rng, rng.pick(FREE_MAIL)))
      } else {
        summary = inDescription ? rng.pick(PLAIN[lang]) : rng.pick(TRIGGERED_UNNAMED[lang])
        people.push(personAt(rng, company.domain))
      }
      if (inDescription) extra.push(rng.pick(TRIGGER_SENTENCE[lang]))
    } else {
      const external = rng.chance(0.4)
      summary = external ? fill(rng.pick(PLAIN_NAMED[lang]), company) : rng.pick(PLAIN[lang])
      if (external) people.push(personAt(rng, rng.chance(0.7) ? company.domain : rng.pick(FREE_MAIL)))
    }
    if (rng.chance(0.5)) extra.push(rng.pick(DIAL_IN))
    // 1–4 attendees: the organiser, the guests above, colleagues to fill up.
    const attendees = [organizer, ...people]
    for (let n = 1 + rng.int(4); attendees.length < n;) {
      const colleague = rng.pick(colleagues)
      if (!attendees.includes(colleague)) attendees.push(colleague)
    }

    const day = isSeries ? rng.int(SERIES_START_DAYS) : rng.int(DAYS)
    // Office hours, 07:00 to 16:30 UTC, on the half hour.
    const start = first + day * DAY + 7 * 3_600_000 + rng.int(20) * 30 * 60_000
    const minutes = rng.pick([30, 45, 60, 60, 90])
    const location = rng.pick(LOCATIONS[lang])
    const uid = `bench-${options.seed ?? 7}-${vevents}@${ownDomain}`
    lines.push(
      "BEGIN:VEVENT",
      `UID:${uid}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${utc(start)}`,
      `DTEND:${utc(start + minutes * 60_000)}`,
      ...(isSeries ? [`RRULE:FREQ=WEEKLY;COUNT=${count}`] : []),
      `SUMMARY:${escapeText(summary)}`,
      `DESCRIPTION:${escapeText(description(rng, lang, extra))}`,
      ...(location === "" ? [] : [`LOCATION:${escapeText(location)}`]),
      personLine("ORGANIZER", organizer),
      ...attendees.map((who, i) =>
        personLine("ATTENDEE", who, `;ROLE=REQ-PARTICIPANT;PARTSTAT=${i === 0 ? "ACCEPTED" : "NEEDS-ACTION"}`)
      ),
      "END:VEVENT"
    )
    occurrences += count
    vevents++
    if (isSeries) series++
    if (trigger) triggered += count
  }
  lines.push("END:VCALENDAR")

  const inCrm = companies.filter((_, i) => i % 2 === 0)
  const companiesCsv = [
    "name,domain,industry,size,country,notes,attachments",
    ...inCrm.map((c) =>
      [c.name, c.domain, c.industry, c.size, c.country, `Generated for the benchmark; ${c.industry.toLowerCase()}.`, ""]
        .map(csvField).join(",")
    )
  ].join("\n") + "\n"

  return {
    ics: lines.map(fold).join("\r\n") + "\r\n",
    companiesCsv,
    occurrences,
    vevents,
    series,
    triggered,
    companies: companies.length,
    days: DAYS + 1,
    ownDomain
  }
}
