/**
 * JSON-LD blocks, tolerantly: broken JSON is repaired where the breakage is common (trailing
 * commas, raw line breaks in strings, HTML comments and CDATA wrappers, blocks written one after
 * another) and skipped otherwise; nodes are found in arrays, `@graph` and nested properties; an
 * Organization (or LocalBusiness …) is decoded with Schema, every property optional and
 * single-or-list, so one odd property never loses the others. Pure.
 */
import { Either, Schema } from "effect"

const repair = (text: string): string =>
  text
    .replace(/^\s*(?:<!--|\/\/\s*<!\[CDATA\[|\/\*\s*<!\[CDATA\[\s*\*\/)/, "")
    .replace(/(?:-->|\/\/\s*\]\]>|\/\*\s*\]\]>\s*\*\/)\s*$/, "")
    .replace(/"(?:[^"\\]|\\.)*"/gs, (s) => s.replace(/[\u0000-\u001f]/g, " "))
    .replace(/,(\s*[}\]])/g, "$1")
    .replace(/}\s*{/g, "},{")

/** The JSON value of a block, repaired when needed; undefined when it cannot be read. */
export const parseJsonLd = (text: string): unknown => {
  for (const candidate of [text, repair(text)]) {
    try {
      return JSON.parse(candidate)
    } catch {
      // next
    }
  }
  try {
    return JSON.parse(`[${repair(text)}]`)
  } catch {
    return undefined
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Every object node, depth-first: top level, lists, `@graph`, nested values. */
export const nodesOf = (value: unknown, depth = 0): Array<Record<string, unknown>> => {
  if (depth > 8) return []
  if (Array.isArray(value)) return value.flatMap((v) => nodesOf(v, depth + 1))
  if (!isRecord(value)) return []
  return [value, ...Object.entries(value).flatMap(([key, v]) => (key === "@context" ? [] : nodesOf(v, depth + 1)))]
}

const textsOf = (u: unknown): Array<string> => {
  if (typeof u === "string") return u.trim() === "" ? [] : [u.trim()]
  if (typeof u === "number") return [String(u)]
  if (Array.isArray(u)) return u.flatMap(textsOf)
  if (isRecord(u)) return textsOf(u["name"] ?? u["@value"] ?? u["@id"])
  return []
}

/** Any JSON value → its texts: a string, a number, `{name}`, `{@value}`, or a list of those. */
const Texts = Schema.transform(Schema.Unknown, Schema.Array(Schema.String), {
  strict: true,
  decode: textsOf,
  encode: (texts) => texts
})

const ENGLISH_ORDER = /^(?:US|USA|United States(?: of America)?|CA|Canada|GB|UK|United Kingdom|IE|Ireland|AU|Australia|NZ)$/i

const addressOf = (u: unknown): Array<string> => {
  if (Array.isArray(u)) return u.flatMap(addressOf)
  if (typeof u === "string") return textsOf(u)
  if (!isRecord(u)) return []
  const part = (key: string) => textsOf(u[key])[0]
  const country = part("addressCountry")
  const join = (...xs: ReadonlyArray<string | undefined>) => xs.filter((x) => x !== undefined && x !== "").join(" ")
  // Each country writes its postcode where its letters expect it.
  const town = ENGLISH_ORDER.test(country ?? "")
    ? [part("addressLocality"), join(part("addressRegion"), part("postalCode"))]
    : [join(part("postalCode"), part("addressLocality"))]
  const parts = [part("streetAddress"), ...town, country].filter((p): p is string => p !== undefined && p !== "")
  return parts.length === 0 ? [] : [parts.join(", ")]
}

const Addresses = Schema.transform(Schema.Unknown, Schema.Array(Schema.String), {
  strict: true,
  decode: addressOf,
  encode: (texts) => texts
})

export class JsonLdOrganization extends Schema.Class<JsonLdOrganization>("JsonLdOrganization")({
  "@type": Texts,
  name: Texts,
  legalName: Texts,
  alternateName: Texts,
  description: Texts,
  url: Texts,
  email: Texts,
  telephone: Texts,
  foundingDate: Texts,
  vatID: Texts,
  taxID: Texts,
  sameAs: Texts,
  address: Addresses,
  location: Addresses
}) {}

const decodeOrganization = Schema.decodeUnknownEither(JsonLdOrganization)

const NOT_ORGANIZATIONS = new Set([
  "website", "webpage", "aboutpage", "contactpage", "collectionpage", "itempage", "breadcrumblist", "listitem",
  "person", "place", "postaladdress", "product", "offer", "service", "event", "imageobject", "article",
  "newsarticle", "blogposting", "searchaction", "contactpoint", "faqpage", "question", "answer", "videoobject"
])
const ORGANIZATION_TYPE = /(?:organi[sz]ation|corporation|business|company|store|manufacturer|ngo|service)$/i

const isOrganization = (node: Record<string, unknown>): boolean => {
  const types = textsOf(node["@type"]).map((t) => t.replace(/^.*[/#:]/, "").toLowerCase())
  // ProfessionalService, FinancialService … are businesses; a bare Service is something offered.
  if (types.some((t) => ORGANIZATION_TYPE.test(t) && !NOT_ORGANIZATIONS.has(t))) return true
  // LocalBusiness subtypes (Dentist, Plumber …) are too many to list: an address with a way to reach it will do.
  return types.length > 0 && types.every((t) => !NOT_ORGANIZATIONS.has(t)) &&
    node["address"] !== undefined && (node["telephone"] !== undefined || node["email"] !== undefined)
}

export interface JsonLdContent {
  readonly organizations: ReadonlyArray<JsonLdOrganization>
  /** Names of Product, Service and offered items. */
  readonly offers: ReadonlyArray<string>
  /** `{name, jobTitle}` of Person nodes. */
  readonly people: ReadonlyArray<{ readonly name: string; readonly jobTitle: string }>
}

const OFFER_TYPES = new Set(["product", "service", "productmodel", "softwareapplication"])

/** What the page's JSON-LD blocks say about the company. */
export const readJsonLd = (blocks: ReadonlyArray<string>): JsonLdContent => {
  const nodes = blocks.flatMap((block) => nodesOf(parseJsonLd(block)))
  const organizations = nodes.filter(isOrganization).flatMap((node) =>
    Either.match(decodeOrganization(node), { onLeft: () => [], onRight: (org) => [org] })
  )
  const typesOf = (node: Record<string, unknown>) => textsOf(node["@type"]).map((t) => t.toLowerCase())
  const offers = nodes
    .filter((node) => typesOf(node).some((t) => OFFER_TYPES.has(t)))
    .flatMap((node) => textsOf(node["name"]).slice(0, 1))
  const people = nodes
    .filter((node) => typesOf(node).includes("person"))
    .flatMap((node) => {
      const name = textsOf(node["name"])[0]
      const jobTitle = textsOf(node["jobTitle"])[0]
      return name === undefined || jobTitle === undefined ? [] : [{ name, jobTitle }]
    })
  return { organizations, offers, people }
}
