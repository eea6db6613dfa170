import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Duration, Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { CalendarFeed } from "../../src/Agents/CalendarFeed.js"
import { AppConfig } from "../../src/Config.js"
import { displayUrl, ICalFeedLive } from "../../src/Integrations/ICalFeed.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const fixturePath = path.join(here, "..", "fixtures", "ical", "recurring-dst.ics")
const feed = readFileSync(fixturePath)
const window = { from: new Date("2025-10-20T00:00:00Z"), to: new Date("2025-11-20T00:00:00Z") }

let server: Server
let base = ""
const hits = new Map<string, number>()

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? "/"
    const n = (hits.get(url) ?? 0) + 1
    hits.set(url, n)
    if (url === "/feed.ics" || (url === "/flaky.ics" && n > 1)) {
      res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" }).end(feed)
    } else if (url === "/flaky.ics") res.writeHead(503).end("try again")
    else if (url === "/login.html") res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>")
    else if (url === "/hang.ics") return // never answers
    else res.writeHead(404).end("not found")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const fetchFrom = (icalUrl: string) =>
  Effect.flatMap(CalendarFeed, (f) => f.fetch(window)).pipe(
    Effect.provide(ICalFeedLive.pipe(Layer.provide(Layer.mergeAll(
      Layer.orDie(AppConfig.layerWith({ icalUrl, icalTimeout: Duration.seconds(1) })),
      NodeHttpClient.layerUndici,
      NodeContext.layer
    ))))
  )

const failureOf = (icalUrl: string) => Effect.flip(fetchFrom(icalUrl))

describe("displayUrl", () => {
  it("keeps host and path shape but never a secret token or query", () => {
    const shown = displayUrl("https://calendar.google.com/calendar/ical/anna%40x.de/private-3f9a8b7c6d5e4f3a2b1c/basic.ics?token=s3cr3t")
    expect(shown).toMatch(/^https:\/\/calendar\.google\.com\/calendar\/ical\/anna%40x\.de\/…\/basic\.ics#[0-9a-f]{8}$/)
    expect(shown).not.toContain("s3cr3t")
    expect(shown).not.toContain("3f9a8b7c")
    expect(displayUrl("https://a.de/x/private-1111111111111111/basic.ics")).not.toBe(
      displayUrl("https://a.de/x/private-2222222222222222/basic.ics")
    )
  })
})

describe("ICalFeedLive over HTTP", () => {
  it.live("reads a feed served with 200", () =>
    Effect.gen(function*() {
      const batch = yield* fetchFrom(`${base}/feed.ics`)
      expect(batch.events.length).toBe(8)
      expect(batch.events[1]?.eventId).toBe("weekly-dst@fixtures_20251020T080000Z")
      expect(batch.events[1]?.calendarId).toMatch(new RegExp(`^ical:${base}/feed\\.ics#[0-9a-f]{8}$`))
    }))

  it.live("fails with the status on 404, without retrying", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(`${base}/missing.ics`)
      expect(error._tag).toBe("CalendarError")
      expect(error.reason).toMatch(new RegExp(`^HTTP 404 from ${base}/missing\\.ics#[0-9a-f]{8}$`))
      expect(error.calendarId).toMatch(new RegExp(`^ical:${base}/missing\\.ics#`))
      expect(hits.get("/missing.ics")).toBe(1)
    }))

  it.live("retries a 503 and then reads the feed", () =>
    Effect.gen(function*() {
      const batch = yield* fetchFrom(`${base}/flaky.ics`)
      expect(batch.events.length).toBe(8)
      expect(hits.get("/flaky.ics")).toBe(2)
    }))

  it.live("gives up after the configured timeout when the server never answers", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const error = yield* failureOf(`${base}/hang.ics`)
      const elapsed = Date.now() - started
      expect(error.reason).toMatch(new RegExp(`^timed out after 1s reading ${base}/hang\\.ics#[0-9a-f]{8}$`))
      expect(elapsed).toBeGreaterThanOrEqual(900)
      expect(elapsed).toBeLessThan(10_000)
    }))

  it.live("rejects a page that is not a calendar", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(`${base}/login.html`)
      expect(error.reason).toBe("not an iCalendar file (got HTML or XML)")
    }))
})

describe("ICalFeedLive from files", () => {
  it.live("reads a plain path and a file:// URL", () =>
    Effect.gen(function*() {
      expect((yield* fetchFrom(fixturePath)).events.length).toBe(8)
      expect((yield* fetchFrom(pathToFileURL(fixturePath).href)).events.length).toBe(8)
    }))

  it.live("fails naming a file that does not exist", () =>
    Effect.gen(function*() {
      const missing = path.join(here, "no-such-calendar.ics")
      const error = yield* failureOf(missing)
      expect(error._tag).toBe("CalendarError")
      expect(error.reason).toBe(`cannot read ${missing}: no such file`)
      expect(error.message).toBe(`calendar ical:${missing}: cannot read ${missing}: no such file`)
    }))
})
