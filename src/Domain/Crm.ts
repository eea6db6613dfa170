import { Schema } from "effect"

export class CrmAttachment extends Schema.Class<CrmAttachment>("CrmAttachment")({
  name: Schema.String,
  url: Schema.optional(Schema.String)
}) {}

/** What the CRM knows about a company. */
export class CrmCompany extends Schema.Class<CrmCompany>("CrmCompany")({
  id: Schema.String,
  name: Schema.String,
  domain: Schema.String,
  industry: Schema.optional(Schema.String),
  size: Schema.optional(Schema.String),
  country: Schema.optional(Schema.String),
  notes: Schema.optional(Schema.String),
  attachments: Schema.Array(CrmAttachment)
}) {}

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

export class CrmDelivery extends Schema.Class<CrmDelivery>("CrmDelivery")({
  provider: Schema.String,
  company_id: Schema.String,
  note_id: Schema.String,
  /** False when the note with this key was already there (a retried delivery). */
  created: Schema.Boolean
}) {}
