import { Schema, Struct } from "effect"

export class CrmAttachment extends Schema.Class<CrmAttachment>("CrmAttachment")({
  name: Schema.String,
  url: Schema.optional(Schema.String)
}) {}

/** A note filed under a company in the CRM: what the dossier shows as its latest notes. */
export class CrmNoteSummary extends Schema.Class<CrmNoteSummary>("CrmNoteSummary")({
  title: Schema.String,
  created_at: Schema.String
}) {}

/** What the CRM knows about a company. */
export class CrmCompany extends Schema.Class<CrmCompany>("CrmCompany")({
  id: Schema.String,
  name: Schema.String,
  domain: Schema.String,
  industry: Schema.optional(Schema.String),
  size: Schema.optional(Schema.String),
  country: Schema.optional(Schema.String),
  /** Who looks after the company (account owner). */
  owner: Schema.optional(Schema.String),
  /** Where the company stands with us ("Lead", "Customer" …), when the CRM keeps it (HubSpot does). */
  lifecycle_stage: Schema.optional(Schema.String),
  /** What the company does, as the CRM records it. */
  description: Schema.optional(Schema.String),
  notes: Schema.optional(Schema.String),
  attachments: Schema.Array(CrmAttachment),
  /** The latest notes filed under the company, newest first (a few at most). */
  last_notes: Schema.optional(Schema.Array(CrmNoteSummary))
}) {}

/** A company as the CRM lists it, for comparing companies with each other. */
export class CrmCompanyProfile extends Schema.Class<CrmCompanyProfile>("CrmCompanyProfile")(
  Struct.pick(CrmCompany.fields, "id", "name", "domain", "industry", "size", "country", "description")
) {}

/** A dossier delivered to the CRM, as a note on the company. */
export class CrmNote extends Schema.Class<CrmNote>("CrmNote")({
  /** Idempotency key: delivering the same key twice leaves one note. */
  key: Schema.String,
  domain: Schema.String,
  companyName: Schema.String,
  title: Schema.String,
  body: Schema.String,
  dossierJsonPath: Schema.String,
  dossierPdfPath: Schema.optional(Schema.String)
}) {}

/** What is known of a company to find similar ones in the CRM. */
export interface SimilarTarget {
  readonly industry?: string | undefined
  readonly size?: string | undefined
  readonly country?: string | undefined
}

export class CrmDelivery extends Schema.Class<CrmDelivery>("CrmDelivery")({
  provider: Schema.String,
  company_id: Schema.String,
  note_id: Schema.String,
  /** The dossier's PDF as the CRM stores it (HubSpot's file id), when it was attached. */
  file_id: Schema.optional(Schema.String),
  /** False when the note with this key was already there (a retried delivery). */
  created: Schema.Boolean
}) {}
