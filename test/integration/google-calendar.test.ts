/**
 * The Google Calendar adapter against a local server that behaves like Google's
 * (test/support/fakeGoogle.ts), its synced copy in a SQLite file: a full sync over every page,
 * then one request per poll for an unchanged calendar; edits and deletions arrive through the
 * sync token; a token Google no longer knows (410) or an expired access token (401) is got over
 * in the same poll; rate limits are waited out; a calendar that cannot be read fails alone; the
 * copy and its token survive a restart.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { MigrationsLive } from "../../src/Storage/Migrations.js"
import { describe, expect, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Context, Duration, Effect, Layer, Logger, LogLevel, Option } from "effect"
import * as path from "node:path"
import { CalendarFeed, type FeedBatch } from "../../src/Agents/CalendarFeed.js"
import { takeEvent } from "../../src/Domain/CalendarEvent.js"
import { AppConfig, describeConfigError } from "../../src/Config.js"
import * as Auth from "../../src/Integrations/Google/Auth.js"
import * as Calendar from "../../src/Integrations/Google/Calendar.js"
import { type GoogleConfig, googleConfig } from "../../src/Integrations/Google/GoogleConfig.js"
import { GoogleHttpClient } from "../../src/Integrations/Google/Http.js"
import { type FakeGoogle, makeFakeGoogle } from "../support/fakeGoogle.js"
import { tempDir } from "../support/spawn.js"

const DAY = 86_400_000
const HOUR = 3_600_000
const TEAM = "team@acme.test"

/** Whole hours from now, so the window (1 day back, 14 ahead) is the same whatever the time. */
const at = (days: number, hours = 10) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hours * HOUR).toISOString()

const meeting = (id: string, days: number, fields: Record<string, unknown> = {}) => ({
  id,
  summary: `Meeting ${id}`,
  start: { dateTime: at(days), timeZone: "Europe/Berlin" },
  end: { dateTime: at(days, 11), timeZone: "Europe/Berlin" },
  ...fields
})

const configFor = (fake: FakeGoogle, env: Record<string, string> = {}) =>
  Effect.map(
    Effect.withConfigProvider(
      googleConfig,
      ConfigProvider.fromMap(new Map(Object.entries({
        GOOGLE_CALENDAR_ID: TEAM,
        GOOGLE_CLIENT_ID: fake.clientId,
        GOOGLE_CLIENT_SECRET: fake.clientSecret,
        GOOGLE_REFRESH_TOKEN: fake.refreshToken,
        GOOGLE_API_BASE_URL: fake.baseUrl,
        GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl,
        ...env
      })))
    ),
    // Two events a page, so a handful of events already takes several pages; short backoff.
    (config): GoogleConfig => ({ ...config, pageSize: 2, retryBase: Duration.millis(20) })
  )

/** The feed as the app builds it, on the SQLite file in `dir` (a second build is a restart). */
const feedOn = (config: GoogleConfig, dir: string) =>
  Layer.build(Calendar.layer(config).pipe(
    Layer.provide(Auth.layer(config)),
    Layer.provide(GoogleHttpClient),
    Layer.provide(MigrationsLive.pipe(Layer.provideMerge(SqliteClient.layer({ filename: path.join(dir, "workflows.sqlite") })))),
    Layer.provide(AppConfig.layerWith({ maxOccurrencesPerSeries: 2 })),
    Layer.provide(NodeContext.layer)
  )).pipe(Effect.map(Context.get(CalendarFeed)))

const windowNow = () => ({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + 14 * DAY) })

const byId = (batch: FeedBatch) => new Map(batch.events.map((e) => [e.eventId, takeEvent(e)]))

/** Polls once and says how many API calls it took and whether it listed the window (a full sync). */
const poll = (fake: FakeGoogle, feed: CalendarFeed["Type"]) =>
  Effect.gen(function*() {
    fake.resetCounts()
    const batch = yield* feed.fetch(windowNow())
    const calls = fake.apiRequests()
    return { batch, calls: calls.length, full: calls.some((c) => c.query["timeMin"] !== undefined), statuses: calls.map((c) => c.status) }
  })

const seed = (fake: FakeGoogle) => {
  fake.addCalendar(TEAM, "Team")
  fake.put(TEAM, meeting("single", 2, {
    description: "Agenda: https://acme-robotics.com",
    location: "Room 1",
    organizer: { email: "maria@ourco.de", displayName: "Maria" },
    attendees: [
      { email: "maria@ourco.de", displayName: "Maria", organizer: true, responseStatus: "accepted" },
      { email: "jo@acme-robotics.com", responseStatus: "needsAction" }
    ],
    hangoutLink: "https://meet.google.com/abc-defg-hij",
    htmlLink: "https://www.google.com/calendar/event?eid=abc"
  }))
  fake.put(TEAM, { id: "allday", summary: "Offsite", start: { date: at(3).slice(0, 10) }, end: { date: at(5).slice(0, 10) } })
  fake.put(TEAM, meeting("weekly", 1, { recurrence: ["RRULE:FREQ=DAILY;COUNT=3"] }))
  fake.put(TEAM, meeting("later", 40))
  fake.put(TEAM, meeting("birthday", 4, { eventType: "birthday", summary: "Jo's birthday" }))
}

