/**
 * Delivering a dossier to HubSpot exactly once: the company (created when HubSpot has none for
 * the domain), `dossier.pdf` uploaded privately, and a note with a readable summary, the file in
 * `hs_attachment_ids`, associated with the company (and the meeting's contacts HubSpot knows).
 *
 * Why a retried or re-run delivery (a crash anywhere, a time-out, the activity run again after a
 * restart) never makes a second company, file or note:
 *
 * 1. Every id is written to the workflow database (Store.ts) as soon as HubSpot returns it and
 *    before the next request, under the delivery key. A re-run reads the row first and skips what
 *    is recorded: nothing is ever looked for by search when its id is known.
 * 2. Before a file upload or a note create is sent, the row says so (`file_started_at`,
 *    `note_started_at`). Without that mark nothing can exist, so nothing is looked for. With it,
 *    the request may have been carried out while its id was lost (a crash between HubSpot's
 *    answer and our write, a time-out, a 5xx), so the thing is looked for by its deterministic
 *    marker first, through reads that do not go through HubSpot's search index:
 *    - the file by its path (`/files/v3/files/stat/<folder>/dossier-<domain>-<ref>.pdf`): the
 *      name comes from the delivery key alone (NoteBody.ts);
 *    - the note among the company's notes (associations v4, then a batch read of their bodies):
 *      the note is created together with its association, and its body ends with the marker
 *      `Lead Insights ref li-<ref>`.
 *    Only when it is not there is it made (again).
 * 3. Companies have no marker we can read back without search, and HubSpot neither enforces unique
 *    domains nor shows a new company in search at once. So the domain's company is recorded per
 *    domain (li_hubspot_companies) and read by id; a create is claimed per domain with a
 *    compare-and-set, so of two deliveries for a new company only one creates it, and the other
 *    waits for the id. A claim whose create may have happened without its id being recorded (a
 *    crash, a time-out) is followed, before anything else is created, by a wait until a company
 *    created then must be in the search index (claim + HUBSPOT_TIMEOUT_SECONDS +
 *    HUBSPOT_SEARCH_LAG_SECONDS), and a search. This is the one place that relies on search, and only
 *    on its lag being below HUBSPOT_SEARCH_LAG_SECONDS.
 * 4. A delivery key is delivered by one workflow activity at a time (the engine's guarantee), and
 *    what two deliveries share — the company — goes through the claim in 3.
 */
import type { FileSystem } from "@effect/platform"
import { Clock, Duration, Effect, Option, Schema } from "effect"
import { CrmDelivery, type CrmNote } from "../../Domain/Crm.js"
import { classifyDomain, normalizeDomain } from "../../Domain/WebDomain.js"
import { StorageError } from "../../Storage/StorageError.js"
import { type HubSpotApi, NOTE_PROPERTIES } from "./Api.js"
import { HubSpotError } from "./Client.js"
import type { HubSpotConfig } from "./HubSpotConfig.js"
import { domainFilters } from "./Lookup.js"
import { deliveryRef, markerOf, noteBody } from "./NoteBody.js"
import type { CompanyRow, HubSpotStore } from "./Store.js"
import { ASSOCIATION, type CrmObject } from "./Wire.js"

/** What the note takes from the dossier: its summary, and the people on the company's side. */
const DossierGist = Schema.parseJson(Schema.Struct({
  summary: Schema.optional(Schema.Struct({ text: Schema.String })),
  meeting: Schema.optional(Schema.Struct({
    organiser: Schema.optional(Schema.Struct({ email: Schema.optional(Schema.String), side: Schema.String })),
    attendees: Schema.Array(Schema.Struct({ email: Schema.optional(Schema.String), side: Schema.String }))
  }))
}))

/** Rounds of looking for (or claiming) a domain's company before giving up. */
const COMPANY_ROUNDS = 10
const POLL = Duration.millis(250)
const NOTES_SEARCHED = 200

const byNumericId = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b)

/** Its own domain before an additional one; the oldest of duplicates. */
const pick = (found: ReadonlyArray<CrmObject>, domain: string) =>
  found.find((c) => normalizeDomain(c.prop("domain") ?? "") === domain) ?? found[0]

