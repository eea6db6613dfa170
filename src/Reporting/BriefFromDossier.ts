/**
 * The brief the PDF shows, from a dossier: the meeting with the people's roles, the website facts
 * grouped by field with the number of their source, what the CRM knows (as the CRM says it), the
 * similar companies, the summary (inferred or by rules), the sections that did not simply complete,
 * and the sources. Pure: the same dossier always gives the same brief.
 */
import type { Brief, BriefKeyFact, BriefPerson, SectionStatus } from "../Domain/Brief.js"
import type { Dossier, DossierPerson } from "../Domain/Dossier.js"
import type { WebsiteField } from "../Domain/WebsiteFacts.js"

const LABEL: Readonly<Record<WebsiteField, readonly [one: string, many: string]>> = {
  legal_name: ["Legal name", "Legal names"],
  description: ["About", "About"],
  address: ["Address", "Addresses"],
  register_number: ["Commercial register", "Commercial register"],
  register_court: ["Register court", "Register court"],
  vat_id: ["VAT ID", "VAT IDs"],
  managing_director: ["Managing director", "Managing directors"],
  founding_year: ["Founded", "Founded"],
  product: ["Product or service", "Products and services"],
  email: ["E-mail", "E-mail"],
  phone: ["Phone", "Phone"],
  social_link: ["Social media", "Social media"],
  language: ["Website language", "Website language"]
}

const personOf = (companyName: string) => (p: DossierPerson): BriefPerson => {
  const role = [
    p.title,
    p.role === "organiser" ? "Organiser" : undefined,
    p.side === "ours" ? "our side" : undefined
  ].filter((part): part is string => part !== undefined)
  const company = p.company ?? (p.side === "company" ? companyName : undefined)
  return {
    name: p.name ?? "",
    ...(p.email === undefined ? {} : { email: p.email }),
    ...(role.length === 0 ? {} : { role: role.join(", ") }),
    ...(company === undefined ? {} : { company })
  }
}

/** Values of a field the brief shows at most (the dossier keeps them all). */
const SHOWN: Partial<Record<WebsiteField, number>> = { description: 1, product: 6, email: 2, phone: 2, social_link: 3 }
const SHOWN_OTHERWISE = 4

/**
 * One row per field, values in the order the research ranked them. Values from one source carry
 * its number as the row's mark; values from several carry each group's number in the text.
 */
const keyFacts = (dossier: Dossier): Array<BriefKeyFact> => {
  const numberOf = new Map<string, number>()
  for (const s of dossier.sources) if (s.url !== undefined && !numberOf.has(s.url)) numberOf.set(s.url, s.number)
  const rows = new Map<WebsiteField, Array<{ readonly value: string; readonly source: number | undefined }>>()
  for (const fact of dossier.company_facts) {
    const row = rows.get(fact.field) ?? []
    if (row.length < (SHOWN[fact.field] ?? SHOWN_OTHERWISE) && !row.some((r) => r.value === fact.value)) {
      row.push({ value: fact.value, source: numberOf.get(fact.source.url) })
    }
    rows.set(fact.field, row)
  }
  return [...rows].map(([field, values]) => {
    const label = LABEL[field][values.length === 1 ? 0 : 1]
    const sources = [...new Set(values.map((v) => v.source))]
    const [only] = sources
    if (sources.length === 1) return { label, value: values.map((v) => v.value).join("; "), ...(only === undefined ? {} : { source: only }) }
    const grouped = sources.map((n) => {
      const text = values.filter((v) => v.source === n).map((v) => v.value).join("; ")
      return n === undefined ? text : `${text} [${n}]`
    })
    return { label, value: grouped.join("; ") }
  })
}

const crmFacts = (dossier: Dossier) => {
  const crm = dossier.crm
  if (crm === undefined) return []
  const row = (label: string, value: string | undefined) => (value === undefined || value.trim() === "" ? [] : [{ label, value }])
  return [
    ...row("Record", `${crm.name} (${crm.provider} CRM, id ${crm.record_id})`),
    ...row("Industry", crm.industry),
    ...row("Size", crm.size),
    ...row("Country", crm.country),
    ...row("Owner", crm.owner),
    ...row("Description", crm.description),
    ...row("Notes", crm.notes),
    ...crm.last_notes.map((n) => ({ label: "Last note", value: `${n.created_at.slice(0, 10)} — ${n.title}` })),
    ...row(
      "Attachments",
      crm.attachments.length === 0 ? "none" : crm.attachments.map((a) => a.url === undefined ? a.name : `${a.name} (${a.url})`).join("; ")
    )
  ]
}

/** The statuses worth a line: a section that did not complete, or completed with a reservation (not the summary's, which its note says). */
const sections = (dossier: Dossier): Record<string, SectionStatus> =>
  Object.fromEntries(
    Object.entries(dossier.sections).flatMap(([name, s]) =>
      name === "pdf" || (name === "summary" && s.status === "completed") || (s.status === "completed" && s.reason === undefined)
        ? []
        : [[name, { status: s.status, ...(s.reason === undefined ? {} : { reason: s.reason }) }]]
    )
  )

export const briefFromDossier = (dossier: Dossier): Brief => {
  const person = personOf(dossier.company.name)
  const m = dossier.meeting
  return {
    generated_at: dossier.generated_at,
    company: dossier.company,
    meeting: {
      title: m.title,
      when: m.when,
      ...(m.location === undefined ? {} : { where: m.location }),
      ...(m.organiser === undefined ? {} : { organiser: person(m.organiser) }),
      attendees: m.attendees.map(person)
    },
    key_facts: keyFacts(dossier),
    crm_facts: crmFacts(dossier),
    similar_companies: dossier.similar_companies.map((c) => ({ name: c.name, domain: c.domain, score: c.score, reason: c.reason })),
    summary: {
      text: dossier.summary.text,
      citations: dossier.summary.citations.filter((n) => n >= 1),
      inferred: dossier.summary.inferred,
      ...(dossier.summary.note === undefined ? {} : { note: dossier.summary.note })
    },
    sections: sections(dossier),
    sources: dossier.sources.map((s) => ({
      number: s.number,
      title: s.title,
      ...(s.url === undefined ? {} : { url: s.url }),
      retrieved_at: s.retrieved_at
    }))
  }
}
