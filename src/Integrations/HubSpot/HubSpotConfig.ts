/**
 * Which CRM to use (CRM_PROVIDER: `local`, the default, or `hubspot`) and HubSpot's settings.
 * Variables, with their defaults:
 * - HUBSPOT_ACCESS_TOKEN: a private app's access token (required with CRM_PROVIDER=hubspot)
 * - HUBSPOT_API_BASE_URL (https://api.hubapi.com; tests point it at a local server)
 * - HUBSPOT_RATE_LIMIT (100 requests per 10 s), HUBSPOT_SEARCH_RATE_LIMIT (4 searches per second)
 * - HUBSPOT_TIMEOUT_SECONDS (30, one request), HUBSPOT_MAX_ATTEMPTS (5, tries of one request)
 * - HUBSPOT_SEARCH_LAG_SECONDS (30): how long HubSpot's search may miss a company just created
 * - HUBSPOT_FOLDER (/lead-insights): the file manager folder the dossier PDFs go to
 */
import { Config, ConfigError, Duration, Effect, Either, Option, Redacted } from "effect"

export const DEFAULT_API_BASE_URL = "https://api.hubapi.com"

export interface HubSpotConfig {
  readonly token: Redacted.Redacted<string>
  readonly baseUrl: string
  /** Requests per `rateWindow`, all endpoints together (HubSpot's burst limit for private apps). */
  readonly requestsPer10s: number
  /** HubSpot's burst window: 10 s (tests shorten it). */
  readonly rateWindow: Duration.Duration
  /** Searches per second (HubSpot's CRM search limit, counted apart from the rest). */
  readonly searchesPerSecond: number
  readonly timeout: Duration.Duration
  readonly maxAttempts: number
  /** After a create that may have happened, a search finds it only after this long. */
  readonly searchLag: Duration.Duration
  readonly folder: string
}

const positiveInt = (name: string, fallback: number, max: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `must be a whole number from 1 to ${max}`, validation: (n) => n >= 1 && n <= max }),
    Config.withDefault(fallback)
  )

const seconds = (name: string, fallback: number, min: number) =>
  Config.number(name).pipe(
    Config.validate({
      message: min === 0 ? "must be a number of seconds, zero or more" : "must be a number of seconds greater than zero",
      validation: (n) => Number.isFinite(n) && (min === 0 ? n >= 0 : n > 0)
    }),
    Config.withDefault(fallback),
    Config.map(Duration.seconds)
  )

const baseUrl = Config.string("HUBSPOT_API_BASE_URL").pipe(
  Config.validate({
    message: "must be an http(s) URL, like https://api.hubapi.com",
    validation: (s) => s.trim() === "" || /^https?:\/\/[^\s/]+(\/\S*)?$/i.test(s.trim())
  }),
  Config.map((s) => s.trim().replace(/\/+$/, "") || DEFAULT_API_BASE_URL),
  Config.withDefault(DEFAULT_API_BASE_URL)
)

const folder = Config.string("HUBSPOT_FOLDER").pipe(
  Config.validate({
    message: "must be a folder path like /lead-insights",
    validation: (s) => /^\/?[\w .-]+(\/[\w .-]+)*\/?$/.test(s.trim())
  }),
  Config.map((s) => `/${s.trim().replace(/^\/+|\/+$/g, "")}`),
  Config.withDefault("/lead-insights")
)

const MISSING_TOKEN = "required when CRM_PROVIDER=hubspot (a private app's access token)"

const token = Config.redacted("HUBSPOT_ACCESS_TOKEN").pipe(
  Config.option,
  Config.mapOrFail((given) => {
    const trimmed = Option.getOrElse(Option.map(given, (value) => Redacted.value(value).trim()), () => "")
    return trimmed === ""
      ? Either.left(ConfigError.MissingData(["HUBSPOT_ACCESS_TOKEN"], MISSING_TOKEN))
      : Either.right(Redacted.make(trimmed))
  })
)

const settings = Config.all({
  baseUrl,
  requestsPer10s: positiveInt("HUBSPOT_RATE_LIMIT", 100, 10_000),
  searchesPerSecond: positiveInt("HUBSPOT_SEARCH_RATE_LIMIT", 4, 100),
  timeout: seconds("HUBSPOT_TIMEOUT_SECONDS", 30, 1),
  maxAttempts: positiveInt("HUBSPOT_MAX_ATTEMPTS", 5, 20),
  searchLag: seconds("HUBSPOT_SEARCH_LAG_SECONDS", 30, 0),
  folder
})

/** HubSpot's settings; fails naming HUBSPOT_ACCESS_TOKEN when it is missing. */
export const hubSpotConfig: Config.Config<HubSpotConfig> = Config.all({ token, s: settings }).pipe(
  Config.map(({ s, token }) => ({ token, rateWindow: Duration.seconds(10), ...s }))
)

export const crmProvider = Config.literal("local", "hubspot")("CRM_PROVIDER").pipe(
  Config.withDefault("local" as const)
)

/** The CRM as configured: none for the local one, else HubSpot's settings (read only then). */
export const crmConfig: Effect.Effect<Option.Option<HubSpotConfig>, ConfigError.ConfigError> = Effect.gen(function*() {
  const provider = yield* crmProvider
  return provider === "hubspot" ? Option.some(yield* hubSpotConfig) : Option.none()
})

/** For `doctor` and the start log: no secrets. */
export const describeHubSpotConfig = (config: HubSpotConfig): string =>
  `${config.baseUrl}, at most ${config.requestsPer10s} requests per 10 s and ${config.searchesPerSecond} searches per second`
