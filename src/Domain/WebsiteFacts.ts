/**
 * What the website research found about a company: facts, each with the page it came from and
 * when that page was fetched, and an account of the crawl (pages, requests, bytes). A site that
 * could not be read gives `insufficient_context` and says why; it is never an error.
 */
import { Schema } from "effect"

/** Listed in the order a dossier shows them. */
export const WebsiteField = Schema.Literal(
  "legal_name",
  "description",
  "address",
  "register_number",
  "register_court",
  "vat_id",
  "managing_director",
  "founding_year",
  "product",
  "email",
  "phone",
  "social_link",
  "language"
)
export type WebsiteField = typeof WebsiteField.Type

/** The page a fact was read from and when it was fetched (ISO 8601). */
export class FactSource extends Schema.Class<FactSource>("FactSource")({
  url: Schema.String,
  retrieved_at: Schema.String
}) {}

export class WebsiteFact extends Schema.Class<WebsiteFact>("WebsiteFact")({
  field: WebsiteField,
  value: Schema.String,
  source: FactSource
}) {}

/**
 * How a page request ended: `ok` pages were read and used; the others were not taken as content
 * (`http_error` includes a proxy's or server's error page).
 */
export const PageOutcome = Schema.Literal("ok", "http_error", "not_html", "too_large", "timeout", "unreachable")
export type PageOutcome = typeof PageOutcome.Type

/** Why a page was chosen: the homepage, or what its link promised. */
export const PageKind = Schema.Literal("home", "imprint", "about", "contact", "team", "products", "services")
export type PageKind = typeof PageKind.Type

export class FetchedPage extends Schema.Class<FetchedPage>("FetchedPage")({
  /** Where the content came from, after redirects. */
  url: Schema.String,
  kind: PageKind,
  /** The HTTP status of the last response; 0 when none came (time-out, unreachable). */
  status: Schema.Int,
  outcome: PageOutcome,
  /** Body bytes read (a page over the limit: what was read before stopping). */
  bytes: Schema.Int,
  retrieved_at: Schema.String,
  /** The URL asked for, when redirects led elsewhere. */
  requested_url: Schema.optional(Schema.String)
}) {}

/** A link that would have been followed but was not: robots.txt, or a redirect off the site. */
export class SkippedLink extends Schema.Class<SkippedLink>("SkippedLink")({
  url: Schema.String,
  reason: Schema.String
}) {}

const crawl = {
  /** The bare domain asked for, normalised (`www.` and scheme dropped), also when the site redirects. */
  domain: Schema.String,
  /** Where the homepage was found, after redirects (`https://www.brenner.de/`). */
  homepage: Schema.optional(Schema.String),
  facts: Schema.Array(WebsiteFact),
  pages: Schema.Array(FetchedPage),
  skipped: Schema.Array(SkippedLink),
  /** HTTP requests made: robots.txt, redirects and pages. */
  requests: Schema.Int,
  /** Body bytes read over all requests. */
  bytes_read: Schema.Int,
  started_at: Schema.String,
  duration_ms: Schema.Int
}

export class WebsiteCompleted extends Schema.Class<WebsiteCompleted>("WebsiteCompleted")({
  status: Schema.Literal("completed"),
  ...crawl
}) {}

export class WebsiteInsufficient extends Schema.Class<WebsiteInsufficient>("WebsiteInsufficient")({
  status: Schema.Literal("insufficient_context"),
  /** One line: what stopped the research ("the homepage answered HTTP 502", "… timed out after 10 s"). */
  reason: Schema.String,
  ...crawl
}) {}

export const WebsiteResult = Schema.Union(WebsiteCompleted, WebsiteInsufficient)
export type WebsiteResult = typeof WebsiteResult.Type

/** The values of one field, best first. */
export const valuesOf = (result: WebsiteResult, field: WebsiteField): ReadonlyArray<string> =>
  result.facts.filter((fact) => fact.field === field).map((fact) => fact.value)
