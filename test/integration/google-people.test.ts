/**
 * Google contacts (People API) against test/support/fakeGoogle.ts: organiser and attendees get
 * name, organisation and title from the account's contacts, its other contacts and the
 * directory, asked once and kept; a People API that is off, or a scope the service account was
 * not given, is one warning line and the vCard file takes over. And `doctor`'s Google line.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, HashSet, Layer, Logger, LogLevel, Option } from "effect"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { Contacts, enrichEvent } from "../../src/Agents/Contacts.js"
import { AppConfig } from "../../src/Config.js"
import { GooglePeopleLive } from "../../src/Integrations/Google/Live.js"
import { probeGoogleCalendar, probeGoogleContacts } from "../../src/Integrations/Google/Probe.js"
import { makeEvent, person } from "../fixtures/events.js"
import { CALENDAR_SCOPE, type FakeGoogle, makeFakeGoogle } from "../support/fakeGoogle.js"
import { tempDir } from "../support/spawn.js"

const envOf = (fake: FakeGoogle, extra: Record<string, string> = {}) => ({
  CALENDAR_PROVIDER: "google",
  GOOGLE_CLIENT_ID: fake.clientId,
  GOOGLE_CLIENT_SECRET: fake.clientSecret,
  GOOGLE_REFRESH_TOKEN: fake.refreshToken,
  GOOGLE_API_BASE_URL: fake.baseUrl,
  GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl,
  ...extra
})

/** The warnings logged while `body` runs. */
const warningsOf = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel === LogLevel.Warning) lines.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    const result = yield* body.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    return { result, warnings: lines }
  })

const contactsFrom = (env: Record<string, string>) =>
  Layer.build(GooglePeopleLive.pipe(
    Layer.provide(AppConfig.layer),
    Layer.provide(NodeContext.layer),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )).pipe(Effect.map(Context.get(Contacts)))

const anna = {
  resourceName: "people/c1",
  names: [{ displayName: "Anna Schmidt", metadata: { primary: true } }],
  emailAddresses: [{ value: "anna@acme-robotics.com" }],
  organizations: [{ name: "Acme Robotics GmbH", title: "Head of Procurement", metadata: { primary: true } }]
}

