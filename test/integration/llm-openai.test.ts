/**
 * The OpenAI adapter of the LLM port against a local OpenAI-compatible server (test/support/
 * fakeOpenAi.ts), with its budgets in an in-memory SQLite database: answers checked against the
 * facts and the meeting text, budgets per event and per day (refused calls never reach the
 * server), retries on 5xx and 429 (Retry-After), and every failure an `unavailable` answer.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { createServer as createHttpServer } from "node:http"
import type { AddressInfo } from "node:net"
import { connect } from "node:net"
import {
  checkSummary,
  cleanLine,
  cleanParagraphs,
  Llm,
  type LlmCompany,
  type LlmFact,
  type LlmSoftTrigger,
  type LlmSummary,
  type LlmUnavailable,
  occursIn
} from "../../src/Agents/Llm.js"
import { layerFromConfig, llmBudgetMigration, llmConfig } from "../../src/Integrations/OpenAiLlm.js"
import { answer, type FakeOpenAi, makeFakeOpenAi, status } from "../support/fakeOpenAi.js"

const Sqlite = SqliteClient.layer({ filename: ":memory:" })

/** The adapter as the app builds it, from these variables only. */
const llmFrom = (env: Record<string, string>) =>
  Layer.build(layerFromConfig.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))))
    .pipe(Effect.map(Context.get(Llm)))

const envFor = (fake: FakeOpenAi, extra: Record<string, string> = {}) => ({
  OPENAI_BASE_URL: fake.baseUrl,
  OPENAI_API_KEY: "sk-test",
  OPENAI_API_STYLE: "responses",
  ...extra
})

const facts: ReadonlyArray<LlmFact> = [
  { id: 1, field: "industry", value: "Machine building", source: "CRM" },
  { id: 2, field: "size", value: "250 employees", source: "CRM" },
  { id: 3, field: "website", value: "Brenner builds packaging machines for food producers.", source: "https://brenner.de" }
]

const meeting = "Kick-off mit neuem Kunden Brenner Verpackungstechnik\n\nAgenda:  Anforderungen, Zeitplan, nächste Schritte"

const completed = <A extends { readonly status: string }>(result: A | LlmUnavailable): A => {
  if (result.status !== "completed") throw new Error(`expected an answer, got: ${(result as LlmUnavailable).reason}`)
  return result as A
}
const refused = (result: { readonly status: string }): LlmUnavailable => {
  if (result.status !== "unavailable") throw new Error(`expected unavailable, got ${JSON.stringify(result)}`)
  return result as LlmUnavailable
}

const dailyRow = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ spent: number; reserved: number; calls: number; input: number; output: number }>`
    SELECT spent_micro_usd AS spent, reserved_micro_usd AS reserved, calls, input_tokens AS input, output_tokens AS output
    FROM li_llm_daily_spend`
  return rows[0]
})

