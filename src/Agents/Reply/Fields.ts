/**
 * The fields of a reply: `key: value` lines, answers typed below a quoted question, and company
 * and domain from its free text (FreeText).
 */
import { normalizeText } from "../../Domain/Text.js"
import { classifyDomain, findDomainsInText } from "../../Domain/WebDomain.js"
import { domainsIn, freeTextFields, type ReplySource } from "./FreeText.js"
import { isQuoted, isSignatureStart, ownText } from "./OwnText.js"

export interface ReplyFields {
  readonly company?: string
  readonly domain?: string
  readonly [key: string]: string | undefined
}

const ALIASES: Record<string, "company" | "domain"> = {
  "company": "company",
  "company name": "company",
  "firma": "company",
  "firmenname": "company",
  "unternehmen": "company",
  "name": "company",
  "kunde": "company",
  "kundin": "company",
  "customer": "company",
  "client": "company",
  "account": "company",
  "organisation": "company",
  "organization": "company",
  "domain": "domain",
  "company domain": "domain",
  "web domain": "domain",
  "website": "domain",
  "web site": "domain",
  "webseite": "domain",
  "homepage": "domain",
  "url": "domain",
  "web": "domain"
}

const FIELD = /^\s*(?:[-*•]+\s*)?([\p{L}*][\p{L}\p{N} .*_-]{0,40}?)\s*[:=](?!\/\/)\s*(.*)$/u
const WRAPPERS: ReadonlyArray<readonly [string, string]> = [
  ["\"", "\""], ["'", "'"], ["„", "“"], ["“", "”"], ["«", "»"], ["»", "«"], ["‚", "‘"], ["<", ">"]
]

const unwrap = (value: string): string => {
  const v = value.trim()
  const pair = WRAPPERS.find(([open, close]) => v.length >= 2 && v.startsWith(open) && v.endsWith(close))
  return pair ? unwrap(v.slice(pair[0].length, v.length - pair[1].length)) : v
}

/** "acme.io [http://acme.io]" is how an HTML link reads once converted to text. */
const cleanDomain = (value: string) => value.replace(/\s*\[(https?|mailto):[^\]]*\]$/i, "").replace(/[.,;]+$/, "")

/**
 * "Acme GmbH – die aus Berlin", "Acme GmbH, acme.de", "Acme GmbH (acme.de)": a remark after a
 * spaced dash, or the domain after the name, is not part of the name.
 */
