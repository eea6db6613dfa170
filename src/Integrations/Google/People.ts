/**
 * The Google adapter of the Contacts port: who an organiser or attendee is (name, organisation,
 * title) from the People API — the account's contacts (`people.connections`, scope
 * contacts.readonly), its "other contacts" (`otherContacts`, contacts.other.readonly; names only)
 * and the Workspace directory (`searchDirectoryPeople`, directory.readonly).
 * - The contacts are read whole and kept for an hour; directory answers, found or not, per address
 *   for an hour: a cycle of many events asks Google little.
 * - A source whose scope was not granted, or whose API is not enabled, is dropped with one warning
 *   line and never asked again; the run goes on. A passing failure is logged and asked again later.
 * - Whom Google does not know is looked up in VCARD_FILE when that is set.
 */
import { Cache, Clock, Duration, Effect, Layer, Option, Schema } from "effect"
import { type Contact, Contacts } from "../../Agents/Contacts.js"
import type { GoogleAuthError } from "./Auth.js"
import { SCOPES, type GoogleConfig } from "./GoogleConfig.js"
import { type GoogleApi, type GoogleApiError, isTransient, makeApi } from "./Http.js"

const Flagged = Schema.Struct({
  metadata: Schema.optional(Schema.Struct({ primary: Schema.optional(Schema.Boolean) }))
})

export const PersonJson = Schema.Struct({
  names: Schema.optional(Schema.Array(Schema.Struct({ ...Flagged.fields, displayName: Schema.optional(Schema.String) }))),
  emailAddresses: Schema.optional(Schema.Array(Schema.Struct({ value: Schema.optional(Schema.String) }))),
  organizations: Schema.optional(Schema.Array(Schema.Struct({
    ...Flagged.fields,
    name: Schema.optional(Schema.String),
    title: Schema.optional(Schema.String)
  })))
})
type PersonJson = typeof PersonJson.Type

const ConnectionsPage = Schema.Struct({
  connections: Schema.optionalWith(Schema.Array(PersonJson), { default: () => [] }),
  nextPageToken: Schema.optional(Schema.String)
})

const OtherContactsPage = Schema.Struct({
  otherContacts: Schema.optionalWith(Schema.Array(PersonJson), { default: () => [] }),
  nextPageToken: Schema.optional(Schema.String)
})

const DirectoryPage = Schema.Struct({
  people: Schema.optionalWith(Schema.Array(PersonJson), { default: () => [] })
})

const primary = <A extends typeof Flagged.Type>(items: ReadonlyArray<A> | undefined): A | undefined =>
  items?.find((i) => i.metadata?.primary === true) ?? items?.[0]

const text = (s: string | undefined) => {
  const t = s?.trim()
  return t === undefined || t === "" ? undefined : t
}

/** One entry per address of the person. */
export const contactsOf = (person: PersonJson): ReadonlyArray<Contact> => {
  const name = text(primary(person.names)?.displayName)
  const org = primary(person.organizations)
  const company = text(org?.name)
  const title = text(org?.title)
  return (person.emailAddresses ?? []).flatMap((e) => {
    const email = text(e.value)
    return email === undefined || !email.includes("@") ? [] : [{ email, name, company, ...(title === undefined ? {} : { title }) }]
  })
}

/** Scope not granted, API not enabled: asking again will not help. */
const UNAVAILABLE = new Set([
  "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
  "insufficientPermissions",
  "SERVICE_DISABLED",
  "accessNotConfigured",
  "PERMISSION_DENIED",
  "forbidden"
])

const isUnavailable = (error: GoogleApiError | GoogleAuthError) =>
  error._tag === "GoogleAuthError" ||
  (error.status === 403 && !isTransient(error) && (error.reason === undefined || UNAVAILABLE.has(error.reason))) ||
  error.status === 401

const isDisabledApi = (error: GoogleApiError | GoogleAuthError) =>
  error._tag === "GoogleApiError" && (error.reason === "SERVICE_DISABLED" || error.reason === "accessNotConfigured")

/** The address book is read again after this long. */
const BOOK_TTL = Duration.hours(1)
/** After a passing failure, the address book is tried again after this long. */
const RETRY_AFTER = Duration.minutes(5)

type Source = "contacts" | "otherContacts" | "directory"

const SOURCES: ReadonlyArray<Source> = ["contacts", "otherContacts", "directory"]

const SOURCE_NAMES: Record<Source, string> = {
  contacts: "contacts (contacts.readonly)",
  otherContacts: "other contacts (contacts.other.readonly)",
  directory: "directory (directory.readonly)"
}

