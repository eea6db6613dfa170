/**
 * One HTTP request of the crawl, bounded: a time-out for headers and body together, a byte limit
 * (the body is read as a stream and cancelled at the limit, never buffered whole), HTML only for
 * pages, and no error page taken as content (4xx/5xx, a proxy's 502/504). Redirects come back as
 * such; Site follows them.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Data, Duration, Effect, type Scope, Stream } from "effect"

export type FetchFailure = "unreachable" | "timeout" | "http_error" | "not_html" | "too_large"

export class FetchError extends Data.TaggedError("FetchError")<{
  readonly url: string
  readonly reason: FetchFailure
  /** HTTP status, 0 when no response came. */
  readonly status: number
  /** Body bytes read before giving up. */
  readonly bytes: number
  readonly detail: string
}> {}

export type Fetched =
  | { readonly _tag: "Redirect"; readonly url: string; readonly status: number; readonly location: string }
  | {
    readonly _tag: "Body"
    readonly url: string
    readonly status: number
    readonly contentType: string | undefined
    readonly body: Uint8Array
  }

export interface RequestLimits {
  readonly userAgent: string
  readonly timeout: Duration.Duration
  readonly maxBytes: number
  /** Pages must be HTML; robots.txt is read whatever its type. */
  readonly expect: "html" | "robots"
}

const HTML_TYPES = /^(?:text\/html|application\/xhtml\+xml)\b/i

const ACCEPT = {
  html: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
  robots: "text/plain,*/*;q=0.5"
} as const

/** The most specific message in an error's cause chain ("unable to verify the first certificate"). */
export const describeCause = (cause: unknown): string => {
  const messages: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = "code" in current ? current.code : undefined
    messages.push(typeof code === "string" && !current.message.includes(code) ? `${current.message} (${code})` : current.message)
    current = current.cause
  }
  const specific = messages.filter((m) => m !== "" && !/^(?:fetch failed|Transport error)/i.test(m))
  return specific.at(-1) ?? messages.at(-1) ?? String(cause)
}

const transportDetail = (error: HttpClientError): string =>
  describeCause(error.cause ?? error.description ?? error.reason)

/**
 * GETs `url` once with a client made by `HttpClient.withScope` (the connection is aborted when the
 * request ends, also when the body is refused unread or cut at the limit). The body is read only
 * for a 2xx answer of the expected type, and at most `maxBytes + one chunk` of it; `onBytes` hears
 * of every chunk (for the site's tally).
 */
export const fetchOnce = (
  client: HttpClient.HttpClient.With<HttpClientError, Scope.Scope>,
  url: string,
  limits: RequestLimits,
  onBytes: (n: number) => void
): Effect.Effect<Fetched, FetchError> => {
  let read = 0
  const fail = (reason: FetchFailure, status: number, detail: string) =>
    new FetchError({ url, reason, status, bytes: read, detail })
  const request = HttpClientRequest.get(url).pipe(
    HttpClientRequest.setHeaders({
      "user-agent": limits.userAgent,
      accept: ACCEPT[limits.expect],
      "accept-language": "de,en;q=0.8,*;q=0.5"
    })
  )
  return Effect.gen(function*() {
    const response = yield* client.execute(request).pipe(
      Effect.mapError((error) => fail("unreachable", 0, transportDetail(error)))
    )
    const status = response.status
    const location = response.headers["location"]
    if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
      return { _tag: "Redirect", url, status, location } as const
    }
    if (status < 200 || status >= 300) return yield* fail("http_error", status, `HTTP ${status}`)
    const contentType = response.headers["content-type"]
    if (limits.expect === "html" && contentType !== undefined && !HTML_TYPES.test(contentType)) {
      return yield* fail("not_html", status, `not HTML (${contentType.split(";")[0]?.trim()})`)
    }
    const declared = Number(response.headers["content-length"] ?? Number.NaN)
    if (declared > limits.maxBytes) return yield* fail("too_large", status, `declares ${declared} bytes`)
    // Folding stops pulling once past the limit; the stream's end aborts the connection.
    const chunks = yield* response.stream.pipe(
      Stream.mapError((error) => fail("unreachable", status, transportDetail(error))),
      Stream.runFoldWhile(
        [] as Array<Uint8Array>,
        () => read <= limits.maxBytes,
        (acc, chunk) => {
          read += chunk.length
          onBytes(chunk.length)
          acc.push(chunk)
          return acc
        }
      )
    )
    if (read > limits.maxBytes) return yield* fail("too_large", status, `larger than ${limits.maxBytes} bytes`)
    return { _tag: "Body", url, status, contentType, body: Buffer.concat(chunks, read) } as const
  }).pipe(
    Effect.scoped,
    Effect.timeoutFail({
      duration: limits.timeout,
      onTimeout: () => fail("timeout", 0, `no complete answer within ${Duration.format(limits.timeout)}`)
    }),
    Effect.withSpan("Website.fetch", { attributes: { url } })
  )
}