describe("LLM configuration", () => {
  const read = (env: Record<string, string>) =>
    Effect.runSync(Effect.either(Effect.withConfigProvider(llmConfig, ConfigProvider.fromMap(new Map(Object.entries(env))))))

  it("no LLM without OPENAI_API_KEY or OPENAI_BASE_URL (empty values count as unset)", () => {
    expect(read({})).toEqual(Either.right(Option.none()))
    expect(read({ OPENAI_API_KEY: "  ", OPENAI_BASE_URL: "", OPENAI_MODEL: "gpt-4o" })).toEqual(Either.right(Option.none()))
  })

  it("a key alone: OpenAI's Responses API with the defaults", () => {
    const config = Option.getOrThrow(Either.getOrThrow(read({ OPENAI_API_KEY: "sk-x" })))
    expect(config).toMatchObject({
      baseUrl: "https://api.openai.com/v1",
      model: "gpt-4o-mini",
      apiStyle: "responses",
      maxTokensPerEvent: 4000,
      dailyBudgetUsd: 1,
      priceInputPer1kUsd: 0.00015,
      priceOutputPer1kUsd: 0.0006,
      maxAttempts: 3
    })
    expect(Duration.toSeconds(config.timeout)).toBe(60)
  })

  it("a base URL alone: a local server, no key, chat completions; prices as configured", () => {
    const config = Option.getOrThrow(Either.getOrThrow(read({
      OPENAI_BASE_URL: "http://localhost:11434/v1/",
      OPENAI_MODEL: "llama3.1:8b",
      LLM_PRICE_INPUT_PER_1K_USD: "0",
      LLM_PRICE_OUTPUT_PER_1K_USD: "0"
    })))
    expect(config).toMatchObject({
      baseUrl: "http://localhost:11434/v1",
      apiKey: Option.none(),
      model: "llama3.1:8b",
      apiStyle: "chat",
      priceInputPer1kUsd: 0,
      priceOutputPer1kUsd: 0
    })
  })

  it("an empty OPENAI_MODEL is the default model; the key is trimmed", () => {
    const config = Option.getOrThrow(Either.getOrThrow(read({ OPENAI_API_KEY: " sk-x\n", OPENAI_MODEL: " " })))
    expect(config.model).toBe("gpt-4o-mini")
    expect(Option.map(config.apiKey, Redacted.value)).toEqual(Option.some("sk-x"))
  })

  it("a model without a list price is priced like gpt-4o", () => {
    const config = Option.getOrThrow(Either.getOrThrow(read({ OPENAI_API_KEY: "sk-x", OPENAI_MODEL: "some-new-model" })))
    expect([config.priceInputPer1kUsd, config.priceOutputPer1kUsd]).toEqual([0.0025, 0.01])
  })

  it("a bad value names its variable", () => {
    const error = (env: Record<string, string>) => String(Either.getLeft(read(env)).pipe(Option.getOrThrow))
    expect(error({ OPENAI_BASE_URL: "localhost:11434" })).toContain("OPENAI_BASE_URL")
    expect(error({ OPENAI_API_KEY: "sk-x", LLM_DAILY_BUDGET_USD: "-1" })).toContain("LLM_DAILY_BUDGET_USD")
    expect(error({ OPENAI_API_KEY: "sk-x", OPENAI_API_STYLE: "completions" })).toContain("OPENAI_API_STYLE")
  })
})

