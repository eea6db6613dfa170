/**
 * HubSpot delivery, for `npm run bench`: the HubSpot adapter against the local fake HubSpot
 * (test/support/fakeHubSpot.ts, with HubSpot's limits — 100 requests per rolling 10 s, 4
 * searches per second — and a 2 s search index lag), its delivery state in a SQLite file. 500
 * events (two meetings each with 250 companies, 100 of which HubSpot already knows; a known
 * contact at every other company) are delivered, 8 at a time, with the client-side limiter at
 * its default 100 per 10 s. Nothing is asserted.
 *
 * `hubSpotBench()` measures; `hubSpotBenchLines(result)` is the table to print. Figures: requests
 * per delivered dossier (and how many of them were creates), delivered dossiers per minute,
 * 429s HubSpot answered, and the requests of one research look-up (company, notes, similar).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Duration, Effect, Layer, Redacted } from "effect"
import { rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Crm } from "../src/Agents/Crm.js"
import { CrmNote } from "../src/Domain/Crm.js"
import type { HubSpotConfig } from "../src/Integrations/HubSpot/HubSpotConfig.js"
import { make } from "../src/Integrations/HubSpot/HubSpotCrm.js"
import { startFakeHubSpot } from "../test/support/fakeHubSpot.js"
import { tempDir } from "../test/support/spawn.js"

export interface HubSpotBench {
  readonly events: number
  readonly companies: number
  readonly concurrency: number
  readonly delivered: number
  readonly failed: number
  readonly seconds: number
  readonly requests: number
  readonly requestsPerDossier: number
  /** Companies, files and notes created, per dossier. */
  readonly createsPerDossier: number
  readonly dossiersPerMinute: number
  readonly rateLimited: number
  readonly lookups: number
  readonly requestsPerLookup: number
  /** HubSpot's counts afterwards: one company per domain, one file and one note per event. */
  readonly holds: { readonly companies: number; readonly files: number; readonly notes: number }
}

const COMPANIES = 250
const KNOWN = 100

