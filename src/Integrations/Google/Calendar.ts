/**
 * The Google Calendar adapter of the CalendarFeed port: every calendar of GOOGLE_CALENDAR_ID,
 * synced the way Google recommends (https://developers.google.com/calendar/api/guides/sync).
 * - A full sync lists the window (`singleEvents=true`, every page) a week further ahead than
 *   asked, and keeps the `nextSyncToken` of its last page. Later polls ask only for what changed
 *   since that token: one request for a calendar nothing happened in. When the window has moved
 *   past the synced range, or Google answers 410 Gone to the token, the calendar is synced in full
 *   again in the same cycle.
 * - The synced copy lives in the workflow database (SyncStore), so each poll hands the
 *   orchestrator the whole window, as the iCalendar feed does: an event cancelled or deleted in
 *   Google is simply no longer there, and its waiting request is withdrawn the same way.
 * - One calendar's error (400/404, sign-in refused, retries used up) is that calendar's: the
 *   others' events go on, its failure is in the batch (`calendars.failed`) and its requests wait.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either, Layer, Option, Schema } from "effect"
import type { HttpClient } from "@effect/platform"
import { CalendarError, CalendarFeed, type FeedBatch } from "../../Agents/CalendarFeed.js"
import { AppConfig } from "../../Config.js"
import { type BrokenEvent, type CalendarEvent, SkippedOccurrences, type TimeWindow } from "../../Domain/CalendarEvent.js"
import { GoogleAuth } from "./Auth.js"
import { GoogleItem, mapItem, overlaps } from "./EventJson.js"
import { SCOPES, type GoogleConfig } from "./GoogleConfig.js"
import { type GoogleApi, GoogleApiError, makeApi } from "./Http.js"
import { type Kept, makeSyncStore, type SyncState } from "./SyncStore.js"

const DAY = 86_400_000
/** A full sync covers this much more than the window, so the window can move for a week on one token. */
const AHEAD = 7 * DAY

const EventsPage = Schema.Struct({
  items: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  nextPageToken: Schema.optional(Schema.String),
  nextSyncToken: Schema.optional(Schema.String)
})

const decodeItem = Schema.decodeUnknownEither(GoogleItem)

/** The key events of this calendar carry (`calendarId` of CalendarEvent, the ledger, requests). */
export const calendarKey = (id: string) => `google:${id}`

interface Copy {
  readonly state: SyncState
  readonly items: Map<string, Kept>
}

const reasonOf = (error: { readonly _tag: string; readonly message: string; readonly status?: number | undefined }) => {
  if (error._tag === "GoogleApiError" && error.status === 404) {
    return `not found (no such calendar, or not shared with this account): ${error.message}`
  }
  if (error._tag === "GoogleApiError" && error.status === 403) return `not allowed to read it: ${error.message}`
  if (error._tag === "SqlError") return `cannot keep the synced copy: ${error.message}`
  return error.message
}