export const makeDelivery = (options: {
  readonly api: HubSpotApi
  readonly store: HubSpotStore
  readonly config: HubSpotConfig
  readonly fs: FileSystem.FileSystem
}) => {
  const { api, config, fs, store } = options
  // A create claimed at t is answered (or given up) by t + timeout, and searchable by then + lag.
  const settleMs = Duration.toMillis(config.timeout) + Duration.toMillis(config.searchLag)

  const companyExists = (id: string) =>
    api.getCompany(id).pipe(
      Effect.as(true),
      Effect.catchIf((e) => e.kind === "not_found", () => Effect.succeed(false))
    )

  /** Waits until the domain's company id is recorded (true) or `deadline` passes (false). */
  const idOrDeadline = (domain: string, deadline: number): Effect.Effect<boolean, StorageError> =>
    Effect.gen(function*() {
      for (;;) {
        const row = yield* store.company(domain)
        if (Option.isSome(row) && row.value.company_id !== undefined) return true
        const now = yield* Clock.currentTimeMillis
        if (now >= deadline) return false
        yield* Effect.sleep(Duration.min(POLL, Duration.millis(deadline - now)))
      }
    })

  const resolveCompany = (domain: string, name: string) =>
    Effect.gen(function*() {
      for (let round = 1; round <= COMPANY_ROUNDS; round++) {
        const row: Option.Option<CompanyRow> = yield* store.company(domain)
        const known = Option.getOrUndefined(row)?.company_id
        if (known !== undefined) {
          if (yield* companyExists(known)) return { id: known, created: false }
          yield* Effect.logWarning(`HubSpot company ${known} recorded for ${domain} no longer exists; looking again`)
          yield* store.forgetCompany(domain, known)
          continue
        }
        const claimed = Option.getOrUndefined(row)?.create_started_at
        if (claimed !== undefined) {
          // Another delivery creating it now (its id is recorded in a moment), or a try whose create
          // may have happened: either way, it is searchable only after `settleMs`.
          const deadline = Date.parse(claimed) + settleMs
          if (deadline > (yield* Clock.currentTimeMillis)) {
            yield* Effect.logInfo(`HubSpot: a company for ${domain} may have been created already; waiting until search would show it`)
          }
          if (yield* idOrDeadline(domain, deadline)) continue
        }
        const found = pick(yield* api.searchCompanies("company search", domainFilters(domain), 10), domain)
        if (found !== undefined) {
          yield* store.recordCompany(domain, found.id)
          return { id: found.id, created: false }
        }
        if (!(yield* store.claimCreate(domain, row))) continue
        const created = yield* api.createCompany({ name, domain }).pipe(
          // Refused outright: nothing was made, the next try need not wait.
          Effect.tapError((e) => e.ambiguous ? Effect.void : store.releaseClaim(domain))
        )
        yield* store.recordCompany(domain, created.id)
        return { id: created.id, created: true }
      }
      return yield* new HubSpotError({
        kind: "rejected",
        what: "company",
        detail: `no company for ${domain} after ${COMPANY_ROUNDS} rounds (others kept claiming its creation)`,
        ambiguous: false
      })
    })

  /** The PDF's id: recorded, found at its path after an upload that may have happened, or uploaded now. */
  const ensureFile = (key: string, domain: string, pdfPath: string, startedBefore: boolean) =>
    Effect.gen(function*() {
      const name = `dossier-${domain.replace(/[^a-z0-9-]+/g, "-")}-${deliveryRef(key).slice(3)}`
      if (startedBefore) {
        const stat = yield* api.fileAt(`${config.folder}/${name}.pdf`).pipe(
          Effect.map((s) => Option.fromNullable(s.file)),
          Effect.catchIf((e) => e.kind === "not_found", () => Effect.succeed(Option.none()))
        )
        if (Option.isSome(stat) && stat.value.archived !== true) {
          yield* store.set(key, "file_id", stat.value.id)
          return stat.value.id
        }
      }
      const bytes = yield* fs.readFile(pdfPath).pipe(Effect.mapError(StorageError.from(`reading ${pdfPath}`)))
      yield* store.set(key, "file_started_at", new Date(yield* Clock.currentTimeMillis).toISOString())
      const uploaded = yield* api.uploadFile(bytes, name, `${name}.pdf`, "application/pdf", config.folder)
      yield* store.set(key, "file_id", uploaded.id)
      return uploaded.id
    })

  /** The note an earlier try created, by the marker in its body, among the company's notes. */
  const earlierNote = (companyId: string, key: string) =>
    Effect.gen(function*() {
      const ids = (yield* api.associated("companies", companyId, "notes")).sort(byNumericId).slice(-NOTES_SEARCHED)
      if (ids.length === 0) return Option.none<string>()
      const marker = markerOf(key)
      const notes = yield* api.batchRead("notes", ids, NOTE_PROPERTIES)
      return Option.fromNullable(notes.find((n) => (n.prop("hs_note_body") ?? "").includes(marker))?.id)
    })

  /** The dossier's summary and the e-mail addresses of the company's people in the meeting. */
  const gist = (jsonPath: string) =>
    fs.readFileString(jsonPath).pipe(
      Effect.flatMap(Schema.decodeUnknown(DossierGist)),
      Effect.map((d) => ({
        summary: d.summary?.text,
        emails: [...new Set([d.meeting?.organiser, ...(d.meeting?.attendees ?? [])].flatMap((p) =>
          p?.side === "company" && p.email !== undefined ? [p.email.trim().toLowerCase()] : []
        ))]
      })),
      Effect.catchAll((error) =>
        Effect.as(
          Effect.logWarning(`HubSpot note: the dossier ${jsonPath} could not be read, the note has no summary: ${error.message}`),
          { summary: undefined, emails: [] as Array<string> }
        )
      )
    )

  /** HubSpot's contacts for those addresses; none when they cannot be read (the note still goes to the company). */
  const contactsOf = (emails: ReadonlyArray<string>) =>
    emails.length === 0 ? Effect.succeed([]) : api.batchRead("contacts", emails, ["email"], "email").pipe(
      Effect.map((found) => found.map((c) => c.id)),
      Effect.catchAll((error) =>
        Effect.as(Effect.logWarning(`HubSpot contacts not looked up, the note is filed under the company only: ${error.message}`), [])
      )
    )

  const deliver = (note: CrmNote) =>
    Effect.gen(function*() {
      const checked = classifyDomain(note.domain)
      if (!checked.valid) {
        return yield* new HubSpotError({
          kind: "rejected",
          what: "delivery",
          detail: `cannot file a note under "${note.domain}": ${checked.reason}`,
          ambiguous: false
        })
      }
      const domain = checked.domain
      const row = yield* store.begin(note.key, domain)
      const result = (companyId: string, noteId: string, fileId: string | undefined, created: boolean) =>
        new CrmDelivery({
          provider: "hubspot",
          company_id: companyId,
          note_id: noteId,
          ...(fileId === undefined ? {} : { file_id: fileId }),
          created
        })

      const companyId = row.company_id ?? (yield* resolveCompany(domain, note.companyName)).id
      if (row.company_id === undefined) yield* store.set(note.key, "company_id", companyId)
      if (row.note_id !== undefined) return result(companyId, row.note_id, row.file_id, false)

      const fileId = row.file_id ?? (note.dossierPdfPath === undefined
        ? undefined
        : yield* ensureFile(note.key, domain, note.dossierPdfPath, row.file_started_at !== undefined))

      if (row.note_started_at !== undefined) {
        const earlier = yield* earlierNote(companyId, note.key)
        if (Option.isSome(earlier)) {
          yield* store.set(note.key, "note_id", earlier.value)
          return result(companyId, earlier.value, fileId, false)
        }
      }
      const { emails, summary } = yield* gist(note.dossierJsonPath)
      const contacts = yield* contactsOf(emails)
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      yield* store.set(note.key, "note_started_at", now)
      const created = yield* api.createNote(
        {
          hs_timestamp: now,
          hs_note_body: noteBody({ key: note.key, title: note.title, summary, body: note.body, attached: fileId !== undefined }),
          ...(fileId === undefined ? {} : { hs_attachment_ids: fileId })
        },
        [
          { id: companyId, typeId: ASSOCIATION.noteToCompany },
          ...contacts.map((id) => ({ id, typeId: ASSOCIATION.noteToContact }))
        ]
      )
      yield* store.set(note.key, "note_id", created.id)
      return result(companyId, created.id, fileId, true)
    })

  return { deliver } as const
}
