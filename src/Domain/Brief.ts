/**
 * The meeting brief: what the dossier PDF shows, as plain data (structs, so an object literal is a
 * brief; `Schema.decodeUnknown(Brief)` checks one from elsewhere). It is a view model, built from
 * a dossier by whoever renders it; the renderer (`Reporting/DossierPdf.ts`) knows nothing else.
 * Every string is shown as given (cleaned of control characters); nothing here is formatted later,
 * so `meeting.when` arrives already written for the reader ("Thu 26 Nov 2026, 10:00–11:00 CET").
 */
import { Schema } from "effect"

/** A source's reference number: `[n]` beside a fact, `n` in the sources list. */
export const SourceNumber = Schema.Int.pipe(Schema.positive())

export const BriefPerson = Schema.Struct({
  name: Schema.String,
  email: Schema.optional(Schema.String),
  role: Schema.optional(Schema.String),
  company: Schema.optional(Schema.String)
}).annotations({ identifier: "BriefPerson" })
export type BriefPerson = typeof BriefPerson.Type

export const BriefMeeting = Schema.Struct({
  title: Schema.String,
  /** Preformatted for the reader, in the reader's time zone. */
  when: Schema.String,
  where: Schema.optional(Schema.String),
  organiser: Schema.optional(BriefPerson),
  attendees: Schema.Array(BriefPerson)
}).annotations({ identifier: "BriefMeeting" })
export type BriefMeeting = typeof BriefMeeting.Type

/** A fact found in research, with the number of the source that says so. */
export const BriefKeyFact = Schema.Struct({
  label: Schema.String,
  value: Schema.String,
  source: Schema.optional(SourceNumber)
}).annotations({ identifier: "BriefKeyFact" })
export type BriefKeyFact = typeof BriefKeyFact.Type

/** What the CRM already knows. */
export const BriefCrmFact = Schema.Struct({
  label: Schema.String,
  value: Schema.String}).annotations({ identifier: "BriefCrmFact" })
export type BriefCrmFact = typeof BriefCrmFact.Type

export const BriefSimilarCompany = Schema.Struct({
  name: Schema.String,
  domain: Schema.optional(Schema.String),
  /** 0 (unrelated) … 1 (the same kind of company). */
  score: Schema.Number.pipe(Schema.between(0, 1)),
  reason: Schema.optional(Schema.String)
}).annotations({ identifier: "BriefSimilarCompany" })
export type BriefSimilarCompany = typeof BriefSimilarCompany.Type

/**
 * The summary. Text a model wrote from the sources (`inferred` true or absent): the PDF marks it
 * "inferred" and lists what it cites. `inferred: false`: put together from the facts by rules.
 * `note` says why a model did not write it when one was configured.
 */
export const BriefSummary = Schema.Struct({
  text: Schema.String,
  citations: Schema.Array(SourceNumber),
  inferred: Schema.optional(Schema.Boolean),
  note: Schema.optional(Schema.String)
}).annotations({ identifier: "BriefSummary" })
export type BriefSummary = typeof BriefSummary.Type

export const BriefSource = Schema.Struct({
  number: SourceNumber,
  title: Schema.String,
  url: Schema.optional(Schema.String),
  retrieved_at: Schema.String}).annotations({ identifier: "BriefSource" })
export type BriefSource = typeof BriefSource.Type

export const SectionState = Schema.Literal("completed", "insufficient_context", "no_candidates", "failed")
export type SectionState = typeof SectionState.Type

export const SectionStatus = Schema.Struct({
  status: SectionState,
  /** Why, for the reader: "site unreachable". */
  reason: Schema.optional(Schema.String)
}).annotations({ identifier: "SectionStatus" })
export type SectionStatus = typeof SectionStatus.Type

/**
 * Section names the PDF places: a status is shown where its section is. `website` and `key_facts`
 * go with the key facts, `people` with the attendees; any other name is listed before the sources.
 */
export const BriefSectionName = Schema.Literal(
  "meeting",
  "people",
  "website",
  "key_facts",
  "crm",
  "similar_companies",
  "summary",
  "sources"
)
export type BriefSectionName = typeof BriefSectionName.Type

export const Brief = Schema.Struct({
  /** ISO 8601; the PDF's creation date, so the same brief renders to the same bytes. */
  generated_at: Schema.String,
  company: Schema.Struct({ name: Schema.String, domain: Schema.String }),
  meeting: BriefMeeting,
  key_facts: Schema.Array(BriefKeyFact),
  crm_facts: Schema.Array(BriefCrmFact),
  similar_companies: Schema.Array(BriefSimilarCompany),
  summary: Schema.optional(BriefSummary),
  /** Section name → how its research went. A section without an entry is shown as it is. */
  sections: Schema.Record({ key: Schema.String, value: SectionStatus }),
  sources: Schema.Array(BriefSource)
}).annotations({ identifier: "Brief" })
export type Brief = typeof Brief.Type