const cleanCompany = (value: string) => {
  const name = value.split(/\s+(?:[–—]|--)\s+/)[0]?.trim() ?? ""
  const words = name.split(/\s+/)
  const at = words.findIndex((w, i) => i > 0 && /[.@]/.test(w) && findDomainsInText(w).length > 0)
  const cut = at < 0 ? name : words.slice(0, at).join(" ").replace(/[\s,;:(\[–—-]+$/, "")
  return cut.length > 0 ? cut : name
}

/**
 * "acme.de – die .com gehört jemand anderem" → "acme.de". A single word is kept as written (the
 * workflow normalises and checks it, and says why when it cannot be used).
 */
const domainValue = (value: string): string => {
  const v = unwrap(cleanDomain(value))
  if (!/\s/.test(v)) return v
  const found = domainsIn(v).filter((d) => !d.refuted)
  return (found.find((d) => classifyDomain(d.domain).valid) ?? found[0])?.domain ?? v
}

export const fieldOf = (segment: string): readonly [string, string] | undefined => {
  const match = FIELD.exec(segment)
  if (!match?.[1]) return undefined
  const key = normalizeText(match[1].replace(/\*/g, "")).trim().replace(/[\s_-]+/g, " ")
  if (key.length === 0 || key.split(" ").length > 4) return undefined
  const raw = unwrap(match[2] ?? "")
  // "We meet at 10:00" is a time of day, not a field.
  if (/\d$/.test(key) && /^\d/.test(raw)) return undefined
  const canonical = ALIASES[key] ?? key.replace(/ /g, "_")
  const value = canonical === "domain" ? domainValue(raw) : canonical === "company" ? cleanCompany(raw) : raw
  return [canonical, value]
}

/** `key: value` pairs of one line; "CHANGE: a=1; b=2" gives both. */
const pairsOf = (line: string): ReadonlyArray<readonly [string, string]> => {
  const body = line.replace(/^\s*change\s*:\s*/i, "")
  const segments = body.split(";").filter((s) => s.trim().length > 0)
  const pairs = segments.length > 1 && segments.every((s) => fieldOf(s) !== undefined)
    ? segments.map(fieldOf)
    : [fieldOf(body)]
  return pairs.filter((p): p is readonly [string, string] => p !== undefined && p[1].length > 0)
}

/** A company named in passing is named near the top; past this, only `key: value` lines are read. */
const FREE_TEXT_CHARS = 4000

/** Lines of our own request, should a mail program have quoted it without marks. */
const TEMPLATE_LINE = /<web domain|<company name>|reply "approve"|antworten sie mit "ja"|^reference: /i

/** How far down a body inline answers are looked for (lines). */
const INLINE_LINES = 400

/**
 * Answers typed right below the quoted question ("> company: <company name>" ⏎ "Nordwind"), as
 * people do when they answer inline.
 */
export const inlineAnswers = (text: string): Record<string, string> => {
  const answers: Record<string, string> = {}
  const lines = text.replace(/\r\n?/g, "\n").split("\n", INLINE_LINES)
  for (const [i, line] of lines.entries()) {
    if (!isQuoted(line)) continue
    const key = fieldOf(line.replace(/^[\s>]+/, ""))?.[0]
    if (key !== "company" && key !== "domain") continue
    const next = lines.slice(i + 1).find((l) => l.trim().length > 0) ?? ""
    const answer = next.trim()
    if (isQuoted(next) || answer.length > 100 || pairsOf(answer).length > 0 || isSignatureStart(answer)) continue
    answers[key] = key === "domain" ? domainValue(answer) : cleanCompany(answer.replace(/[.!]+$/, ""))
  }
  return answers
}

/**
 * Fields of an own text: `key: value` lines (aliases become `company` and `domain`, other keys are
 * lower-cased, accent-free, spaces as "_"; the last non-blank value of a key wins), then inline
 * answers, then company and domain from the free text.
 */
export const fieldsOf = (own: string, source: ReplySource, inline: Record<string, string> = {}): Record<string, string> => {
  const fields: Record<string, string> = {}
  const free: Array<string> = []
  let freeChars = 0
  for (const line of own.split("\n")) {
    if (TEMPLATE_LINE.test(line.trim())) continue
    const pairs = pairsOf(line)
    for (const [key, value] of pairs) fields[key] = value
    if (pairs.some(([key]) => key === "domain") || freeChars >= FREE_TEXT_CHARS) continue
    free.push(line.slice(0, FREE_TEXT_CHARS - freeChars))
    freeChars += line.length + 1
  }
  for (const key of ["company", "domain"] as const) {
    const answer = inline[key]
    if (fields[key] === undefined && answer !== undefined && answer.length > 0) fields[key] = answer
  }
  if (fields["company"] === undefined || fields["domain"] === undefined) {
    const found = freeTextFields(free, source)
    if (fields["company"] === undefined && found.company !== undefined) fields["company"] = found.company
    if (fields["domain"] === undefined && found.domain !== undefined) fields["domain"] = found.domain
  }
  return fields
}

/**
 * The fields of a reply body (quoted lines never count): `key: value` / `key = value` lines,
 * answers typed below a quoted question, and company and domain from its free text. Pass the
 * sender so that their own company is not taken.
 */
export const parseFields = (text: string, source: ReplySource = {}): ReplyFields =>
  fieldsOf(ownText(text), source, inlineAnswers(text))