export const hubSpotBench = (options: { readonly events?: number; readonly concurrency?: number; readonly lookups?: number } = {}): Effect.Effect<HubSpotBench> =>
  Effect.gen(function*() {
    const events = options.events ?? 500
    const concurrency = options.concurrency ?? 8
    const lookups = options.lookups ?? 40
    const fake = yield* Effect.acquireRelease(
      Effect.promise(() => startFakeHubSpot({ searchLagMs: 2_000 })),
      (f) => Effect.promise(() => f.close())
    )
    const dir = tempDir("li-bench-hubspot-")
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    const domainOf = (i: number) => `company-${i % COMPANIES}.example.com`
    for (let i = 0; i < COMPANIES; i++) {
      if (i < KNOWN) {
        fake.add("companies", { name: `Company ${i}`, domain: domainOf(i), industry: i % 2 === 0 ? "COMPUTER_SOFTWARE" : "LOGISTICS_AND_SUPPLY_CHAIN", country: "Germany", numberofemployees: String(50 + i) })
      }
      if (i % 2 === 0) fake.add("contacts", { email: `ceo@${domainOf(i)}` })
    }
    const pdf = path.join(dir, "dossier.pdf")
    writeFileSync(pdf, Buffer.alloc(60 * 1024, 0x20))
    const jsonOf = (i: number) => {
      const file = path.join(dir, `dossier-${i % COMPANIES}.json`)
      writeFileSync(file, JSON.stringify({
        summary: { text: `Company ${i % COMPANIES} makes things [1].` },
        meeting: { attendees: [{ email: `ceo@${domainOf(i)}`, side: "company" }] }
      }))
      return file
    }
    const config: HubSpotConfig = {
      token: Redacted.make(fake.token),
      baseUrl: fake.url,
      requestsPer10s: 100,
      rateWindow: Duration.seconds(10),
      searchesPerSecond: 4,
      timeout: Duration.seconds(30),
      maxAttempts: 5,
      searchLag: Duration.seconds(30),
      folder: "/lead-insights"
    }
    // Built in this scope: the database and the HTTP client live until the bench ends.
    const env = yield* Layer.build(
      Layer.mergeAll(FetchHttpClient.layer, NodeContext.layer, SqliteClient.layer({ filename: path.join(dir, "workflows.sqlite") }))
    ).pipe(Effect.orDie)
    const made = yield* make(config).pipe(Effect.provide(env))
    const crm = made.crm
    const notes = Array.from({ length: events }, (_, i) => {
      const json = jsonOf(i)
      return new CrmNote({
        key: `bench-event-${i}`,
        domain: domainOf(i),
        companyName: `Company ${i % COMPANIES}`,
        title: `Meeting preparation: meeting ${i}`,
        body: `Dossier: ${json}\nBrief (PDF): ${pdf}`,
        dossierJsonPath: json,
        dossierPdfPath: pdf
      })
    })

    const startedAt = Date.now()
    const sentBefore = yield* made.requestsSent
    const results = yield* Effect.forEach(notes, (note) => Effect.either(crm.deliver(note)), { concurrency })
    const firstFailure = results.find((r) => r._tag === "Left")
    if (firstFailure?._tag === "Left") yield* Effect.logWarning(`HubSpot bench: a delivery failed: ${firstFailure.left.message}`)
    const seconds = (Date.now() - startedAt) / 1000
    const requests = (yield* made.requestsSent) - sentBefore
    const delivered = results.filter((r) => r._tag === "Right").length
    const creates = fake.requests.filter((r) =>
      r.method === "POST" && /^\/crm\/v3\/objects\/(companies|notes)$|^\/files\/v3\/files$/.test(r.path) && r.status >= 200 && r.status < 300
    ).length
    const rateLimited = fake.requests.filter((r) => r.status === 429).length

    // One research look-up: the company with its notes and files, and candidates for similar ones.
    const lookupBefore = yield* made.requestsSent
    yield* Effect.forEach(Array.from({ length: lookups }, (_, i) => domainOf(i * 3)), (domain) =>
      Effect.either(Effect.flatMap(crm.findByDomain(domain), () =>
        crm.similarCandidates?.({ industry: "Computer Software", size: "120", country: "Germany" }, 200) ?? Effect.succeed([]))), { concurrency })
    const lookupRequests = (yield* made.requestsSent) - lookupBefore

    return {
      events,
      companies: COMPANIES,
      concurrency,
      delivered,
      failed: events - delivered,
      seconds,
      requests,
      requestsPerDossier: delivered === 0 ? 0 : requests / delivered,
      createsPerDossier: delivered === 0 ? 0 : creates / delivered,
      dossiersPerMinute: seconds === 0 ? 0 : (delivered / seconds) * 60,
      rateLimited,
      lookups,
      requestsPerLookup: lookups === 0 ? 0 : lookupRequests / lookups,
      holds: { companies: fake.objects("companies").length, files: fake.files().length, notes: fake.objects("notes").length }
    }
  }).pipe(Effect.scoped)

/** The table `npm run bench` prints. */
export const hubSpotBenchLines = (b: HubSpotBench): ReadonlyArray<string> => [
  `HubSpot delivery against the local fake (100 requests / 10 s, 4 searches / s, 2 s search lag): ${b.events} events, ${b.companies} companies, ${b.concurrency} at once`,
  `  delivered ${b.delivered}, failed ${b.failed} in ${b.seconds.toFixed(1)} s: ${b.dossiersPerMinute.toFixed(1)} dossiers per minute`,
  `  requests per delivered dossier   ${b.requestsPerDossier.toFixed(2)} (creates ${b.createsPerDossier.toFixed(2)}); ${b.requests} in all, ${b.rateLimited} answered 429`,
  `  research look-up (company, notes, files, similar): ${b.requestsPerLookup.toFixed(2)} requests each (${b.lookups} look-ups)`,
  `  HubSpot holds ${b.holds.companies} companies, ${b.holds.files} files, ${b.holds.notes} notes`
]
