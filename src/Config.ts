/**
 * Typed configuration from the environment (a `.env` file in the working directory fills gaps).
 * A bad value fails the start with one line naming the variable and what is wrong.
 */
import { Config, ConfigError, ConfigProvider, Context, Duration, Effect, Layer, LogLevel, Option, type Redacted } from "effect"
import { isTimeZone } from "./Domain/TimeZone.js"
import { examplePath } from "./Paths.js"

const commaList = (name: string) =>
  Config.string(name).pipe(
    Config.map((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0)),
    Config.option
  )

/** A text variable, trimmed; unset or only white space is `None` (an empty line in `.env` counts as not set). */
export const optionalText = (name: string) =>
  Config.string(name).pipe(
    Config.map((s) => s.trim()),
    Config.option,
    Config.map(Option.filter((s) => s.length > 0))
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

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 }

/** "20MB" / "512KB" / "1048576" → bytes (binary multiples: 1 MB = 1024 × 1024 bytes). */
export const parseByteSize = (raw: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(raw.trim())
  const unit = match ? BYTE_UNITS[(match[2] ?? "").toLowerCase()] : undefined
  const bytes = match?.[1] && unit ? Math.floor(Number(match[1]) * unit) : undefined
  return bytes !== undefined && bytes > 0 ? bytes : undefined
}

const byteSize = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.validate({ message: "must be a size like 20MB, 512KB or a number of bytes", validation: (raw) => parseByteSize(raw) !== undefined }),
    Config.withDefault(fallback),
    Config.map((raw) => parseByteSize(raw) ?? 0)
  )

/** Any case, and the names people write: `debug`, `Info`, `warning`/`warn`, `error`, `none`/`off` … */
const LOG_LEVELS: Record<string, LogLevel.LogLevel> = {
  all: LogLevel.All, trace: LogLevel.Trace, debug: LogLevel.Debug, info: LogLevel.Info, warn: LogLevel.Warning,
  warning: LogLevel.Warning, error: LogLevel.Error, fatal: LogLevel.Fatal, none: LogLevel.None, off: LogLevel.None
}

const logLevel = (name: string) =>
  Config.string(name).pipe(
    Config.validate({
      message: `must be one of ${Object.keys(LOG_LEVELS).join(", ")}`,
      validation: (raw) => LOG_LEVELS[raw.trim().toLowerCase()] !== undefined
    }),
    Config.map((raw): LogLevel.LogLevel | undefined => LOG_LEVELS[raw.trim().toLowerCase()]),
    Config.withDefault(undefined)
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

const email = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.validate({ message: "must be an e-mail address", validation: (s) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s.trim()) }),
    Config.map((s) => s.trim()),
    Config.withDefault(fallback)
  )

const parseDurations = (raw: string): ReadonlyArray<Duration.Duration> | undefined => {
  const parsed = raw.split(",").map((p) => p.trim()).filter((p) => p.length > 0).map(parseDuration)
  return parsed.every((d): d is Duration.Duration => d !== undefined) ? parsed : undefined
}

/** "4h,28h" / "90m" / "7d" / "30s" → durations, in the order given. */
const durationList = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.validate({ message: "must be durations like 4h, 90m, 7d", validation: (raw) => parseDurations(raw) !== undefined }),
    Config.withDefault(fallback),
    Config.map((raw) => parseDurations(raw) ?? [])
  )

const duration = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.validate({ message: "must be one duration like 48h or 7d", validation: (raw) => parseDuration(raw) !== undefined }),
    Config.withDefault(fallback),
    Config.map((raw) => parseDuration(raw) ?? Duration.zero)
  )

/** An IANA time zone ("Europe/Berlin"); empty counts as not set. */
const timeZone = (name: string) =>
  Config.string(name).pipe(
    Config.validate({
      message: "must be a time zone name like Europe/Berlin or UTC",
      validation: (s) => s.trim() === "" || isTimeZone(s.trim())
    }),
    Config.map((s) => s.trim()),
    Config.option,
    Config.map(Option.filter((s) => s.length > 0))
  )

/** A proxy variable as undici reads it: the lower-case name first, then the upper-case one. */
const proxyVariable = (name: string) =>
  Config.string(name.toLowerCase()).pipe(
    Config.orElse(() => Config.string(name)),
    Config.option,
    Config.map(Option.filter((s) => s.trim().length > 0))
  )

const research = Config.all({
  /** Whether the company's website is read (`false`: the website section says it was not). */
  researchWebsite: Config.boolean("RESEARCH_WEBSITE").pipe(Config.withDefault(true)),
  researchMaxPages: positiveInt("RESEARCH_MAX_PAGES", 8),
  researchMaxRequests: positiveInt("RESEARCH_MAX_REQUESTS", 25),
  researchTimeout: positive("RESEARCH_TIMEOUT_SECONDS", 10).pipe(Config.map(Duration.seconds)),
  researchMaxPageBytes: byteSize("RESEARCH_MAX_PAGE_BYTES", "2MB"),
  researchDelay: nonNegative("RESEARCH_DELAY_MS", 150).pipe(Config.map(Duration.millis)),
  researchBudget: positive("RESEARCH_BUDGET_SECONDS", 60).pipe(Config.map(Duration.seconds)),
  maxConcurrentResearch: positiveInt("MAX_CONCURRENT_RESEARCH", 4),
  displayTimeZone: timeZone("DISPLAY_TIMEZONE"),
  httpProxy: proxyVariable("HTTP_PROXY"),
  httpsProxy: proxyVariable("HTTPS_PROXY"),
  noProxy: proxyVariable("NO_PROXY")
})

