import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Duration, Effect, Layer } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { CalendarFeed } from "../../src/Agents/CalendarFeed.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import { formatBytes } from "../../src/Integrations/BoundedRead.js"
import { generateCalendar } from "../../bench/generate.js"
import { DeferredEvent, takeEvent } from "../../src/Domain/CalendarEvent.js"
import { SPOOL_ABOVE } from "../../src/Integrations/FeedSpool.js"
import { displayUrl, ICalFeedLive } from "../../src/Integrations/ICalFeed.js"
import { parseCalendar } from "../../src/Integrations/ICalParse.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const fixturePath = path.join(here, "..", "fixtures", "ical", "recurring-dst.ics")
const feed = readFileSync(fixturePath)
const window = { from: new Date("2025-10-20T00:00:00Z"), to: new Date("2025-11-20T00:00:00Z") }

let server: Server
let base = ""
const hits = new Map<string, number>()
/** Bytes the endless feeds managed to send before the client hung up, by URL. */
const sentBeforeClose = new Map<string, number>()

/** A calendar that never ends: header, then 64 KB property lines as fast as the client takes them. */
const endless = (url: string, res: ServerResponse) => {
  res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" })
  const line = Buffer.from(`X-FILL:${"x".repeat(65_000)}\r\n`)
  let sent = 0
  const pump = () => {
    while (!res.destroyed && res.write(line)) sent += line.length
  }
  res.on("drain", pump)
  res.on("close", () => sentBeforeClose.set(url, sent))
  res.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
  pump()
}

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
    else if (url === "/endless.ics") endless(url, res)
    else if (url === "/declared-big.ics") {
      res.writeHead(200, { "content-type": "text/calendar", "content-length": String(3 * 1024 * 1024) })
      res.write(feed)
      // the rest never comes: the declared length alone must be enough to refuse, and hang up
      res.on("close", () => sentBeforeClose.set(url, feed.length))
    }
    else res.writeHead(404).end("not found")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const fetchFrom = (icalUrl: string, config: Partial<AppConfigShape> = {}) =>
  Effect.flatMap(CalendarFeed, (f) => f.fetch(window)).pipe(
    Effect.scoped,
    Effect.provide(ICalFeedLive.pipe(Layer.provide(Layer.mergeAll(
      Layer.orDie(AppConfig.layerWith({ icalUrl, icalTimeout: Duration.seconds(1), ...config })),
      NodeHttpClient.layerUndici,
      NodeContext.layer
    ))))
  )

const failureOf = (icalUrl: string, config: Partial<AppConfigShape> = {}) => Effect.flip(fetchFrom(icalUrl, config))

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

