/**
 * A local HubSpot for tests and the bench, following the public API as the adapter uses it:
 * - CRM objects v3 (companies, contacts, notes): create (with `associations`, type ids checked:
 *   note→company 190, note→contact 202), read by id, list with `after`, batch read (by id or by a
 *   unique property such as a contact's `email`, 207 with errors for what is missing), search
 *   (filterGroups OR'ed, filters AND'ed: EQ, NEQ, IN, NOT_IN, CONTAINS_TOKEN, HAS_PROPERTY,
 *   NOT_HAS_PROPERTY, BETWEEN, GT/GTE/LT/LTE; sorts; `limit` ≤ 200; paging with `after`);
 * - associations v4 (`/crm/v4/objects/{type}/{id}/associations/{toType}`, paging with `after`);
 * - Files v3: multipart upload (`file`, `fileName`, `folderPath`, `options` JSON with `access`),
 *   a name taken in the folder gets a `-1`, `-2` … suffix; read by id and by path (`stat`);
 * - owners, account details;
 * - the private app's token (401 INVALID_AUTHENTICATION) and its scopes (403 MISSING_SCOPES
 *   naming the scope), the burst limit (100 per rolling 10 s, X-HubSpot-RateLimit-* headers, 429
 *   with HubSpot's body and Retry-After) and the search limit (4 per second, 429 without headers);
 * - and what a real HubSpot does that bites: search shows a new object only after `searchLagMs`,
 *   and nothing stops two companies with the same domain.
 * Faults are scripted per route (`failNext`); `holdNotes` keeps the next note create waiting
 * (before or after it is made) so a test can kill the client at exactly that point.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export type ObjectType = "companies" | "contacts" | "notes"

export interface StoredObject {
  readonly id: string
  readonly type: ObjectType
  readonly properties: Record<string, string | null>
  readonly createdAt: number
  /** When search starts to show it. */
  readonly indexedAt: number
}

export interface StoredFile {
  readonly id: string
  readonly name: string
  readonly extension: string
  readonly folderPath: string
  readonly path: string
  readonly access: string
  readonly size: number
  readonly contentType: string
  readonly createdAt: number
}

export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly at: number
}

export interface Fault {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: unknown
  /** Carry the request out first, then answer with the fault (a 5xx after the write). */
  readonly afterWrite?: boolean
  /** Drop the connection instead of answering (after the write when `afterWrite`). */
  readonly hangUp?: boolean
}

export interface FakeHubSpotOptions {
  readonly token?: string
  /** Granted scopes; all by default. */
  readonly scopes?: ReadonlyArray<string>
  readonly searchLagMs?: number
  readonly rateLimit?: { readonly max: number; readonly intervalMs: number }
  readonly searchesPerSecond?: number
  readonly portalId?: number
}

export interface FakeHubSpot {
  readonly url: string
  readonly token: string
  readonly requests: ReadonlyArray<SeenRequest>
  readonly objects: (type: ObjectType) => ReadonlyArray<StoredObject>
  readonly files: () => ReadonlyArray<StoredFile>
  /** Association ids from an object to objects of another type, as HubSpot keeps them. */
  readonly associations: (fromType: ObjectType, id: string, toType: ObjectType) => ReadonlyArray<{ readonly id: string; readonly typeId: number }>
  readonly add: (type: ObjectType, properties: Record<string, string>, options?: { readonly indexed?: boolean }) => string
  readonly associate: (fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number) => void
  readonly addFile: (folderPath: string, name: string, extension: string) => StoredFile
  readonly addOwner: (owner: { readonly id: string; readonly firstName: string; readonly lastName: string; readonly email: string }) => void
  /** The next requests matching `method` and `path` get these answers, in order. */
  readonly failNext: (method: string, path: RegExp, ...faults: ReadonlyArray<Fault>) => void
  /** The next note create waits, never answered: `before` it is made, or `after`. Resolves once one is held. */
  readonly holdNotes: (mode: "before" | "after") => Promise<void>
  readonly setScopes: (scopes: ReadonlyArray<string> | undefined) => void
  readonly close: () => Promise<void>
}

const ALL_SCOPES = undefined

