/**
 * An HttpClient built at its first request. The clients we use stand on undici (the Node client's
 * undici layer, undici's proxy agent), a megabyte of code that costs ~15 MB of memory as soon as it
 * is loaded; a run that reads its calendar from a file and researches no website never needs it.
 * What is built lives as long as this layer; a request cut short while it is built leaves it built.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Context, Effect, Layer } from "effect"
import type { EnvHttpProxyAgent } from "undici"

type Undici = typeof import("undici")

/**
 * undici's EnvHttpProxyAgent, loaded now. In the bundle a CommonJS package imported on demand has
 * one export, its default: the module itself.
 */
export const loadProxyAgent = Effect.promise(async () => {
  const undici: Undici = await import("undici")
  return undici.EnvHttpProxyAgent ?? (undici.default as unknown as Undici).EnvHttpProxyAgent
})

export const lazyHttpClient = (load: Effect.Effect<Layer.Layer<HttpClient.HttpClient>>): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const lock = yield* Effect.makeSemaphore(1)
      let built: HttpClient.HttpClient | undefined
      const build = load.pipe(
        Effect.flatMap((layer) => Layer.buildWithScope(layer, scope)),
        Effect.map((context) => (built = Context.get(context, HttpClient.HttpClient))),
        Effect.uninterruptible
      )
      const ready = Effect.suspend(() => (built !== undefined ? Effect.succeed(built) : build))
      // Looked at again under the lock: a request that waited for it finds the client built.
      const client = Effect.suspend(() => (built !== undefined ? Effect.succeed(built) : lock.withPermits(1)(ready)))
      return HttpClient.makeWith<never, never, HttpClientError, never>(
        (request) => Effect.flatMap(Effect.zip(request, client), ([r, c]) => c.execute(r)),
        Effect.succeed
      )
    })
  )

/**
 * A fetch-based client through undici's EnvHttpProxyAgent, both made at the first request; the
 * agent lives as long as the layer. `init` says what each request is given besides the agent.
 */
export const proxyAgentClient = (options: {
  readonly make: (Agent: typeof EnvHttpProxyAgent) => EnvHttpProxyAgent
  readonly init: (agent: EnvHttpProxyAgent) => RequestInit
  readonly close: (agent: EnvHttpProxyAgent) => Effect.Effect<void>
}): Layer.Layer<HttpClient.HttpClient> =>
  lazyHttpClient(loadProxyAgent.pipe(Effect.map((Agent) =>
    FetchHttpClient.layer.pipe(Layer.provide(Layer.scoped(
      FetchHttpClient.RequestInit,
      Effect.acquireRelease(Effect.sync(() => options.make(Agent)), options.close).pipe(Effect.map(options.init))
    )))
  )))
