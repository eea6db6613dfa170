/**
 * Reading HubSpot for research: the company by domain (its `domain`, or one of its
 * `hs_additional_domains`) with its owner, lifecycle stage, latest notes and the files attached
 * to them; and candidates for similar companies, searched by industry, size and country.
 *
 * A company we created moments ago may not be in the search index yet: when the search finds
 * nothing, the company recorded for the domain (Store.ts) is read by id.
 */
import { Effect, Option } from "effect"
import {
  CrmAttachment,
  CrmCompany,
  CrmCompanyProfile,
  CrmNoteSummary,
  type SimilarTarget
} from "../../Domain/Crm.js"
import { normalizeDomain } from "../../Domain/WebDomain.js"
import type { HubSpotApi } from "./Api.js"
import { NOTE_PROPERTIES } from "./Api.js"
import type { HubSpotError } from "./Client.js"
import { isOurNote, noteText } from "./NoteBody.js"
import type { HubSpotStore } from "./Store.js"
import type { CrmObject } from "./Wire.js"

/** Notes shown with a company: the latest few. */
const LAST_NOTES = 3
/** Notes read for a company (the newest by id), and files whose names are looked up. */
const NOTES_READ = 100
const FILES_NAMED = 5

const LIFECYCLE: Readonly<Record<string, string>> = {
  subscriber: "Subscriber",
  lead: "Lead",
  marketingqualifiedlead: "Marketing qualified lead",
  salesqualifiedlead: "Sales qualified lead",
  opportunity: "Opportunity",
  customer: "Customer",
  evangelist: "Evangelist",
  other: "Other"
}

/** HubSpot's enumeration values ("COMPUTER_SOFTWARE") as people read them ("Computer Software"). */
export const industryLabel = (value: string): string =>
  value.toLowerCase().split("_").filter((w) => w !== "").map((w) => w[0]?.toUpperCase() + w.slice(1)).join(" ")

/** And back, for a search filter: "Computer Software" → "COMPUTER_SOFTWARE". */
export const industryValue = (label: string): string =>
  label.trim().toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_|_$/g, "")

const byNumericId = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b)

export const domainFilters = (domain: string) => [
  [{ propertyName: "domain", operator: "IN" as const, values: [domain, `www.${domain}`] }],
  [{ propertyName: "hs_additional_domains", operator: "CONTAINS_TOKEN" as const, value: domain }]
]

export const profileOf = (c: CrmObject): CrmCompanyProfile => {
  const industry = c.prop("industry")
  const size = c.prop("numberofemployees")
  const country = c.prop("country")
  const description = c.prop("description")
  return new CrmCompanyProfile({
    id: c.id,
    name: c.prop("name") ?? c.prop("domain") ?? `HubSpot company ${c.id}`,
    domain: normalizeDomain(c.prop("domain") ?? ""),
    ...(industry === undefined ? {} : { industry: industryLabel(industry) }),
    ...(size === undefined ? {} : { size }),
    ...(country === undefined ? {} : { country }),
    ...(description === undefined ? {} : { description })
  })
}

