/**
 * The HubSpot endpoints we use, typed: companies (search, read by id, create, list), notes
 * (create with associations, batch read), associations v4, contacts by e-mail (batch read),
 * owners, files (upload, read by path and id), account details.
 */
import { Effect, Schema } from "effect"
import type { Call, HubSpotClient } from "./Client.js"
import {
  AccountDetails,
  AssociationsPage,
  BatchRead,
  CrmObject,
  FileStat,
  HubSpotFile,
  Owner,
  SearchPage
} from "./Wire.js"

export const COMPANY_PROPERTIES = [
  "name",
  "domain",
  "hs_additional_domains",
  "industry",
  "numberofemployees",
  "country",
  "description",
  "hubspot_owner_id",
  "lifecyclestage",
  "createdate"
] as const

export const NOTE_PROPERTIES = ["hs_timestamp", "hs_note_body", "hs_attachment_ids"] as const

export interface Filter {
  readonly propertyName: string
  readonly operator: "EQ" | "NEQ" | "IN" | "CONTAINS_TOKEN" | "HAS_PROPERTY" | "BETWEEN" | "GTE" | "LTE"
  readonly value?: string
  readonly highValue?: string
  readonly values?: ReadonlyArray<string>
}

/** HubSpot's largest page for a search, and for a batch read. */
const SEARCH_PAGE = 200
const BATCH = 100

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export const makeApi = (client: HubSpotClient) => {
  const call = <A, I>(c: Call<A, I>) => client.request(c)

  /** Companies matching any of the filter groups, oldest first, up to `limit` (paging with `after`). */
  const searchCompanies = (what: string, filterGroups: ReadonlyArray<ReadonlyArray<Filter>>, limit: number) =>
    Effect.gen(function*() {
      const found: Array<CrmObject> = []
      let after: string | undefined
      do {
        const page = yield* call({
          method: "POST",
          path: "/crm/v3/objects/companies/search",
          what,
          search: true,
          repeatable: true,
          schema: SearchPage,
          json: {
            filterGroups: filterGroups.map((filters) => ({ filters })),
            properties: COMPANY_PROPERTIES,
            sorts: [{ propertyName: "createdate", direction: "ASCENDING" }],
            limit: Math.min(SEARCH_PAGE, limit - found.length),
            ...(after === undefined ? {} : { after })
          }
        })
        found.push(...page.results)
        after = page.paging?.next?.after
      } while (after !== undefined && found.length < limit)
      return found
    })

  const getCompany = (id: string) =>
    call({
      method: "GET",
      path: `/crm/v3/objects/companies/${encodeURIComponent(id)}`,
      what: "company read",
      repeatable: true,
      schema: CrmObject,
      query: { properties: COMPANY_PROPERTIES.join(",") }
    })

  const createCompany = (properties: Readonly<Record<string, string>>) =>
    call({
      method: "POST",
      path: "/crm/v3/objects/companies",
      what: "company create",
      repeatable: false,
      schema: CrmObject,
      json: { properties }
    })

  /** The ids of the records of `toType` associated with the record (every page). */
  const associated = (fromType: string, id: string, toType: string) =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      let after: string | undefined
      do {
        const page = yield* call({
          method: "GET",
          path: `/crm/v4/objects/${fromType}/${encodeURIComponent(id)}/associations/${toType}`,
          what: `${toType} of ${fromType.replace(/s$/, "")}`,
          repeatable: true,
          schema: AssociationsPage,
          query: { limit: "500", ...(after === undefined ? {} : { after }) }
        })
        ids.push(...page.results.map((r) => String(r.toObjectId)))
        after = page.paging?.next?.after
      } while (after !== undefined)
      return ids
    })

  /** Records by id (or by a unique property such as a contact's `email`), 100 per request. */
  const batchRead = (
    type: string,
    ids: ReadonlyArray<string>,
    properties: ReadonlyArray<string>,
    idProperty?: string
  ) =>
    Effect.map(
      Effect.forEach(chunks(ids, BATCH), (inputs) =>
        call({
          method: "POST",
          path: `/crm/v3/objects/${type}/batch/read`,
          what: `${type} batch read`,
          repeatable: true,
          schema: BatchRead,
          json: {
            properties,
            inputs: inputs.map((id) => ({ id })),
            ...(idProperty === undefined ? {} : { idProperty })
          }
        })),
      (pages) => pages.flatMap((p) => p.results)
    )

  const createNote = (
    properties: Readonly<Record<string, string>>,
    associations: ReadonlyArray<{ readonly id: string; readonly typeId: number }>
  ) =>
    call({
      method: "POST",
      path: "/crm/v3/objects/notes",
      what: "note create",
      repeatable: false,
      schema: CrmObject,
      json: {
        properties,
        associations: associations.map((a) => ({
          to: { id: a.id },
          types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: a.typeId }]
        }))
      }
    })

  /** Uploads a private file to `folderPath` under `name` (without extension; HubSpot adds the file's own). */
  const uploadFile = (bytes: Uint8Array, name: string, fileName: string, contentType: string, folderPath: string) => {
    const form = new FormData()
    form.append("file", new Blob([bytes], { type: contentType }), fileName)
    form.append("fileName", name)
    form.append("folderPath", folderPath)
    form.append(
      "options",
      JSON.stringify({ access: "PRIVATE", overwrite: false, duplicateValidationStrategy: "NONE", duplicateValidationScope: "EXACT_FOLDER" })
    )
    return call({ method: "POST", path: "/files/v3/files", what: "file upload", repeatable: false, schema: HubSpotFile, form })
  }

  /** The file at a path (`/folder/name.pdf`), read from the file manager itself, not a search index. */
  const fileAt = (path: string) =>
    call({
      method: "GET",
      path: `/files/v3/files/stat/${path.replace(/^\/+/, "").split("/").map(encodeURIComponent).join("/")}`,
      what: "file read by path",
      repeatable: true,
      schema: FileStat
    })

  const getFile = (id: string) =>
    call({ method: "GET", path: `/files/v3/files/${encodeURIComponent(id)}`, what: "file read", repeatable: true, schema: HubSpotFile })

  const getOwner = (id: string) =>
    call({ method: "GET", path: `/crm/v3/owners/${encodeURIComponent(id)}`, what: "owner read", repeatable: true, schema: Owner })

  const accountDetails = call({
    method: "GET",
    path: "/account-info/v3/details",
    what: "account details",
    repeatable: true,
    schema: AccountDetails
  })

  /** One company, to check the token may read companies. */
  const anyCompany = call({
    method: "GET",
    path: "/crm/v3/objects/companies",
    what: "company list",
    repeatable: true,
    schema: Schema.Struct({ results: Schema.Array(CrmObject) }),
    query: { limit: "1" }
  })

  return {
    searchCompanies,
    getCompany,
    createCompany,
    associated,
    batchRead,
    createNote,
    uploadFile,
    fileAt,
    getFile,
    getOwner,
    accountDetails,
    anyCompany
  } as const
}

export type HubSpotApi = ReturnType<typeof makeApi>