describe("LLM over an OpenAI-compatible server", () => {
  it.scopedLive("no OPENAI_API_KEY and no OPENAI_BASE_URL: disabled, every method unavailable, no HTTP at all", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom({})
      expect(llm.description).toBe("none")
      const results = [
        yield* llm.summarize({ eventKey: "e1", company: { name: "Brenner" }, facts }),
        yield* llm.softTrigger({ eventKey: "e1", text: meeting }),
        yield* llm.extractCompany({ eventKey: "e1", text: meeting })
      ]
      for (const result of results) {
        expect(refused(result)).toMatchObject({ kind: "disabled", reason: "no LLM configured" })
      }
      expect(fake.requests).toHaveLength(0)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a summary citing the facts: inferred, its citations and what it cost, from the API's usage", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi({ apiKey: "sk-test" })
      const llm = yield* llmFrom(envFor(fake))
      fake.script(answer({
        summary: "Brenner builds packaging machines for food producers [3]. It is a machine builder [1] with 250 staff [2].",
        citations: [3, 1, 2]
      }, { input: 320, output: 45 }))

      const summary = completed<LlmSummary>(
        yield* llm.summarize({ eventKey: "e1", company: { name: "Brenner", domain: "brenner.de" }, facts })
      )
      expect(summary).toMatchObject({
        status: "completed",
        inferred: true,
        citations: [1, 2, 3],
        droppedCitations: [],
        model: "gpt-4o-mini-2024-07-18",
        tokens: 365
      })
      expect(summary.text).toBe(
        "Brenner builds packaging machines for food producers [3]. It is a machine builder [1] with 250 staff [2]."
      )
      // 320 × $0.15 + 45 × $0.60 per million tokens
      expect(summary.costUsd).toBeCloseTo(0.000075, 9)

      const [request] = fake.requests
      expect(request?.path).toBe("/v1/responses")
      expect(request?.headers.authorization).toBe("Bearer sk-test")
      expect(request?.body).toMatchObject({
        model: "gpt-4o-mini",
        store: false,
        max_output_tokens: 400,
        text: { format: { type: "json_schema", name: "company_summary", strict: true } }
      })
      const prompt = JSON.stringify(request?.body.input)
      expect(prompt).toContain("[2] size: 250 employees (source: CRM)")
      expect(prompt).toContain("Company: Brenner (brenner.de)")

      expect(yield* dailyRow).toEqual({ spent: 75, reserved: 0, calls: 1, input: 320, output: 45 })
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a summary citing a fact that does not exist: the citation is dropped, from the text too", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      fake.script(
        answer({ summary: "Brenner builds machines [1]. It was founded in 1850 [7]. It has 250 staff [2, 9].", citations: [1, 7, 2, 9] }),
        answer({ summary: "Brenner was founded in 1850 [7].", citations: [7] }),
        answer({ summary: "Brenner is a leading machine builder.", citations: [] })
      )
      const input = { eventKey: "e1", company: { name: "Brenner" }, facts }

      const cleaned = completed<LlmSummary>(yield* llm.summarize(input))
      expect(cleaned.citations).toEqual([1, 2])
      expect(cleaned.droppedCitations).toEqual([7, 9])
      expect(cleaned.text).toBe("Brenner builds machines [1]. It was founded in 1850. It has 250 staff [2].")

      expect(refused(yield* llm.summarize(input))).toMatchObject({
        kind: "rejected",
        reason: "the summary cites only facts that do not exist (7)"
      })
      expect(refused(yield* llm.summarize(input))).toMatchObject({
        kind: "rejected",
        reason: "the summary cites none of the facts"
      })
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a soft trigger with evidence from the meeting text is accepted; invented evidence is not", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      fake.script(
        // Case and whitespace differ from the text: still the same words.
        answer({ matched: true, label: "Kick-off with a new customer", evidence: "kick-off  mit neuem KUNDEN" }),
        answer({ matched: true, label: "First sales meeting", evidence: "first meeting with a prospect" }),
        // A fragment of a word proves nothing.
        answer({ matched: true, label: "Customer", evidence: "unden Brenn" }),
        answer({ matched: false, label: "", evidence: "" })
      )
      const input = { eventKey: "e1", text: meeting, triggerWords: ["Dossier", "Recherche"] }

      expect(completed<LlmSoftTrigger>(yield* llm.softTrigger(input))).toMatchObject({
        matched: true,
        label: "Kick-off with a new customer",
        evidence: "kick-off mit neuem KUNDEN"
      })
      const invented = completed<LlmSoftTrigger>(yield* llm.softTrigger(input))
      expect(invented).toMatchObject({ matched: false, evidence: "", reason: "evidence not in the meeting text" })
      expect(completed<LlmSoftTrigger>(yield* llm.softTrigger(input))).toMatchObject({
        matched: false,
        reason: "evidence not in the meeting text"
      })
      expect(completed<LlmSoftTrigger>(yield* llm.softTrigger(input))).toMatchObject({
        matched: false,
        reason: "the model saw no soft trigger"
      })
      expect(JSON.stringify(fake.requests[0]?.body.input)).toContain("Our trigger words, for comparison: Dossier, Recherche")
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("the company fallback: a name written in the text and a valid domain are kept, the rest is turned down", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      const text = "Abstimmung mit Müller Maschinenbau zum Rahmenvertrag\nDial-in: https://zoom.us/j/123"
      fake.script(
        answer({ company_name: "Müller Maschinenbau", domain: "https://www.mueller-maschinenbau.de/" }),
        answer({ company_name: "Siemens AG", domain: "example.com" }),
        answer({ company_name: "Zoom", domain: "zoom.us" }),
        answer({ company_name: null, domain: null })
      )
      const input = { eventKey: "e1", text }

      expect(completed<LlmCompany>(yield* llm.extractCompany(input))).toMatchObject({
        name: "Müller Maschinenbau",
        domain: "mueller-maschinenbau.de",
        domainInText: false,
        rejected: []
      })
      const invented = completed<LlmCompany>(yield* llm.extractCompany(input))
      expect(invented.name).toBeUndefined()
      expect(invented.domain).toBeUndefined()
      expect(invented.rejected).toEqual([
        `name "Siemens AG": not in the meeting text`,
        `domain "example.com": a placeholder/reserved domain (RFC 2606)`
      ])
      const platform = completed<LlmCompany>(yield* llm.extractCompany(input))
      expect(platform.domain).toBeUndefined()
      expect(platform.rejected).toEqual([`domain "zoom.us": a meeting or sharing platform`])
      const nothing = completed<LlmCompany>(yield* llm.extractCompany(input))
      expect([nothing.name, nothing.domain, nothing.rejected]).toEqual([undefined, undefined, []])
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("an answer that is not the JSON asked for: unavailable, and the call's reservation is counted", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      fake.script(answer("Sure! Brenner is a great company to meet."))
      expect(refused(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))).toMatchObject({
        kind: "bad_output",
        reason: "the model's answer is not the JSON asked for"
      })
      const row = yield* dailyRow
      expect(row?.calls).toBe(1)
      expect(row?.spent).toBeGreaterThan(0)
      expect(row?.reserved).toBe(0)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("per event: a call that would go over LLM_MAX_TOKENS_PER_EVENT is not made; other events go on", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake, { LLM_MAX_TOKENS_PER_EVENT: "1500" }))
      fake.otherwise(answer({ matched: false, label: "", evidence: "" }, { input: 1200, output: 100 }))

      completed(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))
      expect(refused(yield* llm.extractCompany({ eventKey: "e1", text: meeting }))).toMatchObject({
        kind: "event_budget",
        reason: "LLM token budget for this event reached"
      })
      expect(fake.requests).toHaveLength(1)

      completed(yield* llm.softTrigger({ eventKey: "e2", text: meeting }))
      expect(fake.requests).toHaveLength(2)
      const sql = yield* SqlClient.SqlClient
      expect(yield* sql`SELECT event_key, used_tokens, reserved_tokens FROM li_llm_event_tokens ORDER BY event_key`).toEqual([
        { event_key: "e1", used_tokens: 1300, reserved_tokens: 0 },
        { event_key: "e2", used_tokens: 1300, reserved_tokens: 0 }
      ])
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("per day: over LLM_DAILY_BUDGET_USD the next call is not made, by this runner or another on the database", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      // $0.001 a day; one soft-trigger call reserves about $0.00017 (its prompt estimated, 150 output tokens).
      const env = envFor(fake, { LLM_DAILY_BUDGET_USD: "0.001" })
      const llm = yield* llmFrom(env)
      fake.otherwise(answer({ matched: false, label: "", evidence: "" }, { input: 5000, output: 200 }))

      completed(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))
      // 5000 × $0.15 + 200 × $0.60 per million: $0.00087 spent, the next reservation does not fit.
      expect(yield* dailyRow).toMatchObject({ spent: 870, reserved: 0, calls: 1 })

      expect(refused(yield* llm.softTrigger({ eventKey: "e2", text: meeting }))).toMatchObject({
        kind: "daily_budget",
        reason: "daily LLM budget reached"
      })
      const otherRunner = yield* llmFrom(env)
      expect(refused(yield* otherRunner.summarize({ eventKey: "e3", company: { name: "Brenner" }, facts }))).toMatchObject({
        kind: "daily_budget"
      })
      expect(fake.requests).toHaveLength(1)
      // A refused event gave its reservation back.
      const sql = yield* SqlClient.SqlClient
      expect(yield* sql`SELECT SUM(reserved_tokens) AS reserved FROM li_llm_event_tokens`).toEqual([{ reserved: 0 }])
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("two calls at once cannot both take the last of the day's budget", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      // Room for one reservation (about $0.00017), not two.
      const llm = yield* llmFrom(envFor(fake, { LLM_DAILY_BUDGET_USD: "0.0003" }))
      fake.otherwise(answer({ matched: false, label: "", evidence: "" }, { input: 300, output: 20 }, 300))
      const results = yield* Effect.all(
        ["e1", "e2"].map((eventKey) => llm.softTrigger({ eventKey, text: meeting })),
        { concurrency: "unbounded" }
      )
      expect(results.map((r) => r.status).sort()).toEqual(["completed", "unavailable"])
      expect(fake.requests).toHaveLength(1)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a 500 is tried again, and the second answer counts", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      fake.script(status(500), answer({ matched: true, label: "Kick-off", evidence: "Kick-off mit neuem Kunden" }))
      expect(completed<LlmSoftTrigger>(yield* llm.softTrigger({ eventKey: "e1", text: meeting })).matched).toBe(true)
      expect(fake.requests).toHaveLength(2)
      expect(yield* dailyRow).toMatchObject({ calls: 1, reserved: 0 })
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a 429 with Retry-After, twice: each wait is the one the server asked for, then the answer", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      fake.script(
        status(429, { "retry-after": "1" }),
        status(429, { "retry-after": "1" }),
        answer({ company_name: "Brenner Verpackungstechnik", domain: null })
      )
      expect(completed<LlmCompany>(yield* llm.extractCompany({ eventKey: "e1", text: meeting })).name).toBe(
        "Brenner Verpackungstechnik"
      )
      expect(fake.requests).toHaveLength(3)
      const [first, second, third] = fake.requests.map((r) => r.at)
      // Not the backoff (250 ms, then 500 ms): the second the server asked for, each time.
      expect(second! - first!).toBeGreaterThanOrEqual(950)
      expect(third! - second!).toBeGreaterThanOrEqual(950)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("429 after every try: unavailable (rules only), nothing spent, and no call during the cool-down", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      fake.otherwise(status(429, { "retry-after-ms": "50" }))
      expect(refused(yield* llm.summarize({ eventKey: "e1", company: { name: "Brenner" }, facts }))).toEqual(
        expect.objectContaining({ kind: "rate_limited", reason: "rate limited by the API (429 after 3 tries)" })
      )
      expect(fake.requests).toHaveLength(3)
      expect(yield* dailyRow).toMatchObject({ spent: 0, reserved: 0, calls: 0 })

      const again = refused(yield* llm.softTrigger({ eventKey: "e2", text: meeting }))
      expect(again.kind).toBe("rate_limited")
      expect(again.reason).toMatch(/^rate limited by the API; no call before /)
      expect(fake.requests).toHaveLength(3)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a Retry-After past the call's timeout is not waited for: unavailable after one try", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake, { LLM_TIMEOUT_SECONDS: "10" }))
      fake.otherwise(status(429, { "retry-after": "120" }))
      expect(refused(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))).toMatchObject({
        kind: "rate_limited",
        reason: "rate limited by the API (429 after 1 try)"
      })
      expect(fake.requests).toHaveLength(1)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("nothing to ask: no facts, or no meeting text, answer at once without a call", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake))
      expect(refused(yield* llm.summarize({ eventKey: "e1", company: { name: "Brenner" }, facts: [] })).kind).toBe(
        "nothing_to_do"
      )
      expect(refused(yield* llm.extractCompany({ eventKey: "e1", text: " \n " })).kind).toBe("nothing_to_do")
      expect(fake.requests).toHaveLength(0)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("no answer within LLM_TIMEOUT_SECONDS: unavailable, the reservation counted", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake, { LLM_TIMEOUT_SECONDS: "0.5" }))
      fake.script(answer({ matched: false, label: "", evidence: "" }, undefined, 3000))
      expect(refused(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))).toMatchObject({
        kind: "timeout",
        reason: "no answer within 0.5 s"
      })
      expect(yield* dailyRow).toMatchObject({ reserved: 0, calls: 1 })
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a server without the Responses API: refused, with a hint at OPENAI_API_STYLE", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(envFor(fake, { OPENAI_BASE_URL: `${fake.baseUrl}/elsewhere` }))
      const result = refused(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))
      expect(result.kind).toBe("request_refused")
      expect(result.reason).toBe(
        "the API refused the request (404): Invalid URL (POST /v1/elsewhere/responses) " +
          "(a server without the Responses API: set OPENAI_API_STYLE=chat)"
      )
      expect(yield* dailyRow).toMatchObject({ spent: 0, reserved: 0, calls: 0 })
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a wrong key: refused at once, not retried", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi({ apiKey: "sk-right" })
      const llm = yield* llmFrom(envFor(fake, { OPENAI_API_KEY: "sk-wrong" }))
      const result = refused(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))
      expect(result.kind).toBe("request_refused")
      expect(result.reason).toMatch(/^the API refused the key \(401\): Incorrect API key provided/)
      expect(fake.requests).toHaveLength(1)
    }).pipe(Effect.provide(Sqlite)))
})

