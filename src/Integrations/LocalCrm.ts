/**
 * The local CRM: companies, their attachments and delivered notes in SQLite
 * (`LOG_STORAGE_DIR/crm.sqlite`), seeded at start from `LOCAL_CRM_FILE`.
 */
import { FileSystem } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Clock, Effect, Either, Layer, Option, Schema } from "effect"
import type { ParseError } from "effect/ParseResult"
import * as path from "node:path"
import { Crm, CrmError } from "../Agents/Crm.js"
import { AppConfig } from "../Config.js"
import { CrmAttachment, CrmCompany, CrmCompanyProfile, CrmDelivery, type CrmNote, CrmNoteSummary } from "../Domain/Crm.js"
import { classifyDomain, normalizeDomain } from "../Domain/WebDomain.js"
import { decodeCsvBytes, parseCompaniesCsv, type SeedCompany } from "./LocalCrmCsv.js"

/** The seed file or the database folder cannot be used: the program cannot start. */
export class LocalCrmError extends Schema.TaggedError<LocalCrmError>()("LocalCrmError", {
  file: Schema.String,
  line: Schema.optional(Schema.Number),
  reason: Schema.String
}) {
  override get message() {
    return `local CRM file ${this.file}${this.line === undefined ? "" : ` line ${this.line}`}: ${this.reason}`
  }
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, domain TEXT NOT NULL UNIQUE,
    industry TEXT, size TEXT, country TEXT, notes TEXT, created_at TEXT NOT NULL, owner TEXT, description TEXT)`,
  `CREATE TABLE IF NOT EXISTS attachments (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE, name TEXT NOT NULL, url TEXT)`,
  `CREATE INDEX IF NOT EXISTS attachments_company ON attachments(company_id)`,
  `CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, "key" TEXT NOT NULL UNIQUE,
    company_id INTEGER NOT NULL REFERENCES companies(id), title TEXT NOT NULL, body TEXT NOT NULL,
    dossier_json_path TEXT NOT NULL, dossier_pdf_path TEXT, created_at TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS notes_company ON notes(company_id, id)`
]

/** Columns added after the first version: a database written by it gets them at start. */
const ADDED_COLUMNS = [["owner", "TEXT"], ["description", "TEXT"]] as const

const addMissingColumns = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const present = new Set((yield* sql<{ name: string }>`PRAGMA table_info(companies)`).map((c) => c.name))
    for (const [column, type] of ADDED_COLUMNS) {
      if (!present.has(column)) yield* sql.unsafe(`ALTER TABLE companies ADD COLUMN ${column} ${type}`)
    }
  })

/** Notes shown with a company: the latest few. */
const LAST_NOTES = 3

const nullable = Schema.optionalWith(Schema.String, { nullable: true })

const CompanyRow = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  domain: Schema.String,
  industry: nullable,
  size: nullable,
  country: nullable,
  owner: nullable,
  description: nullable,
  notes: nullable
})
const ProfileRow = CompanyRow.pick("id", "name", "domain", "industry", "size", "country", "description")
const NoteRow = Schema.Struct({ title: Schema.String, created_at: Schema.String })
const AttachmentRow = Schema.Struct({ name: Schema.String, url: nullable })
const IdRow = Schema.Struct({ id: Schema.Number })
const NoteIdsRow = Schema.Struct({ id: Schema.Number, company_id: Schema.Number })

export class NoteSummary extends Schema.Class<NoteSummary>("NoteSummary")({
  key: Schema.String,
  title: Schema.String,
  dossier_json_path: Schema.String,
  dossier_pdf_path: Schema.optionalWith(Schema.String, { nullable: true }),
  created_at: Schema.String
}) {}

const decodeRows = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknown(Schema.Array(schema))

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

const describe = (error: SqlError): string =>
  error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message

// A busy or broken database is something the workflow can retry or report; a row that does not
// decode is our own bug.
const asCrmError = <A, R>(effect: Effect.Effect<A, SqlError | ParseError | CrmError, R>) =>
  effect.pipe(Effect.catchTags({
    SqlError: (error) => Effect.fail(new CrmError({ reason: `local CRM database: ${describe(error)}` })),
    ParseError: Effect.die
  }))

const upsertCompany = (sql: SqlClient.SqlClient, company: SeedCompany, now: string) =>
  Effect.gen(function*() {
    const [row] = yield* sql`
      INSERT INTO companies (name, domain, industry, size, country, owner, description, notes, created_at)
      VALUES (${company.name}, ${company.domain}, ${company.industry ?? null}, ${company.size ?? null},
        ${company.country ?? null}, ${company.owner ?? null}, ${company.description ?? null}, ${company.notes ?? null}, ${now})
      ON CONFLICT(domain) DO UPDATE SET name = excluded.name, industry = excluded.industry,
        size = excluded.size, country = excluded.country, owner = excluded.owner,
        description = excluded.description, notes = excluded.notes
      RETURNING id`.pipe(Effect.flatMap(decodeRows(IdRow)), Effect.catchTag("ParseError", Effect.die))
    if (row === undefined) return yield* Effect.dieMessage(`upsert of ${company.domain} returned no id`)
    // The file is the source of truth for a seeded company's attachments.
    yield* sql`DELETE FROM attachments WHERE company_id = ${row.id}`
    if (company.attachments.length > 0) {
      yield* sql`INSERT INTO attachments ${
        sql.insert(company.attachments.map((a) => ({ company_id: row.id, name: a.name, url: a.url ?? null })))
      }`
    }
  })

/** Upserts by domain, so an edited file and a restart update the companies; nothing is deleted. */
const seed = Effect.fn("LocalCrm.seed")(function*(sql: SqlClient.SqlClient, fs: FileSystem.FileSystem, file: string) {
  const unreadable = (reason: string) => new LocalCrmError({ file, reason })
  if (!(yield* fs.exists(file).pipe(Effect.mapError((e) => unreadable(e.message))))) {
    return yield* Effect.logWarning(`local CRM file ${file} not found; using the companies already in the database`)
  }
  const bytes = yield* fs.readFile(file).pipe(Effect.mapError((e) => unreadable(e.message)))
  const { encoding, text } = decodeCsvBytes(bytes)
  if (encoding !== "utf-8") yield* Effect.logWarning(`local CRM file ${file} is not UTF-8; read it as ${encoding}`)
  const parsed = parseCompaniesCsv(text)
  if (Either.isLeft(parsed)) {
    const { line, reason } = parsed.left
    return yield* new LocalCrmError({ file, reason, ...(line === undefined ? {} : { line }) })
  }
  for (const { line, reason } of parsed.right.skipped) {
    yield* Effect.logWarning(`local CRM file ${file} line ${line} skipped: ${reason}`)
  }
  const now = yield* nowIso
  // One transaction: a restart never sees half a file imported.
  yield* sql.withTransaction(
    Effect.forEach(parsed.right.companies, (company) => upsertCompany(sql, company, now), { discard: true })
  )
  yield* Effect.logInfo(`local CRM: ${parsed.right.companies.length} companies imported from ${file}`)
})

const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const fs = yield* FileSystem.FileSystem
  const config = yield* AppConfig

  yield* Effect.forEach(SCHEMA.slice(0, 1), (statement) => sql.unsafe(statement), { discard: true })
  yield* addMissingColumns(sql)
  yield* Effect.forEach(SCHEMA.slice(1), (statement) => sql.unsafe(statement), { discard: true })
  yield* seed(sql, fs, config.localCrmFile)

  const findByDomain = Effect.fn("LocalCrm.findByDomain")(function*(domain: string) {
    const wanted = normalizeDomain(domain)
    const [row] = yield* sql`
      SELECT id, name, domain, industry, size, country, owner, description, notes FROM companies WHERE domain = ${wanted}`
      .pipe(Effect.flatMap(decodeRows(CompanyRow)))
    if (row === undefined) return Option.none<CrmCompany>()
    const attachments = yield* sql`SELECT name, url FROM attachments WHERE company_id = ${row.id} ORDER BY rowid`
      .pipe(Effect.flatMap(decodeRows(AttachmentRow)))
    const notes = yield* sql`
      SELECT title, created_at FROM notes WHERE company_id = ${row.id} ORDER BY id DESC LIMIT ${LAST_NOTES}`
      .pipe(Effect.flatMap(decodeRows(NoteRow)))
    const { id, ...fields } = row
    return Option.some(
      new CrmCompany({
        ...fields,
        id: String(id),
        attachments: attachments.map((a) => new CrmAttachment(a)),
        ...(notes.length === 0 ? {} : { last_notes: notes.map((n) => new CrmNoteSummary(n)) })
      })
    )
  }, asCrmError)

  const listCompanies = Effect.fn("LocalCrm.listCompanies")(function*(limit: number) {
    const rows = yield* sql`
      SELECT id, name, domain, industry, size, country, description FROM companies ORDER BY id LIMIT ${limit}`
      .pipe(Effect.flatMap(decodeRows(ProfileRow)))
    return rows.map(({ id, ...fields }) => new CrmCompanyProfile({ ...fields, id: String(id) }))
  }, asCrmError)

  const existingNote = (key: string) =>
    sql`SELECT id, company_id FROM notes WHERE "key" = ${key}`.pipe(Effect.flatMap(decodeRows(NoteIdsRow)))

  const delivery = (ids: { id: number; company_id: number }, created: boolean) =>
    new CrmDelivery({ provider: "local", company_id: String(ids.company_id), note_id: String(ids.id), created })

  const deliver = Effect.fn("LocalCrm.deliver")(function*(note: CrmNote) {
    const domain = classifyDomain(note.domain)
    if (!domain.valid) {
      return yield* new CrmError({ reason: `cannot file a note under "${note.domain}": ${domain.reason}` })
    }
    const now = yield* nowIso
    return yield* sql.withTransaction(Effect.gen(function*() {
      const [existing] = yield* existingNote(note.key)
      if (existing !== undefined) return delivery(existing, false)
      yield* sql`INSERT INTO companies (name, domain, created_at) VALUES (${note.companyName}, ${domain.domain}, ${now})
        ON CONFLICT(domain) DO NOTHING`
      const [company] = yield* sql`SELECT id FROM companies WHERE domain = ${domain.domain}`
        .pipe(Effect.flatMap(decodeRows(IdRow)))
      if (company === undefined) return yield* Effect.dieMessage(`company ${domain.domain} missing after its insert`)
      // ON CONFLICT covers another process delivering the same key between our read and this write.
      const [inserted] = yield* sql`
        INSERT INTO notes ("key", company_id, title, body, dossier_json_path, dossier_pdf_path, created_at)
        VALUES (${note.key}, ${company.id}, ${note.title}, ${note.body}, ${note.dossierJsonPath},
          ${note.dossierPdfPath ?? null}, ${now})
        ON CONFLICT("key") DO NOTHING RETURNING id, company_id`.pipe(Effect.flatMap(decodeRows(NoteIdsRow)))
      if (inserted !== undefined) return delivery(inserted, true)
      const [raced] = yield* existingNote(note.key)
      return raced === undefined
        ? yield* Effect.dieMessage(`note ${note.key} neither inserted nor found`)
        : delivery(raced, false)
    }))
  }, asCrmError)

  return Crm.of({ provider: "local", findByDomain, listCompanies, deliver })
})

/** The adapter on a SqlClient someone else provides (tests, or an app sharing one database). */
export const layerWithClient: Layer.Layer<
  Crm,
  LocalCrmError | SqlError,
  AppConfig | FileSystem.FileSystem | SqlClient.SqlClient
> = Layer.effect(Crm, make)

/** `LOG_STORAGE_DIR/crm.sqlite`, closed when the layer's scope closes. */
export const LocalCrmSqlite: Layer.Layer<
  SqliteClient.SqliteClient | SqlClient.SqlClient,
  LocalCrmError,
  AppConfig | FileSystem.FileSystem
> = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  const fs = yield* FileSystem.FileSystem
  const filename = path.join(config.logStorageDir, "crm.sqlite")
  yield* fs.makeDirectory(config.logStorageDir, { recursive: true }).pipe(
    Effect.mapError((e) => new LocalCrmError({ file: filename, reason: `cannot create the folder: ${e.message}` }))
  )
  // The ConfigError in its type belongs to `layerConfig`; with a plain filename it cannot happen.
  return Layer.orDie(SqliteClient.layer({ filename }))
}))

export const LocalCrmLive: Layer.Layer<Crm, LocalCrmError | SqlError, AppConfig | FileSystem.FileSystem> =
  layerWithClient.pipe(Layer.provide(LocalCrmSqlite))

/** The notes filed under a company, oldest first: for tests and the CLI. */
export const listNotes = Effect.fn("LocalCrm.listNotes")(function*(domain: string) {
  const sql = yield* SqlClient.SqlClient
  return yield* sql`
    SELECT n."key" AS "key", n.title, n.dossier_json_path, n.dossier_pdf_path, n.created_at
    FROM notes n JOIN companies c ON c.id = n.company_id
    WHERE c.domain = ${normalizeDomain(domain)} ORDER BY n.id`.pipe(
    Effect.flatMap(decodeRows(NoteSummary)),
    Effect.catchTag("ParseError", Effect.die)
  )
})
