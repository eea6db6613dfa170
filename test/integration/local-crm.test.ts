/** The local CRM on real SQLite files: seeding from the CSV, lookups, idempotent deliveries. */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option } from "effect"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { Crm } from "../../src/Agents/Crm.js"
import { AppConfig } from "../../src/Config.js"
import { CrmNote } from "../../src/Domain/Crm.js"
import { layerWithClient, listNotes, LocalCrmLive, LocalCrmSqlite } from "../../src/Integrations/LocalCrm.js"
import { tempDir } from "../support/spawn.js"

const HEADER = "name,domain,industry,size,country,notes,attachments"

const SEED = [
  HEADER,
  `"Müller, Schmidt & Co. KG",https://www.Mueller-Schmidt.de/kontakt,"Maschinenbau, Anlagen",51-200,Österreich,` +
  `"Sagt ""Grüß Gott"", nicht Hallo","Angebot Größe Ä.pdf|https://files.invalid/1; Vertrag.pdf|https://files.invalid/2"`,
  "Plain Co,plain.io,,,,,"
].join("\n") + "\n"

/** A fresh storage folder and seed file; `csv` undefined leaves the file missing. */
const setup = (csv: string | undefined) => {
  const dir = tempDir("local-crm-")
  const file = path.join(dir, "companies.csv")
  if (csv !== undefined) writeFileSync(file, csv)
  return { dir, file, logStorageDir: path.join(dir, "log_storage") }
}

const base = (logStorageDir: string, localCrmFile?: string) =>
  Layer.mergeAll(
    Layer.orDie(AppConfig.layerWith({ logStorageDir, ...(localCrmFile === undefined ? {} : { localCrmFile }) })),
    NodeContext.layer
  )

/** The adapter plus its SqlClient, so a test can look at the tables. */
const crmLayer = (logStorageDir: string, localCrmFile?: string) =>
  layerWithClient.pipe(Layer.provideMerge(LocalCrmSqlite), Layer.provide(base(logStorageDir, localCrmFile)))

const captureLogs = () => {
  const lines: Array<string> = []
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
  )
  return { lines, layer }
}

const find = (domain: string) => Effect.flatMap(Crm, (crm) => crm.findByDomain(domain))

const count = (table: string, domain: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    table === "companies"
      ? sql<{ n: number }>`SELECT COUNT(*) AS n FROM companies WHERE domain = ${domain}`
      : sql<{ n: number }>`SELECT COUNT(*) AS n FROM attachments a JOIN companies c ON c.id = a.company_id
          WHERE c.domain = ${domain}`).pipe(Effect.map((rows) => rows[0]?.n))

const note = (key: string, fields: Partial<ConstructorParameters<typeof CrmNote>[0]> = {}) =>
  new CrmNote({
    key,
    domain: "neu-gmbh.de",
    companyName: "Neu GmbH",
    title: "Dossier: Neu GmbH",
    body: "Neu GmbH is not in the CRM yet.",
    dossierJsonPath: "log_storage/dossiers/neu-gmbh.de/2026-11-26T09-00-00-000Z/dossier.json",
    ...fields
  })

