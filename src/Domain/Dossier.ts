/**
 * The research result for one company, as written to `dossiers/<domain>/<timestamp>/dossier.json`:
 * the meeting (its time in the organiser's zone, the people and their roles), the facts read from
 * the company's website (each with the page it came from and when), what the CRM knows (kept apart
 * from anything inferred), similar companies, a summary (`inferred: true` only when a model wrote
 * it), how each section went, and the numbered sources the facts and the summary point at.
 *
 * Files written before this shape (no `version`) are still read: `DossierFile` decodes them into a
 * `Dossier` with what they hold (their prose summary, the meeting as it was recorded).
 */
import { ParseResult, Schema, Struct } from "effect"
import { CrmAttachment, CrmCompany, CrmNoteSummary } from "./Crm.js"
import { WebsiteFact } from "./WebsiteFacts.js"

export const SectionState = Schema.Literal("completed", "insufficient_context", "no_candidates", "failed")
export type SectionState = typeof SectionState.Type

/** How the research of one section went; `reason` says why it is not simply `completed`. */
export const SectionStatus = Schema.Struct({
  status: SectionState,
  reason: Schema.optional(Schema.String)
})
export type SectionStatus = typeof SectionStatus.Type

/**
 * The sections a dossier reports on: `website`, `crm`, `similar_companies`, `summary`, and `pdf`
 * when the PDF could not be rendered.
 */
export type SectionName = "website" | "crm" | "similar_companies" | "summary" | "pdf"

export class DossierSource extends Schema.Class<DossierSource>("DossierSource")({
  /** `[n]` beside a fact or in the summary points here. */
  number: Schema.Int,
  kind: Schema.Literal("crm", "event", "contacts", "website", "llm", "similar_companies", "human"),
  title: Schema.String,
  url: Schema.optional(Schema.String),
  retrieved_at: Schema.String
}) {}

export class DossierPerson extends Schema.Class<DossierPerson>("DossierPerson")({
  name: Schema.optional(Schema.String),
  email: Schema.optional(Schema.String),
  company: Schema.optional(Schema.String),
  role: Schema.Literal("organiser", "attendee"),
  /** Whose side the person is on: the company the meeting is with, ours (OWN_DOMAINS), or neither. */
  side: Schema.Literal("company", "ours", "other"),
  /** What the research found the person to be, with where: "Managing director (website [2])". */
  title: Schema.optional(Schema.String)
}) {}

export class DossierMeeting extends Schema.Class<DossierMeeting>("DossierMeeting")({
  event_id: Schema.String,
  title: Schema.String,
  /** As the calendar gave it: a UTC instant, or a date for an all-day meeting. */
  start: Schema.String,
  end: Schema.optional(Schema.String),
  all_day: Schema.Boolean,
  /** The zone `when` is written in (IANA name, or UTC). */
  time_zone: Schema.String,
  /** Where the zone came from: the event's own TZID, DISPLAY_TIMEZONE, or neither (UTC). */
  time_zone_source: Schema.Literal("event", "display_timezone", "utc"),
  /** "Thu 26 Nov 2026, 10:00–11:00 CET" */
  when: Schema.String,
  /** The start in that zone with its offset: "2026-11-26T10:00:00+01:00" (a date when all day). */
  start_local: Schema.String,
  location: Schema.optional(Schema.String),
  organiser: Schema.optional(DossierPerson),
  attendees: Schema.Array(DossierPerson)
}) {}

/** What the CRM knows about the company, as the CRM says it: never mixed with inferred text. */
export class CrmFacts extends Schema.Class<CrmFacts>("CrmFacts")({
  provider: Schema.String,
  record_id: Schema.String,
  ...Struct.pick(CrmCompany.fields, "name", "industry", "size", "country", "owner", "description", "notes"),
  /** The latest notes on the company in the CRM, newest first. */
  last_notes: Schema.Array(CrmNoteSummary),
  attachments: Schema.Array(CrmAttachment)
}) {}

export const SimilarityCriterion = Schema.Literal("industry", "size", "country", "description")
export type SimilarityCriterion = typeof SimilarityCriterion.Type

/** A company from the CRM like the one researched; `score` 0 (unrelated) … 1, `reason` names what matched. */
export class SimilarCompany extends Schema.Class<SimilarCompany>("SimilarCompany")({
  name: Schema.String,
  domain: Schema.String,
  score: Schema.Number.pipe(Schema.between(0, 1)),
  reason: Schema.String,
  matched: Schema.Array(SimilarityCriterion),
  crm_id: Schema.optional(Schema.String)
}) {}

/**
 * The dossier's summary: written by a model from the numbered facts (`inferred: true`, `model`),
 * or put together by rules from the same facts (`inferred: false`). `citations` are source numbers;
 * the text marks them as [n]. `note` says why the rules wrote it when a model was configured.
 */
export class DossierSummary extends Schema.Class<DossierSummary>("DossierSummary")({
  text: Schema.String,
  inferred: Schema.Boolean,
  citations: Schema.Array(Schema.Int),
  model: Schema.optional(Schema.String),
  note: Schema.optional(Schema.String)
}) {}

/** How the website was read: for whoever wonders why a fact is (not) there. */
export class WebsiteCrawl extends Schema.Class<WebsiteCrawl>("WebsiteCrawl")({
  homepage: Schema.optional(Schema.String),
  pages: Schema.Array(Schema.Struct({ url: Schema.String, kind: Schema.String, status: Schema.Int, outcome: Schema.String })),
  skipped: Schema.Array(Schema.Struct({ url: Schema.String, reason: Schema.String })),
  requests: Schema.Int,
  bytes_read: Schema.Int,
  duration_ms: Schema.Int
}) {}

