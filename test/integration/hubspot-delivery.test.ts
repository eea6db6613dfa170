/**
 * Delivering dossiers to HubSpot (the adapter against the local fake HubSpot of
 * test/support/fakeHubSpot.ts, its state in a SQLite file like the workflow database): what
 * HubSpot ends up holding — companies, files, notes and their associations — after a delivery,
 * a repeated one, and one whose requests failed or were lost half-way, as after a crash.
 * A "life" is the adapter built afresh on the same database file, as a restarted process does.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Layer, Redacted } from "effect"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { Crm } from "../../src/Agents/Crm.js"
import { CrmDelivery, CrmNote } from "../../src/Domain/Crm.js"
import type { HubSpotConfig } from "../../src/Integrations/HubSpot/HubSpotConfig.js"
import { layerWithHttp } from "../../src/Integrations/HubSpot/HubSpotCrm.js"
import { type FakeHubSpot, type FakeHubSpotOptions, startFakeHubSpot } from "../support/fakeHubSpot.js"
import { tempDir } from "../support/spawn.js"

const open: Array<FakeHubSpot> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()))
})

const fake = async (options: FakeHubSpotOptions = {}) => {
  const f = await startFakeHubSpot(options)
  open.push(f)
  return f
}

const configFor = (f: FakeHubSpot, overrides: Partial<HubSpotConfig> = {}): HubSpotConfig => ({
  token: Redacted.make(f.token),
  baseUrl: f.url,
  requestsPer10s: 100,
  rateWindow: Duration.seconds(10),
  searchesPerSecond: 4,
  timeout: Duration.seconds(5),
  maxAttempts: 4,
  searchLag: Duration.zero,
  folder: "/lead-insights",
  ...overrides
})

/** One life of the adapter on `db`: built, used, closed. */
const life = <A, E>(f: FakeHubSpot, db: string, use: (crm: Crm["Type"]) => Effect.Effect<A, E>, overrides: Partial<HubSpotConfig> = {}) =>
  Effect.runPromise(Effect.flatMap(Crm, use).pipe(
    Effect.provide(layerWithHttp(configFor(f, overrides)).pipe(
      Layer.provide(Layer.mergeAll(FetchHttpClient.layer, NodeContext.layer, SqliteClient.layer({ filename: db })))
    ))
  ))

interface Fixture {
  readonly dir: string
  readonly db: string
  readonly note: (key: string, domain?: string, name?: string) => CrmNote
}

const fixture = (): Fixture => {
  const dir = tempDir("li-hubspot-")
  const json = path.join(dir, "dossier.json")
  const pdf = path.join(dir, "dossier.pdf")
  writeFileSync(json, JSON.stringify({
    key: "k",
    summary: { text: "Acme Robotics builds welding robots for car makers [1].", inferred: false, citations: [1] },
    meeting: {
      attendees: [
        { email: "Jana.Novak@acme-robotics.com", side: "company", role: "attendee" },
        { email: "anna.berger@lead-insights.app", side: "ours", role: "attendee" }
      ]
    }
  }))
  writeFileSync(pdf, Buffer.from("%PDF-1.4\n% a dossier\n%%EOF\n"))
  return {
    dir,
    db: path.join(dir, "workflows.sqlite"),
    note: (key, domain = "acme-robotics.com", name = "Acme Robotics") =>
      new CrmNote({
        key,
        domain,
        companyName: name,
        title: "Meeting preparation: Discovery call with Acme",
        body: `Dossier for ${name} (${domain}).\nDossier: ${json}\nBrief (PDF): ${pdf}`,
        dossierJsonPath: json,
        dossierPdfPath: pdf
      })
  }
}

const creates = (f: FakeHubSpot, what: RegExp) => f.requests.filter((r) => r.method === "POST" && what.test(r.path))