export const makeLookup = (api: HubSpotApi, store: HubSpotStore) => {
  const owners = new Map<string, string | undefined>()

  /** The owner's name; a token without the owners scope gets the id, once warned. */
  const ownerName = (id: string) =>
    owners.has(id) ? Effect.succeed(owners.get(id)) : api.getOwner(id).pipe(
      Effect.map((o) => [o.firstName, o.lastName].filter((p) => p !== undefined && p !== "").join(" ") || o.email),
      Effect.catchAll((error) =>
        Effect.as(Effect.logWarning(`HubSpot owner ${id} could not be read: ${error.message}`), `HubSpot owner ${id}`)
      ),
      Effect.tap((name) => Effect.sync(() => owners.set(id, name)))
    )

  const attachmentsOf = (notes: ReadonlyArray<CrmObject>) =>
    Effect.gen(function*() {
      // Files on our own dossier notes are ours: they say nothing about what the CRM held before.
      const ids = [...new Set(notes.filter((n) => !isOurNote(n.prop("hs_note_body") ?? "")).flatMap((n) =>
        (n.prop("hs_attachment_ids") ?? "").split(";").map((id) => id.trim()).filter((id) => id !== "")
      ))]
      return yield* Effect.forEach(ids, (id, i) =>
        i >= FILES_NAMED
          ? Effect.succeed(new CrmAttachment({ name: `HubSpot file ${id}` }))
          : api.getFile(id).pipe(
            Effect.map((f) =>
              new CrmAttachment({
                name: f.name === undefined ? `HubSpot file ${id}` : f.extension ? `${f.name}.${f.extension}` : f.name,
                ...(f.url === undefined ? {} : { url: f.url })
              })
            ),
            Effect.orElseSucceed(() => new CrmAttachment({ name: `HubSpot file ${id}` }))
          ))
    })

  const companyOf = (c: CrmObject): Effect.Effect<CrmCompany, HubSpotError> =>
    Effect.gen(function*() {
      const noteIds = (yield* api.associated("companies", c.id, "notes")).sort(byNumericId).slice(-NOTES_READ)
      const notes = noteIds.length === 0 ? [] : yield* api.batchRead("notes", noteIds, NOTE_PROPERTIES)
      const newestFirst = [...notes].sort((a, b) =>
        (b.prop("hs_timestamp") ?? "").localeCompare(a.prop("hs_timestamp") ?? "") || byNumericId(b.id, a.id)
      )
      const ownerId = c.prop("hubspot_owner_id")
      const owner = ownerId === undefined ? undefined : yield* ownerName(ownerId)
      const stage = c.prop("lifecyclestage")
      const lifecycle = stage === undefined ? undefined : LIFECYCLE[stage] ?? stage
      const profile = profileOf(c)
      const lastNotes = newestFirst.slice(0, LAST_NOTES).map((n) =>
        new CrmNoteSummary({
          title: noteText(n.prop("hs_note_body") ?? "").split("\n")[0]?.slice(0, 120) || "(empty note)",
          created_at: n.prop("hs_timestamp") ?? n.createdAt ?? ""
        })
      )
      return new CrmCompany({
        ...profile,
        ...(owner === undefined ? {} : { owner }),
        ...(lifecycle === undefined ? {} : { lifecycle_stage: lifecycle, notes: `Lifecycle stage: ${lifecycle}` }),
        attachments: yield* attachmentsOf(notes),
        ...(lastNotes.length === 0 ? {} : { last_notes: lastNotes })
      })
    })

  /** The company recorded for the domain, when the search index does not have it yet. */
  const recorded = (domain: string) =>
    Effect.gen(function*() {
      const row = yield* store.company(domain)
      const id = Option.flatMap(row, (r) => Option.fromNullable(r.company_id))
      if (Option.isNone(id)) return Option.none<CrmObject>()
      return yield* api.getCompany(id.value).pipe(
        Effect.map(Option.some),
        Effect.catchIf((e) => e.kind === "not_found", () => Effect.succeed(Option.none<CrmObject>()))
      )
    })

  const findByDomain = (input: string) =>
    Effect.gen(function*() {
      const domain = normalizeDomain(input)
      const found = yield* api.searchCompanies("company search", domainFilters(domain), 10)
      // Its own domain before an additional one; the oldest of duplicates (HubSpot allows them).
      const best = found.find((c) => normalizeDomain(c.prop("domain") ?? "") === domain) ?? found[0]
      const company = best === undefined ? yield* recorded(domain) : Option.some(best)
      return Option.isNone(company) ? Option.none<CrmCompany>() : Option.some(yield* companyOf(company.value))
    })

  /** Companies that share the industry, or the country and size band: scored by Research/Similar. */
  const similarCandidates = (target: SimilarTarget, limit: number) =>
    Effect.gen(function*() {
      const groups: Array<ReadonlyArray<{ readonly propertyName: string; readonly operator: "EQ" | "BETWEEN"; readonly value: string; readonly highValue?: string }>> = []
      if (target.industry !== undefined && industryValue(target.industry) !== "") {
        groups.push([{ propertyName: "industry", operator: "EQ", value: industryValue(target.industry) }])
      }
      const employees = target.size === undefined ? undefined : Number(/\d+/.exec(target.size.replace(/[.,'’ ](?=\d{3}\b)/g, ""))?.[0])
      if (target.country !== undefined) {
        groups.push([
          { propertyName: "country", operator: "EQ", value: target.country },
          ...(employees === undefined || !Number.isFinite(employees) ? [] : [{
            propertyName: "numberofemployees",
            operator: "BETWEEN" as const,
            value: String(Math.floor(employees / 3)),
            highValue: String(Math.ceil(employees * 3))
          }])
        ])
      }
      if (groups.length === 0) return []
      const found = yield* api.searchCompanies("similar companies search", groups, limit)
      return found.map(profileOf)
    })

  return { findByDomain, similarCandidates } as const
}
