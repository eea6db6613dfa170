/**
 * A local server that behaves like Google's for what Lead Insights calls, for tests and the bench:
 * - the token endpoint: refresh-token grants (client id, secret, refresh token checked) and
 *   service-account JWT grants (RS256 signature checked against the key the fake made, audience,
 *   delegated scopes: an undelegated one is refused `unauthorized_client`);
 * - Calendar v3 events.list: `singleEvents=true` expansion of daily/weekly RRULEs into instances
 *   (`<id>_<start>`, recurringEventId, originalStartTime), `timeMin`/`timeMax`, paging with
 *   `nextPageToken` (at most 2500 a page), `nextSyncToken` on the last page only, incremental
 *   answers to a sync token (changes and deletions since, `status: cancelled`), 410 Gone for a
 *   token made invalid, 400 for a sync token with a time range, 404 for an unknown calendar;
 *   calendarList.list;
 * - People v1: connections, otherContacts, searchDirectoryPeople, with 403 SERVICE_DISABLED when
 *   the API is off and ACCESS_TOKEN_SCOPE_INSUFFICIENT without the scope;
 * - 401 with Google's body for an expired token (`expireAccessTokens`), and errors injected with
 *   Google's bodies (`failNext`: 403 rateLimitExceeded / userRateLimitExceeded, 429, 5xx, with
 *   Retry-After when asked).
 * Every request is recorded (path, query, status).
 */
import { Effect, type Scope } from "effect"
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from "node:crypto"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"

export const CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar.readonly"
export const CONTACTS_SCOPE = "https://www.googleapis.com/auth/contacts.readonly"
export const OTHER_CONTACTS_SCOPE = "https://www.googleapis.com/auth/contacts.other.readonly"
export const DIRECTORY_SCOPE = "https://www.googleapis.com/auth/directory.readonly"
/** The audience Google wants in a service account's JWT, whichever URL the request is sent to. */
const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
const ALL_SCOPES = [CALENDAR_SCOPE, CONTACTS_SCOPE, OTHER_CONTACTS_SCOPE, DIRECTORY_SCOPE]

/** An event as a test writes it: Google's JSON, `recurrence` with RRULE FREQ=DAILY|WEEKLY, COUNT, INTERVAL, UNTIL. */
export interface FakeEvent {
  readonly id: string
  readonly summary?: string
  readonly description?: string
  readonly location?: string
  readonly start: { readonly dateTime?: string; readonly date?: string; readonly timeZone?: string }
  readonly end: { readonly dateTime?: string; readonly date?: string; readonly timeZone?: string }
  readonly recurrence?: ReadonlyArray<string>
  readonly [field: string]: unknown
}

export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly status: number
}

export type Failure = "rateLimitExceeded" | "userRateLimitExceeded" | 429 | 500 | 503

export interface FakeGoogle {
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly refreshToken: string
  /** A service account's key file (JSON, as Google's console gives it) the fake accepts. */
  readonly serviceAccountKey: string
  readonly requests: ReadonlyArray<SeenRequest>
  /** Requests to the APIs (not the token endpoint) since the last `resetCounts`. */
  readonly apiRequests: () => ReadonlyArray<SeenRequest>
  readonly tokenRequests: () => ReadonlyArray<SeenRequest>
  readonly resetCounts: () => void
  readonly addCalendar: (id: string, summary?: string) => void
  /** Creates or replaces an event (its `updated` and change sequence move on). */
  readonly put: (calendarId: string, event: FakeEvent) => void
  /** Many events at once, for the bench. */
  readonly putMany: (calendarId: string, events: ReadonlyArray<FakeEvent>) => void
  /** Deletes an event: later incremental answers say `status: cancelled`. */
  readonly remove: (calendarId: string, id: string) => void
  /** Every sync token of the calendar given so far is answered 410 Gone. */
  readonly expireSyncTokens: (calendarId: string) => void
  /** Every access token given so far is answered 401. */
  readonly expireAccessTokens: () => void
  /** The next `count` API requests fail like this; `retryAfter` in seconds. */
  readonly failNext: (count: number, failure: Failure, retryAfter?: number) => void
  /** Scopes the service account is delegated (all by default). */
  readonly delegate: (scopes: ReadonlyArray<string>) => void
  /** People API on (default) or off (403 SERVICE_DISABLED). */
  readonly peopleApi: (enabled: boolean) => void
  readonly addContact: (person: unknown) => void
  readonly addOtherContact: (person: unknown) => void
  readonly addDirectoryPerson: (person: unknown) => void
}

