/**
 * The two ways of asking an OpenAI-compatible server for a JSON answer, both through
 * @effect/ai-openai's OpenAiClient (base URL, key, the retrying HTTP client):
 * - `responses`: OpenAI's Responses API (POST /responses) through @effect/ai's LanguageModel,
 *   `generateObject` with the answer's schema as structured output (`text.format: json_schema`);
 * - `chat`: POST /chat/completions with `response_format: json_schema`, which local servers
 *   (Ollama, llama.cpp, vLLM, LM Studio …) have; its body is decoded leniently here.
 * Either way the answer is decoded with the shape's Schema, and a failure says whether the call
 * may have cost tokens.
 */
import * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import type * as OpenAiClient from "@effect/ai-openai/OpenAiClient"
import * as OpenAiConfig from "@effect/ai-openai/OpenAiConfig"
import * as OpenAiLanguageModel from "@effect/ai-openai/OpenAiLanguageModel"
import type { HttpClient } from "@effect/platform"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Data, Effect, Option, Schema } from "effect"
import type { UnavailableKind } from "../../Agents/Llm.js"
import type { Ask } from "./Prompts.js"

export interface Answer<A> {
  readonly value: A
  readonly inputTokens: number | undefined
  readonly outputTokens: number | undefined
  /** The model that answered, as the server names it. */
  readonly model: string | undefined
}

export class CallFailed extends Data.TaggedError("CallFailed")<{
  readonly kind: UnavailableKind
  readonly status?: number | undefined
  /** From the server's error body or the decoder: bounded, for the reason. */
  readonly detail?: string | undefined
  /** Whether the model may have run (and billed): a bad answer did, a 429 did not. */
  readonly charged: boolean
  /** What the server counted, when it answered at all. */
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number } | undefined
}> {}

export type Wire = <A, I extends Record<string, unknown>>(
  ask: Ask<A, I>,
  transform: (client: HttpClient.HttpClient) => HttpClient.HttpClient
) => Effect.Effect<Answer<A>, CallFailed>

const detailOf = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined
  let message = text
  try {
    const parsed: unknown = JSON.parse(text)
    const error = typeof parsed === "object" && parsed !== null ? (parsed as { error?: unknown }).error : undefined
    const inner = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : error
    if (typeof inner === "string") message = inner
  } catch {
    // not JSON: the text itself
  }
  const flat = message.replace(/[\u0000-\u001F\u007F-\u009F]/g, " ").replace(/\s+/g, " ").trim()
  return flat.length === 0 ? undefined : flat.length <= 160 ? flat : `${flat.slice(0, 159)}…`
}

/** A status the server answered with, after the retries: what it means for us. */
export const fromStatus = (status: number, body: string | undefined): CallFailed =>
  new CallFailed({
    kind: status === 429 ? "rate_limited" : status >= 500 || status === 408 || status === 409 ? "server_error" : "request_refused",
    status,
    detail: detailOf(body),
    charged: false
  })

const fromAiError = (error: AiError.AiError): CallFailed => {
  switch (error._tag) {
    case "HttpResponseError":
      return error.reason === "StatusCode"
        ? fromStatus(error.response.status, error.body)
        : new CallFailed({ kind: "bad_output", detail: "the API's answer could not be read", charged: true })
    case "HttpRequestError":
      return new CallFailed({
        kind: "unreachable",
        detail: error.reason === "Transport" ? "connection failed" : error.reason,
        charged: false
      })
    case "MalformedOutput":
      return new CallFailed({ kind: "bad_output", detail: "the model's answer is not the JSON asked for", charged: true })
    case "MalformedInput":
      return new CallFailed({ kind: "bad_output", detail: "the request could not be encoded", charged: false })
    case "UnknownError":
      return new CallFailed({ kind: "server_error", detail: detailOf(error.description), charged: true })
  }
}

const messages = (ask: { readonly system: string; readonly user: string }) => [
  { role: "system" as const, content: ask.system },
  { role: "user" as const, content: ask.user }
]

