/** The research result for one company, as written to `dossiers/<domain>/<timestamp>/dossier.json`. */
import { Schema } from "effect"

export class DossierSource extends Schema.Class<DossierSource>("DossierSource")({
  kind: Schema.Literal("crm", "event", "contacts", "website", "llm", "similar_companies", "human"),
  title: Schema.String,
  url: Schema.optional(Schema.String),
  retrieved_at: Schema.String
}) {}

export class DossierSection extends Schema.Class<DossierSection>("DossierSection")({
  title: Schema.String,
  /** Plain text paragraphs / bullet lines. */
  lines: Schema.Array(Schema.String)
}) {}

export class Dossier extends Schema.Class<Dossier>("Dossier")({
  /** Identifies the research run that made it (the workflow execution), so a retried write finds its own dossier. */
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
  sections: Schema.Array(DossierSection),
  sources: Schema.Array(DossierSource)
}) {}

/** A dossier as stored: where it is and how old. */
export class StoredDossier extends Schema.Class<StoredDossier>("StoredDossier")({
  json_path: Schema.String,
  pdf_path: Schema.optional(Schema.String),
  created_at: Schema.String,
  dossier: Dossier
}) {}