const vcardFile = () => {
  const file = path.join(tempDir("li-google-people-"), "contacts.vcf")
  writeFileSync(file, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jo Vcard\r\nORG:Vcard Corp\r\nEMAIL:jo@vcard.test\r\nEND:VCARD\r\n")
  return file
}

describe("Google contacts", () => {
  it.live("organiser and attendees get name, organisation and title; each source is read once; the vCard file after Google", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      fake.addContact(anna)
      fake.addOtherContact({ names: [{ displayName: "Ben Other" }], emailAddresses: [{ value: "ben@other.test" }] })
      fake.addDirectoryPerson({
        names: [{ displayName: "Maria Ourco" }],
        emailAddresses: [{ value: "maria@ourco.de" }],
        organizations: [{ name: "OurCo", title: "Account Executive" }]
      })
      const contacts = yield* contactsFrom(envOf(fake, { VCARD_FILE: vcardFile() }))
      const event = makeEvent({
        organizer: person("maria@ourco.de"),
        attendees: [person("Anna@Acme-Robotics.com"), person("ben@other.test"), person("jo@vcard.test"), person("x@nowhere.test")]
      })
      fake.resetCounts()
      const enriched = yield* enrichEvent(contacts, event)
      expect({ ...enriched.organizer }).toEqual({ email: "maria@ourco.de", name: "Maria Ourco", company: "OurCo", title: "Account Executive" })
      expect(enriched.attendees.map((p) => ({ ...p }))).toEqual([
        { email: "Anna@Acme-Robotics.com", name: "Anna Schmidt", company: "Acme Robotics GmbH", title: "Head of Procurement" },
        { email: "ben@other.test", name: "Ben Other" },
        { email: "jo@vcard.test", name: "Jo Vcard", company: "Vcard Corp" },
        { email: "x@nowhere.test" }
      ])
      const firstCalls = fake.apiRequests().map((r) => r.path)
      expect(firstCalls.filter((p) => p === "/v1/people/me/connections")).toHaveLength(1)
      expect(firstCalls.filter((p) => p === "/v1/otherContacts")).toHaveLength(1)
      // Asked of the directory: maria, ben is in other contacts, jo and x are not in Google.
      expect(firstCalls.filter((p) => p === "/v1/people:searchDirectoryPeople")).toHaveLength(3)
      fake.resetCounts()
      yield* enrichEvent(contacts, event)
      expect(fake.apiRequests()).toEqual([])
    }).pipe(Effect.scoped))

  it.live("People API off: one warning line, the vCard file answers, nothing fails", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      fake.peopleApi(false)
      const file = vcardFile()
      const contacts = yield* contactsFrom(envOf(fake, { VCARD_FILE: file }))
      const { result, warnings } = yield* warningsOf(Effect.all([
        contacts.lookup("jo@vcard.test"),
        contacts.lookup("anna@acme-robotics.com"),
        contacts.lookup("someone@else.test")
      ]))
      expect(result.map(Option.map((c) => c.name))).toEqual([Option.some("Jo Vcard"), Option.none(), Option.none()])
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/^Google contacts: the People API is not enabled for this project \(HTTP 403: People API has not been used/)
      expect(warnings[0]).toContain(`people are looked up in ${file}`)
      fake.resetCounts()
      yield* contacts.lookup("again@else.test")
      expect(fake.apiRequests()).toEqual([])
    }).pipe(Effect.scoped))

  it.live("a service account without the contacts scopes: a warning per source, never asked again", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      fake.delegate([CALENDAR_SCOPE])
      const keyFile = path.join(tempDir("li-google-people-"), "key.json")
      writeFileSync(keyFile, fake.serviceAccountKey)
      const contacts = yield* contactsFrom(envOf(fake, { GOOGLE_CLIENT_ID: "", GOOGLE_SERVICE_ACCOUNT_FILE: keyFile }))
      const { result, warnings } = yield* warningsOf(contacts.lookup("anna@acme-robotics.com"))
      expect(result).toEqual(Option.none())
      expect(warnings).toHaveLength(3)
      expect(warnings.every((w) => w.includes("unauthorized_client"))).toBe(true)
      expect(HashSet.size(HashSet.fromIterable(warnings.map((w) => w.split(":")[1])))).toBe(3)
      fake.resetCounts()
      yield* contacts.lookup("other@acme-robotics.com")
      expect(fake.tokenRequests()).toEqual([])
    }).pipe(Effect.scoped))
})

describe("doctor with CALENDAR_PROVIDER=google", () => {
  const probe = (env: Record<string, string>) =>
    probeGoogleCalendar.pipe(
      Effect.provide(NodeContext.layer),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )

  it.live("signs in, lists the calendars it can read, and names one of GOOGLE_CALENDAR_ID it cannot", () =>
    Effect.gen(function*() {
      const fake = yield* makeFakeGoogle
      fake.addCalendar("sales@ourco.de", "Sales")
      fake.addCalendar("team@ourco.de", "Team")
      const ok = yield* probe(envOf(fake, { GOOGLE_CALENDAR_ID: "sales@ourco.de" }))
      expect(ok).toBe(
        `Google, OAuth client ${fake.clientId}: can read 2 calendar(s): Sales (sales@ourco.de), Team (team@ourco.de); polls sales@ourco.de`
      )
      const missing = yield* Effect.flip(probe(envOf(fake, { GOOGLE_CALENDAR_ID: "sales@ourco.de,board@ourco.de" })))
      expect(String(missing)).toContain("GOOGLE_CALENDAR_ID board@ourco.de: cannot be read (HTTP 404: Not Found)")
      const people = yield* probeGoogleContacts.pipe(
        Effect.provide(NodeContext.layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(envOf(fake, { GOOGLE_CALENDAR_ID: "sales@ourco.de" })))))
      )
      expect(people).toMatch(/^Google People API — contacts: yes; other contacts: yes; directory: yes/)
      const refused = yield* Effect.flip(probe(envOf(fake, { GOOGLE_CLIENT_SECRET: "wrong" })))
      expect(String(refused)).toContain("Google sign-in failed: invalid_client (The OAuth client was not found.)")
      expect(String(refused)).not.toContain("wrong")
    }).pipe(Effect.scoped))
})
