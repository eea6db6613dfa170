/**
 * All pages' fact candidates into the site's facts: best rank first (page order breaks ties), one
 * value for a single-valued field and the best few for the others, duplicates folded (a phone
 * number however written, a person with or without title, a description contained in another),
 * no U+FFFD or control character in any value. Pure.
 */
import { FactSource, WebsiteFact, WebsiteField } from "../../Domain/WebsiteFacts.js"
import { phoneKey } from "./Contact.js"
import type { FactCandidate } from "./Extract.js"
import { collapse } from "./Html.js"
import { personKey } from "./Names.js"

const LIMIT: Readonly<Record<WebsiteField, number>> = {
  legal_name: 1,
  description: 3,
  address: 1,
  register_number: 1,
  register_court: 1,
  vat_id: 1,
  managing_director: 6,
  founding_year: 1,
  product: 12,
  email: 4,
  phone: 3,
  social_link: 10,
  language: 1
}

const FIELD_ORDER: ReadonlyArray<WebsiteField> = WebsiteField.literals

const MAX_LENGTH = 600

/** A value fit for a fact: one line, no replacement or control characters, at most 600 characters. */
export const cleanValue = (value: string): string => {
  const flat = collapse(value.replace(/[\ufffd\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, ""))
  if (flat.length <= MAX_LENGTH) return flat
  const cut = flat.slice(0, MAX_LENGTH - 1)
  const sentence = cut.lastIndexOf(". ")
  return sentence > MAX_LENGTH / 2 ? cut.slice(0, sentence + 1) : `${cut.replace(/\s+\S*$/, "")}…`
}

const keyOf = (field: WebsiteField, value: string): string => {
  switch (field) {
    case "phone":
      return phoneKey(value)
    case "managing_director":
      return personKey(value)
    default:
      return value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "")
  }
}

/** The site's facts: best first within each field, fields in dossier order. */
export const mergeFacts = (candidates: ReadonlyArray<FactCandidate>): Array<WebsiteFact> => {
  const cleaned = candidates
    .map((c, order) => ({ ...c, value: cleanValue(c.value), order }))
    .filter((c) => c.value !== "")
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
  return FIELD_ORDER.flatMap((field) => {
    const kept: Array<{ key: string; fact: WebsiteFact }> = []
    for (const c of cleaned) {
      if (c.field !== field || kept.length >= LIMIT[field]) continue
      const key = keyOf(field, c.value)
      const duplicate = kept.some((k) =>
        k.key === key || (field === "description" && (k.key.includes(key) || key.includes(k.key)))
      )
      if (key === "" || duplicate) continue
      kept.push({ key, fact: new WebsiteFact({ field, value: c.value, source: new FactSource({ url: c.url, retrieved_at: c.retrievedAt }) }) })
    }
    return kept.map((k) => k.fact)
  })
}