export const make = (config: GoogleConfig, fallback: Option.Option<Contacts["Type"]>, fallbackName: string) =>
  Effect.gen(function*() {
    const api: GoogleApi = yield* makeApi(config)
    const base = `${config.peopleBaseUrl}/v1`
    const off = new Set<Source>()
    let apiDisabledSaid = false

    /** One warning line for a source Google will not give: scope missing or API off. */
    const dropSource = (source: Source, error: GoogleApiError | GoogleAuthError) =>
      Effect.suspend(() => {
        if (isDisabledApi(error)) {
          for (const s of SOURCES) off.add(s)
          if (apiDisabledSaid) return Effect.void
          apiDisabledSaid = true
          return Effect.logWarning(
            `Google contacts: the People API is not enabled for this project (${error.message}); people are looked up in ${fallbackName}`
          )
        }
        off.add(source)
        return Effect.logWarning(
          `Google contacts: no access to the ${SOURCE_NAMES[source]}: ${error.message}; people are looked up without it`
        )
      })

    /** A failure of a source: dropped when it will not get better, logged when it may. */
    const failed = (source: Source) => (error: GoogleApiError | GoogleAuthError) =>
      isUnavailable(error)
        ? Effect.as(dropSource(source, error), true)
        : Effect.as(Effect.logWarning(`Google contacts: cannot read the ${SOURCE_NAMES[source]}: ${error.message}`), false)

    const pages = <A extends { readonly nextPageToken?: string | undefined }, I>(
      source: Source,
      path: string,
      params: Record<string, string>,
      schema: Schema.Schema<A, I>,
      people: (page: A) => ReadonlyArray<PersonJson>,
      scope: string
    ) =>
      Effect.gen(function*() {
        const found: Array<PersonJson> = []
        let pageToken: string | undefined
        for (;;) {
          const page = yield* api.get(`${base}${path}`, { ...params, pageSize: "1000", ...(pageToken === undefined ? {} : { pageToken }) }, schema, [scope])
          found.push(...people(page))
          if (page.nextPageToken === undefined) return found
          pageToken = page.nextPageToken
        }
      }).pipe(
        Effect.map((found) => ({ found, complete: true })),
        Effect.catchAll((error) => Effect.map(failed(source)(error), (final) => ({ found: [] as Array<PersonJson>, complete: final })))
      )

    const readBook = Effect.gen(function*() {
      const sources = [
        off.has("contacts") ? undefined : pages("contacts", "/people/me/connections", { personFields: "names,emailAddresses,organizations" }, ConnectionsPage, (p) => p.connections, SCOPES.contacts),
        off.has("otherContacts") ? undefined : pages("otherContacts", "/otherContacts", { readMask: "names,emailAddresses" }, OtherContactsPage, (p) => p.otherContacts, SCOPES.otherContacts)
      ].flatMap((s) => (s === undefined ? [] : [s]))
      const results = yield* Effect.all(sources)
      const book = new Map<string, Contact>()
      // The account's own contacts first: they carry organisations, "other contacts" only names.
      for (const { found } of results) {
        for (const person of found) {
          for (const contact of contactsOf(person)) {
            const key = contact.email.toLowerCase()
            if (!book.has(key)) book.set(key, contact)
          }
        }
      }
      return { book, complete: results.every((r) => r.complete) }
    }).pipe(Effect.withSpan("GooglePeople.readBook"))

    let held: { readonly book: ReadonlyMap<string, Contact>; readonly until: number } | undefined
    const lock = yield* Effect.makeSemaphore(1)
    const addressBook = lock.withPermits(1)(Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (held !== undefined && held.until > now) return held.book
      const { book, complete } = yield* readBook
      held = { book, until: now + Duration.toMillis(complete ? BOOK_TTL : RETRY_AFTER) }
      return book
    }))

    const directory = yield* Cache.make({
      capacity: 10_000,
      timeToLive: BOOK_TTL,
      lookup: (email: string) =>
        api.get(`${base}/people:searchDirectoryPeople`, {
          query: email,
          readMask: "names,emailAddresses,organizations",
          sources: ["DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE", "DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT"],
          pageSize: "5"
        }, DirectoryPage, [SCOPES.directory]).pipe(
          Effect.map((page) =>
            Option.fromNullable(page.people.flatMap(contactsOf).find((c) => c.email.toLowerCase() === email))
          ),
          // A passing failure is not kept as "not found": the cache holds failures only until they are asked again.
          Effect.catchAll((error) => Effect.zipRight(failed("directory")(error), Effect.fail(error)))
        )
    })

    const fromGoogle = (email: string) =>
      Effect.gen(function*() {
        const key = email.trim().toLowerCase()
        const known = (yield* addressBook).get(key)
        if (known !== undefined) return Option.some(known)
        if (off.has("directory")) return Option.none()
        const found = yield* directory.get(key).pipe(
          Effect.tapError(() => directory.invalidate(key)),
          Effect.orElseSucceed(() => Option.none<Contact>())
        )
        return found
      })

    const lookup = (email: string) =>
      Effect.flatMap(fromGoogle(email), (found) =>
        Option.isSome(found) || Option.isNone(fallback) ? Effect.succeed(found) : fallback.value.lookup(email))

    return Contacts.of({ lookup })
  })

/** Google's contacts, then `fallback` (the vCard file) for whom Google does not know. */
export const layer = (config: GoogleConfig, fallback: Option.Option<Contacts["Type"]>, fallbackName: string) =>
  Layer.effect(Contacts, make(config, fallback, fallbackName))
