/**
 * HubSpot's HTTP API as we call it: the private app's token as a Bearer header (never logged),
 * every request through the client-side limiter (HUBSPOT_RATE_LIMIT per 10 s, searches also
 * HUBSPOT_SEARCH_RATE_LIMIT per second), answers decoded with their Schema.
 *
 * Retries: a 429 waits for Retry-After (every request waits, not just this one) and goes again:
 * HubSpot did not carry it out. A 5xx, a time-out or a broken connection is retried with backoff
 * only for requests that may be repeated (reads, searches); for a create it is `ambiguous` — it
 * may have happened — and the caller decides (Delivery.ts looks for what it may have created
 * before trying again). 401/403 end at once with one line naming HUBSPOT_ACCESS_TOKEN (and the
 * missing scope when HubSpot says which).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Data, Duration, Effect, Either, Option, Random, Redacted, Schema } from "effect"
import type { HubSpotConfig } from "./HubSpotConfig.js"
import { makeLimiter } from "./Limiter.js"
import { ErrorBody, missingScopes } from "./Wire.js"

export type FailureKind =
  | "auth"
  | "scope"
  | "not_found"
  | "rate_limited"
  | "server"
  | "unreachable"
  | "timeout"
  | "rejected"
  | "bad_answer"

export class HubSpotError extends Data.TaggedError("HubSpotError")<{
  readonly kind: FailureKind
  readonly what: string
  readonly status?: number | undefined
  readonly detail: string
  /** The request may have been carried out all the same (a create that failed with 5xx or timed out). */
  readonly ambiguous: boolean
}> {
  override get message(): string {
    switch (this.kind) {
      case "auth":
        return `HubSpot refused HUBSPOT_ACCESS_TOKEN (${this.status ?? 401}): the token is invalid, expired or revoked`
      case "scope":
        return `HUBSPOT_ACCESS_TOKEN ${this.detail} (${this.status ?? 403} on ${this.what})`
      case "not_found":
        return `HubSpot: ${this.what} not found`
      default:
        return `HubSpot ${this.what}: ${this.detail}`
    }
  }
}

/** A request, apart from what its answer decodes to. */
export interface Send {
  readonly method: "GET" | "POST" | "PATCH"
  readonly path: string
  /** For messages and spans: "company search", "note create" … */
  readonly what: string
  readonly query?: Readonly<Record<string, string>>
  readonly json?: unknown
  readonly form?: FormData
  /** A CRM search: also counted against the search limit. */
  readonly search?: boolean
  /** May be sent again after a failure that may have been carried out (reads, searches). */
  readonly repeatable: boolean
}

export interface Call<A, I> extends Send {
  readonly schema: Schema.Schema<A, I>
}

const header = (headers: Readonly<Record<string, string>>, name: string): number | undefined => {
  const raw = headers[name]?.trim()
  return raw !== undefined && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined
}