describe("LLM over chat completions (local servers)", () => {
  const localEnv = (fake: FakeOpenAi) => ({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: "llama3.1:8b" })

  it.scopedLive("a base URL without a key: POST /chat/completions with a JSON schema, no Authorization", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(localEnv(fake))
      fake.script(answer(
        "```json\n" + JSON.stringify({ summary: "Brenner builds packaging machines [3].", citations: [3] }) + "\n```",
        { input: 280, output: 30 }
      ))
      const summary = completed<LlmSummary>(yield* llm.summarize({ eventKey: "e1", company: { name: "Brenner" }, facts }))
      expect(summary).toMatchObject({ citations: [3], model: "llama3.1:8b", tokens: 310, inferred: true })
      const [request] = fake.requests
      expect(request?.path).toBe("/v1/chat/completions")
      expect(request?.headers.authorization).toBeUndefined()
      expect(request?.body).toMatchObject({
        model: "llama3.1:8b",
        max_tokens: 400,
        response_format: { type: "json_schema", json_schema: { name: "company_summary", strict: true } }
      })
      expect(request?.body.messages.map((m: { role: string }) => m.role)).toEqual(["system", "user"])
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("503 then 429, then the answer; evidence checked the same way", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const llm = yield* llmFrom(localEnv(fake))
      fake.script(
        status(503),
        status(429, { "retry-after-ms": "20" }),
        answer({ matched: true, label: "Kick-off", evidence: "Kick-off mit neuem Kunden" })
      )
      expect(completed<LlmSoftTrigger>(yield* llm.softTrigger({ eventKey: "e1", text: meeting }))).toMatchObject({
        matched: true,
        evidence: "Kick-off mit neuem Kunden"
      })
      expect(fake.requests).toHaveLength(3)
    }).pipe(Effect.provide(Sqlite)))

  it.scopedLive("a server that is down: unavailable after the tries", () =>
    Effect.gen(function*() {
      // A port nothing listens on: take one, then close it.
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = createHttpServer()
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            server.close(() => resolve(port))
          })
        })
      )
      const llm = yield* llmFrom({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` })
      const result = refused(yield* llm.extractCompany({ eventKey: "e1", text: meeting }))
      expect(result).toMatchObject({ kind: "unreachable", reason: "the API could not be reached (connection failed, 3 tries)" })
      expect(yield* dailyRow).toMatchObject({ spent: 0, reserved: 0, calls: 0 })
    }).pipe(Effect.provide(Sqlite)))
})

describe("LLM behind an HTTP proxy", () => {
  it.scopedLive("HTTP_PROXY is honoured: the call is tunnelled through the proxy", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeOpenAi()
      const target = new URL(fake.baseUrl)
      const tunnelled: Array<string> = []
      const proxy = createHttpServer()
      proxy.on("connect", (req, socket, head) => {
        tunnelled.push(req.url ?? "")
        const upstream = connect(Number(target.port), target.hostname, () => {
          socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
          upstream.write(head)
          upstream.pipe(socket)
          socket.pipe(upstream)
        })
        upstream.on("error", () => socket.destroy())
        socket.on("error", () => upstream.destroy())
      })
      const proxyPort = yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<number>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve((proxy.address() as AddressInfo).port)))),
        () => Effect.promise(() => new Promise<void>((resolve) => {
          proxy.closeAllConnections()
          proxy.close(() => resolve())
        }))
      )
      const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy }
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`
          delete process.env.NO_PROXY
          delete process.env.no_proxy
        }),
        () => Effect.sync(() => {
          for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name]
            else process.env[name] = value
          }
        })
      )
      const llm = yield* llmFrom(envFor(fake))
      fake.script(answer({ company_name: "Brenner Verpackungstechnik", domain: null }))
      expect(completed<LlmCompany>(yield* llm.extractCompany({ eventKey: "e1", text: meeting })).name).toBe(
        "Brenner Verpackungstechnik"
      )
      expect(tunnelled).toEqual([`${target.hostname}:${target.port}`])
    }).pipe(Effect.provide(Sqlite)))
})

