/**
 * The website research adapter as a layer: `WebsiteResearchLive(options)` reads sites through the
 * company proxy (environment or `proxy`) with the given limits; options not given take the
 * defaults of `Agents/Website` (8 pages, 25 requests, 10 s per request, 2 MB per page, 60 s per site).
 */
import { HttpClient } from "@effect/platform"
import { Duration, Effect, Layer } from "effect"
import { defaultWebsiteOptions, type WebsiteOptions, WebsiteResearch } from "../../Agents/Website.js"
import { type NetworkOptions, proxiedClientLayer } from "./Http.js"
import { researchSite } from "./Site.js"

/** Options as given, sensible whatever they are: at least one page, one request, no negative pause. */
export const resolveOptions = (options: Partial<WebsiteOptions> = {}): WebsiteOptions => {
  const merged = { ...defaultWebsiteOptions, ...options }
  return {
    ...merged,
    maxPages: Math.max(1, Math.floor(merged.maxPages)),
    maxRequests: Math.max(1, Math.floor(merged.maxRequests)),
    maxPageBytes: Math.max(1024, Math.floor(merged.maxPageBytes)),
    delay: Duration.max(merged.delay, Duration.zero)
  }
}

/** The service over any HttpClient that does not follow redirects itself. */
export const make = (options: Partial<WebsiteOptions> = {}) =>
  Effect.map(HttpClient.HttpClient, (client) =>
    WebsiteResearch.of({ research: researchSite(HttpClient.withScope(client), resolveOptions(options)) }))

export const WebsiteResearchLive = (
  options: Partial<WebsiteOptions> & NetworkOptions = {}
): Layer.Layer<WebsiteResearch> => Layer.effect(WebsiteResearch, make(options)).pipe(Layer.provide(proxiedClientLayer(options)))
