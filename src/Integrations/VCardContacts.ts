/**
 * The vCard adapter of the Contacts port: the file named by VCARD_FILE (vCard 3.0 or 4.0), read
 * once when the layer is built. A missing file means no contacts; a malformed one stops the start.
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect, Layer, Option } from "effect"
import ICAL from "ical.js"
import { type Contact, Contacts } from "../Agents/Contacts.js"
import { AppConfig } from "../Config.js"
import { unfoldBytes } from "./ICalBlocks.js"

export class VCardError extends Data.TaggedError("VCardError")<{ readonly file: string; readonly reason: string }> {
  override get message() {
    return `contacts file ${this.file}: ${this.reason}`
  }
}

const nonEmpty = (s: string | undefined) => {
  const t = s?.trim()
  return t && t.length > 0 ? t : undefined
}

const firstString = (v: unknown): string | undefined =>
  typeof v === "string" ? nonEmpty(v) : Array.isArray(v) ? firstString(v[0]) : undefined

/** N is family;given;additional;prefix;suffix, each possibly a list. */
const nameFromN = (v: unknown): string | undefined => {
  if (!Array.isArray(v)) return firstString(v)
  const part = (i: number) => firstString(v[i])
  return nonEmpty([part(3), part(1), part(2), part(0), part(4)].filter((p) => p !== undefined).join(" "))
}

const cardContacts = (card: ICAL.Component): ReadonlyArray<Contact> => {
  const name = firstString(card.getFirstPropertyValue("fn")) ?? nameFromN(card.getFirstPropertyValue("n"))
  const company = firstString(card.getFirstProperty("org")?.getValues()[0])
  const emails = card.getAllProperties("email")
    .map((p) => firstString(p.getFirstValue())?.replace(/^mailto:/i, ""))
    .filter((e): e is string => e !== undefined && e.includes("@"))
  return [...new Set(emails)].map((email) => ({ email, name, company }))
}

/**
 * Every (e-mail, name, company) the text holds, one entry per address. Throws the parser's error
 * when the text is not vCard at all; the adapter turns that into a VCardError naming the file.
 */
export const parseVCards = (text: string): ReadonlyArray<Contact> => {
  if (text.trim().length === 0) return []
  if (!/^BEGIN:VCARD\s*$/im.test(text)) throw new Error("not a vCard file (no BEGIN:VCARD)")
  const parsed: unknown = ICAL.parse(text)
  // One card parses to a single jCal component, several to a list of them.
  const roots: ReadonlyArray<unknown> = Array.isArray(parsed) ? (parsed[0] === "vcard" ? [parsed] : parsed) : []
  return roots.flatMap((jcal) => {
    if (!Array.isArray(jcal)) return []
    const card = new ICAL.Component(jcal)
    return card.name === "vcard" ? cardContacts(card) : []
  })
}

export const make = Effect.gen(function*() {
  const config = yield* AppConfig
  const fs = yield* FileSystem.FileSystem
  const file = config.vcardFile
  const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
  if (!exists) yield* Effect.logWarning(`contacts file ${file} not found; continuing without contacts`)
  const text = exists
    ? unfoldBytes(yield* fs.readFile(file).pipe(Effect.mapError((e) => new VCardError({ file, reason: e.message }))))
    : ""
  const contacts = yield* Effect.try({
    try: () => parseVCards(text),
    catch: (e) => new VCardError({ file, reason: e instanceof Error ? e.message : String(e) })
  })
  const byEmail = new Map<string, Contact>()
  for (const c of contacts) {
    const key = c.email.toLowerCase()
    if (!byEmail.has(key)) byEmail.set(key, c)
  }
  yield* Effect.logDebug(`${byEmail.size} contact address(es) from ${file}`)

  // A map look-up for every attendee of every event: a span of its own would cost more than it.
  const lookup = (email: string) => Effect.sync(() => Option.fromNullable(byEmail.get(email.trim().toLowerCase())))
  return Contacts.of({ lookup })
})

export const VCardContactsLive: Layer.Layer<Contacts, VCardError, AppConfig | FileSystem.FileSystem> = Layer.effect(
  Contacts,
  make
)
