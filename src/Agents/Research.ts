/**
 * Research: turns what we know about a company and its meeting into a dossier. Each source
 * (CRM, calendar, a person's answers; later the website, an LLM, similar companies) adds sections
 * and a source entry; the text is built by pure functions, only `generated_at` comes from the clock.
 */
import { Clock, Effect, Option } from "effect"
import type { CalendarEvent, Person } from "../Domain/CalendarEvent.js"
import type { CrmCompany } from "../Domain/Crm.js"
import { Dossier, DossierSection, DossierSource } from "../Domain/Dossier.js"
import { isWithinDomain, normalizeDomain } from "../Domain/WebDomain.js"

export interface ResearchInput {
  /** The dossier's key: the workflow execution that asks for it. */
  readonly key: string
  readonly company: { readonly name: string; readonly domain: string }
  readonly event: CalendarEvent
  readonly crm: Option.Option<CrmCompany>
  /** Fields a person supplied by e-mail (`company_name`, `web_domain`, free notes …). */
  readonly humanNotes?: Record<string, string>
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

export const formatPerson = (person: Person): string => {
  const who = person.name !== undefined && person.email !== undefined
    ? `${person.name} <${person.email}>`
    : person.name ?? person.email ?? "unknown person"
  return person.company === undefined ? who : `${who}, ${person.company}`
}

const day = (iso: string) => iso.slice(0, 10)
const time = (iso: string) => iso.slice(11, 16)

/** In UTC, so the text does not depend on where the program runs. */
export const formatWhen = (event: CalendarEvent): string => {
  if (event.allDay) return `${day(event.start)} (all day)`
  const end = event.end !== undefined && day(event.end) === day(event.start) ? `–${time(event.end)}` : ""
  return `${day(event.start)} ${time(event.start)}${end} UTC`
}

const fromCompany = (domain: string, companyName: string) => (person: Person): boolean =>
  (person.email !== undefined && isWithinDomain(person.email.slice(person.email.lastIndexOf("@") + 1), domain)) ||
  (person.company !== undefined && person.company.toLowerCase().includes(companyName.toLowerCase()))

const label = (key: string) => {
  const words = key.replace(/[_-]+/g, " ").trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const humanLines = (notes: Record<string, string> | undefined): ReadonlyArray<string> =>
  Object.entries(notes ?? {}).flatMap(([key, value]) => value.trim() === "" ? [] : [`${label(key)}: ${value.trim()}`])

const excerpt = (text: string, max = 500) => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

const meetingSection = (event: CalendarEvent) =>
  new DossierSection({
    title: "Meeting",
    lines: [
      `Title: ${event.summary}`,
      `When: ${formatWhen(event)}`,
      ...(event.location.trim() === "" ? [] : [`Where: ${event.location.trim()}`]),
      ...(event.organizer === undefined ? [] : [`Organizer: ${formatPerson(event.organizer)}`]),
      ...(event.attendees.length === 0
        ? ["Attendees: none listed"]
        : event.attendees.map((person) => `Attendee: ${formatPerson(person)}`)),
      ...event.urls.map((url) => `Link: ${url}`),
      ...(event.description.trim() === "" ? [] : [`Invitation text: ${excerpt(event.description)}`])
    ]
  })

const PROFILE_FIELDS = [["industry", "Industry"], ["size", "Size"], ["country", "Country"]] as const

const profileSection = (name: string, domain: string, crm: Option.Option<CrmCompany>) =>
  new DossierSection({
    title: "Company profile",
    lines: [
      `Name: ${name}`,
      `Website: https://${domain}`,
      ...Option.match(crm, {
        onNone: () => ["Not in the CRM yet: a new company."],
        onSome: (c) => [
          `CRM record: ${c.name} (id ${c.id})`,
          ...PROFILE_FIELDS.flatMap(([field, title]) => c[field] === undefined ? [] : [`${title}: ${c[field]}`]),
          ...(c.notes === undefined ? [] : [`CRM notes: ${c.notes}`])
        ]
      })
    ]
  })

const attachmentsSection = (crm: CrmCompany) =>
  new DossierSection({
    title: "CRM attachments",
    lines: crm.attachments.length === 0
      ? ["No attachments on file in the CRM."]
      : crm.attachments.map((a) => a.url === undefined ? a.name : `${a.name} — ${a.url}`)
  })

const knowledgeSections = (input: ResearchInput, attendees: ReadonlyArray<Person>) => {
  const { company, crm } = input
  const known: Array<string> = []
  const unknown: Array<string> = []
  Option.match(crm, {
    onNone: () => {
      known.push("The company is not in the CRM yet.")
      unknown.push("Industry, size and country: nothing on record.")
    },
    onSome: (c) => {
      known.push(`The company is in the CRM (record id ${c.id}).`)
      for (const [field, title] of PROFILE_FIELDS) {
        if (c[field] === undefined) unknown.push(`${title}: not on record.`)
        else known.push(`${title}: ${c[field]} (CRM).`)
      }
      known.push(`${plural(c.attachments.length, "attachment")} on file in the CRM.`)
    }
  })
  if (attendees.length > 0) known.push(`Attending from ${company.name}: ${attendees.map(formatPerson).join("; ")}.`)
  else unknown.push(`Who attends from ${company.name}: nobody from ${company.domain} is on the invitation.`)
  const human = humanLines(input.humanNotes)
  if (human.length > 0) known.push(`${plural(human.length, "detail")} supplied by a person.`)
  unknown.push("Public information (website, news, similar companies) has not been researched for this dossier.")
  return [
    new DossierSection({ title: "What we know", lines: known }),
    new DossierSection({ title: "What we don't know yet", lines: unknown })
  ]
}

const summaryOf = (input: ResearchInput, domain: string, attendees: ReadonlyArray<Person>): string => {
  const { company, crm, event } = input
  const profile = Option.match(crm, {
    onNone: () =>
      `${company.name} (${domain}) is not in the CRM yet; this dossier is based on the calendar invitation.`,
    onSome: (c) => {
      const facts = PROFILE_FIELDS.flatMap(([field, title]) =>
        c[field] === undefined ? [] : [`${title.toLowerCase()} ${c[field]}`]
      )
      const described = facts.length === 0 ? "" : ` (${facts.join(", ")})`
      return `${company.name} (${domain}) is in the CRM${described}, with ${
        plural(c.attachments.length, "attachment")
      } on file.`
    }
  })
  const where = event.location.trim() === "" ? "" : ` (${event.location.trim()})`
  const withWhom = attendees.length === 0
    ? ""
    : ` with ${attendees.map((p) => p.name ?? p.email ?? "").filter((s) => s !== "").join(", ")}`
  const human = humanLines(input.humanNotes).length > 0 ? " A person supplied further details (see the notes)." : ""
  return `${profile} Meeting "${event.summary}" on ${formatWhen(event)}${where}${withWhom}.${human}`
}

/** The dossier for `input`, as of `generatedAt`. Pure. */
export const buildDossier = (input: ResearchInput, generatedAt: string): Dossier => {
  const { event } = input
  const domain = normalizeDomain(input.company.domain)
  const attendees = event.attendees.filter(fromCompany(domain, input.company.name))
  const human = humanLines(input.humanNotes)
  const source = (kind: DossierSource["kind"], title: string) =>
    new DossierSource({ kind, title, retrieved_at: generatedAt })
  return new Dossier({
    key: input.key,
    generated_at: generatedAt,
    company: { name: input.company.name, domain },
    meeting: {
      event_id: event.eventId,
      summary: event.summary,
      start: event.start,
      ...(event.location.trim() === "" ? {} : { location: event.location.trim() }),
      ...(event.organizer === undefined ? {} : { organizer: formatPerson(event.organizer) }),
      attendees: event.attendees.map(formatPerson)
    },
    summary: summaryOf(input, domain, attendees),
    sections: [
      meetingSection(event),
      profileSection(input.company.name, domain, input.crm),
      ...Option.match(input.crm, { onNone: () => [], onSome: (c) => [attachmentsSection(c)] }),
      ...(human.length === 0 ? [] : [new DossierSection({ title: "Notes from the requester", lines: human })]),
      ...knowledgeSections({ ...input, company: { name: input.company.name, domain } }, attendees)
    ],
    sources: [
      ...Option.match(input.crm, {
        onNone: () => [],
        onSome: (c) => [source("crm", `CRM record ${c.id}: ${c.name}`)]
      }),
      source("event", `Calendar event "${event.summary}" (${event.calendarId})`),
      ...(human.length === 0 ? [] : [source("human", "Details supplied by a person by e-mail")])
    ]
  })
}

export class Research extends Effect.Service<Research>()("Agents/Research", {
  succeed: {
    research: Effect.fn("Research.research")(function*(input: ResearchInput) {
      const now = yield* Clock.currentTimeMillis
      return buildDossier(input, new Date(now).toISOString())
    })
  }
}) {}
