/**
 * Google Workspace's configuration from the environment, read only when CALENDAR_PROVIDER=google.
 * Sign-in is an OAuth client's refresh token (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET,
 * GOOGLE_REFRESH_TOKEN) or a service account's key file (GOOGLE_SERVICE_ACCOUNT_FILE, acting as
 * GOOGLE_IMPERSONATE_USER through domain-wide delegation). Secrets stay `Redacted`.
 */
import { Config, ConfigError, Duration, Either, Option, Redacted } from "effect"
import { optionalText } from "../../Config.js"

export const GOOGLE_API = "https://www.googleapis.com"
export const PEOPLE_API = "https://people.googleapis.com"
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"

export const SCOPES = {
  calendar: "https://www.googleapis.com/auth/calendar.readonly",
  contacts: "https://www.googleapis.com/auth/contacts.readonly",
  otherContacts: "https://www.googleapis.com/auth/contacts.other.readonly",
  directory: "https://www.googleapis.com/auth/directory.readonly"
} as const

export type GoogleCredentials =
  | {
    readonly _tag: "RefreshToken"
    readonly clientId: string
    readonly clientSecret: Redacted.Redacted<string>
    readonly refreshToken: Redacted.Redacted<string>
  }
  | {
    readonly _tag: "ServiceAccount"
    /** The key file as Google's console downloads it (JSON with client_email and private_key). */
    readonly file: string
    /** The Workspace user the service account acts as (domain-wide delegation). */
    readonly impersonate: Option.Option<string>
  }

export interface GoogleConfig {
  /** GOOGLE_CALENDAR_ID, several comma-separated; `primary` by default. */
  readonly calendarIds: ReadonlyArray<string>
  readonly credentials: GoogleCredentials
  /** Where the Calendar API is (GOOGLE_API_BASE_URL, else Google's). */
  readonly calendarBaseUrl: string
  /** Where the People API is (GOOGLE_API_BASE_URL too, else Google's). */
  readonly peopleBaseUrl: string
  /** GOOGLE_OAUTH_TOKEN_URL: where tokens are asked for, also for a service account. */
  readonly tokenUrl: Option.Option<string>
  /** One API call, its retries and their waits included. */
  readonly timeout: Duration.Duration
  /** Tries of one call when Google answers 429, 5xx or a rate-limit 403, or cannot be reached. */
  readonly maxAttempts: number
  /** The first wait of the backoff; each try doubles it (not a variable: tests shorten it). */
  readonly retryBase: Duration.Duration
  /** Events per page of events.list (Google allows at most 2500; not a variable: tests page with fewer). */
  readonly pageSize: number
  /** GOOGLE_CONTACTS=false: people are not looked up in Google (only in VCARD_FILE if set). */
  readonly contacts: boolean
  /** VCARD_FILE when it is set: the fallback for people Google does not know. */
  readonly vcardFile: Option.Option<string>
}


const secret = (name: string) =>
  Config.redacted(name).pipe(Config.option, Config.map(Option.filter((r) => Redacted.value(r).trim().length > 0)))

const url = (name: string) =>
  Config.string(name).pipe(
    Config.validate({
      message: "must be an http(s) URL",
      validation: (s) => s.trim() === "" || /^https?:\/\/[^\s/]+(\/\S*)?$/i.test(s.trim())
    }),
    Config.map((s) => s.trim().replace(/\/+$/, "")),
    Config.option,
    Config.map(Option.filter((s) => s.length > 0))
  )

const calendarIds = Config.string("GOOGLE_CALENDAR_ID").pipe(
  Config.withDefault("primary"),
  Config.map((s) => [...new Set(s.split(",").map((id) => id.trim()).filter((id) => id.length > 0))]),
  Config.map((ids) => (ids.length === 0 ? ["primary"] : ids))
)

const boundedInt = (name: string, fallback: number, max: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `must be a whole number from 1 to ${max}`, validation: (n) => n >= 1 && n <= max }),
    Config.withDefault(fallback)
  )

