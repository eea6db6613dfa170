/**
 * The dossier's summary, two ways. The rules put the facts together in a few plain sentences, each
 * marked with the numbers of its sources: nothing inferred (`inferred: false`). With an LLM, the
 * same facts go to the model numbered 1…n; its summary cites them, and the citations are turned
 * into the numbers of the facts' sources, so `[n]` means the same in every part of the dossier.
 * Pure.
 */
import type { LlmFact, LlmSummary } from "../Llm.js"
import { type Dossier, type DossierSource, DossierSummary } from "../../Domain/Dossier.js"
import type { WebsiteFact, WebsiteField } from "../../Domain/WebsiteFacts.js"
import type { DossierDraft } from "./Assemble.js"

/** Where the sources of each kind are in a dossier's numbered list. */
export const sourceNumbers = (sources: ReadonlyArray<DossierSource>) => {
  const byUrl = new Map<string, number>()
  for (const s of sources) if (s.kind === "website" && s.url !== undefined && !byUrl.has(s.url)) byUrl.set(s.url, s.number)
  const first = (kind: DossierSource["kind"]) => sources.find((s) => s.kind === kind)?.number
  return {
    ofFact: (fact: WebsiteFact) => byUrl.get(fact.source.url),
    crm: first("crm"),
    similar: first("similar_companies"),
    event: first("event"),
    human: first("human")
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/**
 * The rules' summary: who the company is, who runs it, what the CRM knows, who is like it and the
 * meeting, in a few sentences, each with its sources. What the company does and offers stands in
 * the facts themselves; only a model summarises it.
 */
export const rulesSummary = (draft: DossierDraft, sources = sourceNumbers(draft.sources)): DossierSummary => {
  const cited = new Set<number>()
  const marks = (...numbers: ReadonlyArray<number | undefined>) => {
    const known = [...new Set(numbers.filter((n): n is number => n !== undefined))].sort((a, b) => a - b)
    known.forEach((n) => cited.add(n))
    return known.length === 0 ? "" : ` [${known.join(", ")}]`
  }
  const facts = (field: WebsiteField) => draft.company_facts.filter((f) => f.field === field)
  const cite = (list: ReadonlyArray<WebsiteFact>) => marks(...list.map(sources.ofFact))
  const sentences: Array<string> = []

  const legal = facts("legal_name").slice(0, 1)
  const address = facts("address").slice(0, 1)
  sentences.push(
    `${legal[0]?.value ?? draft.company.name} (${draft.company.domain})` +
      `${address[0] === undefined ? "" : `, ${address[0].value}`}${cite([...legal, ...address])}.`
  )
  const directors = facts("managing_director")
  if (directors.length > 0) {
    sentences.push(
      `Managing ${directors.length === 1 ? "director" : "directors"}: ${directors.map((d) => d.value).join(", ")}${cite(directors)}.`
    )
  }
  const register = [...facts("register_number").slice(0, 1), ...facts("register_court").slice(0, 1)]
  if (register.length > 0) sentences.push(`Registered: ${register.map((f) => f.value).join(", ")}${cite(register)}.`)
  const founded = facts("founding_year").slice(0, 1)
  if (founded[0] !== undefined) sentences.push(`Founded ${founded[0].value}${cite(founded)}.`)

  const crm = draft.crm
  if (crm === undefined) sentences.push(`${draft.company.name} is not in the CRM yet.`)
  else {
    const profile = [
      crm.industry === undefined ? "" : `industry ${crm.industry}`,
      crm.size === undefined ? "" : `size ${crm.size}`,
      crm.country === undefined ? "" : `country ${crm.country}`,
      crm.owner === undefined ? "" : `owner ${crm.owner}`
    ].filter((p) => p !== "")
    sentences.push(
      `In the CRM (record ${crm.record_id})${profile.length === 0 ? "" : `: ${profile.join(", ")}`}; ` +
        `${plural(crm.attachments.length, "attachment")} on file${marks(sources.crm)}.`
    )
  }
  if (draft.similar_companies.length > 0) {
    sentences.push(
      `Most similar in the CRM: ${draft.similar_companies.map((c) => `${c.name} (${c.score.toFixed(2)})`).join(", ")}` +
        `${marks(sources.similar)}.`
    )
  }
  const theirs = draft.meeting.attendees.filter((p) => p.side === "company")
  const names = theirs.map((p) => p.name ?? p.email ?? "").filter((n) => n !== "")
  sentences.push(
    `Meeting "${draft.meeting.title}" on ${draft.meeting.when}` +
      `${names.length === 0 ? "" : ` with ${names.join(", ")}`}${marks(sources.event)}.`
  )
  const human = Object.entries(draft.human_notes ?? {})
  if (human.length > 0) {
    sentences.push(`A person supplied: ${human.map(([k, v]) => `${k.replace(/_/g, " ")}: ${v}`).join("; ")}${marks(sources.human)}.`)
  }
  return new DossierSummary({ text: sentences.join(" "), inferred: false, citations: [...cited].sort((a, b) => a - b) })
}

// ---------------------------------------------------------------------------------------------
// With a model

/** A fact as the model sees it (numbered 1…n), and the source it stands on. */
export interface SummaryFact {
  readonly fact: LlmFact
  readonly source: number | undefined
}

const LABEL: Readonly<Record<WebsiteField, string>> = {
  legal_name: "legal name",
  description: "description",
  address: "address",
  register_number: "commercial register number",
  register_court: "register court",
  vat_id: "VAT id",
  managing_director: "managing director",
  founding_year: "founding year",
  product: "product or service",
  email: "e-mail",
  phone: "phone",
  social_link: "social media profile",
  language: "website language"
}

/** The facts of a dossier for the model: website facts, the CRM's record, similar companies, the meeting. */
export const summaryFacts = (dossier: Dossier): ReadonlyArray<SummaryFact> => {
  const sources = sourceNumbers(dossier.sources)
  const out: Array<SummaryFact> = []
  const add = (field: string, value: string, source: number | undefined, from: string) => {
    if (value.trim() === "") return
    out.push({ fact: { id: out.length + 1, field, value, source: from }, source })
  }
  for (const fact of dossier.company_facts) add(LABEL[fact.field], fact.value, sources.ofFact(fact), fact.source.url)
  const crm = dossier.crm
  if (crm !== undefined) {
    const from = `CRM record ${crm.record_id}`
    add("industry (CRM)", crm.industry ?? "", sources.crm, from)
    add("size (CRM)", crm.size ?? "", sources.crm, from)
    add("country (CRM)", crm.country ?? "", sources.crm, from)
    add("account owner (CRM)", crm.owner ?? "", sources.crm, from)
    add("description (CRM)", crm.description ?? "", sources.crm, from)
    add("notes (CRM)", crm.notes ?? "", sources.crm, from)
    add("attachments on file (CRM)", String(crm.attachments.length), sources.crm, from)
  }
  for (const similar of dossier.similar_companies) {
    add("similar company in the CRM", `${similar.name}: ${similar.reason}`, sources.similar, "CRM companies")
  }
  add("meeting", `${dossier.meeting.title} (${dossier.meeting.when})`, sources.event, "calendar")
  for (const person of dossier.meeting.attendees.filter((p) => p.side === "company")) {
    const who = [person.name, person.title].filter((x) => x !== undefined).join(", ")
    add("attendee from the company", who === "" ? person.email ?? "" : who, sources.event, "calendar")
  }
  for (const [key, value] of Object.entries(dossier.human_notes)) {
    add(`${key.replace(/_/g, " ")} (from a person)`, value, sources.human, "e-mail")
  }
  return out
}

const CITED = /\[(\d+(?:, \d+)*)\]/g

/**
 * The model's summary with its fact numbers turned into source numbers: "[3, 4]" (two facts of the
 * Impressum) becomes "[2]". A fact without a source loses its mark.
 */
export const fromModel = (summary: LlmSummary, facts: ReadonlyArray<SummaryFact>): DossierSummary => {
  const sourceOf = new Map(facts.map((f) => [f.fact.id, f.source]))
  const toSources = (ids: ReadonlyArray<number>) =>
    [...new Set(ids.flatMap((id) => {
      const n = sourceOf.get(id)
      return n === undefined ? [] : [n]
    }))].sort((a, b) => a - b)
  const text = summary.text.replace(CITED, (_, ids: string) => {
    const numbers = toSources(ids.split(", ").map(Number))
    return numbers.length === 0 ? "" : `[${numbers.join(", ")}]`
  }).replace(/ +([.,;])/g, "$1")
  return new DossierSummary({
    text,
    inferred: true,
    citations: toSources(summary.citations),
    model: summary.model
  })
}
