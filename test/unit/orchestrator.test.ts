/** The poll cycle on doubles: statuses, isolation of a bad event, the run history it writes. */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer as withLayer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { CalendarError } from "../../src/Agents/CalendarFeed.js"
import { Contacts } from "../../src/Agents/Contacts.js"
import { AppConfig } from "../../src/Config.js"
import { BrokenEvent, DeferredEvent } from "../../src/Domain/CalendarEvent.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { makeApp } from "../../layers/App.js"
import { MemoryEngineLive } from "../../layers/Engine.js"
import { InMemoryCrmLive, InMemoryLedgerLive, TestCalendar, TestCalendarLive, TestContactsLive, TestMailLive } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { tempDir } from "../support/spawn.js"

const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString()

const acme = makeEvent({
  eventId: "acme",
  summary: "Discovery call with Acme Robotics",
  description: "Deck at https://acme-robotics.com",
  start: soon(2),
  end: soon(3)
})
const standup = makeEvent({ eventId: "standup", summary: "Team standup", start: soon(4), end: soon(5) })
const placeholder = makeEvent({ eventId: "placeholder", summary: "Kickoff with Test Corp (example.com)", start: soon(6), end: soon(7) })
const nobody = makeEvent({ eventId: "nobody", summary: "Customer meeting prep", start: soon(8), end: soon(9) })
const poisoned = makeEvent({
  eventId: "poisoned",
  summary: "Kickoff with Beta Systems",
  description: "beta-systems.io",
  start: soon(10),
  end: soon(11),
  attendees: [person("boom@beta-systems.io")]
})

const contactsThatFailFor = (email: string) =>
  Layer.succeed(Contacts, Contacts.of({
    lookup: (e) => (e === email ? Effect.die(new Error("contacts backend exploded")) : Effect.succeed(Option.none()))
  }))

const setup = (contacts = TestContactsLive()) => {
  const logStorageDir = tempDir()
  const layer = makeApp(
    Layer.mergeAll(TestCalendarLive([acme, standup, placeholder, nobody]), contacts, InMemoryLedgerLive, InMemoryCrmLive(), TestMailLive),
    MemoryEngineLive
  ).pipe(
    Layer.provideMerge(AppConfig.layerWith({
      logStorageDir,
      triggerWords: Option.some(["discovery call", "kickoff", "customer meeting"])
    })),
    Layer.provideMerge(NodeContext.layer)
  )
  return { logStorageDir, layer }
}

describe("Orchestrator.runCycle", () => {
  const { layer, logStorageDir } = setup(contactsThatFailFor("boom@beta-systems.io"))

  // The calendar window is computed from the clock, so these run on the real one.
  withLayer(layer, { excludeTestServices: true })((it) => {
    it.effect("gives each event its status and writes summary.json", () =>
      Effect.gen(function*() {
        const summary = yield* (yield* Orchestrator).runCycle
        expect(summary.status).toBe("success")
        expect(Object.fromEntries(summary.events.map((e) => [e.event_id, e.status]))).toEqual({
          acme: "delivered",
          standup: "no_trigger",
          placeholder: "invalid_domain",
          nobody: "awaiting_missing_info"
        })
        expect(summary.events.find((e) => e.event_id === "acme")?.company).toEqual({
          name: "Acme Robotics",
          domain: "acme-robotics.com"
        })
        const file = path.join(logStorageDir, "run_history", "workflows", summary.run_id, "summary.json")
        expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ run_id: summary.run_id, status: "success" })
        expect(existsSync(path.join(path.dirname(file), "steps.jsonl"))).toBe(true)
      }))

    it.effect("the next cycle finds every event unchanged", () =>
      Effect.gen(function*() {
        const summary = yield* (yield* Orchestrator).runCycle
        // the one still waiting for a person says so; the others were handled
        expect(summary.events.map((e) => e.status)).toEqual(["unchanged", "unchanged", "unchanged", "awaiting_missing_info"])
      }))

    it.effect("an event whose processing dies is failed with its reason; the others go on", () =>
      Effect.gen(function*() {
        yield* (yield* TestCalendar).set({
          events: [acme, poisoned],
          broken: [new BrokenEvent({ calendarId: "test", eventId: "bad", summary: "Broken", reason: "DTSTART: invalid date" })]
        })
        const summary = yield* (yield* Orchestrator).runCycle
        expect(summary.status).toBe("partial")
        expect(summary.events.map((e) => [e.event_id, e.status, e.error?.message])).toEqual([
          ["acme", "unchanged", undefined],
          ["poisoned", "failed", "contacts backend exploded"],
          ["bad", "failed", "DTSTART: invalid date"]
        ])
      }))

    it.effect("an event the feed listed but cannot build when it is taken is failed with why; the others go on", () =>
      Effect.gen(function*() {
        const lost = {
          read: () => {
            throw new Error("event gone-bytes could not be read again")
          }
        }
        const unreadable = new DeferredEvent("test:calendar", "gone-bytes", undefined, soon(12), "Kickoff with Gamma", lost, 0, 0)
        yield* (yield* TestCalendar).set({ events: [acme, unreadable, standup], broken: [] })
        const summary = yield* (yield* Orchestrator).runCycle
        expect(summary.status).toBe("partial")
        expect(summary.events.map((e) => [e.event_id, e.status, e.summary, e.error?.message])).toEqual([
          ["acme", "unchanged", acme.summary, undefined],
          ["gone-bytes", "failed", "Kickoff with Gamma", "event gone-bytes could not be read again"],
          ["standup", "unchanged", standup.summary, undefined]
        ])
      }))

    it.effect("a failed event is tried again next cycle", () =>
      Effect.gen(function*() {
        yield* (yield* TestCalendar).set({ events: [poisoned], broken: [] })
        const summary = yield* (yield* Orchestrator).runCycle
        expect(summary.events.map((e) => e.status)).toEqual(["failed"])
      }))

    it.effect("a calendar that cannot be read fails the run, with the reason", () =>
      Effect.gen(function*() {
        yield* (yield* TestCalendar).set(new CalendarError({ calendarId: "test", reason: "HTTP 503" }))
        const summary = yield* (yield* Orchestrator).runCycle
        expect(summary.status).toBe("failure")
        expect(summary.error).toEqual({ type: "CalendarError", message: "calendar test: HTTP 503" })
        expect(summary.events).toEqual([])
      }))
  })
})
