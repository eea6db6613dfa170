/**
 * The HTTP client the API adapters (LLM, Google, HubSpot) share: fetch through HTTP_PROXY /
 * HTTPS_PROXY / NO_PROXY (and their lower-case forms) when they are set, directly otherwise;
 * Node's own fetch ignores them. The proxy agent is made at the first request (undici is loaded
 * then) and closed with the client's scope.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { Effect, type Layer } from "effect"
import { proxyAgentClient } from "./LazyHttpClient.js"

export const ProxyAwareHttpClient: Layer.Layer<HttpClient.HttpClient> = proxyAgentClient({
  make: (Agent) => new Agent(),
  // `dispatcher` is not in the DOM RequestInit type.
  init: (agent) => ({ dispatcher: agent }) as unknown as RequestInit,
  close: (agent) => Effect.promise(() => agent.close())
})