export class Dossier extends Schema.Class<Dossier>("Dossier")({
  version: Schema.Literal(2).pipe(Schema.propertySignature, Schema.withConstructorDefault(() => 2 as const)),
  /** Identifies the research run that made it (the workflow execution), so a retried write finds its own dossier. */
  key: Schema.String,
  generated_at: Schema.String,
  company: Schema.Struct({ name: Schema.String, domain: Schema.String }),
  meeting: DossierMeeting,
  /** Read from the company's own website; each with the page it came from. */
  company_facts: Schema.Array(WebsiteFact),
  /** Absent when the CRM does not know the company (`sections.crm` says so). */
  crm: Schema.optional(CrmFacts),
  similar_companies: Schema.Array(SimilarCompany),
  summary: DossierSummary,
  sections: Schema.Record({ key: Schema.String, value: SectionStatus }),
  /** Fields a person supplied by e-mail (`contact`, `notes` …). */
  human_notes: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({})
  }),
  website: Schema.optional(WebsiteCrawl),
  /** What the reader should know about how the dossier came about ("LLM unavailable: …"). */
  notes: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  sources: Schema.Array(DossierSource)
}) {}

// ---------------------------------------------------------------------------------------------
// Dossiers written before `version` 2

const LegacySource = Schema.Struct({
  kind: DossierSource.fields.kind,
  title: Schema.String,
  url: Schema.optional(Schema.String),
  retrieved_at: Schema.String
})

const LegacyDossierFields = Schema.Struct({
  key: Schema.String,
  generated_at: Schema.String,
  company: Schema.Struct({ name: Schema.String, domain: Schema.String }),
  meeting: Schema.Struct({
    event_id: Schema.String,
    summary: Schema.String,
    start: Schema.String,
    location: Schema.optional(Schema.String),
    organizer: Schema.optional(Schema.String),
    attendees: Schema.Array(Schema.String)
  }),
  summary: Schema.String,
  sections: Schema.Array(Schema.Struct({ title: Schema.String, lines: Schema.Array(Schema.String) })),
  sources: Schema.Array(LegacySource)
})

/** "Lars Petersen <l.petersen@nordwind.de>, Nordwind GmbH" → its parts (how the first version wrote people). */
export const parseLegacyPerson = (text: string, role: DossierPerson["role"]): DossierPerson => {
  const match = /^(?:(.*?)\s*<([^<>]+)>|([^\s,<>]+@[^\s,<>]+))(?:,\s*(.+))?$/.exec(text.trim())
  if (match === null) return new DossierPerson({ name: text.trim(), role, side: "other" })
  const name = match[1]?.trim()
  const email = match[2] ?? match[3]
  const company = match[4]?.trim()
  return new DossierPerson({
    ...(name ? { name } : {}),
    ...(email ? { email } : {}),
    ...(company ? { company } : {}),
    role,
    side: "other"
  })
}

const legacyWhen = (start: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(start) ? `${start} (all day)` : `${start.slice(0, 10)} ${start.slice(11, 16)} UTC`

/** A first-version dossier as a Dossier: its meeting and prose summary kept, no website facts. */
export const LegacyDossier = Schema.transformOrFail(LegacyDossierFields, Schema.typeSchema(Dossier), {
  strict: true,
  decode: (old) =>
    ParseResult.succeed(
      new Dossier({
        key: old.key,
        generated_at: old.generated_at,
        company: old.company,
        meeting: new DossierMeeting({
          event_id: old.meeting.event_id,
          title: old.meeting.summary,
          start: old.meeting.start,
          all_day: /^\d{4}-\d{2}-\d{2}$/.test(old.meeting.start),
          time_zone: "UTC",
          time_zone_source: "utc",
          when: legacyWhen(old.meeting.start),
          start_local: old.meeting.start,
          ...(old.meeting.location === undefined ? {} : { location: old.meeting.location }),
          ...(old.meeting.organizer === undefined
            ? {}
            : { organiser: parseLegacyPerson(old.meeting.organizer, "organiser") }),
          attendees: old.meeting.attendees.map((a) => parseLegacyPerson(a, "attendee"))
        }),
        company_facts: [],
        similar_companies: [],
        summary: new DossierSummary({ text: old.summary, inferred: false, citations: [] }),
        sections: {
          website: { status: "insufficient_context", reason: "not researched by the version that wrote this dossier" }
        },
        notes: ["written by an earlier version of Lead Insights, before website research"],
        sources: old.sources.map((source, i) => new DossierSource({ ...source, number: i + 1 }))
      })
    ),
  encode: (dossier, _, ast) =>
    ParseResult.fail(new ParseResult.Forbidden(ast, dossier, "dossiers are written in the current format only"))
})

/** What a `dossier.json` may hold: the current format, or the first one (read as the current one). */
export const DossierFile = Schema.Union(Dossier, LegacyDossier)

/** A dossier as stored: where it is and how old. */
export class StoredDossier extends Schema.Class<StoredDossier>("StoredDossier")({
  json_path: Schema.String,
  pdf_path: Schema.optional(Schema.String),
  created_at: Schema.String,
  dossier: Dossier
}) {}