const config = Config.all({
  calendarProvider: Config.literal("ical", "google")("CALENDAR_PROVIDER").pipe(Config.withDefault("ical" as const)),
  icalUrl: httpUrlOrPath("ICAL_URL", examplePath("calendar.ics")),
  icalTimeout: positive("ICAL_TIMEOUT_SECONDS", 30).pipe(Config.map(Duration.seconds)),
  icalMaxBytes: byteSize("ICAL_MAX_BYTES", "20MB"),
  maxOccurrencesPerSeries: positiveInt("MAX_OCCURRENCES_PER_SERIES", 50),
  inboxMaxBytes: byteSize("INBOX_MAX_BYTES", "25MB"),
  vcardFile: Config.string("VCARD_FILE").pipe(Config.withDefault(examplePath("contacts.vcf"))),
  lookbackDays: nonNegative("CAL_LOOKBACK_DAYS", 1),
  lookaheadDays: nonNegative("CAL_LOOKAHEAD_DAYS", 14),
  triggerWords: commaList("TRIGGER_WORDS"),
  triggerWordsFile: Config.string("TRIGGER_WORDS_FILE").pipe(Config.withDefault(examplePath("trigger_words.txt"))),
  ownDomains: commaList("OWN_DOMAINS"),
  logStorageDir: Config.string("LOG_STORAGE_DIR").pipe(Config.withDefault("log_storage")),
  pollInterval: positive("POLL_INTERVAL_SECONDS", 300).pipe(Config.map(Duration.seconds)),
  inboxInterval: positive("INBOX_POLL_SECONDS", 30).pipe(Config.map(Duration.seconds)),
  shutdownTimeout: nonNegative("SHUTDOWN_TIMEOUT_SECONDS", 5).pipe(Config.map(Duration.seconds)),
  maxConcurrentEvents: positiveInt("MAX_CONCURRENT_EVENTS", 4),
  otlpEndpoint: optionalUrl("OTEL_EXPORTER_OTLP_ENDPOINT"),
  otlpHeaders: Config.redacted("OTEL_EXPORTER_OTLP_HEADERS").pipe(Config.option),
  serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("lead-insights")),
  logLevel: logLevel("LOG_LEVEL"),
  maskPiiInLogs: Config.boolean("MASK_PII_IN_LOGS").pipe(Config.withDefault(false)),
  localCrmFile: Config.string("LOCAL_CRM_FILE").pipe(Config.withDefault(examplePath("companies.csv"))),
  dossierFreshDays: nonNegative("DOSSIER_FRESH_DAYS", 30),
  mailFrom: email("MAIL_FROM", "lead-insights@lead-insights.app"),
  hitlOperatorEmail: email("HITL_OPERATOR_EMAIL", "sales-ops@lead-insights.app"),
  hitlEscalationEmail: email("HITL_ESCALATION_EMAIL", "sales-lead@lead-insights.app"),
  hitlReminders: durationList("HITL_REMINDERS", "4h,28h"),
  hitlEscalateAfter: duration("HITL_ESCALATE_AFTER", "48h"),
  hitlExpireAfter: duration("HITL_EXPIRE_AFTER", "7d"),
  /** A request ends when its meeting starts (`false`: only when it expires). */
  hitlUntilMeetingStart: Config.boolean("HITL_UNTIL_MEETING_START").pipe(Config.withDefault(true)),
  /** The durable waits before a failed workflow step is tried again; their number is how many more tries. */
  stepRetryDelays: durationList("STEP_RETRY_DELAYS", "1m,10m"),
  /** One try of a workflow step (research, delivery, a mail …) that takes longer has failed. */
  stepTimeout: positive("STEP_TIMEOUT_SECONDS", 300).pipe(Config.map(Duration.seconds)),
  /** How long `once` waits for due timers and taken-up replies to move their workflows on. */
  settleTimeout: positive("ONCE_SETTLE_TIMEOUT_SECONDS", 30).pipe(Config.map(Duration.seconds)),
  workflowStore: Config.literal("sqlite", "postgres")("WORKFLOW_STORE").pipe(Config.withDefault("sqlite" as const)),
  databaseUrl: Config.redacted("DATABASE_URL").pipe(Config.option)
})

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

export const parseDuration = (raw: string): Duration.Duration | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(raw.trim())
  const unit = match?.[2] ? UNITS[match[2].toLowerCase()] : undefined
  return match?.[1] && unit ? Duration.millis(Number(match[1]) * unit) : undefined
}

/** The example calendar's people work at this domain; it is "ours" only while that calendar is in use. */
const EXAMPLE_OWN_DOMAIN = "lead-insights.app"

const withDerived = Config.map(Config.zip(config, research), ([{ ownDomains, ...rest }, researchSettings]) => ({
  ...researchSettings,
  ...rest,
  ownDomains: Option.getOrElse(
    ownDomains,
    (): ReadonlyArray<string> => rest.icalUrl === examplePath("calendar.ics") ? [EXAMPLE_OWN_DOMAIN] : []
  )
}))

export type AppConfigShape = Config.Config.Success<typeof withDerived> & {
  readonly otlpHeaders: Option.Option<Redacted.Redacted<string>>
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
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