/** What each route needs, as HubSpot names it. */
const scopeFor = (method: string, path: string): string | undefined => {
  if (path.startsWith("/files/")) return "files"
  if (path.startsWith("/crm/v3/owners")) return "crm.objects.owners.read"
  if (path.startsWith("/account-info/")) return undefined
  const type = /^\/crm\/v[34]\/objects\/(companies|contacts|notes)/.exec(path)?.[1]
  const write = method !== "GET" && !/\/(search|batch\/read)$/.test(path)
  // Notes are engagements: HubSpot asks for the contacts scopes for them.
  const object = type === "companies" ? "companies" : "contacts"
  return type === undefined ? undefined : `crm.objects.${object}.${write ? "write" : "read"}`
}

const NOTE_TO_COMPANY = 190
const NOTE_TO_CONTACT = 202
const COMPANY_TO_NOTE = 189
const CONTACT_TO_NOTE = 201

const lower = (v: string | null | undefined) => (v ?? "").toLowerCase()

interface Filter {
  readonly propertyName: string
  readonly operator: string
  readonly value?: string | number
  readonly highValue?: string | number
  readonly values?: ReadonlyArray<string | number>
}

const tokens = (v: string) => v.toLowerCase().split(/[\s;,]+/).filter((t) => t !== "")

