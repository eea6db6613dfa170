/**
 * Facts from one page, each a candidate with the page it came from and a rank: the Impressum is
 * the authority on legal facts, JSON-LD and meta tags on the description, product pages on
 * products … (Merge picks among them). Pure.
 */
import type { PageKind, WebsiteField } from "../../Domain/WebsiteFacts.js"
import { addresses } from "./Address.js"
import { emails, phones, socialProfile } from "./Contact.js"
import { collapse, type PageDoc } from "./Html.js"
import { readJsonLd } from "./JsonLd.js"
import {
  executivesOnTeamPage,
  foundingYear,
  legalNames,
  managingDirectors,
  registerCourt,
  registerNumber,
  vatId,
  withoutGeneralPartner
} from "./Legal.js"
import { resolveOnSite } from "./Links.js"
import { companyNameAt, hasLegalForm } from "./Names.js"

export interface PageInput {
  readonly url: string
  readonly retrievedAt: string
  readonly kind: PageKind
  readonly doc: PageDoc
  readonly siteDomains: ReadonlyArray<string>
}

export interface FactCandidate {
  readonly field: WebsiteField
  readonly value: string
  readonly url: string
  readonly retrievedAt: string
  /** Lower is better. */
  readonly rank: number
}

const KIND_RANK: Readonly<Record<PageKind, number>> = {
  imprint: 0,
  contact: 1,
  about: 1,
  team: 2,
  home: 2,
  products: 3,
  services: 3
}

const GENERIC_HEADING = /^(?:unser(?:e|er|en)? |our |alle |all )?(?:produkte|products?|produktübersicht|leistungen|services?|dienstleistungen|lösungen|solutions|portfolio|sortiment|kontakt|contact(?: us)?|newsletter|downloads?|mehr erfahren|learn more|read more|weiterlesen|anfrage|request|faq|häufige fragen|news|aktuelles|über uns|about(?: us)?|karriere|careers|jobs|impressum|imprint|datenschutz|cookie.*|navigation|menü|menu|suche|search|social media|folgen sie uns|follow us|partner|referenzen|references|kunden|customers|testimonials|sitemap|rechtliches|legal|service|support|standorte?|locations?|team|ansprechpartner|kontaktformular|vorteile|benefits|highlights|features|anwendungen|applications|technische daten|technical data|specifications|übersicht|overview|informationen|information|quick ?links|links|angebot|anfahrt|start|startseite|home|warum .*|why .*|so .*|wie .*|how .*|was .*|what .*)$/iu

const isProductName = (text: string): boolean =>
  text.length >= 3 && text.length <= 70 && text.split(/\s+/).length <= 8 && !/[?!:]$/.test(text) &&
  !GENERIC_HEADING.test(text.replace(/[.:]+$/, "").trim()) && /\p{L}/u.test(text)

const metaValues = (doc: PageDoc, ...keys: ReadonlyArray<string>): Array<string> =>
  doc.metas.filter(([key]) => keys.includes(key)).map(([, content]) => collapse(content)).filter((c) => c !== "")

const microValues = (doc: PageDoc, prop: string): Array<string> =>
  doc.microdata.filter(([key]) => key === prop).map(([, value]) => collapse(value))

const microAddress = (doc: PageDoc): Array<string> => {
  const street = microValues(doc, "streetAddress")[0]
  const town = [microValues(doc, "postalCode")[0], microValues(doc, "addressLocality")[0]].filter(Boolean).join(" ")
  return street === undefined || town === "" ? [] : [[street, town, microValues(doc, "addressCountry")[0]].filter(Boolean).join(", ")]
}

const PRODUCT_PATH = /(?:produkt|product|leistung|service|loesung|losung|solution|sortiment|portfolio|angebot)/i

/** Link texts under a products/services path ("/produkte/cnc-fraesmaschinen" → "CNC-Fräsmaschinen"). */
const productLinks = (input: PageInput): Array<string> =>
  input.doc.links.flatMap((link) => {
    const url = resolveOnSite(link.href, input.url, input.siteDomains)
    if (url === undefined) return []
    const segments = new URL(url).pathname.split("/").filter((s) => s !== "")
    const under = segments.findIndex((s) => PRODUCT_PATH.test(s))
    return under >= 0 && segments.length > under + 1 && isProductName(link.text) ? [link.text] : []
  })

// Text written as prose: a paragraph, or a long line in a <div> on sites that use no <p>.
const paragraphs = (doc: PageDoc): Array<string> =>
  doc.lines
    .filter((line) =>
      line.region === "main" &&
      ((line.tag === "p" && line.text.length >= 80) || (line.tag === "div" && line.text.length >= 120)) &&
      /[.!]$/.test(line.text) && line.text.split(" ").length >= 12
    )
    .map((line) => line.text)
    .filter((text) => !/cookie|javascript|browser|datenschutz|privacy|©/iu.test(text))

const GERMAN = /\b(?:und|der|die|das|mit|für|wir|sie|ist|nicht|auf|unsere?|ihre?)\b/giu
const ENGLISH = /\b(?:and|the|with|for|we|you|is|not|our|your|of)\b/giu

/** German or English by their commonest words, when the page does not say. */
const languageOfText = (text: string): string | undefined => {
  const sample = text.slice(0, 20_000)
  const de = sample.match(GERMAN)?.length ?? 0
  const en = sample.match(ENGLISH)?.length ?? 0
  return de + en < 8 ? undefined : de > en * 1.5 ? "de" : en > de * 1.5 ? "en" : undefined
}

