import { Schema } from "effect"

/** The company a meeting is with: its name and its normalised web domain. */
export class Company extends Schema.Class<Company>("Company")({
  name: Schema.String,
  domain: Schema.String
}) {}

/** Where a piece of extracted information was found. */
export const ExtractionSource = Schema.Literal(
  "summary",
  "description",
  "location",
  "url",
  "attendee_email",
  "organizer_email",
  "contact"
)
export type ExtractionSource = typeof ExtractionSource.Type

/**
 * The result of reading an event for its company.
 * `invalidDomains` are domains that were found but cannot be a company's (example.com, localhost …).
 */
export interface Extraction {
  readonly companyName: string | undefined
  readonly domain: string | undefined
  readonly domainSource: ExtractionSource | undefined
  readonly invalidDomains: ReadonlyArray<{ readonly domain: string; readonly reason: string }>
}
