/**
 * The iCalendar adapter of the CalendarFeed port: ICAL_URL is a file path, a file:// URL or an
 * http(s) URL. The whole feed is read on every fetch, bounded in time (ICAL_TIMEOUT_SECONDS) and
 * size (ICAL_MAX_BYTES), so a feed that never ends fails the cycle instead of the process;
 * parsing is in ICalStage (pure); node-ical is loaded only for a feed with series it must read.
 * A feed over 1 MB lists its plain events deferred (ICalDeferred) and is copied to disk for the
 * cycle (FeedSpool): its events are read from there when they are taken.
 */
import { FileSystem, HttpClient, HttpClientRequest } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Duration, Effect, Either, Layer, Schedule, Stream } from "effect"
import { createHash } from "node:crypto"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { CalendarError, CalendarFeed } from "../Agents/CalendarFeed.js"
import { AppConfig } from "../Config.js"
import type { TimeWindow } from "../Domain/CalendarEvent.js"
import { collectAtMost, formatBytes } from "./BoundedRead.js"
import { spool, SPOOL_ABOVE } from "./FeedSpool.js"
import type { Resolved } from "./ICalResolve.js"
import { stageCalendar } from "./ICalStage.js"

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

/** What a path can be besides a regular file. None is read: a device or pipe may never end. */
const FILE_TYPES: Partial<Record<FileSystem.File.Type, string>> = {
  Directory: "a directory",
  FIFO: "a named pipe",
  CharacterDevice: "a character device",
  BlockDevice: "a block device",
  Socket: "a socket"
}

const filePath = (source: string) => (/^file:\/\//i.test(source) ? fileURLToPath(source) : source)

const SYSTEM_REASONS: Partial<Record<string, string>> = { NotFound: "no such file", PermissionDenied: "permission denied" }

const fileReason = (path: string, error: PlatformError) =>
  `cannot read ${path}: ${(error._tag === "SystemError" ? SYSTEM_REASONS[error.reason] : undefined) ?? error.message}`

const httpReason = (url: string, error: HttpClientError) => {
  switch (error._tag) {
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
  const maxBytes = config.icalMaxBytes
  const tooLarge = (what: string) => () => fail(`${what} is larger than ICAL_MAX_BYTES (${formatBytes(maxBytes)})`)
  const timedOut = (what: string) => () => fail(`timed out after ${Duration.format(config.icalTimeout)} reading ${what}`)

  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.filterStatusOk,
    HttpClient.retryTransient({ schedule: retryPolicy }),
    // The connection ends with the read, also when the body is refused unread or cut at the limit.
    HttpClient.withScope
  )

  const download = Effect.fn("ICalFeed.download")(function*(url: string) {
    const shown = displayUrl(url)
    yield* Effect.annotateCurrentSpan("url", shown)
    const response = yield* client.execute(HttpClientRequest.get(url).pipe(
      HttpClientRequest.setHeader("accept", "text/calendar, */*;q=0.5")
    )).pipe(Effect.mapError((e) => fail(httpReason(shown, e))))
    // A declared length says it at once; a chunked or lying response is counted as it streams.
    const declared = Number(response.headers["content-length"] ?? Number.NaN)
    if (declared > maxBytes) return yield* tooLarge(shown)()
    return yield* collectAtMost(
      response.stream.pipe(Stream.mapError((e) => fail(httpReason(shown, e)))),
      maxBytes,
      tooLarge(shown),
      Number.isFinite(declared) ? declared : undefined
    )
  }, (effect, url) =>
    effect.pipe(
      Effect.scoped,
      Effect.timeoutFail({ duration: config.icalTimeout, onTimeout: timedOut(displayUrl(url)) })
    ))

  const readFile = Effect.fn("ICalFeed.readFile")(function*(path: string) {
    yield* Effect.annotateCurrentSpan("path", path)
    const platformFail = (e: PlatformError) => fail(fileReason(path, e))
    // Checked before opening: opening a named pipe waits for a writer, reading /dev/zero never ends.
    const info = yield* fs.stat(path).pipe(Effect.mapError(platformFail))
    if (info.type !== "File") return yield* fail(`${path} is not a regular file (${FILE_TYPES[info.type] ?? info.type})`)
    if (Number(info.size) > maxBytes) return yield* tooLarge(path)()
    // The file may grow after the check: one byte more than allowed is all that is read.
    return yield* collectAtMost(
      fs.stream(path, { bytesToRead: maxBytes + 1 }).pipe(Stream.mapError(platformFail)),
      maxBytes,
      tooLarge(path),
      Number(info.size)
    )
  }, (effect, path) => Effect.timeoutFail(effect, { duration: config.icalTimeout, onTimeout: timedOut(path) }))

  const read = isHttp(source) ? download(source) : readFile(filePath(source))
  const spoolDir = path.join(config.logStorageDir, "feeds")

  const fetch = Effect.fn("ICalFeed.fetch")(function*(window: TimeWindow) {
    yield* Effect.annotateCurrentSpan({ calendarId, from: window.from.toISOString(), to: window.to.toISOString() })
    const bytes = yield* read
    const limits = { maxOccurrencesPerSeries: config.maxOccurrencesPerSeries }
    // A large feed's plain events are listed and read again when taken (from a copy on disk, below):
    // the cycle then holds neither the feed nor its events. A small one is built at once, read once.
    const large = bytes.byteLength > SPOOL_ABOVE
    const staged = yield* Either.match(stageCalendar(bytes, calendarId, window, limits, { defer: large }), {
      onLeft: (reason) => Effect.fail(fail(reason)),
      onRight: Effect.succeed
    })
    const resolved: ReadonlyMap<string, Resolved> = staged.unresolved.length === 0
      ? new Map()
      : (yield* Effect.promise(() => import("./ICalResolve.js"))).resolveAll(staged.unresolved, staged.timezones, staged.fileZones)
    const blocks = !large ? undefined : yield* spool(spoolDir, bytes).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(`cannot copy the feed to ${spoolDir}, it is kept in memory: ${error.message}`).pipe(
          Effect.as(undefined)
        )
      )
    )
    const batch = staged.finish(resolved, blocks)
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
