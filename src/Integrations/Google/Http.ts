/**
 * Calls to Google's REST APIs, as Google asks clients to make them: a bearer token from
 * GoogleAuth (a 401 drops it and the call is made once more with a new one); 429, 5xx and the
 * rate-limit 403s (`rateLimitExceeded`, `userRateLimitExceeded`) tried again after an exponential
 * backoff with jitter, or after the Retry-After the answer asks for; every answer decoded with
 * its Schema. Requests go through HTTP(S)_PROXY when set.
 */
import type { HttpClient } from "@effect/platform"
import * as HttpClientModule from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as UrlParams from "@effect/platform/UrlParams"
import { Clock, Data, Duration, Effect, Either, Random, type Redacted, Schema } from "effect"
import { retryAfterMillis } from "../Llm/Retry.js"
import { GoogleAuth, type GoogleAuthError } from "./Auth.js"
import type { GoogleConfig } from "./GoogleConfig.js"

/** Google answered with an error, or could not be reached. `status` is absent when no answer came. */
export class GoogleApiError extends Data.TaggedError("GoogleApiError")<{
  readonly status: number | undefined
  /** Google's reason (`notFound`, `fullSyncRequired`, `SERVICE_DISABLED` …) when its body says one. */
  readonly reason: string | undefined
  readonly detail: string
}> {
  override get message() {
    return this.detail
  }
}

/** Google's error body: Calendar v3 puts the reason in `errors`, the newer APIs in `details`. */
const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.optional(Schema.String),
    status: Schema.optional(Schema.String),
    errors: Schema.optional(Schema.Array(Schema.Struct({ reason: Schema.optional(Schema.String) }))),
    details: Schema.optional(Schema.Array(Schema.Struct({ reason: Schema.optional(Schema.String) })))
  })
})

const errorOf = (status: number, text: string) => {
  const body = Either.getOrUndefined(
    Schema.decodeUnknownEither(Schema.parseJson(ErrorBody))(text)
  )?.error
  const reason = body?.errors?.find((e) => e.reason !== undefined)?.reason ??
    body?.details?.find((d) => d.reason !== undefined)?.reason ?? body?.status
  const said = body?.message?.split("\n")[0]?.slice(0, 300)
  return new GoogleApiError({ status, reason, detail: `HTTP ${status}${said === undefined ? "" : `: ${said}`}` })
}

const RATE_LIMITS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"])

/** What Google says to try again later (https://developers.google.com/calendar/api/guides/errors). */
export const isTransient = (error: GoogleApiError): boolean =>
  error.status === undefined || error.status === 429 || error.status >= 500 ||
  (error.status === 403 && error.reason !== undefined && RATE_LIMITS.has(error.reason))

export interface GoogleApi {
  /** GET `url` with `params`, decoded with `schema`, with a token for `scopes`. */
  readonly get: <A, I>(
    url: string,
    params: UrlParams.Input,
    schema: Schema.Schema<A, I>,
    scopes: ReadonlyArray<string>
  ) => Effect.Effect<A, GoogleApiError | GoogleAuthError>
}

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

export const makeApi = (config: GoogleConfig) =>
  Effect.gen(function*() {
    const auth = yield* GoogleAuth
    const http = yield* HttpClientModule.HttpClient
    const baseMs = Duration.toMillis(config.retryBase)

    const send = (url: string, params: UrlParams.Input, token: Redacted.Redacted<string>) =>
      http.execute(HttpClientRequest.get(url).pipe(
        HttpClientRequest.setUrlParams(params),
        HttpClientRequest.acceptJson,
        HttpClientRequest.bearerToken(token)
      )).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text): Answer => ({ status: response.status, headers: response.headers, text }))),
        Effect.scoped,
        Effect.mapError((e) => new GoogleApiError({ status: undefined, reason: undefined, detail: `cannot reach Google (${e.reason})` }))
      )

    // Google's advice: 2^n seconds plus up to a second at random, at most 32 s.
    const backoff = (attempt: number) =>
      Effect.map(Random.nextIntBetween(0, baseMs + 1), (jitter) => Math.min(32 * baseMs, baseMs * 2 ** (attempt - 1)) + jitter)

    const get = <A, I>(url: string, params: UrlParams.Input, schema: Schema.Schema<A, I>, scopes: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(config.timeout)
        const decode = Schema.decodeUnknown(Schema.parseJson(schema))
        let attempts = 0
        let signedInAgain = false
        for (;;) {
          const token = yield* auth.token(scopes)
          attempts += 1
          const answer = yield* Effect.either(send(url, params, token))
          let failure: GoogleApiError
          let asked: number | undefined
          if (Either.isLeft(answer)) failure = answer.left
          else if (answer.right.status === 200) {
            return yield* decode(answer.right.text).pipe(
              Effect.mapError(() =>
                new GoogleApiError({ status: 200, reason: undefined, detail: "Google's answer is not what its API describes" })
              )
            )
          } else {
            failure = errorOf(answer.right.status, answer.right.text)
            if (failure.status === 401 && !signedInAgain) {
              // The token looked valid to us but not to Google (revoked, clock skew): a new one, once.
              yield* auth.invalidate(scopes, token)
              signedInAgain = true
              attempts -= 1
              continue
            }
            asked = retryAfterMillis(answer.right.headers, yield* Clock.currentTimeMillis)
          }
          if (!isTransient(failure) || attempts >= config.maxAttempts) return yield* failure
          const wait = asked ?? (yield* backoff(attempts))
          if ((yield* Clock.currentTimeMillis) + wait >= deadline) return yield* failure
          yield* Effect.annotateCurrentSpan({ retries: attempts })
          yield* Effect.sleep(wait)
        }
      }).pipe(
        Effect.timeoutFail({
          duration: config.timeout,
          onTimeout: () =>
            new GoogleApiError({ status: undefined, reason: undefined, detail: `no answer from Google within ${Duration.format(config.timeout)}` })
        }),
        Effect.withSpan("GoogleApi.get", { attributes: { path: new URL(url).pathname } })
      )

    return { get } satisfies GoogleApi
  })

/** Google's API calls go through the proxy when one is set. */
export { ProxyAwareHttpClient as GoogleHttpClient } from "../ProxyHttpClient.js"
