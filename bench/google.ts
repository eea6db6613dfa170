/**
 * Google Calendar polls, for `npm run bench`: the Google adapter (sync tokens, its copy in a
 * SQLite file) against test/support/fakeGoogle.ts with one calendar of 10,000 events in the
 * window. Per poll: API requests and wall time for the first (full) sync, then for polls after
 * 0, 10 and 1,000 events were edited; beside it, what upstream does every poll (one page of at
 * most 100 events, so 9,900 of them never seen) and a plain full listing of the window (every
 * page, no token). Nothing is asserted.
 *
 * `googleBench()` measures; `googleBenchLines(result)` is the table to print.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { MigrationsLive } from "../src/Storage/Migrations.js"
import { ConfigProvider, Context, Duration, Effect, Layer, Logger, LogLevel } from "effect"
import * as path from "node:path"
import { CalendarFeed } from "../src/Agents/CalendarFeed.js"
import { AppConfig } from "../src/Config.js"
import * as Auth from "../src/Integrations/Google/Auth.js"
import * as Calendar from "../src/Integrations/Google/Calendar.js"
import { googleConfig } from "../src/Integrations/Google/GoogleConfig.js"
import { GoogleHttpClient } from "../src/Integrations/Google/Http.js"
import { type FakeEvent, type FakeGoogle, makeFakeGoogle } from "../test/support/fakeGoogle.js"
import { tempDir } from "../test/support/spawn.js"

const DAY = 86_400_000
const CALENDAR = "bench@ourco.de"

export interface PollFigures {
  readonly label: string
  readonly changes: number
  /** Median over the runs. */
  readonly ms: number
  readonly requests: number
  /** Events the poll hands the orchestrator (the window's). */
  readonly events: number
}

export interface GoogleBench {
  readonly calendarEvents: number
  readonly runs: number
  readonly polls: ReadonlyArray<PollFigures>
}

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const eventsOf = (n: number, start: number, edit = 0): ReadonlyArray<FakeEvent> =>
  Array.from({ length: n }, (_, i) => {
    const at = start + Math.floor((i / n) * 13 * DAY) + (i % 8) * 3_600_000
    return {
      id: `bench${i}`,
      summary: edit === 0 ? `Meeting ${i}` : `Meeting ${i} (edit ${edit})`,
      description: `Agenda for meeting ${i}: quarterly review, pricing, next steps.`,
      location: "Room 1",
      start: { dateTime: new Date(at).toISOString(), timeZone: "Europe/Berlin" },
      end: { dateTime: new Date(at + 3_600_000).toISOString(), timeZone: "Europe/Berlin" },
      organizer: { email: "maria@ourco.de", displayName: "Maria" },
      attendees: [{ email: "maria@ourco.de", organizer: true }, { email: `guest${i % 50}@acme-robotics.com` }]
    }
  })

/** A poll's cost: requests to the fake and wall time. */
const timed = <A>(fake: FakeGoogle, poll: Effect.Effect<A, unknown>) =>
  Effect.gen(function*() {
    fake.resetCounts()
    const started = performance.now()
    const result = yield* poll
    return { result, ms: performance.now() - started, requests: fake.apiRequests().length }
  })

/** What upstream does each poll, and a full listing without a token, as plain HTTP calls. */
const listing = (fake: FakeGoogle, window: { readonly from: Date; readonly to: Date }, pageSize: number, everyPage: boolean) =>
  Effect.promise(async () => {
    const token = await fetch(fake.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        refresh_token: fake.refreshToken
      })
    }).then((r) => r.json() as Promise<{ access_token: string }>)
    let seen = 0
    let pageToken: string | undefined
    do {
      const url = new URL(`${fake.baseUrl}/calendar/v3/calendars/${encodeURIComponent(CALENDAR)}/events`)
      url.search = new URLSearchParams({
        singleEvents: "true",
        orderBy: "startTime",
        maxResults: String(pageSize),
        timeMin: window.from.toISOString(),
        timeMax: window.to.toISOString(),
        ...(pageToken === undefined ? {} : { pageToken })
      }).toString()
      const page = await fetch(url, { headers: { authorization: `Bearer ${token.access_token}` } })
        .then((r) => r.json() as Promise<{ items: Array<unknown>; nextPageToken?: string }>)
      seen += page.items.length
      pageToken = everyPage ? page.nextPageToken : undefined
    } while (pageToken !== undefined)
    return seen
  })

