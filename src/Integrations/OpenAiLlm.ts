/**
 * The LLM port on any OpenAI-compatible server, through @effect/ai + @effect/ai-openai: OpenAI
 * itself (the Responses API, structured output) or a local server (chat completions); see
 * Llm/Wire.ts. Around every call:
 * - budgets (Llm/Budget.ts): the event's tokens and the day's USD are reserved before the call and
 *   settled with what the API counted after it; a call that does not fit is not made;
 * - retries (Llm/Retry.ts): 408/409/429/5xx and failed connections, honouring Retry-After, at most
 *   LLM_MAX_ATTEMPTS tries, all within LLM_TIMEOUT_SECONDS;
 * - after a 429 that outlasted the retries, no call for a while (the server's Retry-After, at
 *   least 30 s), so a cycle of many events does not keep knocking;
 * - the answer is decoded with its Schema and checked against the meeting text or the facts
 *   (Agents/Llm.ts) before anything is believed.
 * Every failure is an `unavailable` answer with its reason; the caller goes on with its rules.
 */
import * as OpenAiClient from "@effect/ai-openai/OpenAiClient"
import * as OpenAiLanguageModel from "@effect/ai-openai/OpenAiLanguageModel"
import type { HttpClient } from "@effect/platform"
import type * as SqlClient from "@effect/sql/SqlClient"
import { Cause, Clock, type ConfigError, Duration, Effect, Exit, Layer, Option, Ref, type Scope } from "effect"
import {
  checkCompany,
  checkSoftTrigger,
  checkSummary,
  Llm,
  LlmCompany,
  LlmSoftTrigger,
  LlmSummary,
  LlmUnavailable,
  type MeetingTextInput,
  type SoftTriggerInput,
  type SummarizeInput,
  unavailable
} from "../Agents/Llm.js"
import { llmBudgetMigration, makeBudget, MICRO_PER_USD, type Reservation, type Spend } from "./Llm/Budget.js"
import { describeLlmConfig, formatUsd, type LlmConfig, llmConfig } from "./Llm/LlmConfig.js"
import { type Ask, companyAsk, estimateInputTokens, INPUT_LIMITS, softTriggerAsk, summaryAsk } from "./Llm/Prompts.js"
import { newTries, type Tries, withRetries } from "./Llm/Retry.js"
import { type Answer, CallFailed, chatWire, responsesWire, type Wire } from "./Llm/Wire.js"
import { ProxyAwareHttpClient } from "./ProxyHttpClient.js"

export { llmBudgetMigration } from "./Llm/Budget.js"
export {
  type ApiStyle,
  DEFAULT_BASE_URL,
  DEFAULT_MODEL,
  describeLlmConfig,
  KNOWN_PRICES,
  type LlmConfig,
  llmConfig
} from "./Llm/LlmConfig.js"

/** After a 429 that outlasted the retries: how long no call is made, unless the server asked for longer. */
const COOL_DOWN_MS = 30_000

interface Asked<A> {
  readonly value: A
  readonly model: string
  readonly tokens: number
  readonly costUsd: number
}

const triesText = (n: number) => `${n} ${n === 1 ? "try" : "tries"}`

const reasonFor = (failure: CallFailed, seen: Tries, config: LlmConfig): string => {
  const after = triesText(seen.attempts)
  const detail = failure.detail === undefined ? "" : `: ${failure.detail}`
  switch (failure.kind) {
    case "rate_limited":
      return `rate limited by the API (429 after ${after})`
    case "server_error":
      return `the API failed (${failure.status ?? "error"} after ${after})`
    case "unreachable":
      return `the API could not be reached (${failure.detail ?? "connection failed"}, ${after})`
    case "timeout":
      return `no answer within ${Duration.toSeconds(config.timeout)} s`
    case "request_refused":
      if (failure.status === 401 || failure.status === 403) return `the API refused the key (${failure.status})${detail}`
      return `the API refused the request (${failure.status ?? "error"})${detail}` +
        (failure.status === 404 && config.apiStyle === "responses"
          ? " (a server without the Responses API: set OPENAI_API_STYLE=chat)"
          : "")
    default:
      return failure.detail ?? "the model's answer could not be used"
  }
}

/** The adapter on `config`; it needs an HttpClient and the app's SqlClient (for the budgets). */
export const make = (config: LlmConfig): Effect.Effect<
  Llm["Type"],
  never,
  HttpClient.HttpClient | SqlClient.SqlClient | Scope.Scope