const matches = (o: StoredObject, f: Filter): boolean => {
  const raw = o.properties[f.propertyName] ?? (f.propertyName === "hs_object_id" ? o.id : null)
  const has = raw !== null && raw !== undefined && raw !== ""
  const value = lower(raw)
  const want = lower(f.value === undefined ? undefined : String(f.value))
  const num = (x: unknown) => Number(x)
  switch (f.operator) {
    case "EQ":
      return has && value === want
    case "NEQ":
      return value !== want
    case "IN":
      return has && (f.values ?? []).some((v) => lower(String(v)) === value)
    case "NOT_IN":
      return !(f.values ?? []).some((v) => lower(String(v)) === value)
    case "CONTAINS_TOKEN": {
      const pattern = new RegExp(`^${want.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)
      return has && tokens(value).some((t) => pattern.test(t))
    }
    case "HAS_PROPERTY":
      return has
    case "NOT_HAS_PROPERTY":
      return !has
    case "BETWEEN":
      return has && num(raw) >= num(f.value) && num(raw) <= num(f.highValue)
    case "GT":
      return has && num(raw) > num(f.value)
    case "GTE":
      return has && num(raw) >= num(f.value)
    case "LT":
      return has && num(raw) < num(f.value)
    case "LTE":
      return has && num(raw) <= num(f.value)
    default:
      throw new Error(`unsupported operator ${f.operator}`)
  }
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

class HttpError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body["message"]))
  }
}

export const startFakeHubSpot = async (options: FakeHubSpotOptions = {}): Promise<FakeHubSpot> => {
  const token = options.token ?? "pat-na1-test-token"
  const lagMs = options.searchLagMs ?? 0
  const limit = options.rateLimit ?? { max: 100, intervalMs: 10_000 }
  const searchesPerSecond = options.searchesPerSecond ?? 4
  let scopes: ReadonlyArray<string> | undefined = options.scopes ?? ALL_SCOPES
  let nextId = 10_001
  const store = new Map<ObjectType, Map<string, StoredObject>>([["companies", new Map()], ["contacts", new Map()], ["notes", new Map()]])
  const links: Array<{ fromType: ObjectType; fromId: string; toType: ObjectType; toId: string; typeId: number }> = []
  const files = new Map<string, StoredFile>()
  const owners = new Map<string, { id: string; firstName: string; lastName: string; email: string }>()
  const requests: Array<SeenRequest> = []
  const sentAt: Array<number> = []
  const searchedAt: Array<number> = []
  const faults: Array<{ method: string; path: RegExp; fault: Fault }> = []
  let hold: { mode: "before" | "after"; onHeld: () => void } | undefined
  const heldResponses: Array<ServerResponse> = []

  const error = (status: number, message: string, category: string, extra: Record<string, unknown> = {}) =>
    new HttpError(status, { status: "error", message, correlationId: randomUUID(), category, ...extra })

  const objectsOf = (type: ObjectType) => store.get(type) ?? new Map<string, StoredObject>()

  const create = (type: ObjectType, properties: Record<string, string | null>, indexed = false): StoredObject => {
    const id = String(nextId++)
    const now = Date.now()
    const object: StoredObject = {
      id,
      type,
      properties: { ...properties, hs_object_id: id, createdate: new Date(now).toISOString(), hs_lastmodifieddate: new Date(now).toISOString() },
      createdAt: now,
      indexedAt: indexed ? 0 : now + lagMs
    }
    objectsOf(type).set(id, object)
    return object
  }

  const view = (o: StoredObject, properties: ReadonlyArray<string> | undefined) => {
    const wanted = properties === undefined || properties.length === 0 ? Object.keys(o.properties) : [...properties, "hs_object_id", "createdate"]
    return {
      id: o.id,
      properties: Object.fromEntries(wanted.map((p) => [p, o.properties[p] ?? null])),
      createdAt: new Date(o.createdAt).toISOString(),
      updatedAt: new Date(o.createdAt).toISOString(),
      archived: false
    }
  }

  const fileView = (f: StoredFile) => ({
    id: f.id,
    name: f.name,
    extension: f.extension,
    path: f.path,
    access: f.access,
    size: f.size,
    type: "DOCUMENT",
    url: `https://api-eu1.hubspot.com/filemanager/api/v2/files/${f.id}/signed-url-redirect`,
    createdAt: new Date(f.createdAt).toISOString(),
    updatedAt: new Date(f.createdAt).toISOString(),
    archived: false
  })

  const associate = (fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number) => {
    links.push({ fromType, fromId, toType, toId, typeId })
    const back = typeId === NOTE_TO_COMPANY ? COMPANY_TO_NOTE : typeId === NOTE_TO_CONTACT ? CONTACT_TO_NOTE : typeId
    links.push({ fromType: toType, fromId: toId, toType: fromType, toId: fromId, typeId: back })
  }

  const storeFile = (folderPath: string, name: string, extension: string, size: number, contentType: string, access: string) => {
    const folder = `/${folderPath.replace(/^\/+|\/+$/g, "")}`
    const taken = (n: string) => [...files.values()].some((f) => f.folderPath === folder && f.name === n && f.extension === extension)
    let unique = name
    for (let i = 1; taken(unique); i++) unique = `${name}-${i}`
    const file: StoredFile = {
      id: String(nextId++),
      name: unique,
      extension,
      folderPath: folder,
      path: `${folder}/${unique}.${extension}`,
      access,
      size,
      contentType,
      createdAt: Date.now()
    }
    files.set(file.id, file)
    return file
  }

  // -------------------------------------------------------------------------------------------
  // Routes

  const searchObjects = (type: ObjectType, body: any) => {
    const now = Date.now()
    const groups: ReadonlyArray<{ filters: ReadonlyArray<Filter> }> = body.filterGroups ?? []
    if (groups.length > 5) throw error(400, "Too many filter groups (max 5)", "VALIDATION_ERROR")
    const limitN = Number(body.limit ?? 10)
    if (limitN > 200) throw error(400, "limit must be 200 or less", "VALIDATION_ERROR")
    const visible = [...objectsOf(type).values()].filter((o) => o.indexedAt <= now)
    const found = visible.filter((o) => groups.length === 0 || groups.some((g) => g.filters.every((f) => matches(o, f))))
    const sort = (body.sorts ?? [])[0] as { propertyName: string; direction?: string } | undefined
    found.sort((a, b) => {
      if (sort === undefined) return Number(a.id) - Number(b.id)
      const x = a.properties[sort.propertyName] ?? ""
      const y = b.properties[sort.propertyName] ?? ""
      const order = x.localeCompare(y) || Number(a.id) - Number(b.id)
      return sort.direction === "DESCENDING" ? -order : order
    })
    const offset = Number(body.after ?? 0)
    if (offset >= 10_000) throw error(400, "Paging beyond 10,000 results is not supported", "VALIDATION_ERROR")
    const page = found.slice(offset, offset + limitN)
    const next = offset + limitN < Math.min(found.length, 10_000) ? String(offset + limitN) : undefined
    return {
      total: found.length,
      results: page.map((o) => view(o, body.properties)),
      ...(next === undefined ? {} : { paging: { next: { after: next } } })
    }
  }

  const createObject = (type: ObjectType, body: any) => {
    const properties: Record<string, string> = body.properties ?? {}
    if (type === "notes" && (properties["hs_timestamp"] === undefined || properties["hs_timestamp"] === "")) {
      throw error(400, "Property values were not valid: hs_timestamp is required", "VALIDATION_ERROR")
    }
    const associations: ReadonlyArray<any> = body.associations ?? []
    // Checked before anything is made: HubSpot refuses the whole create.
    const planned = associations.flatMap((a) =>
      (a.types ?? []).map((t: any) => {
        const typeId = Number(t.associationTypeId)
        const toType: ObjectType | undefined = type === "notes"
          ? typeId === NOTE_TO_COMPANY ? "companies" : typeId === NOTE_TO_CONTACT ? "contacts" : undefined
          : undefined
        if (t.associationCategory !== "HUBSPOT_DEFINED" || toType === undefined) {
          throw error(400, `invalid association type ${t.associationCategory}/${typeId} from ${type}`, "VALIDATION_ERROR")
        }
        if (!objectsOf(toType).has(String(a.to?.id))) {
          throw error(400, `One or more associations are invalid: ${toType} ${a.to?.id} does not exist`, "VALIDATION_ERROR")
        }
        return { toType, toId: String(a.to.id), typeId }
      })
    )
    if (type === "notes" && properties["hs_attachment_ids"]) {
      for (const id of properties["hs_attachment_ids"].split(";")) {
        if (!files.has(id)) throw error(400, `Attachment ${id} does not exist`, "VALIDATION_ERROR")
      }
    }
    const object = create(type, properties)
    for (const p of planned) associate(type, object.id, p.toType, p.toId, p.typeId)
    return view(object, undefined)
  }

  const batchRead = (type: ObjectType, body: any) => {
    const idProperty: string | undefined = body.idProperty
    if (idProperty !== undefined && !(type === "contacts" && idProperty === "email")) {
      throw error(400, `${idProperty} is not a unique property of ${type}`, "VALIDATION_ERROR")
    }
    const inputs: ReadonlyArray<{ id: string }> = body.inputs ?? []
    if (inputs.length > 100) throw error(400, "Batch read takes at most 100 inputs", "VALIDATION_ERROR")
    const all = [...objectsOf(type).values()]
    const results: Array<ReturnType<typeof view>> = []
    const missing: Array<string> = []
    for (const { id } of inputs) {
      const found = idProperty === undefined ? objectsOf(type).get(String(id)) : all.find((o) => lower(o.properties[idProperty]) === lower(id))
      if (found === undefined) missing.push(String(id))
      else results.push(view(found, body.properties))
    }
    const now = new Date().toISOString()
    return {
      status: missing.length === 0 ? 200 : 207,
      body: {
        status: "COMPLETE",
        results,
        startedAt: now,
        completedAt: now,
        ...(missing.length === 0 ? {} : {
          numErrors: 1,
          errors: [{ status: "error", category: "OBJECT_NOT_FOUND", message: "Could not get some objects", context: { ids: missing } }]
        })
      }
    }
  }

  const upload = async (req: IncomingMessage, raw: Buffer) => {
    const contentType = req.headers["content-type"] ?? ""
    if (!contentType.startsWith("multipart/form-data")) throw error(415, "Expected multipart/form-data", "VALIDATION_ERROR")
    const form = await new Response(raw, { headers: { "content-type": contentType } }).formData()
    const file = form.get("file")
    if (file === null || typeof file === "string") throw error(400, "file is required", "VALIDATION_ERROR")
    const optionsRaw = form.get("options")
    const opts = typeof optionsRaw === "string" ? JSON.parse(optionsRaw) : undefined
    if (opts?.access === undefined) throw error(400, "options.access is required", "VALIDATION_ERROR")
    const folderPath = form.get("folderPath")
    if (typeof folderPath !== "string") throw error(400, "folderId or folderPath is required", "VALIDATION_ERROR")
    const uploadedName = file.name
    const extension = uploadedName.includes(".") ? uploadedName.slice(uploadedName.lastIndexOf(".") + 1) : ""
    const fileName = form.get("fileName")
    const name = typeof fileName === "string" && fileName !== ""
      ? fileName.replace(new RegExp(`\\.${extension}$`), "")
      : uploadedName.replace(/\.[^.]*$/, "")
    const bytes = Buffer.from(await file.arrayBuffer())
    return fileView(storeFile(folderPath, name, extension, bytes.length, file.type, String(opts.access)))
  }

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<{ status: number; body: unknown }> => {
    const method = req.method ?? "GET"
    const path = url.pathname
    const json = () => (raw.length === 0 ? {} : JSON.parse(raw.toString("utf8")))
    let m: RegExpExecArray | null

    if (method === "GET" && path === "/account-info/v3/details") {
      return { status: 200, body: { portalId: options.portalId ?? 4242, accountType: "STANDARD", timeZone: "Europe/Berlin", companyCurrency: "EUR", uiDomain: "app-eu1.hubspot.com", dataHostingLocation: "eu1" } }
    }
    if ((m = /^\/crm\/v3\/owners\/(\w+)$/.exec(path)) && method === "GET") {
      const owner = owners.get(m[1] ?? "")
      if (owner === undefined) throw error(404, "Owner not found", "OBJECT_NOT_FOUND")
      return { status: 200, body: { ...owner, userId: 1, archived: false } }
    }
    if ((m = /^\/crm\/v3\/objects\/(companies|contacts|notes)\/search$/.exec(path)) && method === "POST") {
      return { status: 200, body: searchObjects(m[1] as ObjectType, json()) }
    }
    if ((m = /^\/crm\/v3\/objects\/(companies|contacts|notes)\/batch\/read$/.exec(path)) && method === "POST") {
      return batchRead(m[1] as ObjectType, json())
    }
    if ((m = /^\/crm\/v3\/objects\/(companies|contacts|notes)$/.exec(path))) {
      const type = m[1] as ObjectType
      if (method === "POST") {
        if (type === "notes" && hold !== undefined) {
          const { mode, onHeld } = hold
          hold = undefined
          if (mode === "after") createObject(type, json())
          heldResponses.push(res)
          onHeld()
          return { status: -1, body: undefined }
        }
        return { status: 201, body: createObject(type, json()) }
      }
      if (method === "GET") {
        const limitN = Math.min(100, Number(url.searchParams.get("limit") ?? 10))
        const after = url.searchParams.get("after")
        const all = [...objectsOf(type).values()].sort((a, b) => Number(a.id) - Number(b.id))
        const from = after === null ? 0 : all.findIndex((o) => Number(o.id) > Number(after))
        const page = from < 0 ? [] : all.slice(from, from + limitN)
        const last = page[page.length - 1]
        const more = from >= 0 && from + limitN < all.length && last !== undefined
        const props = url.searchParams.get("properties")?.split(",")
        return { status: 200, body: { results: page.map((o) => view(o, props)), ...(more ? { paging: { next: { after: last.id } } } : {}) } }
      }
    }
    if ((m = /^\/crm\/v3\/objects\/(companies|contacts|notes)\/(\w+)$/.exec(path)) && method === "GET") {
      const found = objectsOf(m[1] as ObjectType).get(m[2] ?? "")
      if (found === undefined) {
        throw error(404, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", { context: { id: [m[2]] } })
      }
      return { status: 200, body: view(found, url.searchParams.get("properties")?.split(",")) }
    }
    if ((m = /^\/crm\/v4\/objects\/(companies|contacts|notes)\/(\w+)\/associations\/(companies|contacts|notes)$/.exec(path)) && method === "GET") {
      const all = links.filter((l) => l.fromType === m?.[1] && l.fromId === m?.[2] && l.toType === m?.[3])
      const limitN = Math.min(500, Number(url.searchParams.get("limit") ?? 500))
      const offset = Number(url.searchParams.get("after") ?? 0)
      const page = all.slice(offset, offset + limitN)
      return {
        status: 200,
        body: {
          results: page.map((l) => ({ toObjectId: Number(l.toId), associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: l.typeId, label: null }] })),
          ...(offset + limitN < all.length ? { paging: { next: { after: String(offset + limitN) } } } : {})
        }
      }
    }
    if (path === "/files/v3/files" && method === "POST") return { status: 201, body: await upload(req, raw) }
    if (path.startsWith("/files/v3/files/stat/") && method === "GET") {
      const wanted = `/${decodeURIComponent(path.slice("/files/v3/files/stat/".length))}`
      const file = [...files.values()].find((f) => f.path === wanted)
      if (file === undefined) throw error(404, `No file or folder at ${wanted}`, "OBJECT_NOT_FOUND")
      return { status: 200, body: { file: fileView(file) } }
    }
    if ((m = /^\/files\/v3\/files\/(\w+)$/.exec(path)) && method === "GET") {
      const file = files.get(m[1] ?? "")
      if (file === undefined) throw error(404, "File not found", "OBJECT_NOT_FOUND")
      return { status: 200, body: fileView(file) }
    }
    throw error(404, `No route for ${method} ${path}`, "OBJECT_NOT_FOUND")
  }

  const rateHeaders = (remaining: number) => ({
    "x-hubspot-ratelimit-max": String(limit.max),
    "x-hubspot-ratelimit-remaining": String(Math.max(0, remaining)),
    "x-hubspot-ratelimit-interval-milliseconds": String(limit.intervalMs)
  })

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json;charset=utf-8", ...headers })
    res.end(body === undefined ? "" : JSON.stringify(body))
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost")
      const method = req.method ?? "GET"
      const raw = await readBody(req)
      const now = Date.now()
      const seen = (status: number) => requests.push({ method, path: url.pathname, status, at: now })
      try {
        if (req.headers.authorization !== `Bearer ${token}`) {
          throw error(401, "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", "INVALID_AUTHENTICATION")
        }
        const needed = scopeFor(method, url.pathname)
        if (scopes !== undefined && needed !== undefined && !scopes.includes(needed)) {
          throw error(403, "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.", "MISSING_SCOPES", {
            errors: [{ message: "One or more of the following scopes are required.", context: { requiredGranularScopes: [needed] } }],
            links: { scopes: "https://developers.hubspot.com/scopes" }
          })
        }
        // The burst limit: a rolling window over every request of the app.
        while (sentAt.length > 0 && (sentAt[0] ?? 0) <= now - limit.intervalMs) sentAt.shift()
        if (sentAt.length >= limit.max) {
          const retryAfter = Math.max(1, Math.ceil(((sentAt[0] ?? now) + limit.intervalMs - now) / 1000))
          seen(429)
          return send(res, 429, {
            status: "error",
            message: "You have reached your ten_secondly_rolling limit.",
            errorType: "RATE_LIMIT",
            correlationId: randomUUID(),
            policyName: "TEN_SECONDLY_ROLLING",
            category: "RATE_LIMITS"
          }, { ...rateHeaders(0), "retry-after": String(retryAfter) })
        }
        sentAt.push(now)
        const remaining = limit.max - sentAt.length
        if (/\/search$/.test(url.pathname)) {
          while (searchedAt.length > 0 && (searchedAt[0] ?? 0) <= now - 1000) searchedAt.shift()
          if (searchedAt.length >= searchesPerSecond) {
            seen(429)
            // Search answers carry no rate limit headers.
            return send(res, 429, { status: "error", message: "You have reached your secondly limit.", errorType: "RATE_LIMIT", correlationId: randomUUID(), policyName: "SECONDLY", category: "RATE_LIMITS" })
          }
          searchedAt.push(now)
        }
        const faultAt = faults.findIndex((f) => f.method === method && f.path.test(url.pathname))
        const fault = faultAt >= 0 ? faults.splice(faultAt, 1)[0]?.fault : undefined
        if (fault !== undefined && !fault.afterWrite) {
          seen(fault.status)
          if (fault.hangUp) return void res.socket?.destroy()
          return send(res, fault.status, fault.body ?? { status: "error", message: "internal error", correlationId: randomUUID(), category: "INTERNAL_ERROR" }, fault.headers)
        }
        const answer = await route(req, res, url, raw)
        if (answer.status === -1) return seen(0)
        if (fault !== undefined) {
          seen(fault.status)
          if (fault.hangUp) return void res.socket?.destroy()
          return send(res, fault.status, fault.body ?? { status: "error", message: "internal error", correlationId: randomUUID(), category: "INTERNAL_ERROR" }, fault.headers)
        }
        seen(answer.status)
        send(res, answer.status, answer.body, /\/search$/.test(url.pathname) ? {} : rateHeaders(remaining))
      } catch (e) {
        if (e instanceof HttpError) {
          seen(e.status)
          return send(res, e.status, e.body)
        }
        seen(500)
        send(res, 500, { status: "error", message: String(e), correlationId: randomUUID(), category: "INTERNAL_ERROR" })
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    objects: (type) => [...objectsOf(type).values()],
    files: () => [...files.values()],
    associations: (fromType, id, toType) =>
      links.filter((l) => l.fromType === fromType && l.fromId === id && l.toType === toType).map((l) => ({ id: l.toId, typeId: l.typeId })),
    add: (type, properties, opts) => create(type, properties, opts?.indexed ?? true).id,
    associate,
    addFile: (folderPath, name, extension) => storeFile(folderPath, name, extension, 1, "application/pdf", "PRIVATE"),
    addOwner: (owner) => void owners.set(owner.id, owner),
    failNext: (method, path, ...list) => {
      for (const fault of list) faults.push({ method, path, fault })
    },
    holdNotes: (mode) => new Promise<void>((resolve) => (hold = { mode, onHeld: resolve })),
    setScopes: (next) => (scopes = next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of heldResponses) res.socket?.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