describe("Google Calendar", () => {
  it.live("full sync, then one request per unchanged poll; edits and deletions through the sync token; 410 and 401 got over", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      seed(fake)
      const config = yield* configFor(fake)
      const feed = yield* feedOn(config, tempDir("li-google-"))

      const first = yield* poll(fake, feed)
      // 3 single items (the birthday among them) + 3 occurrences of the series in the synced range: 2 a page.
      expect(first.full).toBe(true)
      expect(first.calls).toBe(3)
      const events = byId(first.batch)
      const single = events.get("single@google.com")
      expect(single).toMatchObject({
        calendarId: `google:${TEAM}`,
        summary: "Meeting single",
        description: "Agenda: https://acme-robotics.com",
        location: "Room 1",
        start: at(2),
        end: at(2, 11),
        allDay: false,
        timeZone: "Europe/Berlin",
        urls: ["https://meet.google.com/abc-defg-hij"],
        organizer: { email: "maria@ourco.de", name: "Maria" }
      })
      expect(single?.attendees.map((p) => p.email)).toEqual(["maria@ourco.de", "jo@acme-robotics.com"])
      expect(events.get("allday@google.com")).toMatchObject({ allDay: true, start: at(3).slice(0, 10), end: at(5).slice(0, 10) })
      // The series as the iCalendar feed gives it: UID_<original start>, at most MAX_OCCURRENCES_PER_SERIES (2 here).
      const weekly = first.batch.events.filter((e) => e.seriesId === "weekly@google.com").map((e) => e.eventId)
      const compact = (iso: string) => iso.replace(/[-:]/g, "").replace(/\.\d{3}/, "")
      expect(weekly).toEqual([`weekly@google.com_${compact(at(1))}`, `weekly@google.com_${compact(at(2))}`])
      expect(first.batch.skipped).toMatchObject([{ seriesId: "weekly@google.com", kept: 2, skipped: 1 }])
      expect(events.has("later@google.com")).toBe(false)
      expect([...events.values()].some((e) => e.summary.includes("birthday"))).toBe(false)

      const unchanged = yield* poll(fake, feed)
      expect(unchanged).toMatchObject({ calls: 1, full: false })
      expect(unchanged.batch.events.map((e) => e.eventId)).toEqual(first.batch.events.map((e) => e.eventId))

      fake.put(TEAM, meeting("single", 2, { summary: "Meeting single (moved to Friday)" }))
      fake.remove(TEAM, "allday")
      fake.put(TEAM, meeting("new", 6))
      const changed = yield* poll(fake, feed)
      // Three changes, two a page: the changes are paged too, the token comes with the last page.
      expect(changed).toMatchObject({ calls: 2, full: false })
      expect(byId(changed.batch).get("single@google.com")?.summary).toBe("Meeting single (moved to Friday)")
      expect(byId(changed.batch).has("allday@google.com")).toBe(false)
      expect(byId(changed.batch).has("new@google.com")).toBe(true)

      // The series moved an hour later: its occurrences have new ids, the old ones are cancelled.
      fake.put(TEAM, meeting("weekly", 1, {
        recurrence: ["RRULE:FREQ=DAILY;COUNT=3"],
        start: { dateTime: at(1, 11), timeZone: "Europe/Berlin" },
        end: { dateTime: at(1, 12), timeZone: "Europe/Berlin" }
      }))
      const moved = yield* poll(fake, feed)
      expect(moved.full).toBe(false)
      expect(moved.batch.events.filter((e) => e.seriesId === "weekly@google.com").map((e) => e.start)).toEqual([at(1, 11), at(2, 11)])

      // A deleted series takes every occurrence with it.
      fake.remove(TEAM, "weekly")
      const noSeries = yield* poll(fake, feed)
      expect(noSeries.batch.events.filter((e) => e.seriesId !== undefined)).toEqual([])
      expect(noSeries.batch.skipped ?? []).toEqual([])

      fake.expireSyncTokens(TEAM)
      fake.remove(TEAM, "new")
      const resynced = yield* poll(fake, feed)
      expect(resynced.statuses[0]).toBe(410)
      expect(resynced.full).toBe(true)
      expect(resynced.batch.events.map((e) => e.eventId)).toEqual(["single@google.com"])
      expect(yield* poll(fake, feed)).toMatchObject({ calls: 1, full: false })

      fake.expireAccessTokens()
      fake.resetCounts()
      const signedInAgain = yield* poll(fake, feed)
      expect(signedInAgain.statuses).toEqual([401, 200])
      expect(fake.tokenRequests()).toHaveLength(1)
      expect(signedInAgain.batch.events.map((e) => e.eventId)).toEqual(["single@google.com"])
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.live("rate limits and server errors are waited out, with Google's Retry-After", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      seed(fake)
      const feed = yield* feedOn(yield* configFor(fake), tempDir("li-google-"))
      yield* poll(fake, feed)
      fake.failNext(1, "rateLimitExceeded", 1)
      fake.failNext(1, "userRateLimitExceeded")
      fake.failNext(1, 429)
      fake.failNext(1, 503)
      const started = Date.now()
      const after = yield* poll(fake, feed)
      expect(after.statuses).toEqual([403, 403, 429, 503, 200])
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      expect(after.batch.events.length).toBeGreaterThan(0)
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.live("a calendar that cannot be read fails alone; sign-in refused fails the feed with one line and no secret", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      seed(fake)
      const both = yield* configFor(fake, { GOOGLE_CALENDAR_ID: `${TEAM}, missing@acme.test` })
      const feed = yield* feedOn(both, tempDir("li-google-"))
      const batch = yield* feed.fetch(windowNow())
      expect(batch.events.length).toBeGreaterThan(0)
      expect(batch.calendars?.read).toEqual([`google:${TEAM}`])
      expect(batch.calendars?.failed.map((f) => f.message)).toEqual([
        "calendar google:missing@acme.test: not found (no such calendar, or not shared with this account): HTTP 404: Not Found"
      ])

      const revoked = yield* configFor(fake, { GOOGLE_REFRESH_TOKEN: "1//revoked-token-value" })
      const refused = yield* feedOn(revoked, tempDir("li-google-")).pipe(Effect.flatMap((f) => Effect.flip(f.fetch(windowNow()))))
      expect(refused.message).toBe(
        `calendar google:${TEAM}: Google sign-in failed: invalid_grant (Token has been expired or revoked.)`
      )
      expect(refused.message).not.toContain(fake.clientSecret)
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.live("the synced copy and its token survive a restart: the first poll after it is incremental", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      seed(fake)
      const config = yield* configFor(fake)
      const dir = tempDir("li-google-")
      const before = yield* Effect.scoped(Effect.flatMap(feedOn(config, dir), (feed) => poll(fake, feed)))
      expect(before.full).toBe(true)
      fake.put(TEAM, meeting("single", 2, { summary: "Edited while we were down" }))
      const after = yield* Effect.scoped(Effect.flatMap(feedOn(config, dir), (feed) => poll(fake, feed)))
      expect(after).toMatchObject({ calls: 1, full: false })
      expect(byId(after.batch).get("single@google.com")?.summary).toBe("Edited while we were down")
      expect(after.batch.events.length).toBe(before.batch.events.length)
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.live("a service account signs its own JWT and gets its token from GOOGLE_OAUTH_TOKEN_URL", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      seed(fake)
      const dir = tempDir("li-google-")
      const keyFile = path.join(dir, "key.json")
      const { writeFileSync } = yield* Effect.promise(() => import("node:fs"))
      writeFileSync(keyFile, fake.serviceAccountKey)
      const config = yield* configFor(fake, {
        GOOGLE_CLIENT_ID: "",
        GOOGLE_SERVICE_ACCOUNT_FILE: keyFile,
        GOOGLE_IMPERSONATE_USER: "maria@ourco.de"
      })
      expect(config.credentials._tag).toBe("ServiceAccount")
      const feed = yield* feedOn(config, dir)
      const { batch } = yield* poll(fake, feed)
      expect(batch.events.length).toBeGreaterThan(0)
      expect(fake.tokenRequests().map((r) => r.status)).toEqual([200])
      expect(Option.isSome(config.tokenUrl)).toBe(true)
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.effect("sign-in not configured, or a bad value: one line naming the variable", () =>
    Effect.gen(function*() {
      const errorLine = (env: Record<string, string>) =>
        Effect.withConfigProvider(googleConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))).pipe(
          Effect.flip,
          Effect.map((e) => (ConfigError.isConfigError(e) ? describeConfigError(e) : String(e)))
        )
      expect(yield* errorLine({ GOOGLE_CLIENT_ID: "id.apps.googleusercontent.com" })).toBe(
        "invalid configuration: GOOGLE_CLIENT_SECRET: not set; CALENDAR_PROVIDER=google signs in with GOOGLE_CLIENT_ID, " +
          "GOOGLE_CLIENT_SECRET and GOOGLE_REFRESH_TOKEN, or with GOOGLE_SERVICE_ACCOUNT_FILE"
      )
      expect(yield* errorLine({ GOOGLE_SERVICE_ACCOUNT_FILE: "/k.json", GOOGLE_MAX_ATTEMPTS: "0" })).toMatch(
        /^invalid configuration: GOOGLE_MAX_ATTEMPTS: /
      )
      expect(yield* errorLine({ GOOGLE_SERVICE_ACCOUNT_FILE: "/k.json", GOOGLE_API_BASE_URL: "localhost:8080" })).toMatch(
        /^invalid configuration: GOOGLE_API_BASE_URL: must be an http\(s\) URL/
      )
    }))
})
