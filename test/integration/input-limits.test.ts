/**
 * Input bounds seen from the whole app (in-process, on the doubles of layers/Test.ts with the real
 * adapter under test swapped in): a series cut to MAX_OCCURRENCES_PER_SERIES is counted in the run
 * summary with a warning, and one poisoned inbox file never stops the others.
 */
import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Inbox } from "../../src/Agents/Inbox.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import { Replies } from "../../src/Hitl/Replies.js"
import { ICalFeedLive } from "../../src/Integrations/ICalFeed.js"
import { MailDirInboxLive } from "../../src/Integrations/MailDir.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { makeApp } from "../../layers/App.js"
import { MemoryEngineLive } from "../../layers/Engine.js"
import { TestAdapters } from "../../layers/Test.js"
import { tempDir } from "../support/spawn.js"

const appWith = <ROut, E, RIn>(adapter: Layer.Layer<ROut, E, RIn>, config: Partial<AppConfigShape>) =>
  makeApp(Layer.mergeAll(TestAdapters(), adapter), MemoryEngineLive).pipe(
    Layer.provideMerge(AppConfig.layerWith({ triggerWords: Option.some(["kickoff"]), ...config })),
    Layer.provideMerge(Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici))
  )

const compact = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "")

describe("MAX_OCCURRENCES_PER_SERIES in the run", () => {
  it.live("the run summary counts what was skipped, and a warning names the series", () => {
    const logStorageDir = tempDir("li-limits-")
    const calendar = path.join(tempDir("li-limits-"), "calendar.ics")
    const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000)
    writeFileSync(calendar, [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
      "BEGIN:VEVENT", "UID:hourly@test", `DTSTART:${compact(start)}`, "DURATION:PT15M", "RRULE:FREQ=HOURLY",
      "SUMMARY:Hourly sync", "END:VEVENT",
      "BEGIN:VEVENT", "UID:once@test", `DTSTART:${compact(new Date(Date.now() + 86_400_000))}`, "SUMMARY:Lunch", "END:VEVENT",
      "END:VCALENDAR", ""
    ].join("\r\n"))
    const warnings: Array<string> = []
    const capture = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return Effect.gen(function*() {
      const summary = yield* (yield* Orchestrator).runCycle
      const series = summary.events.filter((e) => e.event_id.startsWith("hourly@test_"))
      expect(series.map((e) => e.status)).toEqual(["no_trigger", "no_trigger", "no_trigger"])
      expect(summary.events.some((e) => e.event_id === "once@test")).toBe(true)
      // a 15-day window of hourly occurrences: about 360, 3 of them handled
      expect(summary.skipped_occurrences).toBeGreaterThan(350)
      expect(summary.skipped_series?.map((s) => ({ ...s }))).toEqual([
        { series_id: "hourly@test", summary: "Hourly sync", kept: 3, skipped: summary.skipped_occurrences }
      ])
      expect(summary.status).toBe("success")
      const written = JSON.parse(
        readFileSync(path.join(logStorageDir, "run_history", "workflows", summary.run_id, "summary.json"), "utf8")
      ) as { readonly skipped_occurrences?: number }
      expect(written.skipped_occurrences).toBe(summary.skipped_occurrences)
      expect(warnings).toEqual([
        `series "Hourly sync" (hourly@test): the first 3 occurrences in the window are handled, ${summary.skipped_occurrences} more skipped (MAX_OCCURRENCES_PER_SERIES)`
      ])
    }).pipe(
      Effect.provide(appWith(ICalFeedLive, { logStorageDir, icalUrl: calendar, maxOccurrencesPerSeries: 3 })),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
      Logger.withMinimumLogLevel(LogLevel.Warning)
    )
  })
})

describe("one poisoned inbox file never stops the others", () => {
  const mail = (headers: ReadonlyArray<string>, body: string) =>
    [...headers, "Content-Type: text/plain; charset=utf-8", "", body, ""].join("\r\n")

  it.live("each bad mail ends in rejected/ with its reason, in order, and the loop goes on", () => {
    const logStorageDir = tempDir("li-inbox-")
    const inbox = path.join(logStorageDir, "inbox")
    mkdirSync(inbox, { recursive: true })
    const drop = (name: string, content: string, minutesAgo: number) => {
      writeFileSync(path.join(inbox, name), content)
      const t = new Date(Date.now() - minutesAgo * 60_000)
      utimesSync(path.join(inbox, name), t, t)
    }
    // The MailDir inbox with one file whose reading breaks the program (a defect, not an error).
    const PoisonedInboxLive = Layer.effect(
      Inbox,
      Effect.map(Inbox, (files) =>
        Inbox.of({
          ...files,
          read: (ref) => (ref === "b-poison.eml" ? Effect.die(new Error("parser crashed")) : files.read(ref))
        }))
    ).pipe(Layer.provide(MailDirInboxLive))
    return Effect.gen(function*() {
      const replies = yield* Replies
      yield* Effect.sync(() => {
        const from = ["From: Anna <anna@customer.test>"]
        drop("a-huge.eml", mail([...from, "Message-ID: <huge@customer.test>", "Subject: Re: [LI-abc123def] x"], "Yes\n".repeat(5000)), 5)
        drop("b-poison.eml", mail([...from, "Message-ID: <poison@customer.test>", "Subject: Re: [LI-abc123def] x"], "Yes"), 4)
        drop("c-garbage.eml", "\u0000\u0001 not a mail", 3)
        drop("d-stray.eml", mail([...from, "Message-ID: <stray@customer.test>", "Subject: Lunch?"], "Approve"), 2)
        drop("e-unknown.eml", mail([...from, "Message-ID: <unknown@customer.test>", "Subject: Re: [LI-zzzz99999999] x"], "Yes"), 1)
      })
      expect(yield* replies.processInbox()).toBe(0)
      expect(readdirSync(inbox).filter((n) => n.endsWith(".eml"))).toEqual([])
      const rejected = path.join(inbox, "rejected")
      const reason = (name: string) => readFileSync(path.join(rejected, `${name}.reason.txt`), "utf8").trim()
      expect(reason("a-huge.eml")).toMatch(/^unreadable: too large \(19\.\d KB; INBOX_MAX_BYTES is 4 KB\)$/)
      expect(reason("b-poison.eml")).toBe("failed: Error: parser crashed")
      expect(reason("c-garbage.eml")).toBe("unreadable: not a mail: no headers")
      expect(reason("d-stray.eml")).toBe("no request reference ([LI-…] or In-Reply-To) in this mail")
      expect(reason("e-unknown.eml")).toBe("no request zzzz99999999")
      expect(existsSync(path.join(inbox, "processed"))).toBe(false)
    }).pipe(
      Effect.provide(appWith(PoisonedInboxLive, { logStorageDir, inboxMaxBytes: 4096 })),
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  })
})
