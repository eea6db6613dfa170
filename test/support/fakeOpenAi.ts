/**
 * A local OpenAI-compatible server for tests: POST /v1/responses (the Responses API, which
 * @effect/ai-openai's language model calls) and POST /v1/chat/completions, answering with the
 * bodies OpenAI sends — `usage` included — and its error bodies and headers for 401, 429
 * (`retry-after`, `x-ratelimit-*`) and 5xx. Each test scripts the replies in order; it sees every
 * request (path, headers, JSON body, when it arrived).
 */
import { Effect, type Scope } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface Usage {
  readonly input: number
  readonly output: number
}

export type Reply =
  /** The model answers `content` (an object is sent as its JSON text). */
  | {
    readonly kind: "answer"
    readonly content: unknown
    readonly usage?: Usage | undefined
    readonly delayMs?: number | undefined
  }
  /** An error status with OpenAI's error body. */
  | {
    readonly kind: "status"
    readonly status: number
    readonly headers?: Record<string, string> | undefined
    readonly delayMs?: number | undefined
  }

export const answer = (content: unknown, usage?: Usage, delayMs?: number): Reply => ({
  kind: "answer",
  content,
  usage,
  delayMs
})

export const status = (code: number, headers?: Record<string, string>, delayMs?: number): Reply => ({
  kind: "status",
  status: code,
  headers,
  delayMs
})

export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly body: any
  /** Date.now() when it arrived. */
  readonly at: number
}

export interface FakeOpenAi {
  /** "http://127.0.0.1:PORT/v1" — what OPENAI_BASE_URL is set to. */
  readonly baseUrl: string
  readonly requests: ReadonlyArray<SeenRequest>
  /** Replies for the next requests, in order. */
  readonly script: (...replies: ReadonlyArray<Reply>) => void
  /** The reply once the script is used up (else a 500 saying nothing is scripted). */
  readonly otherwise: (reply: Reply) => void
}

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  401: {
    message: "Incorrect API key provided: sk-wrong. You can find your API key at https://platform.openai.com/account/api-keys.",
    type: "invalid_request_error",
    code: "invalid_api_key"
  },
  400: { message: "Invalid schema for response_format 'x'.", type: "invalid_request_error", code: null },
  429: {
    message: "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3, " +
      "Used 3, Requested 1. Please try again in 20s.",
    type: "requests",
    code: "rate_limit_exceeded"
  },
  500: {
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
    code: null
  },
  503: { message: "The engine is currently overloaded, please try again later", type: "server_error", code: null }
}

const errorBody = (code: number) => ({
  error: { ...(ERRORS[code] ?? { message: `HTTP ${code}`, type: "server_error", code: null }), param: null }
})

const servedModel = (model: unknown) => (model === "gpt-4o-mini" ? "gpt-4o-mini-2024-07-18" : String(model ?? "unknown"))

const randomId = (prefix: string) => `${prefix}${Math.random().toString(16).slice(2).padEnd(24, "0")}`

const responsesBody = (request: any, text: string, usage: Usage) => ({
  id: randomId("resp_"),
  object: "response",
  created_at: Math.floor(Date.now() / 1000),
  status: "completed",
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: request.max_output_tokens ?? null,
  max_tool_calls: null,
  model: servedModel(request.model),
  output: [{
    id: randomId("msg_"),
    type: "message",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", annotations: [], logprobs: [], text }]
  }],
  parallel_tool_calls: true,
  previous_response_id: null,
  prompt_cache_key: null,
  reasoning: { effort: null, summary: null },
  safety_identifier: null,
  service_tier: "default",
  store: request.store ?? true,
  temperature: 1.0,
  text: request.text ?? { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  top_logprobs: 0,
  top_p: 1.0,
  truncation: "disabled",
  usage: {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.input + usage.output
  },
  user: null,
  metadata: {}
})

const chatBody = (request: any, text: string, usage: Usage) => ({
  id: randomId("chatcmpl-"),
  object: "chat.completion",
  created: Math.floor(Date.now() / 1000),
  model: servedModel(request.model),
  choices: [{
    index: 0,
    message: { role: "assistant", content: text, refusal: null, annotations: [] },
    logprobs: null,
    finish_reason: "stop"
  }],
  usage: {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0
    }
  },
  service_tier: "default",
  system_fingerprint: "fp_0ba0d124f1"
})

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const send = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
  if (res.destroyed) return
  res.writeHead(code, {
    "content-type": "application/json",
    "openai-processing-ms": "212",
    "x-request-id": randomId("req_"),
    ...headers
  }).end(JSON.stringify(body))
}

export const makeFakeOpenAi = (options: { readonly apiKey?: string } = {}): Effect.Effect<FakeOpenAi, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly fake: FakeOpenAi; readonly close: () => Promise<void> }>((resume) => {
      const requests: Array<SeenRequest> = []
      const queue: Array<Reply> = []
      let fallback: Reply | undefined
      const server = createServer((req, res) => {
        void readBody(req).then(async (raw) => {
          const path = (req.url ?? "/").split("?")[0] ?? "/"
          let body: unknown = undefined
          try {
            body = raw.length > 0 ? JSON.parse(raw) : undefined
          } catch {
            body = raw
          }
          requests.push({ method: req.method ?? "GET", path, headers: req.headers, body, at: Date.now() })
          if (req.method !== "POST" || (path !== "/v1/responses" && path !== "/v1/chat/completions")) {
            return send(res, 404, { error: { message: `Invalid URL (${req.method} ${path})`, type: "invalid_request_error", param: null, code: null } })
          }
          if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
            return send(res, 401, errorBody(401))
          }
          const reply = queue.shift() ?? fallback
          if (reply === undefined) return send(res, 500, { error: { message: "nothing scripted", type: "test", param: null, code: null } })
          if (reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs))
          if (reply.kind === "status") {
            const rateHeaders = reply.status === 429
              ? { "x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s" }
              : {}
            return send(res, reply.status, errorBody(reply.status), { ...rateHeaders, ...reply.headers })
          }
          const text = typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content)
          const usage = reply.usage ?? { input: Math.ceil(raw.length / 4), output: Math.ceil(text.length / 4) }
          return send(res, 200, path === "/v1/responses" ? responsesBody(body, text, usage) : chatBody(body, text, usage))
        }).catch(() => {
          if (!res.destroyed) res.destroy()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          fake: {
            baseUrl: `http://127.0.0.1:${port}/v1`,
            requests,
            script: (...replies) => void queue.push(...replies),
            otherwise: (reply) => void (fallback = reply)
          },
          close: () =>
            new Promise<void>((resolve) => {
              server.closeAllConnections()
              server.close(() => resolve())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ fake }) => fake))