describe("HubSpot delivery", () => {
  it("creates the company, uploads the PDF privately and files a note with it under the company and the known contact", async () => {
    const f = await fake()
    const contact = f.add("contacts", { email: "jana.novak@acme-robotics.com", firstname: "Jana" })
    const x = fixture()

    const delivery = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))

    const [company] = f.objects("companies")
    const [file] = f.files()
    const [note] = f.objects("notes")
    expect(f.objects("companies")).toHaveLength(1)
    expect(company?.properties).toMatchObject({ name: "Acme Robotics", domain: "acme-robotics.com" })
    expect(f.files()).toHaveLength(1)
    expect(file).toMatchObject({ access: "PRIVATE", folderPath: "/lead-insights", extension: "pdf", contentType: "application/pdf" })
    expect(file?.path).toMatch(/^\/lead-insights\/dossier-acme-robotics-com-[0-9a-f]{16}\.pdf$/)
    expect(f.objects("notes")).toHaveLength(1)
    expect(note?.properties["hs_attachment_ids"]).toBe(file?.id)
    expect(Date.parse(note?.properties["hs_timestamp"] ?? "")).not.toBeNaN()
    const body = note?.properties["hs_note_body"] ?? ""
    expect(body).toContain("Meeting preparation: Discovery call with Acme")
    expect(body).toContain("Acme Robotics builds welding robots for car makers [1].")
    expect(body).toMatch(/Lead Insights ref li-[0-9a-f]{16}/)
    expect(f.associations("notes", note?.id ?? "", "companies")).toEqual([{ id: company?.id, typeId: 190 }])
    expect(f.associations("notes", note?.id ?? "", "contacts")).toEqual([{ id: contact, typeId: 202 }])
    expect(delivery).toEqual(new CrmDelivery({
      provider: "hubspot",
      company_id: company?.id ?? "",
      note_id: note?.id ?? "",
      file_id: file?.id ?? "",
      created: true
    }))
  })

  it("delivered again with the same key (a re-run): the same ids, nothing new made or sent for it", async () => {
    const f = await fake()
    const x = fixture()
    const first = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))
    const sentBefore = f.requests.length

    const again = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))

    expect(again).toEqual(new CrmDelivery({ ...first, created: false }))
    expect(f.objects("companies")).toHaveLength(1)
    expect(f.files()).toHaveLength(1)
    expect(f.objects("notes")).toHaveLength(1)
    expect(f.requests.slice(sentBefore)).toEqual([])
  })

  it("a company HubSpot knows by an additional domain gets the note; none is created", async () => {
    const f = await fake()
    const existing = f.add("companies", { name: "Acme Group", domain: "acme-group.com", hs_additional_domains: "acme.de;acme-robotics.com" })
    const x = fixture()

    const delivery = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))

    expect(f.objects("companies").map((c) => c.id)).toEqual([existing])
    expect(delivery.company_id).toBe(existing)
    expect(creates(f, /^\/crm\/v3\/objects\/companies$/)).toEqual([])
  })

  it("another event for the same new company while search still lags: the company recorded by id is used, not created twice", async () => {
    const f = await fake({ searchLagMs: 60_000 })
    const x = fixture()

    const [a, b] = await life(f, x.db, (crm) =>
      Effect.all([crm.deliver(x.note("exec-1")), crm.deliver(x.note("exec-2"))], { concurrency: 2 }))
    const c = await life(f, x.db, (crm) => crm.deliver(x.note("exec-3")))

    expect(f.objects("companies")).toHaveLength(1)
    expect(new Set([a.company_id, b.company_id, c.company_id])).toEqual(new Set([f.objects("companies")[0]?.id]))
    expect(f.objects("notes")).toHaveLength(3)
    expect(f.files()).toHaveLength(3)
  })

  it("the note create is carried out but its answer lost (500 after the write): the next try finds it by its marker", async () => {
    const f = await fake()
    const x = fixture()
    f.failNext("POST", /^\/crm\/v3\/objects\/notes$/, { status: 500, afterWrite: true })

    const failed = await life(f, x.db, (crm) => Effect.either(crm.deliver(x.note("exec-1"))))
    expect(Either.isLeft(failed) && failed.left.message).toMatch(/^CRM: HubSpot note create: HubSpot failed \(500/)
    expect(f.objects("notes")).toHaveLength(1)

    const retried = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))

    expect(f.objects("notes")).toHaveLength(1)
    expect(f.files()).toHaveLength(1)
    expect(f.objects("companies")).toHaveLength(1)
    expect(retried).toMatchObject({ note_id: f.objects("notes")[0]?.id, created: false })
    expect(creates(f, /^\/crm\/v3\/objects\/notes$/)).toHaveLength(1)
  })

  it("the upload is carried out but the connection drops before the answer: the next try finds the file at its path", async () => {
    const f = await fake()
    const x = fixture()
    f.failNext("POST", /^\/files\/v3\/files$/, { status: 0, afterWrite: true, hangUp: true })

    expect(Either.isLeft(await life(f, x.db, (crm) => Effect.either(crm.deliver(x.note("exec-1")))))).toBe(true)
    expect(f.files()).toHaveLength(1)
    expect(f.objects("notes")).toHaveLength(0)

    const delivered = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))

    expect(f.files()).toHaveLength(1)
    expect(f.objects("notes")).toHaveLength(1)
    expect(delivered).toMatchObject({ file_id: f.files()[0]?.id, created: true })
    expect(f.objects("notes")[0]?.properties["hs_attachment_ids"]).toBe(f.files()[0]?.id)
    expect(creates(f, /^\/files\/v3\/files$/)).toHaveLength(1)
  })

  it("the company create is carried out but its answer lost, and search lags: the next try waits until search must show it", async () => {
    const f = await fake({ searchLagMs: 1_500 })
    const x = fixture()
    f.failNext("POST", /^\/crm\/v3\/objects\/companies$/, { status: 0, afterWrite: true, hangUp: true })
    const settings = { timeout: Duration.seconds(1), searchLag: Duration.seconds(2) }

    expect(Either.isLeft(await life(f, x.db, (crm) => Effect.either(crm.deliver(x.note("exec-1"))), settings))).toBe(true)
    expect(f.objects("companies")).toHaveLength(1)

    const delivered = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")), settings)

    expect(f.objects("companies")).toHaveLength(1)
    expect(delivered.company_id).toBe(f.objects("companies")[0]?.id)
    expect(creates(f, /^\/crm\/v3\/objects\/companies$/)).toHaveLength(1)
    expect(f.objects("notes")).toHaveLength(1)
  })

  it("a company create HubSpot refuses outright (400) made nothing: the next try creates without waiting for search", async () => {
    const f = await fake({ searchLagMs: 60_000 })
    const x = fixture()
    f.failNext("POST", /^\/crm\/v3\/objects\/companies$/, {
      status: 400,
      body: { status: "error", message: "Property values were not valid", correlationId: "c-1", category: "VALIDATION_ERROR" }
    })
    const settings = { searchLag: Duration.minutes(10) }

    const failed = await life(f, x.db, (crm) => Effect.either(crm.deliver(x.note("exec-1"))), settings)
    expect(Either.isLeft(failed) && failed.left.message).toBe(
      "CRM: HubSpot company create: refused (400): Property values were not valid"
    )
    await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")), settings)

    expect(f.objects("companies")).toHaveLength(1)
    expect(f.objects("notes")).toHaveLength(1)
  })

  it("429 with Retry-After and 5xx on reads are waited out; the delivery goes through once", async () => {
    const f = await fake()
    const x = fixture()
    f.failNext("POST", /\/companies\/search$/, { status: 502 }, {
      status: 429,
      headers: { "retry-after": "1" },
      body: { status: "error", message: "You have reached your secondly limit.", errorType: "RATE_LIMIT", correlationId: "c-2", category: "RATE_LIMITS" }
    })
    f.failNext("POST", /^\/crm\/v3\/objects\/notes$/, {
      status: 429,
      headers: { "retry-after": "1" },
      body: { status: "error", message: "You have reached your ten_secondly_rolling limit.", errorType: "RATE_LIMIT", correlationId: "c-3", category: "RATE_LIMITS" }
    })

    const delivered = await life(f, x.db, (crm) => crm.deliver(x.note("exec-1")))

    expect(delivered.created).toBe(true)
    expect(f.objects("notes")).toHaveLength(1)
    expect(f.requests.filter((r) => /search$/.test(r.path)).map((r) => r.status)).toEqual([502, 429, 200])
    expect(creates(f, /^\/crm\/v3\/objects\/notes$/).map((r) => r.status)).toEqual([429, 201])
  })

  it("a refused token and a missing scope each end in one line naming HUBSPOT_ACCESS_TOKEN", async () => {
    const f = await fake({ scopes: ["crm.objects.companies.read", "crm.objects.companies.write", "crm.objects.contacts.read", "files"] })
    const x = fixture()

    const noScope = await life(f, x.db, (crm) => Effect.flip(crm.deliver(x.note("exec-1"))))
    const badToken = await life(f, x.db, (crm) => Effect.flip(crm.deliver(x.note("exec-2"))), { token: Redacted.make("pat-wrong") })

    expect(noScope.message).toBe("CRM: HUBSPOT_ACCESS_TOKEN lacks the scope crm.objects.contacts.write (403 on note create)")
    expect(badToken.message).toBe("CRM: HubSpot refused HUBSPOT_ACCESS_TOKEN (401): the token is invalid, expired or revoked")
    expect(`${noScope.message}${badToken.message}`).not.toContain(f.token)
  })

  it("the client-side limit keeps a burst under HubSpot's: no 429; a lower limit in the headers is followed", async () => {
    const f = await fake({ rateLimit: { max: 8, intervalMs: 1_000 }, searchesPerSecond: 100 })
    const x = fixture()
    const domains = Array.from({ length: 24 }, (_, i) => `company-${i}.com`)

    await life(f, x.db, (crm) => Effect.forEach(domains, (d) => crm.findByDomain(d), { concurrency: 8 }), {
      requestsPer10s: 8,
      rateWindow: Duration.seconds(1),
      searchesPerSecond: 100
    })
    expect(f.requests.filter((r) => r.status === 429)).toEqual([])

    // The client thinks it may send 50 a second. HubSpot's answers say 8 (search answers carry no
    // such headers): after a first burst that learns it, the client keeps to 8.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const before = f.requests.length
    const { first, second } = await life(f, x.db, (crm) =>
      Effect.gen(function*() {
        const burst = Effect.forEach(domains, (d) => crm.findByDomain(d), { concurrency: 8 })
        const first = yield* burst
        yield* Effect.sleep("1100 millis")
        const second = yield* burst
        return { first: first.length, second: second.length }
      }), {
      requestsPer10s: 50,
      rateWindow: Duration.seconds(1),
      searchesPerSecond: 100
    })
    expect([first, second]).toEqual([24, 24])
    const seen = f.requests.slice(before)
    expect(seen.filter((r) => r.status === 429).length).toBeLessThanOrEqual(8)
    expect(seen.slice(seen.length - 24).filter((r) => r.status === 429)).toEqual([])
  })
})
