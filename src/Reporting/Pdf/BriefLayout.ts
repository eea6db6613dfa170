/**
 * What a brief looks like on paper: company header, meeting box, people, key facts with [n]
 * source marks, CRM, similar companies, the inferred summary, other section statuses, sources;
 * a footer with the page number on every page. Section statuses stand where their section is.
 */
import type {
  Brief,
  BriefKeyFact,
  BriefPerson,
  BriefSimilarCompany,
  BriefSource,
  SectionState,
  SectionStatus
} from "../../Domain/Brief.js"
import { block, type Block, type Cell, CONTENT_WIDTH, MARGIN, A4, type PageWriter, type Style } from "./Layout.js"
import { block as paragraphs, inline } from "./Text.js"

/**
 * How much of a brief is printed: a list longer than its cap ends in "… and N more", a field
 * longer than its cap ends in "…". The field caps keep every table row and the meeting box
 * shorter than a page, so a row never has to be split.
 */
export const BriefPdfLimits = {
  attendees: 40,
  keyFacts: 250,
  crmFacts: 60,
  similarCompanies: 25,
  sources: 250,
  citations: 40,
  /** Characters of a name, label, domain, e-mail address, role or date. */
  name: 150,
  /** Characters of the meeting's title and place, a source's title and URL. */
  title: 300,
  /** Characters of a similar company's reason and of a section status's reason. */
  reason: 600,
  /** Characters of a key fact's or CRM fact's value. */
  value: 1_500,
  summary: 12_000
} as const

const INK = "#1f2937"
const MUTED = "#6b7280"
const ACCENT = "#1d4ed8"
const HAIRLINE = "#e5e7eb"
const BOX = "#f3f4f6"
const WARN = "#92400e"
const WARN_FILL = "#fef3c7"
const FAIL = "#b91c1c"

const s = (face: Style["face"], size: number, color = INK, extra: Partial<Style> = {}): Style => ({
  face,
  size,
  color,
  ...extra
})

const T = {
  kicker: s("bold", 8, MUTED, { characterSpacing: 1.2 }),
  company: s("bold", 20, INK, { lineGap: 0 }),
  domain: s("regular", 11, ACCENT),
  heading: s("bold", 12.5, INK),
  badge: s("bold", 7, WARN, { characterSpacing: 0.8 }),
  meetingTitle: s("bold", 12.5, INK),
  label: s("regular", 8.5, MUTED),
  body: s("regular", 9.5, INK, { lineGap: 1.5 }),
  bodyBold: s("bold", 9.5, INK, { lineGap: 1.5 }),
  small: s("regular", 8, MUTED),
  email: s("regular", 8.5, MUTED, { lineGap: 1.5 }),
  summary: s("regular", 10, INK, { lineGap: 2.5 }),
  note: s("regular", 9, MUTED),
  footer: s("regular", 7.5, MUTED)
} as const

// == text

const one = (w: PageWriter, text: string | undefined, max: number = BriefPdfLimits.name) =>
  text === undefined ? "" : inline(text, w.covers, max)

const joined = (parts: ReadonlyArray<string>, separator = " · ") => parts.filter((p) => p !== "").join(separator)