/** Lines in reading order for legal facts: the page's main content before header, navigation and footer. */
const mainFirst = (doc: PageDoc): Array<string> => [
  ...doc.lines.filter((line) => line.region === "main").map((line) => line.text),
  ...doc.lines.filter((line) => line.region !== "main").map((line) => line.text)
]

/** Very long lines are prose or data, not an Impressum entry; cutting them keeps every pattern fast. */
const MAX_LINE = 2000

const primaryLanguage = (tag: string | undefined): string | undefined => {
  const primary = tag?.trim().split(/[-_]/)[0]?.toLowerCase()
  return primary !== undefined && /^[a-z]{2,3}$/.test(primary) ? primary : undefined
}

/** Everything one page says, each value with its rank. */
export const extractPage = (input: PageInput, thisYear: number): Array<FactCandidate> => {
  const { doc, kind } = input
  const k = KIND_RANK[kind]
  const out: Array<FactCandidate> = []
  const add = (field: WebsiteField, rank: number, values: ReadonlyArray<string>) => {
    for (const value of values) out.push({ field, value, url: input.url, retrievedAt: input.retrievedAt, rank })
  }
  const texts = mainFirst(doc).map((text) => text.slice(0, MAX_LINE))
  const joined = texts.join("\n")
  const jsonLd = readJsonLd(doc.jsonLd)
  const onSite = jsonLd.organizations.filter((org) =>
    org.url.length === 0 || org.url.some((u) => resolveOnSite(u, input.url, input.siteDomains) !== undefined)
  )
  const legalText = kind !== "products" && kind !== "services"

  for (const org of onSite) {
    add("legal_name", 5, org.legalName.filter(hasLegalForm))
    add("legal_name", 20, org.name.filter(hasLegalForm))
    add("description", 0, org.description)
    add("address", 5, [...org.address, ...org.location])
    add("vat_id", 5, org.vatID)
    add("email", k, org.email.map((e) => e.replace(/^mailto:/i, "")))
    add("phone", k, org.telephone)
    add("founding_year", 0, org.foundingDate.flatMap((d) => /\b(1[6-9]\d\d|20\d\d)\b/.exec(d)?.[1] ?? []))
    add("social_link", 0, org.sameAs.flatMap((u) => socialProfile(u) ?? []))
  }
  add("product", k, jsonLd.offers.filter(isProductName))
  add("managing_director", 15, executivesOnTeamPage(jsonLd.people.map((p) => `${p.name}, ${p.jobTitle}`)))

  add("legal_name", 5, microValues(doc, "legalName").filter(hasLegalForm))
  add("address", 5, microAddress(doc))
  for (const { name, copyright } of legalNames(texts)) {
    if (copyright) add("legal_name", 30 + k, [name])
    else if (kind === "home") add("legal_name", 35, [name])
    else if (legalText) add("legal_name", kind === "imprint" ? 0 : 10 + k, [name])
  }
  add("legal_name", 40, metaValues(doc, "og:site_name").filter(hasLegalForm))
  // "Kessler Antriebstechnik GmbH entwickelt …": a description that starts with the name.
  add("legal_name", 45, metaValues(doc, "description", "og:description").flatMap((d) => companyNameAt(d) ?? []))

  add("description", kind === "home" ? 10 : 13, metaValues(doc, "description"))
  add("description", kind === "home" ? 11 : 14, metaValues(doc, "og:description", "twitter:description"))
  if (kind === "about" || kind === "home") add("description", kind === "about" ? 20 : 25, paragraphs(doc).slice(0, 1))

  if (legalText) {
    add("address", kind === "imprint" ? 0 : 10 + k, addresses(texts).slice(0, 1))
    const own = withoutGeneralPartner(texts).join("\n")
    add("register_number", k, [registerNumber(own)].flatMap((v) => v ?? []))
    add("register_court", k, [registerCourt(own)].flatMap((v) => v ?? []))
    add("vat_id", k, [vatId(joined)].flatMap((v) => v ?? []))
    add("managing_director", kind === "imprint" ? 0 : 20 + k, managingDirectors(texts))
    add("managing_director", 10 + k, executivesOnTeamPage(texts))
  }
  add("founding_year", 10 + k, [foundingYear(texts, thisYear)].flatMap((v) => v ?? []))

  if (kind === "products" || kind === "services") {
    add("product", 10, doc.headings.map((h) => h.text).filter(isProductName))
  }
  add("product", kind === "products" || kind === "services" ? 15 : 20, productLinks(input))

  const hrefs = doc.links.map((l) => l.href)
  add("email", k, emails(joined, hrefs, input.siteDomains, doc.cfEmails))
  add("phone", k, phones(texts, doc.links))
  add("social_link", kind === "home" ? 1 : 2, hrefs.flatMap((h) => socialProfile(h) ?? []))

  if (kind === "home") {
    const language = primaryLanguage(doc.lang) ??
      primaryLanguage(metaValues(doc, "content-language")[0]) ??
      primaryLanguage(metaValues(doc, "og:locale")[0]) ??
      languageOfText(joined)
    add("language", 0, language === undefined ? [] : [language])
  }
  return out
}
