/**
 * The website research port: reads a company's own website (homepage, Impressum, about, contact,
 * team, products) and returns traceable facts. Adapter: `Integrations/Website` (HTTP through the
 * company proxy, robots.txt, limits); a double only needs `research`.
 */
import { Context, Duration, type Effect } from "effect"
import packageJson from "../../package.json" with { type: "json" }
import type { WebsiteResult } from "../Domain/WebsiteFacts.js"

/** How much of a site is read, and how politely. */
export interface WebsiteOptions {
  /** Pages read per site, the homepage included. */
  readonly maxPages: number
  /** HTTP requests per site: robots.txt, redirects and pages. */
  readonly maxRequests: number
  /** Per request, headers and body. */
  readonly timeout: Duration.Duration
  /** A page larger than this is not read further (and not used). */
  readonly maxPageBytes: number
  /** Pause between two requests to the same site. */
  readonly delay: Duration.Duration
  readonly userAgent: string
  /** All the time one company's site may take. */
  readonly budget: Duration.Duration
}

/** Our product token in the User-Agent; robots.txt groups for it apply to us. */
export const ROBOTS_TOKEN = "LeadInsights"

export const defaultUserAgent =
  `${ROBOTS_TOKEN}/${packageJson.version} (+https://github.com/lead-insights/lead-insights)`

export const defaultWebsiteOptions: WebsiteOptions = {
  maxPages: 8,
  maxRequests: 25,
  timeout: Duration.seconds(10),
  maxPageBytes: 2 * 1024 * 1024,
  delay: Duration.millis(150),
  userAgent: defaultUserAgent,
  budget: Duration.seconds(60)
}

export class WebsiteResearch extends Context.Tag("Agents/WebsiteResearch")<WebsiteResearch, {
  /**
   * Researches `domain` ("brenner.de", "https://www.brenner.de/" …). Never fails: a site that is
   * down, too slow, too big or empty gives `insufficient_context` with the reason.
   */
  readonly research: (domain: string) => Effect.Effect<WebsiteResult>
}>() {}