const SIGN_IN = "CALENDAR_PROVIDER=google signs in with GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and " +
  "GOOGLE_REFRESH_TOKEN, or with GOOGLE_SERVICE_ACCOUNT_FILE"

const raw = Config.all({
  calendarIds,
  clientId: optionalText("GOOGLE_CLIENT_ID"),
  clientSecret: secret("GOOGLE_CLIENT_SECRET"),
  refreshToken: secret("GOOGLE_REFRESH_TOKEN"),
  serviceAccountFile: optionalText("GOOGLE_SERVICE_ACCOUNT_FILE"),
  impersonate: Config.string("GOOGLE_IMPERSONATE_USER").pipe(
    Config.validate({ message: "must be an e-mail address", validation: (s) => s.trim() === "" || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim()) }),
    Config.map((s) => s.trim()),
    Config.option,
    Config.map(Option.filter((s) => s.length > 0))
  ),
  apiBaseUrl: url("GOOGLE_API_BASE_URL"),
  tokenUrl: url("GOOGLE_OAUTH_TOKEN_URL"),
  timeout: Config.number("GOOGLE_TIMEOUT_SECONDS").pipe(
    Config.validate({ message: "must be a number greater than zero", validation: (n) => Number.isFinite(n) && n > 0 }),
    Config.withDefault(60),
    Config.map(Duration.seconds)
  ),
  maxAttempts: boundedInt("GOOGLE_MAX_ATTEMPTS", 5, 10),
  contacts: Config.boolean("GOOGLE_CONTACTS").pipe(Config.withDefault(true)),
  vcardFile: optionalText("VCARD_FILE")
})

const credentialsOf = (r: Config.Config.Success<typeof raw>): Either.Either<GoogleCredentials, ConfigError.ConfigError> => {
  if (Option.isSome(r.serviceAccountFile)) {
    return Either.right({ _tag: "ServiceAccount", file: r.serviceAccountFile.value, impersonate: r.impersonate })
  }
  if (Option.isSome(r.clientId) && Option.isSome(r.clientSecret) && Option.isSome(r.refreshToken)) {
    return Either.right({
      _tag: "RefreshToken",
      clientId: r.clientId.value,
      clientSecret: r.clientSecret.value,
      refreshToken: r.refreshToken.value
    })
  }
  const missing = [
    Option.isNone(r.clientId) ? "GOOGLE_CLIENT_ID" : undefined,
    Option.isNone(r.clientSecret) ? "GOOGLE_CLIENT_SECRET" : undefined,
    Option.isNone(r.refreshToken) ? "GOOGLE_REFRESH_TOKEN" : undefined
  ].filter((name) => name !== undefined)
  return Either.left(ConfigError.MissingData([missing[0] ?? "GOOGLE_REFRESH_TOKEN"], `not set; ${SIGN_IN}`))
}

/** Every GOOGLE_* variable; fails with one line naming the variable when one is wrong or sign-in is incomplete. */
export const googleConfig: Config.Config<GoogleConfig> = Config.mapOrFail(raw, (r) =>
  Either.map(credentialsOf(r), (credentials): GoogleConfig => ({
    calendarIds: r.calendarIds,
    credentials,
    calendarBaseUrl: Option.getOrElse(r.apiBaseUrl, () => GOOGLE_API),
    peopleBaseUrl: Option.getOrElse(r.apiBaseUrl, () => PEOPLE_API),
    tokenUrl: r.tokenUrl,
    timeout: r.timeout,
    maxAttempts: r.maxAttempts,
    retryBase: Duration.seconds(1),
    pageSize: 2500,
    contacts: r.contacts,
    vcardFile: r.vcardFile
  })))

/** For `doctor` and the start log: how it signs in, no secrets. */
export const describeCredentials = (credentials: GoogleCredentials): string =>
  credentials._tag === "RefreshToken"
    ? `OAuth client ${credentials.clientId}`
    : `service account ${credentials.file}${
      Option.match(credentials.impersonate, { onNone: () => "", onSome: (user) => ` as ${user}` })
    }`