/** Responses API through LanguageModel.generateObject (structured output). */
export const responsesWire = (model: LanguageModel.Service): Wire =>
<A, I extends Record<string, unknown>>(
  ask: Ask<A, I>,
  transform: (client: HttpClient.HttpClient) => HttpClient.HttpClient
): Effect.Effect<Answer<A>, CallFailed> =>
  model.generateObject({ prompt: messages(ask), schema: ask.shape, objectName: ask.name }).pipe(
    OpenAiLanguageModel.withConfigOverride({ max_output_tokens: ask.maxOutputTokens }),
    OpenAiConfig.withClientTransform(transform),
    Effect.map((response) => {
      const metadata = response.content.find((part) => part.type === "response-metadata")
      return {
        value: response.value,
        inputTokens: response.usage.inputTokens,
        outputTokens: response.usage.outputTokens,
        model: metadata === undefined ? undefined : Option.getOrUndefined(metadata.modelId)
      }
    }),
    Effect.mapError(fromAiError)
  )

// Only what we read of a chat completion; anything else a server sends is ignored.
const ChatBody = Schema.Struct({
  model: Schema.optional(Schema.NullOr(Schema.String)),
  choices: Schema.Array(Schema.Struct({
    finish_reason: Schema.optional(Schema.NullOr(Schema.String)),
    message: Schema.Struct({
      content: Schema.optional(Schema.NullOr(Schema.String)),
      refusal: Schema.optional(Schema.NullOr(Schema.String))
    })
  })),
  usage: Schema.optional(Schema.NullOr(Schema.Struct({
    prompt_tokens: Schema.optional(Schema.NullOr(Schema.Number)),
    completion_tokens: Schema.optional(Schema.NullOr(Schema.Number))
  })))
})
const decodeChatBody = Schema.decodeUnknown(Schema.parseJson(ChatBody))

/** A model that ignores the response format may still wrap its JSON in a Markdown fence. */
export const stripFence = (text: string): string => {
  const match = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n?\s*```\s*$/.exec(text)
  return match?.[1] ?? text
}

const MAX_BODY = 1_000_000

/** POST /chat/completions with a JSON-schema response format, decoded leniently. */
export const chatWire = (client: OpenAiClient.Service, modelName: string): Wire => (ask, transform) =>
  Effect.gen(function*() {
    const request = HttpClientRequest.post("/chat/completions").pipe(
      HttpClientRequest.bodyUnsafeJson({
        model: modelName,
        messages: messages(ask),
        max_tokens: ask.maxOutputTokens,
        response_format: {
          type: "json_schema",
          json_schema: { name: ask.name, strict: true, schema: Tool.getJsonSchemaFromSchemaAst(ask.shape.ast) }
        }
      })
    )
    const response = yield* transform(client.client.httpClient).execute(request).pipe(
      Effect.mapError((error) =>
        new CallFailed({
          kind: "unreachable",
          detail: error._tag === "RequestError" ? "connection failed" : "no answer",
          charged: false
        })
      )
    )
    const text = yield* response.text.pipe(
      Effect.mapError(() => new CallFailed({ kind: "unreachable", detail: "the answer broke off", charged: true }))
    )
    if (response.status >= 300) return yield* fromStatus(response.status, text.slice(0, 10_000))
    if (text.length > MAX_BODY) {
      return yield* new CallFailed({ kind: "bad_output", detail: "the API's answer is too long", charged: true })
    }
    const body = yield* decodeChatBody(text).pipe(
      Effect.mapError(() => new CallFailed({ kind: "bad_output", detail: "the API's answer could not be read", charged: true }))
    )
    const usage = body.usage
      ? { inputTokens: body.usage.prompt_tokens ?? 0, outputTokens: body.usage.completion_tokens ?? 0 }
      : undefined
    const content = body.choices[0]?.message.content ?? ""
    const value = yield* Schema.decodeUnknown(Schema.parseJson(ask.shape))(stripFence(content)).pipe(
      Effect.mapError(() =>
        new CallFailed({ kind: "bad_output", detail: "the model's answer is not the JSON asked for", charged: true, usage })
      )
    )
    return { value, inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens, model: body.model ?? undefined }
  })