describe("LocalCrm seeding", () => {
  it.effect("imports quoted commas, umlauts and attachments, with domains normalised", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      const mueller = Option.getOrThrow(yield* find("mueller-schmidt.de"))
      expect(mueller).toMatchObject({
        name: "Müller, Schmidt & Co. KG",
        domain: "mueller-schmidt.de",
        industry: "Maschinenbau, Anlagen",
        size: "51-200",
        country: "Österreich",
        notes: "Sagt \"Grüß Gott\", nicht Hallo"
      })
      expect(mueller.attachments.map((a) => [a.name, a.url])).toEqual([
        ["Angebot Größe Ä.pdf", "https://files.invalid/1"],
        ["Vertrag.pdf", "https://files.invalid/2"]
      ])
      const plain = Option.getOrThrow(yield* find("https://WWW.Plain.IO/"))
      expect(plain.industry).toBeUndefined()
      expect(plain.attachments).toEqual([])
      expect(Option.isNone(yield* find("unknown-company.io"))).toBe(true)
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
  })

  it.effect("reads a spreadsheet export: semicolons between fields, Windows-1252 umlauts", () => {
    const { file, logStorageDir } = setup(undefined)
    const excel = "Name;Domain;Industry;Size;Country;Notes;Attachments\r\n" +
      "Bäckerei Süß GmbH;baeckerei-suess.de;Bäckerei;11-50;Österreich;\"Filialen in Wien, Graz\";\"Preisliste.pdf|https://files.invalid/9;AGB.pdf\"\r\n"
    writeFileSync(file, Buffer.from(excel, "latin1"))
    const logs = captureLogs()
    return Effect.gen(function*() {
      const company = Option.getOrThrow(yield* find("baeckerei-suess.de"))
      expect(company).toMatchObject({ name: "Bäckerei Süß GmbH", country: "Österreich", notes: "Filialen in Wien, Graz" })
      expect(company.attachments.map((a) => [a.name, a.url])).toEqual([
        ["Preisliste.pdf", "https://files.invalid/9"],
        ["AGB.pdf", undefined]
      ])
      expect(logs.lines.filter((l) => l.startsWith("WARN"))).toEqual([expect.stringMatching(/not UTF-8; read it as windows-1252/)])
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)), Effect.provide(logs.layer))
  })

  it.effect("re-seeding after the file changed updates the company instead of adding one", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      yield* find("plain.io").pipe(Effect.provide(crmLayer(logStorageDir, file)))
      writeFileSync(
        file,
        `${HEADER}\n"Müller, Schmidt & Co. KG",mueller-schmidt.de,Robotik,201-500,Österreich,,Neu.pdf|https://files.invalid/3\n`
      )
      yield* Effect.gen(function*() {
        const mueller = Option.getOrThrow(yield* find("mueller-schmidt.de"))
        expect(mueller).toMatchObject({ industry: "Robotik", size: "201-500" })
        expect(mueller.notes).toBeUndefined()
        expect(mueller.attachments.map((a) => a.name)).toEqual(["Neu.pdf"])
        expect(yield* count("companies", "mueller-schmidt.de")).toBe(1)
        expect(yield* count("attachments", "mueller-schmidt.de")).toBe(1)
        // A company no longer in the file stays: it may have notes.
        expect(Option.isSome(yield* find("plain.io"))).toBe(true)
      }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
    })
  })

  it.effect("skips rows without a name, with an invalid or a repeated domain, naming the line", () => {
    const { file, logStorageDir } = setup([
      HEADER,
      "Good GmbH,good-gmbh.de,,,,,",
      "No Domain Co,not a domain,,,,,",
      ",nameless.io,,,,,",
      "Placeholder Inc,example.com,,,,,",
      "Good Again,https://good-gmbh.de,,,,,"
    ].join("\n"))
    const logs = captureLogs()
    return Effect.gen(function*() {
      expect(Option.isSome(yield* find("good-gmbh.de"))).toBe(true)
      expect(Option.isNone(yield* find("nameless.io"))).toBe(true)
      expect(Option.isNone(yield* find("example.com"))).toBe(true)
      const warnings = logs.lines.filter((l) => l.startsWith("WARN"))
      expect(Option.getOrThrow(yield* find("good-gmbh.de")).name).toBe("Good GmbH")
      expect(warnings).toHaveLength(4)
      expect(warnings[0]).toContain(`${file} line 3`)
      expect(warnings[1]).toMatch(/line 4 skipped: the name is missing/)
      expect(warnings[2]).toMatch(/line 5 skipped: invalid domain "example.com"/)
      expect(warnings[3]).toMatch(/line 6 skipped: good-gmbh.de is already on line 2/)
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)), Effect.provide(logs.layer))
  })

  it.effect("a malformed file fails the start with the file and the line", () => {
    const { file, logStorageDir } = setup(`${HEADER}\nGood GmbH,good-gmbh.de,,,,,\n"Broken,broken.de,,,,,\n`)
    return Effect.gen(function*() {
      const error = yield* Effect.flip(find("good-gmbh.de").pipe(Effect.provide(crmLayer(logStorageDir, file))))
      expect(error._tag).toBe("LocalCrmError")
      expect(error.message).toContain(file)
      expect(error.message).toMatch(/line 3/)
    })
  })

  it.effect("a file with too many fields on a line fails the start naming that line", () => {
    const { file, logStorageDir } = setup(`${HEADER}\nGood GmbH,good-gmbh.de,,,,,\nA,a.de,,,,,,extra\n`)
    return Effect.gen(function*() {
      const error = yield* Effect.flip(find("good-gmbh.de").pipe(Effect.provide(crmLayer(logStorageDir, file))))
      expect(error.message).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line 3`))
    })
  })

  it.effect("a missing file starts from what the database already has, with one warning", () => {
    const { dir, file, logStorageDir } = setup(SEED)
    const logs = captureLogs()
    return Effect.gen(function*() {
      yield* find("plain.io").pipe(Effect.provide(crmLayer(logStorageDir, file)))
      const missing = path.join(dir, "gone.csv")
      const plain = yield* find("plain.io").pipe(Effect.provide(crmLayer(logStorageDir, missing)))
      expect(Option.isSome(plain)).toBe(true)
      const warnings = logs.lines.filter((l) => l.startsWith("WARN"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(missing)
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("the example companies.csv seeds the demo companies; new companies stay unknown", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      const nordwind = Option.getOrThrow(yield* find("nordwind-logistik.de"))
      expect(nordwind.name).toBe("Nordwind Logistik GmbH")
      expect(nordwind.attachments.map((a) => a.name)).toContain("Rahmenvertrag 2025.pdf")
      const brightwave = Option.getOrThrow(yield* find("brightwave.io"))
      expect(brightwave.attachments).toEqual([])
      expect(Option.isSome(yield* find("halvorsen-maritime.no"))).toBe(true)
      expect(Option.isNone(yield* find("baeckerei-gross.de"))).toBe(true)
      expect(Option.isNone(yield* find("mueller-maschinenbau.de"))).toBe(true)
      expect(logs.lines.filter((l) => l.startsWith("WARN"))).toEqual([])
    }).pipe(
      Effect.provide(LocalCrmLive.pipe(Layer.provide(base(setup(undefined).logStorageDir)))),
      Effect.provide(logs.layer)
    )
  })
})

describe("LocalCrm.deliver", () => {
  it.effect("files the note and creates a company the CRM did not know", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      const crm = yield* Crm
      expect(crm.provider).toBe("local")
      const delivery = yield* crm.deliver(note("run-1/evt-1"))
      expect(delivery).toMatchObject({ provider: "local", created: true })
      const company = Option.getOrThrow(yield* crm.findByDomain("neu-gmbh.de"))
      expect(company).toMatchObject({ name: "Neu GmbH", id: delivery.company_id, attachments: [] })
      const notes = yield* listNotes("neu-gmbh.de")
      expect(notes.map((n) => [n.key, n.title])).toEqual([["run-1/evt-1", "Dossier: Neu GmbH"]])
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
  })

  it.effect("files a note under a seeded company without changing it", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      const crm = yield* Crm
      const before = Option.getOrThrow(yield* crm.findByDomain("mueller-schmidt.de"))
      const delivery = yield* crm.deliver(note("k-1", { domain: "www.mueller-schmidt.de", companyName: "Müller" }))
      expect(delivery.company_id).toBe(before.id)
      expect(Option.getOrThrow(yield* crm.findByDomain("mueller-schmidt.de")).name).toBe("Müller, Schmidt & Co. KG")
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
  })

  it.effect("delivering one key twice leaves one note and says created: false", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      const crm = yield* Crm
      const first = yield* crm.deliver(note("run-1/evt-1"))
      const second = yield* crm.deliver(note("run-1/evt-1", { title: "A retried delivery" }))
      expect(second).toMatchObject({ created: false, note_id: first.note_id, company_id: first.company_id })
      const notes = yield* listNotes("neu-gmbh.de")
      expect(notes.map((n) => n.title)).toEqual(["Dossier: Neu GmbH"])
      const third = yield* crm.deliver(note("run-2/evt-1"))
      expect(third.created).toBe(true)
      expect(yield* listNotes("neu-gmbh.de")).toHaveLength(2)
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
  })

  it.effect("refuses a note for a domain that is not a company's", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      const crm = yield* Crm
      const error = yield* Effect.flip(crm.deliver(note("k", { domain: "localhost" })))
      expect(error._tag).toBe("CrmError")
      expect(error.message).toContain("localhost")
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
  })

  it.effect("notes and companies survive closing and reopening the database", () => {
    const { file, logStorageDir } = setup(SEED)
    return Effect.gen(function*() {
      const first = yield* Effect.flatMap(Crm, (crm) => crm.deliver(note("run-1/evt-1"))).pipe(
        Effect.provide(crmLayer(logStorageDir, file))
      )
      yield* Effect.gen(function*() {
        const crm = yield* Crm
        expect(Option.getOrThrow(yield* crm.findByDomain("neu-gmbh.de")).id).toBe(first.company_id)
        const again = yield* crm.deliver(note("run-1/evt-1"))
        expect(again).toMatchObject({ created: false, note_id: first.note_id })
        expect(yield* listNotes("neu-gmbh.de")).toHaveLength(1)
      }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
    })
  })
})

describe("LocalCrm for research", () => {
  const WITH_OWNER = [
    "name,domain,industry,size,country,owner,description,notes,attachments",
    "Brenner Maschinenbau GmbH,brenner.de,Maschinenbau,201-500,Deutschland,Anna Berger,CNC-Fräsmaschinen und Drehzentren,,",
    "Plain Co,plain.io,,,,,,,"
  ].join("\n") + "\n"

  it.effect("owner and description from the file; the latest notes, newest first, with the PDF's path", () => {
    const { file, logStorageDir } = setup(WITH_OWNER)
    return Effect.gen(function*() {
      const crm = yield* Crm
      for (const [i, title] of ["First", "Second", "Third", "Fourth"].entries()) {
        yield* crm.deliver(note(`k-${i}`, {
          domain: "brenner.de",
          companyName: "Brenner",
          title,
          dossierPdfPath: `log_storage/dossiers/brenner.de/${i}/dossier.pdf`
        }))
      }
      const brenner = Option.getOrThrow(yield* crm.findByDomain("brenner.de"))
      expect(brenner).toMatchObject({ owner: "Anna Berger", description: "CNC-Fräsmaschinen und Drehzentren" })
      expect(brenner.last_notes?.map((n) => n.title)).toEqual(["Fourth", "Third", "Second"])
      expect(Option.getOrThrow(yield* crm.findByDomain("plain.io")).last_notes).toBeUndefined()
      expect((yield* listNotes("brenner.de")).map((n) => n.dossier_pdf_path)).toEqual(
        [0, 1, 2, 3].map((i) => `log_storage/dossiers/brenner.de/${i}/dossier.pdf`)
      )
      const listed = yield* (crm.listCompanies?.(10) ?? Effect.die("no listCompanies"))
      expect(listed.map((c) => [c.name, c.industry, c.description])).toEqual([
        ["Brenner Maschinenbau GmbH", "Maschinenbau", "CNC-Fräsmaschinen und Drehzentren"],
        ["Plain Co", undefined, undefined]
      ])
      expect(yield* (crm.listCompanies?.(1) ?? Effect.die("no listCompanies"))).toHaveLength(1)
    }).pipe(Effect.provide(crmLayer(logStorageDir, file)))
  })

  it.effect("a database written before owner and description gets the columns at start", () => {
    const { file, logStorageDir } = setup(WITH_OWNER)
    return Effect.gen(function*() {
      // The first version's table, already there.
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.unsafe(`CREATE TABLE companies (
          id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, domain TEXT NOT NULL UNIQUE,
          industry TEXT, size TEXT, country TEXT, notes TEXT, created_at TEXT NOT NULL)`)
      ).pipe(Effect.provide(LocalCrmSqlite.pipe(Layer.provide(base(logStorageDir, file)))))
      const brenner = yield* Effect.flatMap(Crm, (crm) => crm.findByDomain("brenner.de")).pipe(
        Effect.provide(crmLayer(logStorageDir, file))
      )
      expect(Option.getOrThrow(brenner).owner).toBe("Anna Berger")
    })
  })
})
