/**
 * Reading HubSpot for research (against the local fake HubSpot): a company by its domain or an
 * additional one, with owner, lifecycle stage, latest notes and attached files; one we just
 * created while search still lags; candidates for similar companies; the configuration
 * (CRM_PROVIDER, HUBSPOT_*) and `doctor`'s CRM line.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { Crm } from "../../src/Agents/Crm.js"
import { AppConfig, describeConfigError } from "../../src/Config.js"
import { CrmNote } from "../../src/Domain/Crm.js"
import { crmProbes } from "../../src/Doctor/Crm.js"
import { makeApi } from "../../src/Integrations/HubSpot/Api.js"
import { makeClient } from "../../src/Integrations/HubSpot/Client.js"
import { crmConfig, type HubSpotConfig } from "../../src/Integrations/HubSpot/HubSpotConfig.js"
import { layerWithHttp } from "../../src/Integrations/HubSpot/HubSpotCrm.js"
import { Off } from "../../src/Doctor/Probe.js"
import { type FakeHubSpot, startFakeHubSpot } from "../support/fakeHubSpot.js"
import { tempDir } from "../support/spawn.js"

const open: Array<FakeHubSpot> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()))
})

const fake = async (options: Parameters<typeof startFakeHubSpot>[0] = {}) => {
  const f = await startFakeHubSpot(options)
  open.push(f)
  return f
}

const configFor = (f: FakeHubSpot): HubSpotConfig => ({
  token: Redacted.make(f.token),
  baseUrl: f.url,
  requestsPer10s: 100,
  rateWindow: Duration.seconds(10),
  searchesPerSecond: 4,
  timeout: Duration.seconds(5),
  maxAttempts: 3,
  searchLag: Duration.zero,
  folder: "/lead-insights"
})

const withCrm = <A, E>(f: FakeHubSpot, use: (crm: Crm["Type"]) => Effect.Effect<A, E>, db = ":memory:") =>
  Effect.runPromise(Effect.flatMap(Crm, use).pipe(
    Effect.provide(layerWithHttp(configFor(f)).pipe(
      Layer.provide(Layer.mergeAll(FetchHttpClient.layer, NodeContext.layer, SqliteClient.layer({ filename: db })))
    ))
  ))

describe("HubSpot look-ups", () => {
  it("a company by domain: its owner, lifecycle stage, latest notes newest first, and the files on them", async () => {
    const f = await fake()
    f.addOwner({ id: "77", firstName: "Maria", lastName: "Schulz", email: "maria@ourco.example" })
    const id = f.add("companies", {
      name: "Acme Robotics GmbH",
      domain: "www.acme-robotics.com",
      industry: "INDUSTRIAL_AUTOMATION",
      numberofemployees: "180",
      country: "Germany",
      description: "Welding robots for car makers",
      hubspot_owner_id: "77",
      lifecyclestage: "customer"
    })
    const contract = f.addFile("/contracts", "Framework contract", "pdf")
    const notes = [
      { at: "2026-01-10T09:00:00Z", body: "<p>Kick-off with Jana</p><p>went well</p>", files: "" },
      { at: "2026-03-02T09:00:00Z", body: "<p>Signed the framework contract</p>", files: contract.id },
      { at: "2026-02-14T09:00:00Z", body: "<p>Price list &amp; terms sent</p>", files: "" },
      { at: "2026-01-01T09:00:00Z", body: "<p>First call</p>", files: "" }
    ]
    for (const n of notes) {
      const note = f.add("notes", { hs_timestamp: n.at, hs_note_body: n.body, hs_attachment_ids: n.files })
      f.associate("notes", note, "companies", id, 190)
    }

    const found = Option.getOrThrow(await withCrm(f, (crm) => crm.findByDomain("https://Acme-Robotics.com/about")))

    expect(found).toMatchObject({
      id,
      name: "Acme Robotics GmbH",
      domain: "acme-robotics.com",
      industry: "Industrial Automation",
      size: "180",
      country: "Germany",
      description: "Welding robots for car makers",
      owner: "Maria Schulz",
      lifecycle_stage: "Customer"
    })
    expect(found.last_notes?.map((n) => [n.title, n.created_at])).toEqual([
      ["Signed the framework contract", "2026-03-02T09:00:00Z"],
      ["Price list & terms sent", "2026-02-14T09:00:00Z"],
      ["Kick-off with Jana", "2026-01-10T09:00:00Z"]
    ])
    expect(found.attachments.map((a) => a.name)).toEqual(["Framework contract.pdf"])
  })

  it("by an additional domain; nothing for a domain HubSpot does not know", async () => {
    const f = await fake()
    const id = f.add("companies", { name: "Acme Group", domain: "acme-group.com", hs_additional_domains: "acme.de; acme-robotics.com" })

    const [byAdditional, unknown] = await withCrm(f, (crm) => Effect.all([crm.findByDomain("acme.de"), crm.findByDomain("nobody.io")]))

    expect(Option.map(byAdditional, (c) => c.id)).toEqual(Option.some(id))
    expect(unknown).toEqual(Option.none())
  })

  it("a company we delivered to moments ago is found although search does not show it yet; our own dossier files are not the CRM's", async () => {
    const f = await fake({ searchLagMs: 60_000 })
    const dir = tempDir("li-hubspot-lookup-")
    const json = path.join(dir, "dossier.json")
    const pdf = path.join(dir, "dossier.pdf")
    writeFileSync(json, JSON.stringify({ summary: { text: "A summary." } }))
    writeFileSync(pdf, "%PDF-1.4\n%%EOF\n")
    const db = path.join(dir, "workflows.sqlite")
    await withCrm(f, (crm) =>
      crm.deliver(new CrmNote({
        key: "exec-1",
        domain: "fresh-company.io",
        companyName: "Fresh Company",
        title: "Meeting preparation: intro",
        body: "Dossier.",
        dossierJsonPath: json,
        dossierPdfPath: pdf
      })), db)

    const found = Option.getOrThrow(await withCrm(f, (crm) => crm.findByDomain("fresh-company.io"), db))

    expect(found).toMatchObject({ name: "Fresh Company", domain: "fresh-company.io", attachments: [] })
    expect(found.last_notes?.map((n) => n.title)).toEqual(["Meeting preparation: intro"])
  })

  it("similar candidates: the same industry, or the same country and a similar size", async () => {
    const f = await fake()
    const same = f.add("companies", { name: "Weld AG", domain: "weld.de", industry: "INDUSTRIAL_AUTOMATION", country: "Austria", numberofemployees: "5000" })
    const near = f.add("companies", { name: "Fräs GmbH", domain: "fraes.de", industry: "MACHINERY", country: "Germany", numberofemployees: "150" })
    f.add("companies", { name: "Big Mach", domain: "bigmach.de", industry: "MACHINERY", country: "Germany", numberofemployees: "9000" })
    f.add("companies", { name: "Cloud Co", domain: "cloud.io", industry: "COMPUTER_SOFTWARE", country: "United States", numberofemployees: "150" })

    const found = await withCrm(f, (crm) =>
      crm.similarCandidates?.({ industry: "Industrial Automation", size: "51-200", country: "Germany" }, 200) ?? Effect.succeed([]))

    expect(found.map((c) => c.id).sort()).toEqual([same, near].sort())
    expect(found.find((c) => c.id === near)).toMatchObject({ name: "Fräs GmbH", domain: "fraes.de", industry: "Machinery", size: "150" })
  })

  it("a search over more than a page follows `after` to the end", async () => {
    const f = await fake()
    for (let i = 0; i < 450; i++) f.add("companies", { name: `Company ${i}`, domain: `c${i}.de`, country: "Germany" })

    const found = await Effect.runPromise(Effect.gen(function*() {
      const api = makeApi(yield* makeClient(configFor(f)))
      return yield* api.searchCompanies("test search", [[{ propertyName: "country", operator: "EQ", value: "germany" }]], 1_000)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

    expect(found).toHaveLength(450)
    expect(new Set(found.map((c) => c.id)).size).toBe(450)
    expect(f.requests.filter((r) => r.path.endsWith("/search")).length).toBe(3)
  })
})

describe("HubSpot configuration and doctor", () => {
  const configFrom = (env: Record<string, string>) =>
    Effect.runPromise(Effect.either(Effect.withConfigProvider(crmConfig, ConfigProvider.fromMap(new Map(Object.entries(env))))))

  it("local by default; hubspot needs HUBSPOT_ACCESS_TOKEN and says so in one line; bad values name their variable", async () => {
    expect(await configFrom({})).toEqual(Either.right(Option.none()))
    const missing = await configFrom({ CRM_PROVIDER: "hubspot" })
    expect(Either.isLeft(missing) && describeConfigError(missing.left)).toBe(
      "invalid configuration: HUBSPOT_ACCESS_TOKEN: required when CRM_PROVIDER=hubspot (a private app's access token)"
    )
    const badLimit = await configFrom({ CRM_PROVIDER: "hubspot", HUBSPOT_ACCESS_TOKEN: "pat-1", HUBSPOT_RATE_LIMIT: "0" })
    expect(Either.isLeft(badLimit) && describeConfigError(badLimit.left)).toBe(
      "invalid configuration: HUBSPOT_RATE_LIMIT: must be a whole number from 1 to 10000"
    )
    const ok = await configFrom({ CRM_PROVIDER: "hubspot", HUBSPOT_ACCESS_TOKEN: " pat-1 ", HUBSPOT_API_BASE_URL: "http://127.0.0.1:9/" })
    expect(Either.map(ok, Option.map((c) => [Redacted.value(c.token), c.baseUrl, c.requestsPer10s, c.searchesPerSecond]))).toEqual(
      Either.right(Option.some(["pat-1", "http://127.0.0.1:9", 100, 4]))
    )
  })

  const doctorLine = async (env: Record<string, string>) => {
    const [probe] = crmProbes({
      config: await Effect.runPromise(Effect.provide(AppConfig, AppConfig.layerWith({}))),
      env: Layer.mergeAll(AppConfig.layerWith({}).pipe(Layer.orDie), NodeContext.layer, FetchHttpClient.layer)
    })
    if (probe === undefined) throw new Error("no crm probe")
    return Effect.runPromise(Effect.either(probe.check).pipe(
      Effect.map(Either.map((d) => (d instanceof Off ? `off ${d.detail}` : d))),
      Effect.map(Either.mapLeft((e) => (e instanceof Error ? e.message : String(e)))),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    ))
  }

  it("doctor names the portal when the token works, and what is wrong when it does not", async () => {
    const f = await fake({ portalId: 139_912 })
    const base = { CRM_PROVIDER: "hubspot", HUBSPOT_API_BASE_URL: f.url }

    expect(await doctorLine({ ...base, HUBSPOT_ACCESS_TOKEN: f.token })).toEqual(
      Either.right(`HubSpot portal 139912 (app-eu1.hubspot.com, eu1) at ${f.url}: the token is accepted and may read companies`)
    )
    expect(await doctorLine({ ...base, HUBSPOT_ACCESS_TOKEN: "pat-wrong" })).toEqual(
      Either.left("HubSpot refused HUBSPOT_ACCESS_TOKEN (401): the token is invalid, expired or revoked")
    )
    expect(await doctorLine({ CRM_PROVIDER: "hubspot" })).toEqual(
      Either.left("HUBSPOT_ACCESS_TOKEN: required when CRM_PROVIDER=hubspot (a private app's access token)")
    )
    f.setScopes(["files"])
    expect(await doctorLine({ ...base, HUBSPOT_ACCESS_TOKEN: f.token })).toEqual(
      Either.left("HUBSPOT_ACCESS_TOKEN lacks the scope crm.objects.companies.read (403 on company list)")
    )
  })
})
