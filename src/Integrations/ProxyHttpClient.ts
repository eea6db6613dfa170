/**
 * The HTTP client the API adapters (LLM, Google, HubSpot) share: fetch through HTTP_PROXY /
 * HTTPS_PROXY / NO_PROXY (and their lower-case forms) when they are set, directly otherwise;
 * Node's own fetch ignores them. The proxy agent is made at the first request (undici is loaded
 * then) and closed with the client's scope.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Layer } from "effect"
import { lazyHttpClient, loadProxyAgent } from "./LazyHttpClient.js"

export const ProxyAwareHttpClient: Layer.Layer<HttpClient.HttpClient> = lazyHttpClient(
  loadProxyAgent.pipe(Effect.map((EnvHttpProxyAgent) =>
    FetchHttpClient.layer.pipe(
      Layer.provide(Layer.scoped(
        FetchHttpClient.RequestInit,
        Effect.acquireRelease(
          Effect.sync(() => new EnvHttpProxyAgent()),
          (agent) => Effect.promise(() => agent.close())
        ).pipe(
          // `dispatcher` is not in the DOM RequestInit type.
          Effect.map((agent) => ({ dispatcher: agent }) as unknown as RequestInit)
        )
      ))
    )
  ))
)
