/**
 * Concurrency: N triggered meetings, each with a different company, whose CRM look-up, research
 * and delivery take `delayMs` each on the real clock — the shape of a cycle that waits on remote
 * services. One cycle per MAX_CONCURRENT_EVENTS value, on the SQLite engine (the embedded
 * default), in process, with the doubles of layers/Test.ts. With perfect overlap a cycle takes
 * ceil(N / C) × 3 × delay: each event's three waits run one after another, C events at a time.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Crm } from "../src/Agents/Crm.js"
import { AppConfig } from "../src/Config.js"
import { CalendarEvent, Person } from "../src/Domain/CalendarEvent.js"
import { Orchestrator } from "../src/Orchestrator.js"
import { makeApp } from "../layers/App.js"
import { SqliteEngineLive } from "../layers/Engine.js"
import {
  InMemoryCrmLive,
  InMemoryLedgerLive,
  ResearchTaking,
  TestCalendarLive,
  TestContactsLive,
  TestMailLive
} from "../layers/Test.js"

const OWN_DOMAIN = "lead-insights.app"

const events = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) =>
    new CalendarEvent({
      calendarId: "bench:concurrency",
      eventId: `concurrency-${i}`,
      summary: `Discovery call with Company ${i}`,
      description: "",
      location: "",
      start: new Date(from + i * 60_000).toISOString(),
      end: new Date(from + (i + 30) * 60_000).toISOString(),
      allDay: false,
      urls: [],
      organizer: new Person({ email: `anna.berger@${OWN_DOMAIN}` }),
      // The domain only in the guest's address, unknown to the CRM: no one is asked, each ends delivered.
      attendees: [new Person({ email: `ceo@company-${i}.io` })]
    }))

/** The in-memory CRM of layers/Test.ts, each call taking `delayMs` first. */
const slowCrm = (delayMs: number) =>
  Layer.effect(
    Crm,
    Effect.map(Crm, (crm) =>
      Crm.of({
        provider: crm.provider,
        findByDomain: (domain) => Effect.zipRight(Effect.sleep(delayMs), crm.findByDomain(domain)),
        deliver: (note) => Effect.zipRight(Effect.sleep(delayMs), crm.deliver(note))
      }))
  ).pipe(Layer.provide(InMemoryCrmLive()))

export interface ConcurrencyResult {
  readonly concurrency: number
  readonly events: number
  readonly wallMs: number
  readonly idealMs: number
  readonly statuses: Record<string, number>
}

const countStatuses = (statuses: ReadonlyArray<string>) =>
  statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {})

export const concurrencyCycle = (options: { readonly events: number; readonly concurrency: number; readonly delayMs: number }) => {
  const dir = mkdtempSync(path.join(tmpdir(), "li-bench-conc-"))
  const list = events(options.events, Date.now() + 86_400_000)
  const adapters = Layer.mergeAll(
    TestCalendarLive(list),
    TestContactsLive(),
    InMemoryLedgerLive,
    slowCrm(options.delayMs),
    TestMailLive
  )
  return Effect.gen(function*() {
    const orchestrator = yield* Orchestrator
    const t0 = performance.now()
    const summary = yield* orchestrator.runCycle
    const wallMs = performance.now() - t0
    return {
      concurrency: options.concurrency,
      events: summary.events.length,
      wallMs,
      idealMs: Math.ceil(options.events / options.concurrency) * 3 * options.delayMs,
      statuses: countStatuses(summary.events.map((e) => e.status))
    } satisfies ConcurrencyResult
  }).pipe(
    Effect.provide(makeApp(adapters, SqliteEngineLive, ResearchTaking(options.delayMs)).pipe(
      Layer.provideMerge(AppConfig.layerWith({
        logStorageDir: dir,
        maxConcurrentEvents: options.concurrency,
        ownDomains: [OWN_DOMAIN],
        triggerWords: Option.some(["discovery call"])
      })),
      Layer.provideMerge(NodeContext.layer)
    )),
    // A hundred workflows log a line per step; the table is what this bench is for.
    Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
    Effect.scoped,
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  )
}