export const make = (config: GoogleConfig) =>
  Effect.gen(function*() {
    const app = yield* AppConfig
    const api: GoogleApi = yield* makeApi(config)
    const store = yield* makeSyncStore
    const copies = new Map<string, Copy>()
    const feedId = config.calendarIds.length === 1
      ? calendarKey(config.calendarIds[0] ?? "primary")
      : `google:${config.calendarIds.join(",")}`
    const scopes = [SCOPES.calendar]
    const eventsUrl = (id: string) => `${config.calendarBaseUrl}/calendar/v3/calendars/${encodeURIComponent(id)}/events`

    /** Every page of one listing; the sync token comes with the last. */
    const listAll = (id: string, params: Record<string, string>) =>
      Effect.gen(function*() {
        const items: Array<unknown> = []
        let pageToken: string | undefined
        for (;;) {
          const page = yield* api.get(
            eventsUrl(id),
            { ...params, singleEvents: "true", maxResults: String(config.pageSize), ...(pageToken === undefined ? {} : { pageToken }) },
            EventsPage,
            scopes
          )
          items.push(...page.items)
          if (page.nextPageToken === undefined) return { items, syncToken: page.nextSyncToken }
          pageToken = page.nextPageToken
        }
      })

    /** What one item says: remove these ids, keep this one (or nothing, for a skipped kind). */
    const read = (key: string, raw: unknown, within: SyncState, copy: Map<string, Kept>) => {
      const item = decodeItem(raw)
      if (Either.isLeft(item)) return { remove: [] as ReadonlyArray<string>, keep: undefined }
      const { id, recurringEventId, status } = item.right
      if (status === "cancelled") {
        // A deleted series takes its occurrences with it (an occurrence names its series).
        const series = recurringEventId === undefined
          ? [...copy].filter(([, kept]) => kept.seriesId === id).map(([itemId]) => itemId)
          : []
        return { remove: [id, ...series], keep: undefined }
      }
      const mapped = mapItem(key, item.right, raw)
      if (mapped._tag === "Skip") return { remove: [id], keep: undefined }
      // A change far outside the synced range is not kept; the next full sync sees it if it comes closer.
      if (mapped._tag === "Event" && !overlaps(mapped.startMs, mapped.endMs, within.from, within.to)) {
        return { remove: [id], keep: undefined }
      }
      return { remove: [], keep: [id, { seriesId: recurringEventId, item: mapped }] as const }
    }

    const fullSync = Effect.fn("GoogleCalendar.fullSync")(function*(id: string, window: TimeWindow) {
      const key = calendarKey(id)
      const range = { from: window.from.getTime(), to: window.to.getTime() + AHEAD }
      const listed = yield* listAll(id, {
        timeMin: new Date(range.from).toISOString(),
        timeMax: new Date(range.to).toISOString()
      })
      const state: SyncState = { token: listed.syncToken, ...range }
      const items = new Map<string, Kept>()
      for (const raw of listed.items) {
        const { keep, remove } = read(key, raw, state, items)
        for (const gone of remove) items.delete(gone)
        if (keep !== undefined) items.set(keep[0], keep[1])
      }
      yield* store.replace(key, state, items)
      yield* Effect.annotateCurrentSpan({ calendarId: key, items: items.size })
      yield* Effect.logDebug(`${key}: full sync, ${items.size} item(s)`)
      return { state, items } satisfies Copy
    })

    /** Changes since the token, applied to the copy; `None` when Google says the token is gone (410). */
    const incremental = Effect.fn("GoogleCalendar.incremental")(function*(id: string, copy: Copy, token: string) {
      const key = calendarKey(id)
      const listed = yield* listAll(id, { syncToken: token }).pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (e): e is GoogleApiError => e instanceof GoogleApiError && e.status === 410,
          () => Effect.succeed(Option.none())
        )
      )
      if (Option.isNone(listed)) return Option.none<Copy>()
      const state: SyncState = { ...copy.state, token: listed.value.syncToken }
      const items = new Map(copy.items)
      const changed = new Map<string, Kept>()
      const removed = new Set<string>()
      for (const raw of listed.value.items) {
        const { keep, remove } = read(key, raw, state, items)
        for (const gone of remove) {
          items.delete(gone)
          changed.delete(gone)
          removed.add(gone)
        }
        if (keep !== undefined) {
          items.set(keep[0], keep[1])
          changed.set(keep[0], keep[1])
          removed.delete(keep[0])
        }
      }
      yield* Effect.annotateCurrentSpan({ calendarId: key, changes: listed.value.items.length })
      if (listed.value.items.length > 0 || state.token !== copy.state.token) {
        yield* store.apply(key, state, [...changed], [...removed])
      }
      return Option.some({ state, items } satisfies Copy)
    })

    /** The calendar's copy, brought up to date: incrementally when its token and range allow. */
    const sync = (id: string, window: TimeWindow) =>
      Effect.gen(function*() {
        const key = calendarKey(id)
        const stored = yield* store.readState(key)
        // Another runner sharing the database may have synced since: its copy is the one to go on from.
        const held = copies.get(key)
        const copy: Copy | undefined = Option.isNone(stored)
          ? undefined
          : held !== undefined && held.state.token === stored.value.token
          ? held
          : { state: stored.value, items: yield* store.load(key) }
        const usable = copy !== undefined && copy.state.token !== undefined &&
          copy.state.from <= window.from.getTime() && copy.state.to >= window.to.getTime()
        let next = Option.none<Copy>()
        if (usable && copy.state.token !== undefined) {
          next = yield* incremental(id, copy, copy.state.token)
          if (Option.isNone(next)) yield* Effect.log(`${key}: the sync token expired (410 Gone); syncing in full`)
        }
        const synced = Option.isSome(next) ? next.value : yield* fullSync(id, window)
        copies.set(key, synced)
        return synced
      })

    /** The copy's events in the window (sorted as the iCalendar feed sorts them), series cut as it cuts them. */
    const windowOf = (key: string, copy: Copy, window: TimeWindow) => {
      const from = window.from.getTime()
      const to = window.to.getTime()
      const timed: Array<{ readonly event: CalendarEvent; readonly startMs: number }> = []
      const broken: Array<BrokenEvent> = []
      for (const { item } of copy.items.values()) {
        if (item._tag === "Broken") broken.push(item.broken)
        else if (overlaps(item.startMs, item.endMs, from, to)) timed.push(item)
      }
      timed.sort((a, b) => a.startMs - b.startMs || a.event.eventId.localeCompare(b.event.eventId))
      const max = app.maxOccurrencesPerSeries
      const perSeries = new Map<string, number>()
      const skipped = new Map<string, SkippedOccurrences>()
      const events: Array<CalendarEvent> = []
      for (const { event } of timed) {
        const series = event.seriesId
        if (series !== undefined) {
          const n = (perSeries.get(series) ?? 0) + 1
          perSeries.set(series, n)
          if (n > max) {
            const cut = skipped.get(series)
            skipped.set(
              series,
              new SkippedOccurrences({
                calendarId: key,
                seriesId: series,
                summary: event.summary,
                kept: max,
                skipped: (cut?.skipped ?? 0) + 1,
                atLeast: false
              }, true)
            )
            continue
          }
        }
        events.push(event)
      }
      return { events, broken, skipped: [...skipped.values()] }
    }

    const fetch = Effect.fn("GoogleCalendar.fetch")(function*(window: TimeWindow) {
      const results = yield* Effect.forEach(config.calendarIds, (id) =>
        sync(id, window).pipe(
          Effect.map((copy) => windowOf(calendarKey(id), copy, window)),
          Effect.mapError((e) => new CalendarError({ calendarId: calendarKey(id), reason: reasonOf(e) })),
          Effect.either
        ), { concurrency: 4 })
      const read = results.flatMap((r) => (Either.isRight(r) ? [r.right] : []))
      const failed = results.flatMap((r) => (Either.isLeft(r) ? [r.left] : []))
      const [firstFailure] = failed
      // One calendar, or none readable: the whole feed failed, as an unreadable iCalendar feed does.
      if (firstFailure !== undefined && read.length === 0) {
        return yield* failed.length === 1
          ? firstFailure
          : new CalendarError({ calendarId: feedId, reason: failed.map((f) => f.message).join("; ") })
      }
      for (const f of failed) yield* Effect.logError(f.message)
      const skipped = read.flatMap((r) => r.skipped)
      const batch: FeedBatch = {
        events: read.flatMap((r) => r.events),
        broken: read.flatMap((r) => r.broken),
        ...(skipped.length > 0 ? { skipped } : {}),
        ...(config.calendarIds.length > 1
          ? {
            calendars: {
              read: config.calendarIds.map(calendarKey).filter((key) => !failed.some((f) => f.calendarId === key)),
              failed
            }
          }
          : {})
      }
      yield* Effect.annotateCurrentSpan({ events: batch.events.length, broken: batch.broken.length, failed: failed.length })
      return batch
    })

    return CalendarFeed.of({ calendarId: feedId, fetch })
  })

export const layer = (
  config: GoogleConfig
): Layer.Layer<CalendarFeed, never, AppConfig | GoogleAuth | HttpClient.HttpClient | SqlClient.SqlClient> =>
  Layer.effect(CalendarFeed, make(config).pipe(Effect.orDie))
