/**
 * The whole app on the Google Calendar adapter (against test/support/fakeGoogle.ts) and doubles
 * for the rest, on the real clock: an unchanged calendar costs one request per cycle and its
 * events are `unchanged`; an event edited in Google is handled again; an event deleted in Google
 * withdraws its waiting request exactly as one gone from an iCalendar feed does; a sync token
 * Google no longer knows changes nothing for the events.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Logger, LogLevel, Option } from "effect"
import { Llm } from "../../src/Agents/Llm.js"
import { AppConfig } from "../../src/Config.js"
import { CrmAttachment, CrmCompany } from "../../src/Domain/Crm.js"
import type { RunSummary } from "../../src/Domain/RunSummary.js"
import { HitlStore } from "../../src/Hitl/HitlStore.js"
import * as Auth from "../../src/Integrations/Google/Auth.js"
import * as Calendar from "../../src/Integrations/Google/Calendar.js"
import { googleConfig } from "../../src/Integrations/Google/GoogleConfig.js"
import { GoogleHttpClient } from "../../src/Integrations/Google/Http.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { makeApp } from "../../layers/App.js"
import { MemoryEngineLive } from "../../layers/Engine.js"
import {
  InMemoryCrmLive,
  InMemoryLedgerLive,
  PlaceholderPdfRendererLive,
  TestContactsLive,
  TestMailLive,
  TestWebsiteLive
} from "../../layers/Test.js"
import { type FakeGoogle, makeFakeGoogle } from "../support/fakeGoogle.js"
import { tempDir } from "../support/spawn.js"
import { testConfig } from "../support/workflow.js"

const DAY = 86_400_000
const TEAM = "sales@ourco.de"
const MARIA = "maria@ourco.de"
const acmeCrm = new CrmCompany({
  id: "crm-acme",
  name: "Acme Robotics",
  domain: "acme-robotics.com",
  attachments: [new CrmAttachment({ name: "deck.pdf" })]
})

const at = (days: number, hour: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000).toISOString()

const event = (id: string, summary: string, description: string) => ({
  id,
  summary,
  description,
  start: { dateTime: at(3, 9), timeZone: "Europe/Berlin" },
  end: { dateTime: at(3, 10), timeZone: "Europe/Berlin" },
  organizer: { email: MARIA, displayName: "Maria" },
  attendees: [{ email: MARIA, organizer: true, responseStatus: "accepted" }]
})

const acme = event("acme", "Discovery call with Acme Robotics", "https://acme-robotics.com")
const beta = event("beta", "Kickoff with Beta Systems", "beta-systems.io")

const appFor = (fake: FakeGoogle) =>
  Effect.gen(function*() {
    const google = yield* Effect.withConfigProvider(
      googleConfig,
      ConfigProvider.fromMap(new Map(Object.entries({
        GOOGLE_CALENDAR_ID: TEAM,
        GOOGLE_CLIENT_ID: fake.clientId,
        GOOGLE_CLIENT_SECRET: fake.clientSecret,
        GOOGLE_REFRESH_TOKEN: fake.refreshToken,
        GOOGLE_API_BASE_URL: fake.baseUrl,
        GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl
      })))
    )
    const calendar = Calendar.layer({ ...google, retryBase: Duration.millis(20) }).pipe(
      Layer.provide(Auth.layer(google)),
      Layer.provide(GoogleHttpClient)
    )
    const adapters = Layer.mergeAll(
      calendar,
      TestContactsLive(),
      InMemoryLedgerLive,
      InMemoryCrmLive([acmeCrm]),
      TestMailLive,
      TestWebsiteLive(),
      Llm.Disabled,
      PlaceholderPdfRendererLive
    )
    return makeApp(adapters, MemoryEngineLive).pipe(
      Layer.provideMerge(AppConfig.layerWith(testConfig(tempDir("li-google-app-")))),
      Layer.provideMerge(NodeContext.layer)
    )
  })

const statuses = (summary: RunSummary) => Object.fromEntries(summary.events.map((e) => [e.event_id, e.status]))

describe("the app on Google Calendar", () => {
  it.live("unchanged: one request and `unchanged`; edited: handled again; deleted: its request withdrawn; 410: nothing changes", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      fake.addCalendar(TEAM, "Sales")
      fake.put(TEAM, acme)
      fake.put(TEAM, beta)
      const app = yield* appFor(fake)
      yield* Effect.gen(function*() {
        const orchestrator = yield* Orchestrator
        const hitl = yield* HitlStore
        const cycle = Effect.gen(function*() {
          fake.resetCounts()
          const summary = yield* orchestrator.runCycle
          return { summary, calls: fake.apiRequests().length }
        })

        const first = yield* cycle
        expect(statuses(first.summary)).toEqual({ "acme@google.com": "awaiting_approval", "beta@google.com": "delivered" })
        const auditId = first.summary.events.find((e) => e.event_id === "acme@google.com")?.hitl?.audit_id ?? ""
        expect(auditId).not.toBe("")

        const unchanged = yield* cycle
        expect(unchanged.calls).toBe(1)
        expect(statuses(unchanged.summary)["beta@google.com"]).toBe("unchanged")

        fake.put(TEAM, { ...beta, summary: "Kickoff with Beta Systems (moved to the afternoon)" })
        const edited = yield* cycle
        expect(edited.calls).toBe(1)
        expect(["delivered", "dossier_reused"]).toContain(statuses(edited.summary)["beta@google.com"])

        fake.remove(TEAM, "acme")
        const deleted = yield* cycle
        expect(deleted.calls).toBe(1)
        expect(statuses(deleted.summary)).toEqual({ "beta@google.com": "unchanged" })
        expect(Option.map(yield* hitl.get(auditId), (r) => r.state)).toEqual(Option.some("cancelled"))

        fake.expireSyncTokens(TEAM)
        const resynced = yield* cycle
        expect(resynced.summary.status).toBe("success")
        expect(statuses(resynced.summary)).toEqual({ "beta@google.com": "unchanged" })
      }).pipe(Effect.provide(app))
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))

  it.live("a calendar of several that cannot be read is a failed entry in the run; the others' events are handled", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      fake.addCalendar(TEAM, "Sales")
      fake.put(TEAM, beta)
      const google = yield* Effect.withConfigProvider(
        googleConfig,
        ConfigProvider.fromMap(new Map(Object.entries({
          GOOGLE_CALENDAR_ID: `${TEAM},gone@ourco.de`,
          GOOGLE_CLIENT_ID: fake.clientId,
          GOOGLE_CLIENT_SECRET: fake.clientSecret,
          GOOGLE_REFRESH_TOKEN: fake.refreshToken,
          GOOGLE_API_BASE_URL: fake.baseUrl,
          GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl
        })))
      )
      const calendar = Calendar.layer(google).pipe(Layer.provide(Auth.layer(google)), Layer.provide(GoogleHttpClient))
      const app = makeApp(
        Layer.mergeAll(calendar, TestContactsLive(), InMemoryLedgerLive, InMemoryCrmLive(), TestMailLive, TestWebsiteLive(), Llm.Disabled, PlaceholderPdfRendererLive),
        MemoryEngineLive
      ).pipe(
        Layer.provideMerge(AppConfig.layerWith(testConfig(tempDir("li-google-app-")))),
        Layer.provideMerge(NodeContext.layer)
      )
      const summary = yield* Effect.flatMap(Orchestrator, (o) => o.runCycle).pipe(Effect.provide(app))
      expect(summary.status).toBe("partial")
      expect(statuses(summary)).toEqual({ "beta@google.com": "delivered", "google:gone@ourco.de": "failed" })
      expect(summary.events.find((e) => e.status === "failed")?.error).toEqual({
        type: "CalendarError",
        message: "calendar google:gone@ourco.de: not found (no such calendar, or not shared with this account): HTTP 404: Not Found"
      })
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))))
})
