/**
 * Access tokens for Google's APIs: from an OAuth refresh token, or from a service account's key
 * (a JWT signed here with node:crypto, so the token request goes to GOOGLE_OAUTH_TOKEN_URL like
 * every other — Google's own library posts it to its fixed URL). A token is kept until a minute
 * before it expires; a 401 drops it (`invalidate`), so the next call signs in again even when the
 * token looked valid. No secret reaches a log or an error.
 */
import { FileSystem } from "@effect/platform"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Context, Data, Duration, Effect, Layer, Option, Redacted, Schedule, Schema } from "effect"
import { createPrivateKey, type KeyObject, sign } from "node:crypto"
import { GOOGLE_TOKEN_URL, type GoogleConfig, type GoogleCredentials } from "./GoogleConfig.js"

/** Sign-in failed: the reason says what Google said (never a secret). */
export class GoogleAuthError extends Data.TaggedError("GoogleAuthError")<{ readonly reason: string }> {
  override get message() {
    return `Google sign-in failed: ${this.reason}`
  }
}

/** The key file cannot be used: the start fails with this line. */
export class GoogleSetupError extends Data.TaggedError("GoogleSetupError")<{ readonly message: string }> {}

export class GoogleAuth extends Context.Tag("Integrations/GoogleAuth")<GoogleAuth, {
  /** How it signs in, for `doctor` (no secrets). */
  readonly description: string
  /** A valid access token for these scopes. */
  readonly token: (scopes: ReadonlyArray<string>) => Effect.Effect<Redacted.Redacted<string>, GoogleAuthError>
  /** Google refused this token (401): it is not used again. */
  readonly invalidate: (scopes: ReadonlyArray<string>, token: Redacted.Redacted<string>) => Effect.Effect<void>
}>() {}

const ServiceAccountKey = Schema.Struct({
  client_email: Schema.String,
  private_key: Schema.Redacted(Schema.String),
  private_key_id: Schema.optional(Schema.String),
  token_uri: Schema.optional(Schema.String)
})

const TokenAnswer = Schema.Struct({
  access_token: Schema.Redacted(Schema.String),
  expires_in: Schema.optionalWith(Schema.Number, { default: () => 3600 })
})

const TokenRefusal = Schema.Struct({
  error: Schema.String,
  error_description: Schema.optional(Schema.String)
})

/** Tokens are renewed this long before Google says they expire. */
const EARLY = 60_000

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url")

/** An RS256 JWT as Google's service-account flow wants it (https://developers.google.com/identity/protocols/oauth2/service-account). */
export const signAssertion = (claims: Record<string, unknown>, key: KeyObject, keyId: string | undefined): string => {
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT", ...(keyId === undefined ? {} : { kid: keyId }) }))
  const body = `${header}.${base64url(JSON.stringify(claims))}`
  return `${body}.${base64url(sign("RSA-SHA256", Buffer.from(body), key))}`
}

interface ServiceAccount {
  readonly email: string
  readonly key: KeyObject
  readonly keyId: string | undefined
  /** The JWT's audience: Google's token URL, also when the request goes through another. */
  readonly audience: string
}

const readServiceAccount = (fs: FileSystem.FileSystem, file: string) =>
  Effect.gen(function*() {
    const setup = (why: string) => new GoogleSetupError({ message: `GOOGLE_SERVICE_ACCOUNT_FILE: ${why}` })
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((e) => setup(`cannot read ${file}: ${e._tag === "SystemError" && e.reason === "NotFound" ? "no such file" : e.message}`))
    )
    const parsed = yield* Schema.decodeUnknown(Schema.parseJson(ServiceAccountKey))(text).pipe(
      Effect.mapError(() => setup(`${file} is not a service account key (JSON with client_email and private_key)`))
    )
    const key = yield* Effect.try({
      try: () => createPrivateKey(Redacted.value(parsed.private_key)),
      catch: () => setup(`the private_key in ${file} cannot be read`)
    })
    return {
      email: parsed.client_email,
      key,
      keyId: parsed.private_key_id,
      audience: parsed.token_uri ?? GOOGLE_TOKEN_URL
    } satisfies ServiceAccount
  })

const refusal = (status: number, body: unknown): string =>
  Option.match(Schema.decodeUnknownOption(TokenRefusal)(body), {
    onNone: () => `the token endpoint answered ${status}`,
    onSome: (r) => `${r.error}${r.error_description === undefined ? "" : ` (${r.error_description})`}`
  })

