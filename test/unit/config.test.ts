import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Option } from "effect"
import { AppConfig, describeConfigError } from "../../src/Config.js"

const load = (env: Record<string, string>) =>
  Effect.withConfigProvider(AppConfig.load, ConfigProvider.fromMap(new Map(Object.entries(env)))).pipe(Effect.either)

const errorLine = (env: Record<string, string>) =>
  load(env).pipe(Effect.map(Either.match({ onLeft: describeConfigError, onRight: () => "no error" })))

describe("configuration", () => {
  it.effect("has working defaults for the embedded default", () =>
    Effect.gen(function*() {
      const config = Either.getOrThrow(yield* load({}))
      expect(config.calendarProvider).toBe("ical")
      expect(config.icalUrl).toMatch(/examples[/\\]calendar\.ics$/)
      expect(config.lookbackDays).toBe(1)
      expect(config.lookaheadDays).toBe(14)
      expect(Duration.toSeconds(config.pollInterval)).toBe(300)
      expect(Duration.toSeconds(config.shutdownTimeout)).toBe(5)
      expect(config.logStorageDir).toBe("log_storage")
      expect(Option.isNone(config.triggerWords)).toBe(true)
      expect(Option.isNone(config.otlpEndpoint)).toBe(true)
    }))

  it.effect("LOG_LEVEL takes the names the README gives, in any case; anything else is one line", () =>
    Effect.gen(function*() {
      for (const [raw, level] of [["Warning", "WARN"], ["warn", "WARN"], ["Debug", "DEBUG"], ["INFO", "INFO"], ["error", "ERROR"], ["none", "OFF"]]) {
        expect(Either.getOrThrow(yield* load({ LOG_LEVEL: raw ?? "" })).logLevel?.label).toBe(level)
      }
      expect(yield* errorLine({ LOG_LEVEL: "loud" })).toMatch(/^invalid configuration: LOG_LEVEL: must be one of all, trace, debug/)
    }))

  it.effect("reads comma lists, trimming and dropping empty items", () =>
    Effect.gen(function*() {
      const config = Either.getOrThrow(yield* load({ TRIGGER_WORDS: "Alpha, Beta , ,Gamma", OWN_DOMAINS: "a.de,b.com" }))
      expect(config.triggerWords).toEqual(Option.some(["Alpha", "Beta", "Gamma"]))
      expect(config.ownDomains).toEqual(["a.de", "b.com"])
    }))

  it.effect("names the variable and what is wrong in one line", () =>
    Effect.gen(function*() {
      expect(yield* errorLine({ POLL_INTERVAL_SECONDS: "soon" })).toMatch(/^invalid configuration: POLL_INTERVAL_SECONDS: /)
      expect(yield* errorLine({ POLL_INTERVAL_SECONDS: "0" })).toBe(
        "invalid configuration: POLL_INTERVAL_SECONDS: must be a number greater than zero"
      )
      expect(yield* errorLine({ CAL_LOOKBACK_DAYS: "-1" })).toBe(
        "invalid configuration: CAL_LOOKBACK_DAYS: must be a number of zero or more"
      )
      expect(yield* errorLine({ CALENDAR_PROVIDER: "outlook" })).toMatch(/^invalid configuration: CALENDAR_PROVIDER: /)
      expect(yield* errorLine({ ICAL_URL: "ftp://x/y.ics" })).toBe(
        "invalid configuration: ICAL_URL: must be a file path or an http(s) URL"
      )
      expect(yield* errorLine({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector" })).toBe(
        "invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL"
      )
      expect(yield* errorLine({ MAX_CONCURRENT_EVENTS: "2.5" })).toMatch(/^invalid configuration: MAX_CONCURRENT_EVENTS: /)
    }))

  it.effect("reports every bad variable at once", () =>
    Effect.gen(function*() {
      const line = yield* errorLine({ POLL_INTERVAL_SECONDS: "x", CAL_LOOKAHEAD_DAYS: "-2" })
      expect(line).toContain("POLL_INTERVAL_SECONDS")
      expect(line).toContain("CAL_LOOKAHEAD_DAYS")
      expect(line.split("\n")).toHaveLength(1)
    }))

  it.effect("research: the website limits, the concurrency, the display zone and the proxies", () =>
    Effect.gen(function*() {
      const defaults = Either.getOrThrow(yield* load({}))
      expect(defaults).toMatchObject({
        researchWebsite: true,
        researchMaxPages: 8,
        researchMaxRequests: 25,
        researchMaxPageBytes: 2 * 1024 * 1024,
        maxConcurrentResearch: 4,
        displayTimeZone: Option.none(),
        httpProxy: Option.none()
      })
      expect(Duration.toSeconds(defaults.researchTimeout)).toBe(10)
      expect(Duration.toSeconds(defaults.researchBudget)).toBe(60)
      expect(Duration.toMillis(defaults.researchDelay)).toBe(150)
      const set = Either.getOrThrow(yield* load({
        RESEARCH_WEBSITE: "false",
        RESEARCH_MAX_PAGES: "3",
        RESEARCH_MAX_PAGE_BYTES: "512KB",
        RESEARCH_DELAY_MS: "0",
        MAX_CONCURRENT_RESEARCH: "1",
        DISPLAY_TIMEZONE: "Europe/Berlin",
        https_proxy: "http://proxy.corp:3128",
        HTTPS_PROXY: "http://other:8080",
        NO_PROXY: "localhost,.corp"
      }))
      expect(set).toMatchObject({
        researchWebsite: false,
        researchMaxPages: 3,
        researchMaxPageBytes: 512 * 1024,
        maxConcurrentResearch: 1,
        displayTimeZone: Option.some("Europe/Berlin"),
        httpsProxy: Option.some("http://proxy.corp:3128"),
        noProxy: Option.some("localhost,.corp")
      })
      expect(Duration.toMillis(set.researchDelay)).toBe(0)
      expect(Either.getOrThrow(yield* load({ DISPLAY_TIMEZONE: " " })).displayTimeZone).toEqual(Option.none())
      expect(yield* errorLine({ DISPLAY_TIMEZONE: "Mars/Olympus" })).toBe(
        "invalid configuration: DISPLAY_TIMEZONE: must be a time zone name like Europe/Berlin or UTC"
      )
      expect(yield* errorLine({ MAX_CONCURRENT_RESEARCH: "0" })).toMatch(/^invalid configuration: MAX_CONCURRENT_RESEARCH: /)
      expect(yield* errorLine({ RESEARCH_MAX_PAGE_BYTES: "huge" })).toMatch(/^invalid configuration: RESEARCH_MAX_PAGE_BYTES: /)
    }))
})
