/**
 * Typed configuration from the environment (a `.env` file in the working directory fills gaps).
 * A bad value fails the start with one line naming the variable and what is wrong.
 */
import { Config, ConfigError, ConfigProvider, Context, Duration, Effect, Layer, Option, type Redacted } from "effect"
import { examplePath } from "./Paths.js"

const commaList = (name: string) =>
  Config.string(name).pipe(
    Config.map((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0)),
    Config.option
  )

const nonNegative = (name: string, fallback: number) =>
  Config.number(name).pipe(
    Config.validate({ message: "must be a number of zero or more", validation: (n) => Number.isFinite(n) && n >= 0 }),
    Config.withDefault(fallback)
  )

const positive = (name: string, fallback: number) =>
  Config.number(name).pipe(
    Config.validate({ message: "must be a number greater than zero", validation: (n) => Number.isFinite(n) && n > 0 }),
    Config.withDefault(fallback)
  )

const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: "must be a whole number greater than zero", validation: (n) => n > 0 }),
    Config.withDefault(fallback)
  )

const httpUrlOrPath = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.validate({
      message: "must be a file path or an http(s) URL",
      validation: (s) => s.trim().length > 0 && (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(https?|file):\/\//i.test(s))
    }),
    Config.withDefault(fallback)
  )

const optionalUrl = (name: string) =>
  Config.string(name).pipe(
    Config.validate({ message: "must be an http(s) URL", validation: (s) => /^https?:\/\/[^\s]+$/i.test(s) }),
    Config.option
  )

const config = Config.all({
  calendarProvider: Config.literal("ical", "google")("CALENDAR_PROVIDER").pipe(Config.withDefault("ical" as const)),
  icalUrl: httpUrlOrPath("ICAL_URL", examplePath("calendar.ics")),
  icalTimeout: positive("ICAL_TIMEOUT_SECONDS", 30).pipe(Config.map(Duration.seconds)),
  vcardFile: Config.string("VCARD_FILE").pipe(Config.withDefault(examplePath("contacts.vcf"))),
  lookbackDays: nonNegative("CAL_LOOKBACK_DAYS", 1),
  lookaheadDays: nonNegative("CAL_LOOKAHEAD_DAYS", 14),
  triggerWords: commaList("TRIGGER_WORDS"),
  triggerWordsFile: Config.string("TRIGGER_WORDS_FILE").pipe(Config.withDefault(examplePath("trigger_words.txt"))),
  ownDomains: commaList("OWN_DOMAINS"),
  logStorageDir: Config.string("LOG_STORAGE_DIR").pipe(Config.withDefault("log_storage")),
  pollInterval: positive("POLL_INTERVAL_SECONDS", 300).pipe(Config.map(Duration.seconds)),
  shutdownTimeout: nonNegative("SHUTDOWN_TIMEOUT_SECONDS", 5).pipe(Config.map(Duration.seconds)),
  maxConcurrentEvents: positiveInt("MAX_CONCURRENT_EVENTS", 4),
  otlpEndpoint: optionalUrl("OTEL_EXPORTER_OTLP_ENDPOINT"),
  otlpHeaders: Config.redacted("OTEL_EXPORTER_OTLP_HEADERS").pipe(Config.option),
  serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("lead-insights")),
  logLevel: Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(undefined)),
  maskPiiInLogs: Config.boolean("MASK_PII_IN_LOGS").pipe(Config.withDefault(false))
})

/** The example calendar's people work at this domain; it is "ours" only while that calendar is in use. */
const EXAMPLE_OWN_DOMAIN = "lead-insights.app"

const withDerived = Config.map(config, ({ ownDomains, ...rest }) => ({
  ...rest,
  ownDomains: Option.getOrElse(
    ownDomains,
    (): ReadonlyArray<string> => rest.icalUrl === examplePath("calendar.ics") ? [EXAMPLE_OWN_DOMAIN] : []
  )
}))

export type AppConfigShape = Config.Config.Success<typeof withDerived> & {
  readonly otlpHeaders: Option.Option<Redacted.Redacted<string>>
}

export class AppConfig extends Context.Tag("Config/AppConfig")<AppConfig, AppConfigShape>() {
  static readonly load = withDerived
  static readonly layer = Layer.effect(AppConfig, withDerived)
  /** For tests and embedding apps: the defaults, with some values replaced. */
  static readonly layerWith = (overrides: Partial<AppConfigShape>) =>
    Layer.effect(
      AppConfig,
      Effect.map(
        Effect.withConfigProvider(withDerived, emptyProvider),
        (defaults) => ({ ...defaults, ...overrides })
      )
    )
}

const emptyProvider = ConfigProvider.fromMap(new Map())

/** One line for the user: `VARIABLE: what is wrong`. */
export const describeConfigError = (error: ConfigError.ConfigError): string => {
  const lines: Array<string> = []
  const walk = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        walk(e.left)
        walk(e.right)
        return
      case "InvalidData":
      case "MissingData":
      case "SourceUnavailable":
      case "Unsupported":
        lines.push(`${e.path.join("_") || "configuration"}: ${e.message}`)
        return
    }
  }
  walk(error)
  return `invalid configuration: ${[...new Set(lines)].join("; ")}`
}