// The token endpoint is retried briefly on 5xx and failed connections; a refusal (4xx) is final.
const tokenRetry = Schedule.exponential("200 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(2)))

class Transient extends Data.TaggedError("Transient")<{ readonly reason: string }> {}

export const make = (config: GoogleConfig) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const http = yield* HttpClient.HttpClient
    const credentials: GoogleCredentials = config.credentials
    const account = credentials._tag === "ServiceAccount" ? yield* readServiceAccount(fs, credentials.file) : undefined
    const tokenUrl = Option.getOrElse(config.tokenUrl, () => account?.audience ?? GOOGLE_TOKEN_URL)

    const form = (scopes: ReadonlyArray<string>, now: number): Record<string, string> => {
      if (credentials._tag === "RefreshToken") {
        return {
          grant_type: "refresh_token",
          client_id: credentials.clientId,
          client_secret: Redacted.value(credentials.clientSecret),
          refresh_token: Redacted.value(credentials.refreshToken)
        }
      }
      const iat = Math.floor(now / 1000)
      const claims = {
        iss: account?.email,
        scope: scopes.join(" "),
        aud: account?.audience,
        iat,
        exp: iat + 3600,
        ...Option.match(credentials.impersonate, { onNone: () => ({}), onSome: (sub) => ({ sub }) })
      }
      return {
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: account === undefined ? "" : signAssertion(claims, account.key, account.keyId)
      }
    }

    const request = (scopes: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const response = yield* http.execute(
          HttpClientRequest.post(tokenUrl).pipe(
            HttpClientRequest.acceptJson,
            HttpClientRequest.bodyUrlParams(form(scopes, now))
          )
        ).pipe(Effect.mapError((e) => new Transient({ reason: `cannot reach the token endpoint (${e.reason})` })))
        const body = yield* response.json.pipe(Effect.orElseSucceed((): unknown => undefined))
        if (response.status >= 500) return yield* new Transient({ reason: `the token endpoint answered ${response.status}` })
        if (response.status !== 200) return yield* new GoogleAuthError({ reason: refusal(response.status, body) })
        const answer = yield* Schema.decodeUnknown(TokenAnswer)(body).pipe(
          Effect.mapError(() => new GoogleAuthError({ reason: "the token endpoint's answer has no access_token" }))
        )
        return { token: answer.access_token, expiresAt: now + answer.expires_in * 1000 }
      }).pipe(
        Effect.scoped,
        Effect.retry({ schedule: tokenRetry, while: (e) => e._tag === "Transient" }),
        Effect.catchTag("Transient", (e) => Effect.fail(new GoogleAuthError({ reason: e.reason }))),
        Effect.timeoutFail({
          duration: config.timeout,
          onTimeout: () => new GoogleAuthError({ reason: `no answer from the token endpoint within ${Duration.format(config.timeout)}` })
        })
      )

    // A refresh token grants its scopes whatever is asked: one token for all. A service account
    // asks per set of scopes, so a scope the admin did not delegate fails only what needs it.
    const keyOf = (scopes: ReadonlyArray<string>) => (credentials._tag === "RefreshToken" ? "" : [...scopes].sort().join(" "))
    const cache = new Map<string, { readonly token: Redacted.Redacted<string>; readonly expiresAt: number }>()
    const lock = yield* Effect.makeSemaphore(1)

    const fresh = (key: string, now: number) => {
      const held = cache.get(key)
      return held !== undefined && held.expiresAt - EARLY > now ? held.token : undefined
    }

    const token = Effect.fn("GoogleAuth.token")(function*(scopes: ReadonlyArray<string>) {
      const key = keyOf(scopes)
      const held = fresh(key, yield* Clock.currentTimeMillis)
      if (held !== undefined) return held
      // One sign-in at a time: calls waiting for a token take the one the first one got.
      return yield* lock.withPermits(1)(Effect.gen(function*() {
        const again = fresh(key, yield* Clock.currentTimeMillis)
        if (again !== undefined) return again
        const got = yield* request(scopes)
        cache.set(key, got)
        return got.token
      }))
    })

    const invalidate = (scopes: ReadonlyArray<string>, refused: Redacted.Redacted<string>) =>
      Effect.sync(() => {
        const key = keyOf(scopes)
        const held = cache.get(key)
        // Only the token that was refused: another call may already have a new one.
        if (held !== undefined && Redacted.value(held.token) === Redacted.value(refused)) cache.delete(key)
      })

    const description = credentials._tag === "RefreshToken"
      ? `OAuth client ${credentials.clientId}`
      : `service account ${account?.email ?? credentials.file}${
        Option.match(credentials.impersonate, { onNone: () => "", onSome: (user) => ` as ${user}` })
      }`

    return GoogleAuth.of({ description, token, invalidate })
  })

export const layer = (config: GoogleConfig): Layer.Layer<GoogleAuth, GoogleSetupError, HttpClient.HttpClient | FileSystem.FileSystem> =>
  Layer.effect(GoogleAuth, make(config))