const isoMinute = (value: string): string | undefined => {
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`
}

const isoDay = (value: string): string | undefined => {
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10)
}

const webLink = (url: string): string | undefined => (/^https?:\/\/[^\s]+$/i.test(url) ? url : undefined)

const moreLine = (w: PageWriter, shown: number, total: number, what: string) => {
  if (total <= shown) return
  w.gap(3)
  w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.note, `… and ${total - shown} more ${what}`)] }])
}

// == section statuses

const SECTION_LABEL: Record<string, string> = {
  meeting: "Meeting",
  people: "People",
  attendees: "People",
  website: "Website",
  key_facts: "Key facts",
  crm: "CRM",
  similar_companies: "Similar companies",
  summary: "Summary",
  sources: "Sources"
}

/** Where a named status is shown; a name not listed goes to "Other research". */
const PLACE: Record<string, Place> = {
  meeting: "meeting",
  people: "people",
  attendees: "people",
  website: "key_facts",
  key_facts: "key_facts",
  crm: "crm",
  similar_companies: "similar_companies",
  summary: "summary",
  sources: "sources"
}
type Place = "meeting" | "people" | "key_facts" | "crm" | "similar_companies" | "summary" | "sources" | "other"

const STATE_TEXT: Record<SectionState, string> = {
  completed: "completed",
  insufficient_context: "not enough context",
  no_candidates: "no candidates found",
  failed: "failed"
}

const sectionKey = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, "_")

const humanName = (name: string) => {
  const words = name.trim().replace(/[_-]+/g, " ")
  return words.charAt(0).toUpperCase() + words.slice(1)
}

interface PlacedStatus {
  readonly label: string
  readonly status: SectionStatus
}

const placeStatuses = (w: PageWriter, brief: Brief): Map<Place, Array<PlacedStatus>> => {
  const placed = new Map<Place, Array<PlacedStatus>>()
  for (const [name, status] of Object.entries(brief.sections)) {
    const key = sectionKey(name)
    const place = PLACE[key] ?? "other"
    const label = one(w, SECTION_LABEL[key] ?? humanName(name), 80) || "Section"
    placed.set(place, [...(placed.get(place) ?? []), { label, status }])
  }
  return placed
}

/** Lines for the statuses of a section; a completed section without a reason says nothing. */
const statusLines = (w: PageWriter, statuses: ReadonlyArray<PlacedStatus>, all = false) => {
  for (const { label, status } of statuses) {
    if (status.status === "completed" && status.reason === undefined && !all) continue
    const reason = one(w, status.reason, BriefPdfLimits.reason)
    const text = `${label}: ${STATE_TEXT[status.status] ?? "unknown"}${reason === "" ? "" : ` — ${reason}`}`
    const color = status.status === "failed" ? FAIL : status.status === "completed" ? MUTED : WARN
    w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block({ ...T.body, color }, text)] }], 1.5)
  }
}

// == building blocks

const heading = (w: PageWriter, title: string, firstRowHeight: number, badge?: string) => {
  const gapAbove = 13
  const h = w.blockHeight(block(T.heading, title), CONTENT_WIDTH)
  w.ensure(gapAbove + h + 4 + Math.min(firstRowHeight, KEEP_TOGETHER + 20))
  if (w.y > MARGIN.top) w.gap(gapAbove)
  const top = w.y
  w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.heading, title)] }])
  if (badge !== undefined) {
    const x = w.left + w.widthOf(title, T.heading) + 8
    const bw = w.widthOf(badge, T.badge) + 10
    w.fillRect(x, top + 2.5, bw, 11, WARN_FILL, 2)
    w.label(badge, x + 5, top + 4.5, bw, T.badge)
  }
  w.gap(2)
  w.rule(HAIRLINE, 0.75)
  w.gap(4)
}

const emptyNote = (w: PageWriter, text: string) =>
  w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.note, text)] }], 1.5)

/** A table row with a hairline under it. */
const tableRow = (w: PageWriter, cells: ReadonlyArray<Cell>) => {
  w.row(cells, 3)
  w.rule(HAIRLINE, 0.5)
}

/** Kept with its heading on one page: a short table whole, a long one's first two rows. */
const KEEP_TOGETHER = 240

const leadHeight = (w: PageWriter, rows: ReadonlyArray<ReadonlyArray<Cell>>) => {
  if (rows.length === 0) return 20
  const heights = rows.map((cells) => Math.max(...cells.map((c) => w.cellHeight(c))) + 7)
  const whole = heights.reduce((sum, h) => sum + h, 0)
  return whole <= KEEP_TOGETHER ? whole : (heights[0] ?? 0) + (heights[1] ?? 0)
}

/** Rows under a heading; a page they continue on starts with "<title> (continued)". */
const continued = (w: PageWriter, title: string, header: () => void, draw: () => void) => {
  const again = () => {
    w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.note, `${title} (continued)`)] }])
    w.gap(3)
    header()
  }
  header()
  w.repeating(again, draw)
}

// == sections

const header = (w: PageWriter, brief: Brief) => {
  const generated = isoMinute(brief.generated_at) ?? one(w, brief.generated_at, 40)
  w.label("MEETING BRIEF", w.left, w.y, CONTENT_WIDTH / 2, T.kicker)
  if (generated !== "") w.label(`Prepared ${generated}`, w.left + CONTENT_WIDTH / 2, w.y, CONTENT_WIDTH / 2, T.small, "right")
  w.gap(16)
  const name = one(w, brief.company.name) || "Unnamed company"
  w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.company, name)] }])
  const domain = one(w, brief.company.domain)
  if (domain !== "") {
    w.gap(2)
    w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.domain, domain)] }])
  }
  w.gap(8)
  w.rule(INK, 1.25)
  w.gap(12)
}

const personLine = (w: PageWriter, p: BriefPerson) => {
  const name = one(w, p.name) || one(w, p.email) || "Unnamed"
  const detail = joined([one(w, p.role), one(w, p.company), one(w, p.email) === name ? "" : one(w, p.email)])
  return { name, detail }
}

const meetingBox = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const m = brief.meeting
  const pad = 10
  const labelWidth = 64
  const x = w.left + pad + 4
  const width = CONTENT_WIDTH - 2 * pad - 4
  const field = (label: string, value: Block | undefined): ReadonlyArray<readonly [string, Block]> =>
    value === undefined ? [] : [[label, value]]
  const where = one(w, m.where, BriefPdfLimits.title)
  const organiser = m.organiser === undefined ? undefined : personLine(w, m.organiser)
  const rows = [
    ...field("When", block(T.body, one(w, m.when) || "not known")),
    ...field("Where", where === "" ? undefined : block(T.body, where)),
    ...field(
      "Organiser",
      organiser && block(T.body, organiser.name, { text: organiser.detail === "" ? "" : `  ${organiser.detail}`, color: MUTED })
    ),
    ...field("Attendees", block(T.body, m.attendees.length === 0 ? "none listed" : `${m.attendees.length}`))
  ]
  const title = block(T.meetingTitle, one(w, m.title, BriefPdfLimits.title) || "Untitled meeting")
  const cells = rows.map(([label, value]): ReadonlyArray<Cell> => [
    { x, width: labelWidth, blocks: [block(T.label, label)] },
    { x: x + labelWidth, width: width - labelWidth, blocks: [value] }
  ])
  const rowHeights = cells.map((r) => Math.max(...r.map((c) => w.cellHeight(c))) + 3)
  const titleHeight = w.blockHeight(title, width)
  const height = pad + titleHeight + 6 + rowHeights.reduce((a, b) => a + b, 0) + pad - 3
  w.ensure(height)
  const top = w.y
  const boxHeight = Math.min(height, w.bottom - top) // the field caps keep it shorter than a page
  w.fillRect(w.left, top, CONTENT_WIDTH, boxHeight, BOX, 4)
  w.fillRect(w.left, top, 3.5, boxHeight, ACCENT)
  w.y = top + pad
  w.row([{ x, width, blocks: [title] }])
  w.gap(6)
  cells.forEach((r) => w.row(r, 1.5))
  w.y = top + boxHeight
  if (statuses.length > 0) {
    w.gap(6)
    statusLines(w, statuses)
  }
}

const people = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const all = brief.meeting.attendees
  const shown = all.slice(0, BriefPdfLimits.attendees)
  const rows = shown.map((p): ReadonlyArray<Cell> => {
    const name = one(w, p.name)
    return [
      { x: w.left, width: 140, blocks: [name === "" ? block(T.note, "—") : block(T.bodyBold, name)] },
      { x: w.left + 148, width: 170, blocks: [block(T.body, joined([one(w, p.role), one(w, p.company)], ", "))] },
      { x: w.left + 326, width: CONTENT_WIDTH - 326, blocks: [block(T.email, one(w, p.email))] }
    ]
  })
  heading(w, `People${all.length > 0 ? ` (${all.length})` : ""}`, leadHeight(w, rows))
  statusLines(w, statuses)
  if (all.length === 0 && statuses.length === 0) emptyNote(w, "No attendees listed.")
  continued(w, "People", () => {}, () => rows.forEach((r) => tableRow(w, r)))
  moreLine(w, shown.length, all.length, "attendees")
}

const sourceMark = (fact: BriefKeyFact) => (fact.source === undefined ? "" : ` [${fact.source}]`)

const keyFacts = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const all = brief.key_facts
  const shown = all.slice(0, BriefPdfLimits.keyFacts)
  const rows = shown.map((f): ReadonlyArray<Cell> => [
    { x: w.left, width: 140, blocks: [block({ ...T.bodyBold, color: "#374151" }, one(w, f.label))] },
    {
      x: w.left + 150,
      width: CONTENT_WIDTH - 150,
      blocks: [block(T.body, one(w, f.value, BriefPdfLimits.value), { text: sourceMark(f), color: ACCENT })]
    }
  ])
  heading(w, "Key facts", leadHeight(w, rows))
  statusLines(w, statuses)
  if (all.length === 0 && statuses.length === 0) emptyNote(w, "No key facts found.")
  continued(w, "Key facts", () => {}, () => rows.forEach((r) => tableRow(w, r)))
  moreLine(w, shown.length, all.length, "facts")
}

const crm = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const all = brief.crm_facts
  const shown = all.slice(0, BriefPdfLimits.crmFacts)
  const rows = shown.map((f): ReadonlyArray<Cell> => [
    { x: w.left, width: 140, blocks: [block({ ...T.bodyBold, color: "#374151" }, one(w, f.label))] },
    { x: w.left + 150, width: CONTENT_WIDTH - 150, blocks: [block(T.body, one(w, f.value, BriefPdfLimits.value))] }
  ])
  heading(w, "CRM", leadHeight(w, rows))
  statusLines(w, statuses)
  if (all.length === 0 && statuses.length === 0) emptyNote(w, "Nothing in the CRM.")
  continued(w, "CRM", () => {}, () => rows.forEach((r) => tableRow(w, r)))
  moreLine(w, shown.length, all.length, "CRM facts")
}

const scoreText = (score: number) => (Number.isFinite(score) ? Math.min(1, Math.max(0, score)).toFixed(2) : "–")

const similarCompanies = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const all = brief.similar_companies
  const shown = all.slice(0, BriefPdfLimits.similarCompanies)
  const cols = { name: 0, domain: 138, score: 258, reason: 312 } as const
  const cells = (name: Block, domain: Block, score: Block, reason: Block): ReadonlyArray<Cell> => [
    { x: w.left + cols.name, width: cols.domain - 8, blocks: [name] },
    { x: w.left + cols.domain, width: cols.score - cols.domain - 8, blocks: [domain] },
    { x: w.left + cols.score, width: cols.reason - cols.score - 8, blocks: [score] },
    { x: w.left + cols.reason, width: CONTENT_WIDTH - cols.reason, blocks: [reason] }
  ]
  const rows = shown.map((c: BriefSimilarCompany) =>
    cells(
      block(T.bodyBold, one(w, c.name) || "Unnamed"),
      block({ ...T.body, color: ACCENT }, one(w, c.domain)),
      block(T.body, scoreText(c.score)),
      block(T.body, one(w, c.reason, BriefPdfLimits.reason))
    )
  )
  const headerRow = () => {
    const head = cells(block(T.label, "Company"), block(T.label, "Domain"), block(T.label, "Score"), block(T.label, "Why similar"))
    const h = Math.max(...head.map((c) => w.cellHeight(c))) + 6
    w.fillRect(w.left, w.y, CONTENT_WIDTH, h, BOX)
    head.forEach((c) => w.drawCell(c, w.y + 3))
    w.y += h
  }
  heading(w, "Similar companies", leadHeight(w, rows) + 16)
  statusLines(w, statuses)
  if (all.length === 0) {
    if (statuses.length === 0) emptyNote(w, "No similar companies found.")
    return
  }
  continued(w, "Similar companies", headerRow, () => rows.forEach((r) => tableRow(w, r)))
  moreLine(w, shown.length, all.length, "companies")
}

const summary = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const text = brief.summary === undefined ? "" : paragraphs(brief.summary.text, w.covers, BriefPdfLimits.summary)
  const inferred = brief.summary?.inferred !== false
  heading(w, "Summary", 40, text === "" || !inferred ? undefined : "INFERRED")
  statusLines(w, statuses)
  if (brief.summary === undefined || text === "") {
    if (statuses.length === 0) emptyNote(w, "No summary.")
    return
  }
  for (const para of text.split(/\n\n/)) {
    w.paragraph(block(T.summary, para))
    w.gap(4)
  }
  const citations = [...new Set(brief.summary.citations)]
  const cited = citations.slice(0, BriefPdfLimits.citations).map((n) => `[${n}]`).join(" ")
  const more = citations.length > BriefPdfLimits.citations ? ` … and ${citations.length - BriefPdfLimits.citations} more` : ""
  const how = one(w, brief.summary.note, BriefPdfLimits.reason)
  const note = !inferred
    ? `Put together from the facts above by rules, nothing inferred${citations.length === 0 ? "" : `; it cites ${cited}${more}`}.` +
      (how === "" ? "" : ` ${how}.`)
    : citations.length === 0
    ? "Inferred from the research; it cites no source."
    : `Inferred from the research, not quoted; it cites ${cited}${more}.`
  w.row([{ x: w.left, width: CONTENT_WIDTH, blocks: [block(T.note, note)] }], 1)
}

const otherStatuses = (w: PageWriter, statuses: ReadonlyArray<PlacedStatus>) => {
  if (statuses.length === 0) return
  heading(w, "Other research", 20)
  statusLines(w, statuses, true)
}

const sources = (w: PageWriter, brief: Brief, statuses: ReadonlyArray<PlacedStatus>) => {
  const all = [...brief.sources].sort((a, b) => a.number - b.number)
  const shown = all.slice(0, BriefPdfLimits.sources)
  const rows = shown.map((src: BriefSource): ReadonlyArray<Cell> => {
    const url = one(w, src.url, BriefPdfLimits.title)
    const link = webLink(url)
    const retrieved = isoDay(src.retrieved_at) ?? one(w, src.retrieved_at, 40)
    return [
      { x: w.left, width: 30, blocks: [block({ ...T.body, color: MUTED }, `[${src.number}]`)] },
      {
        x: w.left + 32,
        width: CONTENT_WIDTH - 32,
        blocks: [
          block(T.body, one(w, src.title, BriefPdfLimits.title) || "Untitled source"),
          block(
            T.small,
            ...(url === "" ? [] : [link === undefined ? { text: url } : { text: url, color: ACCENT, link }]),
            retrieved === "" ? "" : `${url === "" ? "" : "  ·  "}retrieved ${retrieved}`
          )
        ]
      }
    ]
  })
  heading(w, "Sources", leadHeight(w, rows))
  statusLines(w, statuses)
  if (all.length === 0 && statuses.length === 0) emptyNote(w, "No sources.")
  continued(w, "Sources", () => {}, () => rows.forEach((r) => w.row(r, 2.5)))
  moreLine(w, shown.length, all.length, "sources")
}

const footer = (w: PageWriter, brief: Brief) => {
  const left = joined([one(w, brief.company.name), "meeting brief"], " — ")
  const y = A4.height - MARGIN.bottom + 22
  w.footers((page, pages) => {
    w.rule(HAIRLINE, 0.5, y - 6)
    w.label(left, w.left, y, CONTENT_WIDTH - 90, T.footer)
    w.label(`Page ${page} of ${pages}`, w.right - 90, y, 90, T.footer, "right")
  })
}

/** Draws the whole brief; the document must have its fonts and first page. */
export const drawBrief = (w: PageWriter, brief: Brief): void => {
  const placed = placeStatuses(w, brief)
  const at = (place: Place) => placed.get(place) ?? []
  header(w, brief)
  meetingBox(w, brief, at("meeting"))
  people(w, brief, at("people"))
  keyFacts(w, brief, at("key_facts"))
  crm(w, brief, at("crm"))
  similarCompanies(w, brief, at("similar_companies"))
  summary(w, brief, at("summary"))
  otherStatuses(w, at("other"))
  sources(w, brief, at("sources"))
  footer(w, brief)
}