export const googleBench = (options: { readonly events?: number; readonly runs?: number } = {}): Effect.Effect<GoogleBench> =>
  Effect.gen(function*() {
    const n = options.events ?? 10_000
    const runs = Math.max(1, options.runs ?? 3)
    const fake = yield* makeFakeGoogle
    fake.addCalendar(CALENDAR, "Bench")
    const start = Date.now() - DAY / 2
    fake.putMany(CALENDAR, eventsOf(n, start))
    const config = yield* Effect.withConfigProvider(
      googleConfig,
      ConfigProvider.fromMap(new Map(Object.entries({
        GOOGLE_CALENDAR_ID: CALENDAR,
        GOOGLE_CLIENT_ID: fake.clientId,
        GOOGLE_CLIENT_SECRET: fake.clientSecret,
        GOOGLE_REFRESH_TOKEN: fake.refreshToken,
        GOOGLE_API_BASE_URL: fake.baseUrl,
        GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl
      })))
    )
    const window = () => ({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + 14 * DAY) })
    const feedIn = (dir: string) =>
      Layer.build(Calendar.layer({ ...config, retryBase: Duration.millis(50) }).pipe(
        Layer.provide(Auth.layer(config)),
        Layer.provide(GoogleHttpClient),
        Layer.provide(MigrationsLive.pipe(Layer.provideMerge(SqliteClient.layer({ filename: path.join(dir, "workflows.sqlite") })))),
        Layer.provide(AppConfig.layerWith({ maxOccurrencesPerSeries: 50 })),
        Layer.provide(NodeContext.layer)
      )).pipe(Effect.map(Context.get(CalendarFeed)))

    const polls: Array<PollFigures> = []
    const record = (label: string, changes: number, samples: ReadonlyArray<{ ms: number; requests: number; events: number }>) =>
      polls.push({
        label,
        changes,
        ms: median(samples.map((s) => s.ms)),
        requests: median(samples.map((s) => s.requests)),
        events: median(samples.map((s) => s.events))
      })

    // The first poll of a fresh store: a full sync. Each run on its own store.
    const full: Array<{ ms: number; requests: number; events: number }> = []
    let feed: CalendarFeed["Type"] | undefined
    for (let run = 0; run < runs; run++) {
      feed = yield* feedIn(tempDir("li-bench-google-"))
      const { ms, requests, result } = yield* timed(fake, Effect.scoped(feed.fetch(window())))
      full.push({ ms, requests, events: result.events.length })
    }
    record("first poll (full sync)", n, full)
    if (feed === undefined) return yield* Effect.die("no run")
    const polled = feed

    let edit = 0
    for (const changes of [0, 10, 1000]) {
      const samples: Array<{ ms: number; requests: number; events: number }> = []
      for (let run = 0; run < runs; run++) {
        edit += 1
        if (changes > 0) fake.putMany(CALENDAR, eventsOf(n, start, edit).slice(0, changes))
        const after = yield* timed(fake, Effect.scoped(polled.fetch(window())))
        samples.push({ ms: after.ms, requests: after.requests, events: after.result.events.length })
      }
      record(`poll after ${changes} change(s)`, changes, samples)
    }

    const upstream: Array<{ ms: number; requests: number; events: number }> = []
    const plain: Array<{ ms: number; requests: number; events: number }> = []
    for (let run = 0; run < runs; run++) {
      const one = yield* timed(fake, listing(fake, window(), 100, false))
      upstream.push({ ms: one.ms, requests: one.requests, events: one.result })
      const all = yield* timed(fake, listing(fake, window(), 2500, true))
      plain.push({ ms: all.ms, requests: all.requests, events: all.result })
    }
    record("upstream: one page of 100", 0, upstream)
    record("full listing, no token", 0, plain)
    return { calendarEvents: n, runs, polls } satisfies GoogleBench
  }).pipe(Effect.scoped, Effect.orDie, Effect.provide(Logger.minimumLogLevel(LogLevel.None)))

export const googleBenchLines = (bench: GoogleBench): ReadonlyArray<string> => [
  `Google Calendar: one calendar of ${bench.calendarEvents} events in the window (fake Google, pages of 2500), median of ${bench.runs}`,
  `${"poll".padEnd(30)} ${"requests".padStart(8)} ${"ms".padStart(8)} ${"events".padStart(8)}`,
  ...bench.polls.map((p) =>
    `${p.label.padEnd(30)} ${String(p.requests).padStart(8)} ${p.ms.toFixed(0).padStart(8)} ${String(p.events).padStart(8)}`
  )
]
