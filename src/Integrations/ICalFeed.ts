/**
 * The iCalendar adapter of the CalendarFeed port: ICAL_URL is a file path, a file:// URL or an
 * http(s) URL. The whole feed is read on every fetch; parsing is in ICalParse (pure).
 */
import { FileSystem, HttpClient, HttpClientRequest } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Cause, Duration, Effect, Either, Layer, Schedule } from "effect"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import { CalendarError, CalendarFeed } from "../Agents/CalendarFeed.js"
import { AppConfig } from "../Config.js"
import type { TimeWindow } from "../Domain/CalendarEvent.js"
import { parseCalendar } from "./ICalParse.js"

const isHttp = (source: string) => /^https?:\/\//i.test(source)

/**
 * Private calendar addresses carry their secret in the URL (Google's "secret address", tokens in
 * the query). What we log and store shows the host and the shape of the path, never the secret;
 * a short hash of the full URL keeps two such calendars apart.
 */
export const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    const path = parsed.pathname
      .split("/")
      .map((segment) => (segment.length >= 16 && /\d/.test(segment) ? "…" : segment))
      .join("/")
    const hash = createHash("sha256").update(url).digest("hex").slice(0, 8)
    return `${parsed.protocol}//${parsed.host}${path}#${hash}`
  } catch {
    return "<unparsable URL>"
  }
}

const filePath = (source: string) => (/^file:\/\//i.test(source) ? fileURLToPath(source) : source)

const SYSTEM_REASONS: Partial<Record<string, string>> = { NotFound: "no such file", PermissionDenied: "permission denied" }

const fileReason = (path: string, error: PlatformError) =>
  `cannot read ${path}: ${(error._tag === "SystemError" ? SYSTEM_REASONS[error.reason] : undefined) ?? error.message}`

const httpReason = (url: string, error: HttpClientError | Cause.TimeoutException, timeout: Duration.Duration) => {
  switch (error._tag) {
    case "TimeoutException":
      return `timed out after ${Duration.format(timeout)} reading ${url}`
    case "ResponseError":
      return error.reason === "StatusCode"
        ? `HTTP ${error.response.status} from ${url}`
        : `cannot read the response from ${url}: ${error.description ?? error.reason}`
    case "RequestError":
      return `cannot reach ${url}: ${error.description ?? error.reason}`
  }
}

// Transient failures (408/429/5xx, transport errors) are retried a few times; the whole read,
// retries included, is bounded by ICAL_TIMEOUT_SECONDS.
const retryPolicy = Schedule.exponential("250 millis", 2).pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3))
)

export const make = Effect.gen(function*() {
  const config = yield* AppConfig
  const fs = yield* FileSystem.FileSystem
  const source = config.icalUrl.trim()
  const calendarId = `ical:${isHttp(source) ? displayUrl(source) : filePath(source)}`
  const fail = (reason: string) => new CalendarError({ calendarId, reason })

  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.filterStatusOk,
    HttpClient.retryTransient({ schedule: retryPolicy })
  )

  const download = Effect.fn("ICalFeed.download")(function*(url: string) {
    yield* Effect.annotateCurrentSpan("url", displayUrl(url))
    const response = yield* client.execute(HttpClientRequest.get(url).pipe(
      HttpClientRequest.setHeader("accept", "text/calendar, */*;q=0.5")
    ))
    const body = yield* response.arrayBuffer
    return new Uint8Array(body)
  }, (effect, url) =>
    effect.pipe(
      Effect.timeout(config.icalTimeout),
      Effect.mapError((e) => fail(httpReason(displayUrl(url), e, config.icalTimeout)))
    ))

  const readFile = Effect.fn("ICalFeed.readFile")(function*(path: string) {
    yield* Effect.annotateCurrentSpan("path", path)
    return yield* fs.readFile(path).pipe(Effect.mapError((e) => fail(fileReason(path, e))))
  })

  const read = isHttp(source) ? download(source) : readFile(filePath(source))

  const fetch = Effect.fn("ICalFeed.fetch")(function*(window: TimeWindow) {
    yield* Effect.annotateCurrentSpan({ calendarId, from: window.from.toISOString(), to: window.to.toISOString() })
    const bytes = yield* read
    const batch = yield* Either.match(parseCalendar(bytes, calendarId, window), {
      onLeft: (reason) => Effect.fail(fail(reason)),
      onRight: Effect.succeed
    })
    yield* Effect.annotateCurrentSpan({ events: batch.events.length, broken: batch.broken.length })
    if (batch.broken.length > 0) {
      yield* Effect.logWarning(`${batch.broken.length} unreadable event(s) in ${calendarId}`).pipe(
        Effect.annotateLogs("broken", batch.broken.map((b) => `${b.eventId}: ${b.reason}`))
      )
    }
    return batch
  })

  return CalendarFeed.of({ calendarId, fetch })
})

export const ICalFeedLive: Layer.Layer<CalendarFeed, never, AppConfig | HttpClient.HttpClient | FileSystem.FileSystem> =
  Layer.effect(CalendarFeed, make)