> =>
  Effect.gen(function*() {
    const client = yield* OpenAiClient.make({ apiKey: Option.getOrUndefined(config.apiKey), apiUrl: config.baseUrl })
    const wire: Wire = config.apiStyle === "responses"
      ? responsesWire(
        yield* OpenAiLanguageModel.make({ model: config.model, config: { store: false } }).pipe(
          Effect.provideService(OpenAiClient.OpenAiClient, client)
        )
      )
      : chatWire(client, config.model)
    yield* llmBudgetMigration.pipe(
      Effect.catchAll((error) => Effect.logWarning("LLM budget tables could not be created", error.message))
    )
    const budget = yield* makeBudget({
      tokensPerEvent: config.maxTokensPerEvent,
      dailyMicroUsd: Math.round(config.dailyBudgetUsd * MICRO_PER_USD)
    })
    const coolDownUntil = yield* Ref.make(0)
    const description = describeLlmConfig(config)
    yield* Effect.logInfo(`LLM: ${description}`)

    // Rounded up to whole millionths; the 1e-6 keeps float noise (75.00000000000001) from adding one.
    const microUsd = (inputTokens: number, outputTokens: number) =>
      Math.ceil(
        ((inputTokens * config.priceInputPer1kUsd + outputTokens * config.priceOutputPer1kUsd) / 1000) * MICRO_PER_USD -
          1e-6
      )

    /** What to count for a call that ended with `exit`: what the API said, else the reservation. */
    const spendOf = <A>(exit: Exit.Exit<Answer<A>, CallFailed>, reservation: Reservation, inputEstimate: number): Spend => {
      const estimate = { inputTokens: inputEstimate, outputTokens: reservation.tokens - inputEstimate }
      const counted = (usage: { readonly inputTokens: number; readonly outputTokens: number }): Spend => ({
        ...usage,
        microUsd: microUsd(usage.inputTokens, usage.outputTokens),
        called: true
      })
      if (Exit.isSuccess(exit)) {
        const { inputTokens, outputTokens } = exit.value
        return counted(inputTokens === undefined && outputTokens === undefined
          ? estimate
          : { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 })
      }
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure) && failure.value.usage !== undefined) return counted(failure.value.usage)
      if (Option.isSome(failure) && !failure.value.charged) {
        return { inputTokens: 0, outputTokens: 0, microUsd: 0, called: false }
      }
      // A bad answer, a timeout or an interruption: the model may have run; count the reservation.
      return { ...estimate, microUsd: reservation.microUsd, called: true }
    }

    const ask = <A, I extends Record<string, unknown>>(
      eventKey: string,
      spec: Ask<A, I>
    ): Effect.Effect<Asked<A>, LlmUnavailable> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const until = yield* Ref.get(coolDownUntil)
        if (now < until) {
          return yield* Effect.fail(
            unavailable("rate_limited", `rate limited by the API; no call before ${new Date(until).toISOString()}`)
          )
        }
        const inputEstimate = estimateInputTokens(spec)
        const tokens = inputEstimate + spec.maxOutputTokens
        const reserved = yield* budget.reserve(eventKey, tokens, microUsd(inputEstimate, spec.maxOutputTokens)).pipe(
          Effect.tapError((error) => Effect.logWarning("LLM budget could not be checked", error.message)),
          Effect.mapError(() => unavailable("budget_store", "the LLM budget could not be checked (database error)"))
        )
        if (reserved._tag === "EventBudget") {
          yield* Effect.logDebug(`${reserved.used} of ${reserved.limit} tokens used; this call would take ${tokens}`)
          return yield* Effect.fail(unavailable("event_budget", "LLM token budget for this event reached"))
        }
        if (reserved._tag === "DailyBudget") {
          yield* Effect.logDebug(
            `${formatUsd(reserved.spentMicroUsd / MICRO_PER_USD)} of ${formatUsd(reserved.limitMicroUsd / MICRO_PER_USD)} ` +
              "spent or reserved today"
          )
          return yield* Effect.fail(unavailable("daily_budget", "daily LLM budget reached"))
        }
        const { reservation } = reserved
        const tries = newTries()
        const retrying = withRetries({
          maxAttempts: config.maxAttempts,
          deadline: now + Duration.toMillis(config.timeout),
          tries
        })
        const call = wire(spec, retrying).pipe(
          Effect.timeoutFail({ duration: config.timeout, onTimeout: () => new CallFailed({ kind: "timeout", charged: true }) })
        )
        // Settled however the call ends, interrupted included.
        const { exit, spend } = yield* Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(Effect.exit(restore(call)), (exit) => {
            const spend = spendOf(exit, reservation, inputEstimate)
            return budget.settle(reservation, spend).pipe(
              Effect.catchAll((error) => Effect.logWarning("LLM spend could not be recorded", error.message)),
              Effect.as({ exit, spend })
            )
          })
        )
        if (Exit.isSuccess(exit)) {
          return {
            value: exit.value.value,
            model: exit.value.model ?? config.model,
            tokens: spend.inputTokens + spend.outputTokens,
            costUsd: spend.microUsd / MICRO_PER_USD
          }
        }
        const failure = Cause.failureOption(exit.cause)
        // Interrupted, or a defect: passed on as it is (the cause holds no CallFailed to map).
        if (Option.isNone(failure)) {
          return yield* Effect.failCause(Cause.map(exit.cause, (f) => unavailable(f.kind, f.detail ?? "")))
        }
        if (failure.value.kind === "rate_limited") {
          const wait = Math.max(COOL_DOWN_MS, tries.lastRetryAfterMs ?? 0)
          yield* Ref.set(coolDownUntil, (yield* Clock.currentTimeMillis) + wait)
        }
        return yield* Effect.fail(unavailable(failure.value.kind, reasonFor(failure.value, tries, config)))
      })

    /** An answer the checks turned down is worth a note; a call that failed, a warning. */
    const report = <A>(effect: Effect.Effect<A, LlmUnavailable>) =>
      effect.pipe(
        Effect.merge,
        Effect.tap((result) =>
          result instanceof LlmUnavailable
            ? (result.kind === "rejected" ? Effect.logInfo : Effect.logWarning)(result.note)
            : Effect.void
        )
      )

    const summarize = Effect.fn("Llm.summarize")(function*(input: SummarizeInput) {
      if (input.facts.length === 0) return unavailable("nothing_to_do", "no facts to summarise")
      return yield* report(Effect.gen(function*() {
        const answer = yield* ask(input.eventKey, summaryAsk(input))
        const checked = checkSummary(answer.value, input.facts.slice(0, INPUT_LIMITS.facts))
        if (!checked.ok) return yield* Effect.fail(unavailable("rejected", checked.reason))
        return new LlmSummary({
          text: checked.value.text,
          citations: checked.value.citations,
          droppedCitations: checked.value.dropped,
          model: answer.model,
          tokens: answer.tokens,
          costUsd: answer.costUsd
        })
      }))
    })

    const softTrigger = Effect.fn("Llm.softTrigger")(function*(input: SoftTriggerInput) {
      if (input.text.trim().length === 0) return unavailable("nothing_to_do", "the meeting has no text")
      return yield* report(Effect.gen(function*() {
        const answer = yield* ask(input.eventKey, softTriggerAsk(input))
        const checked = checkSoftTrigger(answer.value, input.text)
        return new LlmSoftTrigger({
          matched: checked.matched,
          label: checked.label,
          evidence: checked.evidence,
          ...(checked.reason === undefined ? {} : { reason: checked.reason }),
          model: answer.model,
          tokens: answer.tokens,
          costUsd: answer.costUsd
        })
      }))
    })

    const extractCompany = Effect.fn("Llm.extractCompany")(function*(input: MeetingTextInput) {
      if (input.text.trim().length === 0) return unavailable("nothing_to_do", "the meeting has no text")
      return yield* report(Effect.gen(function*() {
        const answer = yield* ask(input.eventKey, companyAsk(input.text))
        const checked = checkCompany({ name: answer.value.company_name, domain: answer.value.domain }, input.text)
        return new LlmCompany({ ...checked, model: answer.model, tokens: answer.tokens, costUsd: answer.costUsd })
      }))
    })

    return Llm.of({ description, summarize, softTrigger, extractCompany })
  })

/** The adapter on `config`, over the given HttpClient and the app's SqlClient. */
export const layer = (config: LlmConfig): Layer.Layer<Llm, never, HttpClient.HttpClient | SqlClient.SqlClient> =>
  Layer.scoped(Llm, make(config))

export { ProxyAwareHttpClient }

/**
 * From the environment (see `llmConfig`): `Llm.Disabled` when neither OPENAI_API_KEY nor
 * OPENAI_BASE_URL is set, the OpenAI adapter over the proxy-aware fetch client otherwise.
 */
export const layerFromConfig: Layer.Layer<Llm, ConfigError.ConfigError, SqlClient.SqlClient> = Layer.unwrapEffect(
  Effect.map(llmConfig, (config): Layer.Layer<Llm, never, SqlClient.SqlClient> =>
    Option.match(config, {
      onNone: () => Llm.Disabled,
      onSome: (config) => layer(config).pipe(Layer.provide(ProxyAwareHttpClient))
    }))
)
