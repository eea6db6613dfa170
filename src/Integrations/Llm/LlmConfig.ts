/**
 * The LLM's configuration from the environment. There is an LLM only when OPENAI_API_KEY or
 * OPENAI_BASE_URL is set (a local OpenAI-compatible server needs no key); otherwise `llmConfig`
 * is `Option.none()` and the rules do everything.
 */
import { Config, Duration, Option, Redacted } from "effect"

export const DEFAULT_BASE_URL = "https://api.openai.com/v1"
export const DEFAULT_MODEL = "gpt-4o-mini"

/**
 * USD per 1,000 tokens (input, output), OpenAI's list prices. A model not listed is priced like
 * gpt-4o, so a budget is not spent on an expensive model at a cheap model's rate; set
 * LLM_PRICE_INPUT_PER_1K_USD / LLM_PRICE_OUTPUT_PER_1K_USD for it (0 for a local server).
 */
export const KNOWN_PRICES: Readonly<Record<string, { readonly input: number; readonly output: number }>> = {
  "gpt-4o-mini": { input: 0.00015, output: 0.0006 },
  "gpt-4o": { input: 0.0025, output: 0.01 },
  "gpt-4.1": { input: 0.002, output: 0.008 },
  "gpt-4.1-mini": { input: 0.0004, output: 0.0016 },
  "gpt-4.1-nano": { input: 0.0001, output: 0.0004 }
}
const FALLBACK_PRICE = { input: 0.0025, output: 0.01 }

/** Model ids with a date ("gpt-4o-mini-2024-07-18") cost what their family costs. */
export const listPrice = (model: string): { readonly input: number; readonly output: number } =>
  KNOWN_PRICES[model] ?? KNOWN_PRICES[model.replace(/-\d{4}-\d{2}-\d{2}$/, "")] ?? FALLBACK_PRICE

/**
 * Which API the adapter speaks: `responses` (OpenAI's Responses API, through @effect/ai's
 * LanguageModel with structured output) or `chat` (/chat/completions, which every
 * OpenAI-compatible server has).
 */
export type ApiStyle = "responses" | "chat"

export interface LlmConfig {
  readonly baseUrl: string
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly model: string
  readonly apiStyle: ApiStyle
  /** Tokens (input + output) all calls for one event may use together. */
  readonly maxTokensPerEvent: number
  /** USD all calls of one UTC day may cost together, across every runner sharing the database. */
  readonly dailyBudgetUsd: number
  readonly priceInputPer1kUsd: number
  readonly priceOutputPer1kUsd: number
  /** One call, retries and their waits included. */
  readonly timeout: Duration.Duration
  /** Tries of one call when the server answers 429 or 5xx or cannot be reached. */
  readonly maxAttempts: number
}

const blankToNone = <A>(config: Config.Config<Option.Option<A>>, text: (a: A) => string) =>
  Config.map(config, Option.filter((a) => text(a).trim().length > 0))

const nonNegative = (name: string) =>
  Config.number(name).pipe(
    Config.validate({ message: "must be a number of zero or more", validation: (n) => Number.isFinite(n) && n >= 0 })
  )

const positiveInt = (name: string, fallback: number, max: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `must be a whole number from 1 to ${max}`, validation: (n) => n >= 1 && n <= max }),
    Config.withDefault(fallback)
  )

const baseUrl = Config.string("OPENAI_BASE_URL").pipe(
  Config.validate({
    message: "must be an http(s) URL, like http://localhost:11434/v1",
    validation: (s) => s.trim() === "" || /^https?:\/\/[^\s/]+(\/\S*)?$/i.test(s.trim())
  }),
  Config.map((s) => s.trim().replace(/\/+$/, "")),
  Config.option,
  (config) => blankToNone(config, (s) => s)
)

const apiKey = blankToNone(
  Config.redacted("OPENAI_API_KEY").pipe(Config.map((key) => Redacted.make(Redacted.value(key).trim())), Config.option),
  Redacted.value
)