/** Retry-After in milliseconds: seconds, or an HTTP date. */
const retryAfterMs = (headers: Readonly<Record<string, string>>, now: number): number | undefined => {
  const raw = headers["retry-after"]?.trim()
  if (raw === undefined || raw === "") return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The innermost message of an error's causes ("connect ECONNREFUSED 127.0.0.1:9", not "fetch failed"). */
const rootCause = (cause: unknown): string | undefined => {
  let message: string | undefined
  for (let e = cause, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) message = e.message
  return message
}

/** Exponential from 500 ms, ±20 % jitter, at most 8 s. */
const backoff = (attempt: number) =>
  Effect.map(Random.nextRange(0.8, 1.2), (jitter) => Math.min(8_000, 500 * 2 ** (attempt - 1)) * jitter)

const decodeError = Schema.decodeUnknownOption(Schema.parseJson(ErrorBody))

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

export const makeClient = (config: HubSpotConfig) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const windowMs = Duration.toMillis(config.rateWindow)
    const limiter = yield* makeLimiter(config.requestsPer10s, windowMs)
    const searchLimiter = yield* makeLimiter(config.searchesPerSecond, 1_000)
    let sent = 0

    const send = (call: Send): Effect.Effect<Answer, HubSpotError> => {
      let request = HttpClientRequest.make(call.method)(`${config.baseUrl}${call.path}`).pipe(
        HttpClientRequest.bearerToken(Redacted.value(config.token)),
        HttpClientRequest.acceptJson
      )
      if (call.query) request = HttpClientRequest.setUrlParams(request, call.query)
      if (call.json !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, call.json)
      if (call.form !== undefined) request = HttpClientRequest.bodyFormData(request, call.form)
      return http.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.text, (text): Answer => ({ status: response.status, headers: response.headers, text }))
        ),
        Effect.mapError((error) =>
          new HubSpotError({
            kind: "unreachable",
            what: call.what,
            detail: `cannot reach ${config.baseUrl} (${error.description ?? rootCause(error.cause) ?? error.reason})`,
            ambiguous: !call.repeatable
          })
        ),
        Effect.timeoutFail({
          duration: config.timeout,
          onTimeout: () =>
            new HubSpotError({
              kind: "timeout",
              what: call.what,
              detail: `no answer within ${Duration.format(config.timeout)}`,
              ambiguous: !call.repeatable
            })
        })
      )
    }

    const refused = (call: Send, answer: Answer): HubSpotError => {
      const body = Option.getOrUndefined(decodeError(answer.text))
      const message = body?.message ?? `HTTP ${answer.status}`
      const fail = (kind: FailureKind, detail: string) =>
        new HubSpotError({ kind, what: call.what, status: answer.status, detail, ambiguous: false })
      if (answer.status === 401) return fail("auth", message)
      if (answer.status === 403) {
        const scopes = body === undefined ? [] : missingScopes(body)
        return scopes.length > 0
          ? fail("scope", `lacks the scope ${scopes.join(" or ")}`)
          : fail("scope", `may not do this: ${message}`)
      }
      if (answer.status === 404) return fail("not_found", message)
      return fail("rejected", `refused (${answer.status}): ${message}`)
    }

    const observe = (headers: Readonly<Record<string, string>>) => {
      const max = header(headers, "x-hubspot-ratelimit-max")
      const remaining = header(headers, "x-hubspot-ratelimit-remaining")
      const intervalMs = header(headers, "x-hubspot-ratelimit-interval-milliseconds") ?? windowMs
      return max === undefined || remaining === undefined ? Effect.void : limiter.observe({ max, remaining, intervalMs })
    }

    const request = <A, I>(call: Call<A, I>): Effect.Effect<A, HubSpotError> =>
      Effect.gen(function*() {
        const decode = Schema.decodeUnknown(Schema.parseJson(call.schema))
        for (let attempt = 1;; attempt++) {
          const searchPlace = call.search ? yield* searchLimiter.take : undefined
          const place = yield* limiter.take
          sent++
          const result = yield* Effect.either(send(call)).pipe(
            Effect.ensuring(Effect.zipRight(place.done, searchPlace?.done ?? Effect.void))
          )
          const last = attempt >= config.maxAttempts
          if (Either.isLeft(result)) {
            if (result.left.ambiguous || last) return yield* result.left
            yield* Effect.sleep(yield* backoff(attempt))
            continue
          }
          const answer = result.right
          yield* observe(answer.headers)
          if (answer.status >= 200 && answer.status < 300) {
            return yield* decode(answer.status === 204 || answer.text === "" ? "{}" : answer.text).pipe(
              Effect.mapError((error) =>
                new HubSpotError({ kind: "bad_answer", what: call.what, status: answer.status, detail: `unexpected answer: ${error.message.split("\n")[0]}`, ambiguous: false })
              )
            )
          }
          if (answer.status === 429) {
            const now = yield* Clock.currentTimeMillis
            // The search limit is per second: without Retry-After, a second; else HubSpot's 10 s window.
            const wait = retryAfterMs(answer.headers, now) ?? (call.search ? 1_000 : windowMs)
            yield* (call.search ? searchLimiter : limiter).pauseUntil(now + wait)
            if (last) {
              return yield* new HubSpotError({
                kind: "rate_limited",
                what: call.what,
                status: 429,
                detail: `rate limited (429 after ${attempt} tries)`,
                ambiguous: false
              })
            }
            yield* Effect.logDebug(`HubSpot ${call.what}: 429, waiting ${Math.round(wait)} ms`)
            continue
          }
          if (answer.status >= 500) {
            const failed = new HubSpotError({
              kind: "server",
              what: call.what,
              status: answer.status,
              detail: `HubSpot failed (${answer.status} after ${attempt} ${attempt === 1 ? "try" : "tries"})`,
              ambiguous: !call.repeatable
            })
            if (failed.ambiguous || last) return yield* failed
            yield* Effect.sleep(yield* backoff(attempt))
            continue
          }
          return yield* refused(call, answer)
        }
      }).pipe(Effect.withSpan(`HubSpot.${call.what.replace(/\s+/g, "_")}`, { attributes: { method: call.method, path: call.path } }))

    return {
      request,
      /** Requests sent so far (retries included), for the bench and the logs. */
      sent: Effect.sync(() => sent)
    } as const
  })

export type HubSpotClient = Effect.Effect.Success<ReturnType<typeof makeClient>>

/** HubSpot's API calls go through the proxy when one is set. */
export { ProxyAwareHttpClient as HubSpotHttpClient } from "../ProxyHttpClient.js"
