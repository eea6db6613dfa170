/** Dossiers on disk: round trip, idempotent writes, newest first, broken files, freshness, hostile domains. */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Layer, Option } from "effect"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { AppConfig } from "../../src/Config.js"
import {
  Dossier,
  DossierMeeting,
  DossierSource,
  DossierSummary,
  StoredDossier
} from "../../src/Domain/Dossier.js"
import { DossierStore, dossierDomain, isFresh } from "../../src/Storage/DossierStore.js"
import { tempDir } from "../support/spawn.js"

const makeDossier = (key: string, generated_at: string, domain = "acme.io", summary = "Acme builds robots.") =>
  new Dossier({
    key,
    generated_at,
    company: { name: "Acme Robotics", domain },
    meeting: new DossierMeeting({
      event_id: "evt-1",
      title: "Kickoff",
      start: "2026-11-26T09:00:00.000Z",
      all_day: false,
      time_zone: "UTC",
      time_zone_source: "utc",
      when: "Thu 26 Nov 2026, 09:00 UTC",
      start_local: "2026-11-26T09:00:00Z",
      attendees: []
    }),
    company_facts: [],
    similar_companies: [],
    summary: new DossierSummary({ text: summary, inferred: false, citations: [1] }),
    sections: { website: { status: "insufficient_context", reason: "not researched" } },
    sources: [new DossierSource({ number: 1, kind: "event", title: "Calendar event", retrieved_at: generated_at })]
  })

const setup = () => {
  const logStorageDir = tempDir("dossier-store-")
  const layer = DossierStore.Default.pipe(
    Layer.provide(Layer.mergeAll(Layer.orDie(AppConfig.layerWith({ logStorageDir })), NodeContext.layer))
  )
  return { logStorageDir, layer, domainDir: (domain: string) => path.join(logStorageDir, "dossiers", domain) }
}

const filesUnder = (dir: string): Array<string> =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)) : []