describe("checks on what a model writes", () => {
  it("a phrase occurs in the text as whole words, whatever the case, accents, ß/ss and whitespace", () => {
    const text = "Erstgespräch mit der Straße-Gruppe\nund   ACME Analytics"
    expect(occursIn("erstgesprach MIT der", text)).toBe(true)
    expect(occursIn("Strasse-Gruppe", text)).toBe(true)
    expect(occursIn("acme analytics", text)).toBe(true)
    expect(occursIn("Acme Analytic", text)).toBe(false)
    expect(occursIn("cme", text)).toBe(false)
    expect(occursIn("--", "a -- b")).toBe(false)
    expect(occursIn("", text)).toBe(false)
  })

  it("control characters, zero-width characters and bidirectional overrides are removed; length is bounded", () => {
    expect(cleanLine("Acme\u202E GmbH\u0000\u200B\n\tAG", 80)).toBe("Acme GmbH AG")
    expect(cleanLine("word ".repeat(50), 20)).toBe("word word word word…")
    expect(cleanParagraphs("One.\r\n\r\n\r\n\r\nTwo.\u0007", 100)).toBe("One.\n\nTwo.")
  })

  it("a summary cut to length keeps no half citation", () => {
    const long = `${"Brenner builds packaging machines for food producers. ".repeat(22)}It has 250 staff [1, 2].`
    const checked = checkSummary({ summary: long, citations: [1, 2] }, facts)
    expect(checked.ok).toBe(true)
    if (checked.ok) {
      expect(checked.value.text.length).toBeLessThanOrEqual(1200)
      expect(checked.value.text).not.toMatch(/\[[\d, ]*…$/)
    }
  })
})

describe("LLM budget tables", () => {
  it.effect("the migration can run twice (as a numbered migration, and when the adapter starts)", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* llmBudgetMigration
      yield* llmBudgetMigration
      const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'li_llm_%' ORDER BY name`
      expect(tables.map((t) => t.name)).toEqual(["li_llm_daily_spend", "li_llm_event_tokens"])
    }).pipe(Effect.provide(Sqlite)))
})