interface Stored {
  readonly event: FakeEvent
  readonly seq: number
  readonly deleted: boolean
}

interface Calendar {
  readonly summary: string
  readonly events: Map<string, Stored>
  /** Tokens of an older epoch are answered 410. */
  epoch: number
}

const DAY = 86_400_000
const pad = (n: number) => String(n).padStart(2, "0")
const compact = (ms: number) => {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${
    pad(d.getUTCSeconds())
  }Z`
}

const googleError = (code: number, message: string, reason: string, status: string, domain = "global") => ({
  error: { code, message, errors: [{ domain, reason, message }], status }
})

const detailError = (code: number, message: string, reason: string) => ({
  error: {
    code,
    message,
    status: "PERMISSION_DENIED",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com" }]
  }
})

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/** Answers the request (and records it). */
type Respond = (status: number, body: unknown, headers?: Record<string, string>) => void

const startMs = (t: FakeEvent["start"]) => Date.parse(t.dateTime ?? `${t.date}T00:00:00Z`)

/** The instances of a recurring event (DAILY/WEEKLY; an open rule stops after two years). */
const instancesOf = (event: FakeEvent): ReadonlyArray<FakeEvent> => {
  const rule = event.recurrence?.find((r) => r.startsWith("RRULE:"))
  if (rule === undefined) return [event]
  const parts = new Map(rule.slice(6).split(";").map((p) => p.split("=") as [string, string]))
  const step = (parts.get("FREQ") === "WEEKLY" ? 7 : 1) * DAY * Number(parts.get("INTERVAL") ?? 1)
  const count = parts.has("COUNT") ? Number(parts.get("COUNT")) : Number.POSITIVE_INFINITY
  const until = parts.has("UNTIL") ? Date.parse(parts.get("UNTIL")!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z")) : Number.POSITIVE_INFINITY
  const first = startMs(event.start)
  const length = startMs(event.end) - first
  const allDay = event.start.date !== undefined
  const out: Array<FakeEvent> = []
  for (let i = 0, at = first; i < count && at <= until && at < first + 730 * DAY; i++, at += step) {
    const { recurrence: _, ...master } = event
    const time = (ms: number) =>
      allDay ? { date: new Date(ms).toISOString().slice(0, 10) } : { dateTime: new Date(ms).toISOString(), ...(event.start.timeZone ? { timeZone: event.start.timeZone } : {}) }
    out.push({
      ...master,
      id: `${event.id}_${allDay ? new Date(at).toISOString().slice(0, 10).replace(/-/g, "") : compact(at)}`,
      recurringEventId: event.id,
      originalStartTime: time(at),
      start: time(at),
      end: time(at + length)
    })
  }
  return out
}

export const startFakeGoogle = async (): Promise<FakeGoogle & { readonly close: () => Promise<void> }> => {
  const requests: Array<SeenRequest> = []
  let countFrom = 0
  const calendars = new Map<string, Calendar>()
  let seq = 0
  const tokens = new Map<string, { readonly scopes: ReadonlyArray<string>; expired: boolean }>()
  const failures: Array<{ readonly failure: Failure; readonly retryAfter: number | undefined }> = []
  let delegated: ReadonlyArray<string> = ALL_SCOPES
  let peopleOn = true
  const contacts: Array<unknown> = []
  const otherContacts: Array<unknown> = []
  const directory: Array<unknown> = []

  const clientId = "1234567890-fake.apps.googleusercontent.com"
  const clientSecret = `GOCSPX-${randomBytes(12).toString("hex")}`
  const refreshToken = `1//${randomBytes(24).toString("hex")}`
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const accountEmail = "lead-insights@fake-project.iam.gserviceaccount.com"
  const accountKey: KeyObject = createPublicKey(publicKey.export({ type: "spki", format: "pem" }))

  const issue = (respond: Respond, scopes: ReadonlyArray<string>) => {
    const token = `ya29.${randomBytes(16).toString("hex")}`
    tokens.set(token, { scopes, expired: false })
    respond(200, { access_token: token, expires_in: 3599, scope: scopes.join(" "), token_type: "Bearer" })
  }

  const tokenEndpoint = (respond: Respond, raw: string, audience: string) => {
    const form = new URLSearchParams(raw)
    const grant = form.get("grant_type")
    if (grant === "refresh_token") {
      if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) {
        return respond(401, { error: "invalid_client", error_description: "The OAuth client was not found." })
      }
      if (form.get("refresh_token") !== refreshToken) {
        return respond(400, { error: "invalid_grant", error_description: "Token has been expired or revoked." })
      }
      return issue(respond, ALL_SCOPES)
    }
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      const [header, body, signature] = (form.get("assertion") ?? "").split(".")
      const valid = header !== undefined && body !== undefined && signature !== undefined &&
        verify("RSA-SHA256", Buffer.from(`${header}.${body}`), accountKey, Buffer.from(signature, "base64url"))
      if (!valid) return respond(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." })
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>
      if (claims["iss"] !== accountEmail || claims["aud"] !== audience) {
        return respond(400, { error: "invalid_grant", error_description: "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe." })
      }
      const scopes = String(claims["scope"] ?? "").split(" ").filter((s) => s.length > 0)
      if (scopes.length === 0 || scopes.some((s) => !delegated.includes(s))) {
        return respond(401, {
          error: "unauthorized_client",
          error_description: "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."
        })
      }
      return issue(respond, scopes)
    }
    return respond(400, { error: "unsupported_grant_type", error_description: `Invalid grant_type: ${grant}` })
  }

  /** What a listing of the calendar holds: every instance, with the change that made it. */
  const expanded = (calendar: Calendar) =>
    [...calendar.events.values()].flatMap((s) =>
      instancesOf(s.event).map((event) => ({ event, seq: s.seq, deleted: s.deleted }))
    )

  const eventsList = (respond: Respond, calendarId: string, q: URLSearchParams) => {
    const calendar = calendars.get(calendarId)
    if (calendar === undefined) return respond(404, googleError(404, "Not Found", "notFound", "NOT_FOUND"))
    const syncToken = q.get("syncToken")
    if (syncToken !== null && (q.has("timeMin") || q.has("timeMax"))) {
      return respond(400, googleError(400, "Sync token cannot be used with timeMin or timeMax.", "invalid", "INVALID_ARGUMENT"))
    }
    let items: Array<{ readonly event: FakeEvent; readonly seq: number; readonly deleted: boolean }>
    if (syncToken !== null) {
      const [, epoch, since] = syncToken.split(":")
      if (Number(epoch) !== calendar.epoch) {
        return respond(410, googleError(410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired", "GONE", "calendar"))
      }
      items = expanded(calendar).filter((i) => i.seq > Number(since))
    } else {
      const from = q.has("timeMin") ? Date.parse(q.get("timeMin")!) : Number.NEGATIVE_INFINITY
      const to = q.has("timeMax") ? Date.parse(q.get("timeMax")!) : Number.POSITIVE_INFINITY
      items = expanded(calendar).filter((i) => !i.deleted && startMs(i.event.start) < to && startMs(i.event.end) > from)
    }
    const max = Math.min(2500, Number(q.get("maxResults") ?? 250))
    const offset = Number((q.get("pageToken") ?? "page:0").split(":")[1])
    const page = items.slice(offset, offset + max)
    const last = offset + max >= items.length
    respond(200, {
      kind: "calendar#events",
      summary: calendar.summary,
      timeZone: "Europe/Berlin",
      items: page.map(({ deleted, event }) =>
        deleted
          ? {
            kind: "calendar#event",
            id: event.id,
            status: "cancelled",
            ...(event["recurringEventId"] === undefined ? {} : { recurringEventId: event["recurringEventId"], originalStartTime: event["originalStartTime"] })
          }
          : { kind: "calendar#event", status: "confirmed", iCalUID: `${String(event["recurringEventId"] ?? event.id)}@google.com`, ...event }
      ),
      ...(last ? { nextSyncToken: `sync:${calendar.epoch}:${seq}` } : { nextPageToken: `page:${offset + max}` })
    })
  }

  const peoplePage = (respond: Respond, q: URLSearchParams, all: ReadonlyArray<unknown>, field: string) => {
    const size = Number(q.get("pageSize") ?? 100)
    const offset = Number(q.get("pageToken") ?? 0)
    const last = offset + size >= all.length
    respond(200, { [field]: all.slice(offset, offset + size), totalItems: all.length, ...(last ? {} : { nextPageToken: String(offset + size) }) })
  }

  const api = (req: IncomingMessage, respond: Respond, path: string, q: URLSearchParams) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]
    const token = bearer === undefined ? undefined : tokens.get(bearer)
    if (token === undefined || token.expired) {
      return respond(
        401,
        googleError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "authError", "UNAUTHENTICATED")
      )
    }
    const injected = failures.shift()
    if (injected !== undefined) {
      const headers: Record<string, string> = injected.retryAfter === undefined ? {} : { "retry-after": String(injected.retryAfter) }
      if (typeof injected.failure === "string") {
        return respond(403, googleError(403, "Rate Limit Exceeded", injected.failure, "PERMISSION_DENIED", "usageLimits"), headers)
      }
      if (injected.failure === 429) {
        return respond(429, googleError(429, "Too Many Requests", "rateLimitExceeded", "RESOURCE_EXHAUSTED", "usageLimits"), headers)
      }
      return respond(injected.failure, googleError(injected.failure, "Backend Error", "backendError", "UNAVAILABLE"), headers)
    }
    const needs = (scope: string) => {
      if (token.scopes.includes(scope)) return true
      respond(403, detailError(403, "Request had insufficient authentication scopes.", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
      return false
    }
    const people = () => {
      if (peopleOn) return true
      respond(403, detailError(403, "People API has not been used in project 123456 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/people.googleapis.com/overview?project=123456 then retry.", "SERVICE_DISABLED"))
      return false
    }
    const events = /^\/calendar\/v3\/calendars\/([^/]+)\/events$/.exec(path)
    if (events?.[1] !== undefined) return needs(CALENDAR_SCOPE) && eventsList(respond, decodeURIComponent(events[1]), q)
    if (path === "/calendar/v3/users/me/calendarList") {
      if (!needs(CALENDAR_SCOPE)) return
      return respond(200, {
        kind: "calendar#calendarList",
        items: [...calendars].map(([id, c]) => ({ kind: "calendar#calendarListEntry", id, summary: c.summary, accessRole: "reader" }))
      })
    }
    if (path === "/v1/people/me/connections") return people() && needs(CONTACTS_SCOPE) && peoplePage(respond, q, contacts, "connections")
    if (path === "/v1/otherContacts") return people() && needs(OTHER_CONTACTS_SCOPE) && peoplePage(respond, q, otherContacts, "otherContacts")
    if (path === "/v1/people:searchDirectoryPeople") {
      if (!people() || !needs(DIRECTORY_SCOPE)) return
      const query = (q.get("query") ?? "").toLowerCase()
      const found = directory.filter((p) => JSON.stringify(p).toLowerCase().includes(query))
      return respond(200, { people: found, totalSize: found.length })
    }
    respond(404, googleError(404, "Not Found", "notFound", "NOT_FOUND"))
  }

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = new URL(req.url ?? "/", "http://fake")
      const respond: Respond = (status, body, headers = {}) => {
        requests.push({ method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status })
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers })
        res.end(JSON.stringify(body))
      }
      if (req.method === "POST" && url.pathname === "/token") return tokenEndpoint(respond, raw, GOOGLE_TOKEN_URI)
      if (req.method !== "GET") return respond(405, googleError(405, "Method Not Allowed", "methodNotAllowed", "INVALID_ARGUMENT"))
      api(req, respond, url.pathname, url.searchParams)
    }).catch(() => {
      if (!res.destroyed) res.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const put = (calendarId: string, event: FakeEvent) => {
    const calendar = calendars.get(calendarId)
    if (calendar === undefined) throw new Error(`no calendar ${calendarId} in the fake`)
    seq += 1
    // A series changed so that some of its occurrences no longer exist: those are cancelled, as Google reports them.
    const before = calendar.events.get(event.id)
    if (before !== undefined && !before.deleted && before.event.recurrence !== undefined) {
      const now = new Set(instancesOf(event).map((i) => i.id))
      for (const old of instancesOf(before.event)) {
        if (!now.has(old.id)) calendar.events.set(old.id, { event: old, seq, deleted: true })
      }
    }
    calendar.events.set(event.id, { event: { ...event, updated: new Date().toISOString() }, seq, deleted: false })
  }

  const fake: FakeGoogle & { readonly close: () => Promise<void> } = {
    baseUrl,
    tokenUrl: `${baseUrl}/token`,
    clientId,
    clientSecret,
    refreshToken,
    serviceAccountKey: JSON.stringify({
      type: "service_account",
      project_id: "fake-project",
      private_key_id: randomBytes(20).toString("hex"),
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: accountEmail,
      client_id: "109876543210",
      // As Google's console writes it: the token request must still go where GOOGLE_OAUTH_TOKEN_URL says.
      token_uri: GOOGLE_TOKEN_URI
    }),
    requests,
    apiRequests: () => requests.slice(countFrom).filter((r) => r.path !== "/token"),
    tokenRequests: () => requests.slice(countFrom).filter((r) => r.path === "/token"),
    resetCounts: () => {
      countFrom = requests.length
    },
    addCalendar: (id, summary = id) => void calendars.set(id, { summary, events: new Map(), epoch: 1 }),
    put,
    putMany: (calendarId, events) => events.forEach((e) => put(calendarId, e)),
    remove: (calendarId, id) => {
      const calendar = calendars.get(calendarId)
      const stored = calendar?.events.get(id)
      if (calendar === undefined || stored === undefined) return
      seq += 1
      calendar.events.set(id, { event: stored.event, seq, deleted: true })
    },
    expireSyncTokens: (calendarId) => {
      const calendar = calendars.get(calendarId)
      if (calendar !== undefined) calendar.epoch += 1
    },
    expireAccessTokens: () => tokens.forEach((t) => void (t.expired = true)),
    failNext: (count, failure, retryAfter) => {
      for (let i = 0; i < count; i++) failures.push({ failure, retryAfter })
    },
    delegate: (scopes) => void (delegated = scopes),
    peopleApi: (enabled) => void (peopleOn = enabled),
    addContact: (p) => void contacts.push(p),
    addOtherContact: (p) => void otherContacts.push(p),
    addDirectoryPerson: (p) => void directory.push(p),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return fake
}

/** The fake for one test or bench run: started on a free loopback port, stopped with the scope. */
export const makeFakeGoogle: Effect.Effect<FakeGoogle, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(startFakeGoogle),
  (fake) => Effect.promise(() => fake.close())
)
