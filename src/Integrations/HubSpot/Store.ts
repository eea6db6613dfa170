/**
 * The durable side of a HubSpot delivery (tables in Migration.ts), in the workflow database. Every
 * id is written as soon as HubSpot returns it, before the next request; claims are
 * compare-and-set, so of two processes only one wins (RETURNING tells which, on SQLite and PostgreSQL).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Effect, Option, Schema } from "effect"
import { StorageError } from "../../Storage/StorageError.js"

const nullable = Schema.optionalWith(Schema.String, { nullable: true })

export const DeliveryRow = Schema.Struct({
  delivery_key: Schema.String,
  domain: Schema.String,
  company_id: nullable,
  file_id: nullable,
  file_started_at: nullable,
  note_id: nullable,
  note_started_at: nullable
})
export type DeliveryRow = typeof DeliveryRow.Type

export const CompanyRow = Schema.Struct({
  domain: Schema.String,
  company_id: nullable,
  create_started_at: nullable
})
export type CompanyRow = typeof CompanyRow.Type

const first = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
  rows[0] === undefined ? Effect.succeed(Option.none<A>()) : Effect.map(Schema.decodeUnknown(schema)(rows[0]), Option.some)

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

export const makeStore = (sql: SqlClient.SqlClient) => {
  const fail = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.mapError(StorageError.from(`HubSpot store: ${operation}`)), Effect.withSpan(`HubSpotStore.${operation}`))

  const delivery = (key: string) =>
    sql`SELECT delivery_key, domain, company_id, file_id, file_started_at, note_id, note_started_at
        FROM li_hubspot_deliveries WHERE delivery_key = ${key}`.pipe(Effect.flatMap(first(DeliveryRow)), fail("delivery"))

  /** The delivery's row, made when it is first tried. */
  const begin = (key: string, domain: string) =>
    Effect.flatMap(nowIso, (now) =>
      sql`INSERT INTO li_hubspot_deliveries (delivery_key, domain, created_at, updated_at)
          VALUES (${key}, ${domain}, ${now}, ${now}) ON CONFLICT (delivery_key) DO NOTHING`).pipe(
      Effect.zipRight(delivery(key)),
      Effect.flatMap(Option.match({
        onNone: () => Effect.dieMessage(`HubSpot delivery ${key} missing after its insert`),
        onSome: Effect.succeed
      })),
      fail("begin")
    )

  type Column = "company_id" | "file_id" | "file_started_at" | "note_id" | "note_started_at"
  const set = (key: string, column: Column, value: string) =>
    Effect.flatMap(nowIso, (now) =>
      sql`UPDATE li_hubspot_deliveries SET ${sql(column)} = ${value}, updated_at = ${now}
          WHERE delivery_key = ${key}`).pipe(Effect.asVoid, fail(`set ${column}`))

  const company = (domain: string) =>
    sql`SELECT domain, company_id, create_started_at FROM li_hubspot_companies WHERE domain = ${domain}`.pipe(
      Effect.flatMap(first(CompanyRow)),
      fail("company")
    )

  /** The company a domain is: found by search, or created by us. */
  const recordCompany = (domain: string, companyId: string) =>
    Effect.flatMap(nowIso, (now) =>
      sql`INSERT INTO li_hubspot_companies (domain, company_id, updated_at) VALUES (${domain}, ${companyId}, ${now})
          ON CONFLICT (domain) DO UPDATE SET company_id = ${companyId}, updated_at = ${now}`).pipe(
      Effect.asVoid,
      fail("recordCompany")
    )

  /** The recorded company no longer exists in HubSpot (deleted or merged): forget it, unless it changed since. */
  const forgetCompany = (domain: string, companyId: string) =>
    Effect.flatMap(nowIso, (now) =>
      sql`UPDATE li_hubspot_companies SET company_id = NULL, create_started_at = NULL, updated_at = ${now}
          WHERE domain = ${domain} AND company_id = ${companyId}`).pipe(Effect.asVoid, fail("forgetCompany"))

  /**
   * Claims the creation of the domain's company: true for the one caller that moved the claim
   * from `seen` (none, or an earlier claim that came to nothing) to now.
   */
  const claimCreate = (domain: string, seen: Option.Option<CompanyRow>) =>
    Effect.gen(function*() {
      const now = yield* nowIso
      if (Option.isNone(seen)) {
        const rows = yield* sql`INSERT INTO li_hubspot_companies (domain, create_started_at, updated_at)
          VALUES (${domain}, ${now}, ${now}) ON CONFLICT (domain) DO NOTHING RETURNING domain`
        return rows.length > 0
      }
      const before = seen.value.create_started_at
      const rows = before === undefined
        ? yield* sql`UPDATE li_hubspot_companies SET create_started_at = ${now}, updated_at = ${now}
            WHERE domain = ${domain} AND company_id IS NULL AND create_started_at IS NULL RETURNING domain`
        : yield* sql`UPDATE li_hubspot_companies SET create_started_at = ${now}, updated_at = ${now}
            WHERE domain = ${domain} AND company_id IS NULL AND create_started_at = ${before} RETURNING domain`
      return rows.length > 0
    }).pipe(fail("claimCreate"))

  /** A create that HubSpot refused outright made nothing: the next one need not wait. */
  const releaseClaim = (domain: string) =>
    sql`UPDATE li_hubspot_companies SET create_started_at = NULL WHERE domain = ${domain} AND company_id IS NULL`.pipe(
      Effect.asVoid,
      fail("releaseClaim")
    )

  return { delivery, begin, set, company, recordCompany, forgetCompany, claimCreate, releaseClaim } as const
}

export type HubSpotStore = ReturnType<typeof makeStore>
