/**
 * `doctor` for Google: signs in, lists the calendars the account can read (calendarList.list),
 * and asks each calendar of GOOGLE_CALENDAR_ID for one event, so a calendar that is not shared
 * with the account is named before the first poll.
 */
import type { FileSystem } from "@effect/platform"
import { Effect, Layer, Option, Schema } from "effect"
import { GoogleAuth, layer as authLayer } from "./Auth.js"
import { googleConfig, SCOPES } from "./GoogleConfig.js"
import { GoogleHttpClient, makeApi } from "./Http.js"

const CalendarList = Schema.Struct({
  items: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      id: Schema.String,
      summary: Schema.optional(Schema.String),
      primary: Schema.optional(Schema.Boolean)
    })),
    { default: () => [] }
  ),
  nextPageToken: Schema.optional(Schema.String)
})

const OnePage = Schema.Struct({ items: Schema.optional(Schema.Array(Schema.Unknown)) })

/** One line: how it signs in, the calendars it can read, the ones it polls; fails naming the first it cannot read. */
export const probeGoogleCalendar: Effect.Effect<string, unknown, FileSystem.FileSystem> = Effect.gen(function*() {
  const config = yield* googleConfig
  return yield* Effect.gen(function*() {
    const auth = yield* GoogleAuth
    const api = yield* makeApi(config)
    const scopes = [SCOPES.calendar]
    const listed: Array<typeof CalendarList.Type.items[number]> = []
    let pageToken: string | undefined
    do {
      const page = yield* api.get(
        `${config.calendarBaseUrl}/calendar/v3/users/me/calendarList`,
        { minAccessRole: "reader", ...(pageToken === undefined ? {} : { pageToken }) },
        CalendarList,
        scopes
      )
      listed.push(...page.items)
      pageToken = page.nextPageToken
    } while (pageToken !== undefined)
    for (const id of config.calendarIds) {
      yield* api.get(
        `${config.calendarBaseUrl}/calendar/v3/calendars/${encodeURIComponent(id)}/events`,
        { maxResults: "1", singleEvents: "true", timeMin: new Date().toISOString() },
        OnePage,
        scopes
      ).pipe(Effect.mapError((e) => new Error(`GOOGLE_CALENDAR_ID ${id}: cannot be read (${e.message})`)))
    }
    const names = listed.map((c) => `${c.summary ?? c.id}${c.summary === undefined || c.summary === c.id ? "" : ` (${c.id})`}`)
    return `Google, ${auth.description}: can read ${listed.length} calendar(s)${names.length === 0 ? "" : `: ${names.join(", ")}`}; ` +
      `polls ${config.calendarIds.join(", ")}`
  }).pipe(Effect.provide(authLayer(config).pipe(Layer.provideMerge(GoogleHttpClient))))
}).pipe(Effect.scoped)

const AnyPage = Schema.Struct({})

/**
 * One line on where people's names and titles come from: each People API source Google lets the
 * account read, and the ones it does not (research goes on without them, as the adapter does).
 */
export const probeGoogleContacts: Effect.Effect<string, unknown, FileSystem.FileSystem> = Effect.gen(function*() {
  const config = yield* googleConfig
  if (!config.contacts) {
    return `GOOGLE_CONTACTS=false: ${Option.match(config.vcardFile, { onNone: () => "no contacts", onSome: (file) => `only ${file}` })}`
  }
  return yield* Effect.gen(function*() {
    yield* GoogleAuth
    const api = yield* makeApi(config)
    const base = `${config.peopleBaseUrl}/v1`
    const sources = [
      ["contacts", `${base}/people/me/connections`, { personFields: "names", pageSize: "1" }, SCOPES.contacts],
      ["other contacts", `${base}/otherContacts`, { readMask: "names", pageSize: "1" }, SCOPES.otherContacts],
      ["directory", `${base}/people:searchDirectoryPeople`, {
        query: "a",
        readMask: "names",
        sources: ["DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE", "DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT"],
        pageSize: "1"
      }, SCOPES.directory]
    ] as const
    const results = yield* Effect.forEach(sources, ([name, url, params, scope]) =>
      api.get(url, params, AnyPage, [scope]).pipe(
        Effect.match({ onFailure: (e) => `${name}: no (${e.message})`, onSuccess: () => `${name}: yes` })
      ))
    const then = Option.match(config.vcardFile, { onNone: () => "", onSome: (file) => `; then ${file}` })
    return `Google People API — ${results.join("; ")}${then}`
  }).pipe(Effect.provide(authLayer(config).pipe(Layer.provideMerge(GoogleHttpClient))))
}).pipe(Effect.scoped)
