/**
 * The HTTP client that is built at its first request: nothing is built for a run that makes none,
 * requests made at once share one build, a request cut short while the client is built leaves it
 * built for the next, and what was built is closed with the layer.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { describe, expect } from "vitest"
import { lazyHttpClient, loadProxyAgent } from "../../src/Integrations/LazyHttpClient.js"

/** A client answering 204 to everything; counts builds and closes, and can be held while it is built. */
const counting = (gate?: Deferred.Deferred<void>) => {
  const counts = { built: 0, closed: 0, requests: 0 }
  const load = Effect.sync(() =>
    Layer.scoped(
      HttpClient.HttpClient,
      Effect.gen(function*() {
        if (gate !== undefined) yield* Deferred.await(gate)
        counts.built++
        yield* Effect.addFinalizer(() => Effect.sync(() => counts.closed++))
        return HttpClient.make((request) =>
          Effect.sync(() => {
            counts.requests++
            return HttpClientResponse.fromWeb(request, new Response(null, { status: 204 }))
          })
        )
      })
    )
  )
  return { counts, layer: lazyHttpClient(load) }
}

const get = HttpClient.HttpClient.pipe(
  Effect.flatMap((client) => client.execute(HttpClientRequest.get("http://example.invalid/"))),
  Effect.map((response) => response.status)
)

describe("lazyHttpClient", () => {
  it.effect("builds nothing without a request, and one client for requests made at once", () =>
    Effect.gen(function*() {
      const { counts, layer } = counting()
      yield* Effect.scoped(Layer.build(layer))
      expect(counts.built).toBe(0)
      const statuses = yield* Effect.all(Array.from({ length: 10 }, () => get), { concurrency: "unbounded" }).pipe(
        Effect.provide(layer)
      )
      expect(statuses).toEqual(Array.from({ length: 10 }, () => 204))
      expect(counts).toEqual({ built: 1, closed: 1, requests: 10 })
    }))

  it.effect("a request cut short while the client is built leaves it built for the next", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const { counts, layer } = counting(gate)
      yield* Effect.gen(function*() {
        const first = yield* Effect.fork(get)
        yield* Effect.yieldNow()
        const interrupted = yield* Effect.fork(Fiber.interrupt(first))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(interrupted)
        expect(yield* get).toBe(204)
        expect(counts).toEqual({ built: 1, closed: 0, requests: 1 })
      }).pipe(Effect.provide(layer))
      expect(counts.closed).toBe(1)
    }))

  it.effect("loads undici's proxy agent", () =>
    Effect.gen(function*() {
      const Agent = yield* loadProxyAgent
      const agent = new Agent()
      yield* Effect.promise(() => agent.close())
    }))
})
