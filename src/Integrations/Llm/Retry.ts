/**
 * Retries of one LLM call: a 408/409/429/5xx answer or a connection that failed is tried again,
 * after the wait the server asks for (`retry-after-ms`, `Retry-After` in seconds or as a date)
 * or else an exponential backoff, at most `maxAttempts` times and never past the call's deadline:
 * a wait that would end after it is not started, the last answer stands.
 */
import type { HttpClient } from "@effect/platform"
import * as HttpClientModule from "@effect/platform/HttpClient"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import type { HttpClientResponse } from "@effect/platform/HttpClientResponse"
import { Clock, Effect, Either, Random } from "effect"

/** What the tries of one call saw, for its reason when it gives up. */
export interface Tries {
  attempts: number
  lastStatus: number | undefined
  lastRetryAfterMs: number | undefined
}

export const newTries = (): Tries => ({ attempts: 0, lastStatus: undefined, lastRetryAfterMs: undefined })

const TRANSIENT = new Set([408, 409, 429, 500, 502, 503, 504])

export const isTransientStatus = (status: number): boolean => TRANSIENT.has(status)

/** The wait a response asks for, in milliseconds: `retry-after-ms` (OpenAI), else `Retry-After`. */
export const retryAfterMillis = (headers: Readonly<Record<string, string>>, now: number): number | undefined => {
  const ms = headers["retry-after-ms"]?.trim()
  if (ms !== undefined && /^\d+(?:\.\d+)?$/.test(ms)) return Number(ms)
  const value = headers["retry-after"]?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const isTransportError = (error: HttpClientError) => error._tag === "RequestError" && error.reason === "Transport"

export interface RetryOptions {
  readonly maxAttempts: number
  /** Epoch milliseconds: no wait is started that would end after it. */
  readonly deadline: number
  readonly tries: Tries
  readonly baseDelayMs?: number
}

/** Exponential, ±20 % jitter, at most 8 s. */
const backoff = (attempt: number, baseMs: number) =>
  Effect.map(Random.nextRange(0.8, 1.2), (jitter) => Math.min(8_000, baseMs * 2 ** (attempt - 1)) * jitter)

export const withRetries = (options: RetryOptions) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClientModule.transformResponse(client, (send) => {
    const { tries } = options
    const attempt: Effect.Effect<HttpClientResponse, HttpClientError> = Effect.gen(function*() {
      tries.attempts += 1
      const result = yield* Effect.either(send)
      const now = yield* Clock.currentTimeMillis
      let asked: number | undefined
      if (Either.isRight(result)) {
        tries.lastStatus = result.right.status
        if (!isTransientStatus(result.right.status)) return result.right
        asked = retryAfterMillis(result.right.headers, now)
        tries.lastRetryAfterMs = asked
      } else if (!isTransportError(result.left)) {
        return yield* Effect.fail(result.left)
      }
      if (tries.attempts >= options.maxAttempts) return yield* result
      const wait = asked ?? (yield* backoff(tries.attempts, options.baseDelayMs ?? 250))
      if (now + wait >= options.deadline) return yield* result
      // The answer we drop: read it, so its connection is free again.
      if (Either.isRight(result)) yield* Effect.ignore(result.right.text)
      yield* Effect.sleep(wait)
      return yield* attempt
    })
    return attempt
  })