const settings = Config.all({
  model: Config.string("OPENAI_MODEL").pipe(
    Config.withDefault(DEFAULT_MODEL),
    Config.map((s) => s.trim() || DEFAULT_MODEL)
  ),
  apiStyle: Config.literal("responses", "chat")("OPENAI_API_STYLE").pipe(Config.option),
  maxTokensPerEvent: positiveInt("LLM_MAX_TOKENS_PER_EVENT", 4000, 10_000_000),
  dailyBudgetUsd: nonNegative("LLM_DAILY_BUDGET_USD").pipe(Config.withDefault(1)),
  priceInputPer1kUsd: nonNegative("LLM_PRICE_INPUT_PER_1K_USD").pipe(Config.option),
  priceOutputPer1kUsd: nonNegative("LLM_PRICE_OUTPUT_PER_1K_USD").pipe(Config.option),
  timeout: Config.number("LLM_TIMEOUT_SECONDS").pipe(
    Config.validate({ message: "must be a number greater than zero", validation: (n) => Number.isFinite(n) && n > 0 }),
    Config.withDefault(60),
    Config.map(Duration.seconds)
  ),
  maxAttempts: positiveInt("LLM_MAX_ATTEMPTS", 3, 10)
})

/**
 * `Option.none()` when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set (an empty value counts
 * as not set). The other variables are read either way, so a bad value fails the start even then.
 * Variables, with their defaults:
 * - OPENAI_BASE_URL (https://api.openai.com/v1), OPENAI_API_KEY (none: fine for a local server),
 *   OPENAI_MODEL (gpt-4o-mini, also when empty)
 * - OPENAI_API_STYLE: `responses` for api.openai.com, `chat` for any other base URL
 * - LLM_MAX_TOKENS_PER_EVENT (4000), LLM_DAILY_BUDGET_USD (1.00; 0 allows only free calls)
 * - LLM_PRICE_INPUT_PER_1K_USD / LLM_PRICE_OUTPUT_PER_1K_USD (the model's list price, see KNOWN_PRICES)
 * - LLM_TIMEOUT_SECONDS (60, a call with its retries), LLM_MAX_ATTEMPTS (3)
 */
export const llmConfig: Config.Config<Option.Option<LlmConfig>> = Config.all({ baseUrl, apiKey, s: settings }).pipe(
  Config.map(({ apiKey, baseUrl, s }) => {
    if (Option.isNone(apiKey) && Option.isNone(baseUrl)) return Option.none()
    const url = Option.getOrElse(baseUrl, () => DEFAULT_BASE_URL)
    const price = listPrice(s.model)
    return Option.some<LlmConfig>({
      baseUrl: url,
      apiKey,
      model: s.model,
      apiStyle: Option.getOrElse(s.apiStyle, (): ApiStyle => (isOpenAi(url) ? "responses" : "chat")),
      maxTokensPerEvent: s.maxTokensPerEvent,
      dailyBudgetUsd: s.dailyBudgetUsd,
      priceInputPer1kUsd: Option.getOrElse(s.priceInputPer1kUsd, () => price.input),
      priceOutputPer1kUsd: Option.getOrElse(s.priceOutputPer1kUsd, () => price.output),
      timeout: s.timeout,
      maxAttempts: s.maxAttempts
    })
  })
)

const isOpenAi = (url: string) => /^https:\/\/api\.openai\.com(\/|$)/i.test(url)

/** "$1.00", "$0.0009": cents, or millionths below a cent. */
export const formatUsd = (usd: number): string => {
  if (usd >= 0.01 || usd < 0.000001) return `$${usd.toFixed(2)}`
  return `$${usd.toFixed(6).replace(/0+$/, "")}`
}

/** For `doctor` and the start log: no secrets. */
export const describeLlmConfig = (config: LlmConfig): string =>
  `${config.model} at ${config.baseUrl} (${config.apiStyle === "responses" ? "Responses API" : "chat completions"}` +
  `${Option.isSome(config.apiKey) ? ", with an API key" : ""}; ` +
  `${config.maxTokensPerEvent} tokens per event, ${formatUsd(config.dailyBudgetUsd)} per day)`