describe("DossierStore", () => {
  it.effect("writes dossier.json under the domain and timestamp, and reads it back", () => {
    const { domainDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const dossier = makeDossier("wf-1", "2026-11-26T09:00:00.000Z")
      const stored = yield* store.write(dossier)
      expect(stored.json_path).toBe(path.join(domainDir("acme.io"), "2026-11-26T09-00-00-000Z", "dossier.json"))
      expect(stored.created_at).toBe("2026-11-26T09:00:00.000Z")
      expect(stored.pdf_path).toBeUndefined()
      expect(JSON.parse(readFileSync(stored.json_path, "utf8"))).toMatchObject({ version: 2, key: "wf-1", summary: { text: "Acme builds robots." } })

      expect(Option.getOrThrow(yield* store.latest("acme.io"))).toEqual(stored)
      expect(Option.getOrThrow(yield* store.latest("WWW.Acme.IO."))).toEqual(stored)
      expect(Option.getOrThrow(yield* store.findByKey("acme.io", "wf-1"))).toEqual(stored)
      expect(Option.isNone(yield* store.findByKey("acme.io", "wf-2"))).toBe(true)
      expect(Option.isNone(yield* store.latest("other.io"))).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a second write with the same key returns the first dossier and writes nothing", () => {
    const { domainDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const first = yield* store.write(makeDossier("wf-1", "2026-11-26T09:00:00.000Z"))
      const retried = yield* store.write(makeDossier("wf-1", "2026-11-26T09:05:00.000Z", "acme.io", "Rewritten."))
      expect(retried).toEqual(first)
      expect(readdirSync(domainDir("acme.io"))).toEqual(["2026-11-26T09-00-00-000Z"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("latest is the newest by generation time, also for two in the same millisecond", () => {
    const { domainDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      yield* store.write(makeDossier("nov-01", "2026-11-01T08:00:00.000Z"))
      yield* store.write(makeDossier("nov-20", "2026-11-20T08:00:00.000Z"))
      yield* store.write(makeDossier("nov-10", "2026-11-10T08:00:00.000Z"))
      expect(Option.getOrThrow(yield* store.latest("acme.io")).dossier.key).toBe("nov-20")

      yield* store.write(makeDossier("same-ms-a", "2026-11-25T08:00:00.000Z"))
      const b = yield* store.write(makeDossier("same-ms-b", "2026-11-25T08:00:00.000Z"))
      expect(path.basename(path.dirname(b.json_path))).toBe("2026-11-25T08-00-00-000Z-2")
      expect(Option.getOrThrow(yield* store.latest("acme.io")).dossier.key).toBe("same-ms-b")
      expect(Option.getOrThrow(yield* store.findByKey("acme.io", "same-ms-a")).dossier.key).toBe("same-ms-a")
      expect(readdirSync(domainDir("acme.io"))).toHaveLength(5)
    }).pipe(Effect.provide(layer))
  })

  it.effect("written at once: a key once, one company's same millisecond in folders of their own, other companies too", () => {
    const { domainDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const at = "2026-11-25T08:00:00.000Z"
      // One company under three spellings of its domain: one folder, so one lock.
      const spellings = ["acme.io", "WWW.Acme.IO.", "Acme.io"]
      const writes = [
        ...Array.from({ length: 4 }, (_, i) => makeDossier("retried", `2026-11-25T08:0${i}:00.000Z`, spellings[i % 3])),
        ...Array.from({ length: 6 }, (_, i) => makeDossier(`same-ms-${i}`, at, spellings[i % 3])),
        ...Array.from({ length: 6 }, (_, i) => makeDossier(`other-${i}`, at, "other.io"))
      ]
      const stored = yield* Effect.all(writes.map((d) => store.write(d)), { concurrency: "unbounded" })
      const retried = stored.slice(0, 4)
      expect(new Set(retried.map((s) => s.json_path)).size).toBe(1)
      expect(readdirSync(domainDir("acme.io"))).toHaveLength(1 + 6)
      expect(readdirSync(domainDir("other.io"))).toHaveLength(6)
      for (const [i, s] of stored.entries()) {
        expect(JSON.parse(readFileSync(s.json_path, "utf8")).key).toBe(i < 4 ? retried[0]!.dossier.key : writes[i]!.key)
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("skips a broken dossier.json and returns the newest readable one", () => {
    const { domainDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const good = yield* store.write(makeDossier("good", "2026-11-01T08:00:00.000Z"))
      for (const [folder, content] of [["2026-11-20T08-00-00-000Z", "{ not json"], ["2026-11-21T08-00-00-000Z", "{\"key\": 1}"]]) {
        mkdirSync(path.join(domainDir("acme.io"), folder!), { recursive: true })
        writeFileSync(path.join(domainDir("acme.io"), folder!, "dossier.json"), content!)
      }
      mkdirSync(path.join(domainDir("acme.io"), "2026-11-22T08-00-00-000Z"))
      expect(Option.getOrThrow(yield* store.latest("acme.io"))).toEqual(good)
    }).pipe(Effect.provide(layer))
  })

  it.effect("reads a dossier.json written by the first version (before website research) as a current dossier", () => {
    const { domainDir, layer } = setup()
    return Effect.gen(function*() {
      const dir = path.join(domainDir("nordwind-logistik.de"), "2026-11-01T08-00-00-000Z")
      mkdirSync(dir, { recursive: true })
      // Exactly what the first version wrote (its Research.buildDossier).
      writeFileSync(path.join(dir, "dossier.json"), JSON.stringify({
        key: "wf-old",
        generated_at: "2026-11-01T08:00:00.000Z",
        company: { name: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" },
        meeting: {
          event_id: "nordwind-1",
          summary: "Erstgespräch Nordwind Logistik GmbH",
          start: "2026-11-25T13:00:00.000Z",
          location: "Hamburg, Speicherstadt",
          organizer: "Jonas Weber <jonas.weber@lead-insights.app>",
          attendees: ["Lars Petersen <l.petersen@nordwind-logistik.de>, Nordwind Logistik GmbH", "anna@lead-insights.app"]
        },
        summary: "Nordwind Logistik GmbH (nordwind-logistik.de) is in the CRM (industry Logistik, Spedition).",
        sections: [{ title: "Meeting", lines: ["Title: Erstgespräch Nordwind Logistik GmbH"] }],
        sources: [
          { kind: "crm", title: "CRM record 2: Nordwind Logistik GmbH", retrieved_at: "2026-11-01T08:00:00.000Z" },
          { kind: "event", title: "Calendar event \"Erstgespräch\" (test:calendar)", retrieved_at: "2026-11-01T08:00:00.000Z" }
        ]
      }, null, 2))
      const store = yield* DossierStore
      const stored = Option.getOrThrow(yield* store.findByKey("nordwind-logistik.de", "wf-old"))
      expect(stored.created_at).toBe("2026-11-01T08:00:00.000Z")
      const { dossier } = stored
      expect(dossier).toBeInstanceOf(Dossier)
      expect(dossier.meeting).toMatchObject({
        title: "Erstgespräch Nordwind Logistik GmbH",
        start: "2026-11-25T13:00:00.000Z",
        location: "Hamburg, Speicherstadt",
        time_zone: "UTC",
        when: "2026-11-25 13:00 UTC",
        organiser: { name: "Jonas Weber", email: "jonas.weber@lead-insights.app", role: "organiser" }
      })
      expect(dossier.meeting.attendees.map((a) => [a.name, a.email, a.company])).toEqual([
        ["Lars Petersen", "l.petersen@nordwind-logistik.de", "Nordwind Logistik GmbH"],
        [undefined, "anna@lead-insights.app", undefined]
      ])
      expect(dossier.summary).toMatchObject({ text: expect.stringContaining("is in the CRM"), inferred: false })
      expect(dossier.sources.map((s) => [s.number, s.kind])).toEqual([[1, "crm"], [2, "event"]])
      expect(dossier.company_facts).toEqual([])
      expect(dossier.sections["website"]?.status).toBe("insufficient_context")
      // and the store still finds it as the latest, next to a new one
      const newer = yield* store.write(makeDossier("wf-new", "2026-11-20T08:00:00.000Z", "nordwind-logistik.de"))
      expect(Option.getOrThrow(yield* store.latest("nordwind-logistik.de")).json_path).toBe(newer.json_path)
    }).pipe(Effect.provide(layer))
  })

  it.effect("attachPdf writes dossier.pdf beside the JSON; reads report it", () => {
    const { layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const stored = yield* store.write(makeDossier("wf-1", "2026-11-26T09:00:00.000Z"))
      const withPdf = yield* store.attachPdf(stored, new TextEncoder().encode("%PDF-1.7\n"))
      expect(withPdf.pdf_path).toBe(path.join(path.dirname(stored.json_path), "dossier.pdf"))
      expect(readFileSync(withPdf.pdf_path!, "utf8")).toBe("%PDF-1.7\n")
      expect(Option.getOrThrow(yield* store.latest("acme.io")).pdf_path).toBe(withPdf.pdf_path)
    }).pipe(Effect.provide(layer))
  })

  it.effect("leaves no temporary files behind", () => {
    const { logStorageDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const stored = yield* store.write(makeDossier("wf-1", "2026-11-26T09:00:00.000Z"))
      yield* store.attachPdf(stored, new Uint8Array([1, 2, 3]))
      yield* store.write(makeDossier("wf-2", "2026-11-27T09:00:00.000Z", "beta.io"))
      const files = filesUnder(logStorageDir)
      expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([])
      expect(files.filter((f) => /dossier\.(json|pdf)$/.test(f)).map((f) => path.relative(logStorageDir, f)).sort())
        .toEqual([
          path.join("dossiers", "acme.io", "2026-11-26T09-00-00-000Z", "dossier.json"),
          path.join("dossiers", "acme.io", "2026-11-26T09-00-00-000Z", "dossier.pdf"),
          path.join("dossiers", "beta.io", "2026-11-27T09-00-00-000Z", "dossier.json")
        ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses domains that would leave the dossier folder", () => {
    const { logStorageDir, layer } = setup()
    return Effect.gen(function*() {
      const store = yield* DossierStore
      const attempts: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        store.write(makeDossier("evil", "2026-11-26T09:00:00.000Z", "../../etc")),
        store.write(makeDossier("evil", "2026-11-26T09:00:00.000Z", "acme.io/../../x")),
        store.latest("..\\..\\windows"),
        store.findByKey("/etc/passwd", "k"),
        store.latest("..")
      ]
      for (const attempt of attempts) {
        const exit = yield* Effect.exit(attempt)
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        if (Exit.isFailure(exit)) expect(Cause.pretty(exit.cause)).toMatch(/refusing to store a dossier under/)
      }
      expect(filesUnder(logStorageDir)).toEqual([])
    }).pipe(Effect.provide(layer))
  })
})

describe("dossierDomain", () => {
  it("normalises a domain and refuses separators and '..'", () => {
    expect(dossierDomain("WWW.Acme.IO")).toEqual(Either.right("acme.io"))
    expect(dossierDomain("müller-maschinenbau.de")).toEqual(Either.right("xn--mller-maschinenbau-m6b.de"))
    expect(Either.isLeft(dossierDomain("a/b"))).toBe(true)
    expect(Either.isLeft(dossierDomain("a..b"))).toBe(true)
    expect(Either.isLeft(dossierDomain(""))).toBe(true)
    expect(Either.isLeft(dossierDomain("acme io"))).toBe(true)
  })
})

describe("isFresh", () => {
  const stored = new StoredDossier({
    json_path: "x/dossier.json",
    created_at: "2026-10-27T09:00:00.000Z",
    dossier: makeDossier("k", "2026-10-27T09:00:00.000Z")
  })
  const thirtyDaysLater = Date.parse("2026-11-26T09:00:00.000Z")

  it("is fresh until the dossier is exactly DOSSIER_FRESH_DAYS old", () => {
    expect(isFresh(stored, new Date(thirtyDaysLater - 1), 30)).toBe(true)
    expect(isFresh(stored, new Date(thirtyDaysLater), 30)).toBe(false)
    expect(isFresh(stored, new Date(thirtyDaysLater + 1), 30)).toBe(false)
    expect(isFresh(stored, new Date(thirtyDaysLater), 31)).toBe(true)
  })

  it("never counts as fresh with 0 days or an unreadable date", () => {
    expect(isFresh(stored, new Date("2026-10-27T09:00:00.000Z"), 0)).toBe(false)
    expect(isFresh(new StoredDossier({ ...stored, created_at: "yesterday" }), new Date(thirtyDaysLater), 30)).toBe(false)
  })
})
