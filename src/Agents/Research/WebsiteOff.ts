/**
 * Website research that reads nothing: for RESEARCH_WEBSITE=false and for apps that bring no
 * website adapter. Every site gives `insufficient_context` with the reason, at once.
 */
import { Clock, Effect, Layer } from "effect"
import { normalizeDomain } from "../../Domain/WebDomain.js"
import { WebsiteInsufficient } from "../../Domain/WebsiteFacts.js"
import { WebsiteResearch } from "../Website.js"

export const websiteOff = (reason: string): WebsiteResearch["Type"] =>
  WebsiteResearch.of({
    research: (domain) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        new WebsiteInsufficient({
          status: "insufficient_context",
          reason,
          domain: normalizeDomain(domain),
          facts: [],
          pages: [],
          skipped: [],
          requests: 0,
          bytes_read: 0,
          started_at: new Date(now).toISOString(),
          duration_ms: 0
        }))
  })

export const WebsiteResearchOff = (reason = "website research is off"): Layer.Layer<WebsiteResearch> =>
  Layer.succeed(WebsiteResearch, websiteOff(reason))