describe("ICalFeedLive bounds what it reads", () => {
  const MB = 1024 * 1024

  it.live("stops reading a feed that never ends at ICAL_MAX_BYTES, long before the time-out", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(`${base}/endless.ics`, { icalMaxBytes: 2 * MB, icalTimeout: Duration.seconds(20) })
      expect(error.reason).toMatch(new RegExp(`^${base}/endless\\.ics#[0-9a-f]{8} is larger than ICAL_MAX_BYTES \\(2 MB\\)$`))
      // the connection was closed: the server stopped sending soon after the limit
      yield* Effect.promise(() => until(() => sentBeforeClose.has("/endless.ics")))
      expect(sentBeforeClose.get("/endless.ics")).toBeLessThan(64 * MB)
    }))

  it.live("refuses a response whose declared length is over the limit without reading it", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(`${base}/declared-big.ics`, { icalMaxBytes: 2 * MB, icalTimeout: Duration.seconds(20) })
      expect(error.reason).toMatch(/declared-big\.ics#[0-9a-f]{8} is larger than ICAL_MAX_BYTES \(2 MB\)$/)
      yield* Effect.promise(() => until(() => sentBeforeClose.has("/declared-big.ics")))
    }))

  it.live("reads a feed up to the limit", () =>
    Effect.gen(function*() {
      const batch = yield* fetchFrom(`${base}/feed.ics`, { icalMaxBytes: feed.length })
      expect(batch.events.length).toBe(8)
      expect((yield* failureOf(fixturePath, { icalMaxBytes: feed.length - 1 })).reason).toBe(
        `${fixturePath} is larger than ICAL_MAX_BYTES (${formatBytes(feed.length - 1)})`
      )
    }))

  it.live("refuses a file larger than the limit", () =>
    Effect.gen(function*() {
      const big = path.join(mkdtempSync(path.join(tmpdir(), "ical-feed-")), "big.ics")
      writeFileSync(big, Buffer.concat([feed, Buffer.alloc(3 * MB, "X-FILL:x\r\n")]))
      const error = yield* failureOf(big, { icalMaxBytes: 2 * MB })
      expect(error.reason).toBe(`${big} is larger than ICAL_MAX_BYTES (2 MB)`)
    }))

  it.live("refuses files that are not regular files: a device that never ends, a named pipe, a directory", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(path.join(tmpdir(), "ical-feed-"))
      const fifo = path.join(dir, "calendar.ics")
      execFileSync("mkfifo", [fifo])
      expect((yield* failureOf("/dev/zero", { icalTimeout: Duration.seconds(20) })).reason).toBe(
        "/dev/zero is not a regular file (a character device)"
      )
      // opening a named pipe would wait for a writer until the time-out
      expect((yield* failureOf(fifo, { icalTimeout: Duration.seconds(20) })).reason).toBe(
        `${fifo} is not a regular file (a named pipe)`
      )
      expect((yield* failureOf(dir)).reason).toBe(`${dir} is not a regular file (a directory)`)
    }))
})

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("ICalFeedLive with a large feed", () => {
  const feedLayer = (icalUrl: string, logStorageDir: string) =>
    ICalFeedLive.pipe(Layer.provide(Layer.mergeAll(
      Layer.orDie(AppConfig.layerWith({ icalUrl, logStorageDir, icalTimeout: Duration.seconds(20) })),
      NodeHttpClient.layerUndici,
      NodeContext.layer
    )))

  /** A generated calendar in a file of its own folder (its text changed by `edit`), and a window that holds all of it. */
  const writeCalendar = (events: number, seed: number, edit: (ics: string) => string = (ics) => ics) => {
    const dir = mkdtempSync(path.join(tmpdir(), "ical-feed-"))
    const firstDay = new Date(Date.UTC(2026, 2, 2))
    const calendar = generateCalendar({ events, seed, firstDay })
    const file = path.join(dir, "calendar.ics")
    writeFileSync(file, edit(calendar.ics))
    const inWindow = { from: new Date(firstDay.getTime() - 86_400_000), to: new Date(firstDay.getTime() + calendar.days * 86_400_000) }
    return { dir, file, inWindow }
  }

  it.live("reads its events from a copy on disk that has no name and goes with the cycle; they are the feed's events", () =>
    Effect.gen(function*() {
      const { dir, file, inWindow } = writeCalendar(2_000, 21)
      expect(statSync(file).size).toBeGreaterThan(SPOOL_ABOVE)
      const expected = parseCalendar(readFileSync(file), `ical:${file}`, inWindow)
      const store = path.join(dir, "store")

      const listed = yield* Effect.scoped(Effect.gen(function*() {
        const batch = yield* (yield* CalendarFeed).fetch(inWindow)
        // The file changes under the cycle: what it lists is still the feed it read.
        writeFileSync(file, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        expect(readdirSync(path.join(store, "feeds"))).toEqual([])
        expect(batch.events.every((e) => e instanceof DeferredEvent)).toBe(true)
        expect(expected._tag === "Right" && batch.events.map(takeEvent)).toEqual(expected._tag === "Right" && expected.right.events)
        return batch.events
      })).pipe(Effect.provide(feedLayer(file, store)))
      expect(listed.length).toBe(2_000)
      // Taken after its cycle: a clear error, never another file's bytes.
      expect(() => takeEvent(listed[listed.length - 1]!)).toThrow("the feed's copy was closed with its cycle")
    }))

  it.live("keeps the feed in memory when no copy can be made; the events are the same", () =>
    Effect.gen(function*() {
      const { dir, file, inWindow } = writeCalendar(1_500, 23)
      // The store is a file: no folder for the copy can be made in it.
      const store = path.join(dir, "not-a-folder")
      writeFileSync(store, "")
      const expected = parseCalendar(readFileSync(file), `ical:${file}`, inWindow)
      const events = yield* Effect.scoped(Effect.flatMap(CalendarFeed, (f) => f.fetch(inWindow))).pipe(
        Effect.map((batch) => batch.events.map(takeEvent)),
        Effect.provide(feedLayer(file, store))
      )
      expect(expected._tag === "Right" && events).toEqual(expected._tag === "Right" && expected.right.events)
    }))

  it.live("does not keep the feed in memory while its events are listed", () =>
    Effect.gen(function*() {
      setFlagsFromString("--expose-gc")
      const gc: () => void = runInNewContext("gc")
      // Backing stores of dead buffers are freed after the collection that finds them dead.
      const settle = Effect.promise(async () => {
        for (let i = 0; i < 3; i++) {
          gc()
          await new Promise((resolve) => setImmediate(resolve))
        }
        return process.memoryUsage().arrayBuffers
      })
      // 16 MB that no event needs, in a property of the calendar.
      const filler = `\r\nX-FILLER:${"x".repeat(16 * 1024 * 1024)}\r\nBEGIN:VEVENT`
      const { dir, file, inWindow } = writeCalendar(500, 22, (ics) => ics.replace("\r\nBEGIN:VEVENT", filler))
      yield* Effect.scoped(Effect.gen(function*() {
        const before = yield* settle
        const batch = yield* (yield* CalendarFeed).fetch(inWindow)
        const after = yield* settle
        expect(batch.events.length).toBe(500)
        expect(after - before).toBeLessThan(4 * 1024 * 1024)
        expect(takeEvent(batch.events[499]!).eventId).toBe(batch.events[499]!.eventId)
      })).pipe(Effect.provide(feedLayer(file, path.join(dir, "store"))))
    }))
})
