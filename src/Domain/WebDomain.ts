/**
 * Web domains: normalising what people write ("HTTPS://www.Acme.IO/path") to the form we store
 * ("acme.io"), and telling a company's domain from placeholders, private names and addresses.
 * Pure: no DNS.
 */
import { domainToASCII } from "node:url"
import { cached } from "./Text.js"

export type DomainCheck =
  | { readonly valid: true; readonly domain: string }
  | { readonly valid: false; readonly domain: string; readonly reason: string }

/**
 * Lower-case host, no scheme, userinfo, port, path, query, `www.` or trailing dot; IDNs as
 * punycode A-labels. Returns "" when nothing host-like is left. Remembered, as it is asked again
 * and again for the same addresses and links (of every event, by several checks).
 */
export const normalizeDomain = cached((input: string): string => {
  let host = input.trim().toLowerCase()
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/^mailto:/, "")
  host = host.split(/[/?#]/)[0] ?? ""
  host = host.slice(host.lastIndexOf("@") + 1)
  host = host.startsWith("[") ? host.slice(1, host.indexOf("]") > 0 ? host.indexOf("]") : undefined) : stripPort(host)
  host = host.replace(/\.+$/, "")
  if (host.startsWith("www.") && host.indexOf(".", 4) > 0) host = host.slice(4)
  return toAscii(host)
})

// More than one colon is an IPv6 address, not a port.
const stripPort = (host: string): string => (host.split(":").length === 2 ? host.replace(/:\d*$/, "") : host)

// Only non-ASCII hosts go through the WHATWG parser: it would also rewrite "1.2.3" as the IPv4 "1.2.0.3".
const toAscii = (host: string): string => {
  if (/^[\x00-\x7f]*$/.test(host)) return host
  return domainToASCII(host) || host
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const IPV6 = /^[0-9a-f]*:[0-9a-f:.]*$/
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/

const PLACEHOLDER = "a placeholder/reserved domain (RFC 2606)"
const PRIVATE = "a private network name, not reachable on the internet"

const hasSuffix = (domain: string, suffixes: ReadonlyArray<string>) =>
  suffixes.some((suffix) => domain === suffix || domain.endsWith(`.${suffix}`))

/** Ordered: the first rule that applies gives the reason. */
const rules: ReadonlyArray<readonly [(domain: string) => boolean, (domain: string) => string]> = [
  [(d) => d.length === 0, () => "empty"],
  [(d) => IPV4.test(d) || IPV6.test(d), () => "an IP address, not a domain"],
  [(d) => hasSuffix(d, ["localhost"]), () => "localhost is not a company domain"],
  [(d) => /^example\./.test(d) || hasSuffix(d, ["example", "test", "invalid"]), () => PLACEHOLDER],
  [(d) => hasSuffix(d, ["local", "lan", "internal", "home.arpa", "corp", "intranet", "localdomain"]), () => PRIVATE],
  [(d) => !d.includes("."), () => "not a domain: no dot"],
  [(d) => d.length > 253, () => "too long for a domain name"],
  [(d) => d.split(".").some((label) => !LABEL.test(label)), (d) => `bad label or characters in "${d}"`],
  [(d) => /^\d+$/.test(d.slice(d.lastIndexOf(".") + 1)), () => "the top-level domain is a number"],
  [(d) => !TLD.test(d.slice(d.lastIndexOf(".") + 1)), () => "the top-level domain does not look real"]
]

/** Normalises, then says whether the result can be a company's web domain, and if not, why. */
export const classifyDomain = cached((input: string): DomainCheck => {
  const domain = normalizeDomain(input)
  for (const [applies, reason] of rules) {
    if (applies(domain)) return { valid: false, domain, reason: reason(domain) }
  }
  return { valid: true, domain }
})

export const isValidDomain = (input: string): boolean => classifyDomain(input).valid

/** `domain` is `parent` or one of its subdomains, both already normalised (a hot loop's check). */
export const isWithinNormalized = (domain: string, parent: string): boolean =>
  parent.length > 0 &&
  (domain === parent ||
    (domain.length > parent.length && domain.endsWith(parent) && domain[domain.length - parent.length - 1] === "."))

/** `domain` is `parent` or one of its subdomains. Both normalised first. */
export const isWithinDomain = (domain: string, parent: string): boolean =>
  isWithinNormalized(normalizeDomain(domain), normalizeDomain(parent))

/** Within one of `parents` (our own domains, say). */
export const isWithinAny = (domain: string, parents: ReadonlyArray<string>): boolean =>
  parents.some((parent) => isWithinDomain(domain, parent))

const FREE_MAIL = [
  "gmail.com", "googlemail.com", "icloud.com", "me.com", "mac.com", "proton.me", "pm.me", "aol.com", "aol.de",
  "mail.ru", "zoho.com", "freenet.de", "web.de", "t-online.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch",
  "gmx.com", "mail.com", "ymail.com", "rocketmail.com", "msn.com", "posteo.de", "mailbox.org", "fastmail.com",
  "hey.com", "tutanota.com", "tuta.io", "arcor.de", "qq.com", "163.com", "126.com"
]

// Providers with one domain per country: yahoo.de, hotmail.co.uk, outlook.com.br …
const FREE_MAIL_FAMILY = /^(?:yahoo|hotmail|outlook|live|protonmail|yandex)\.(?:[a-z]{2,3}|(?:co|com)\.[a-z]{2})$/

/** A mail provider anyone can sign up with: its domain says nothing about the company. */
export const isFreeMail = cached((input: string): boolean => {
  const domain = normalizeDomain(input)
  return hasSuffix(domain, FREE_MAIL) || FREE_MAIL_FAMILY.test(domain)
})

const SHARED_PLATFORMS = [
  "zoom.us", "zoom.com", "zoomgov.com", "teams.microsoft.com", "teams.live.com", "meet.google.com",
  "calendar.google.com", "docs.google.com", "drive.google.com", "webex.com", "gotomeeting.com", "goto.com",
  "whereby.com", "bluejeans.com", "meet.jit.si", "join.skype.com", "calendly.com", "meetings.hubspot.com",
  "aka.ms", "bit.ly", "linkedin.com", "xing.com", "youtube.com", "dropbox.com", "wetransfer.com"
]

/**
 * Conference, calendar and file-sharing hosts: a link to them in an event says where the meeting
 * happens, not who it is with.
 */
export const isSharedPlatform = cached((input: string): boolean => hasSuffix(normalizeDomain(input), SHARED_PLATFORMS))

// File names ("report.pdf") look like domains; these endings are never read as a top-level domain.
const FILE_EXTENSIONS = new Set([
  "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "odt", "ods", "odp", "key", "pages", "png",
  "jpg", "jpeg", "gif", "svg", "webp", "heic", "tif", "tiff", "bmp", "zip", "rar", "gz", "tgz", "7z", "ics",
  "eml", "msg", "vcf", "csv", "tsv", "json", "xml", "yaml", "yml", "html", "htm", "exe", "dmg", "msi", "pkg",
  "bak", "tmp", "log", "mp3", "mp4", "mov", "wav", "avi", "mkv", "js", "ts", "tsx", "jsx", "py", "md", "ini"
])

// Written without a scheme, "termin.bitte" is more likely a typo than a domain: top-level domains
// longer than three letters count only when they are common ones, or reserved ones (so that
// "printer.local" is found, and reported as invalid).
const LONG_TLDS = new Set([
  "info", "mobi", "name", "aero", "asia", "coop", "jobs", "travel", "museum", "tech", "online", "site", "website",
  "shop", "store", "cloud", "digital", "agency", "consulting", "solutions", "systems", "software", "company",
  "group", "global", "energy", "media", "finance", "financial", "capital", "network", "services", "academy",
  "studio", "design", "space", "email", "expert", "partners", "ventures", "industries", "engineering",
  "logistics", "berlin", "hamburg", "koeln", "bayern", "wien", "swiss", "team", "tools", "works", "world",
  "today", "life", "live", "news", "blog", "page", "club", "health", "care", "clinic", "legal", "law",
  "insurance", "bank", "money", "fund", "invest", "marketing", "management", "training", "education", "school",
  "institute", "science", "technology", "auto", "cars", "immo", "haus", "green", "eco",
  "local", "internal", "intranet", "corp", "arpa", "example", "invalid", "localhost"
])

const HOST = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+([A-Za-z]{2,63})$/u
const BARE = /^((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+([A-Za-z]{2,63}))(?::\d{1,5})?(?:[/?#]\S*)?$/u
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i

const plausibleTld = (tld: string, bare: boolean): boolean => {
  const lower = tld.toLowerCase()
  if (FILE_EXTENSIONS.has(lower)) return false
  if (!bare) return true
  // "Dr.Smith", "St.Gallen": a capitalised word after a dot is a missing space, not a domain.
  if (/^[A-Z][a-z]+$/.test(tld)) return false
  return lower.length <= 3 || LONG_TLDS.has(lower)
}

const fromToken = (token: string): string | undefined => {
  if (SCHEME.test(token)) return normalizeDomain(token) || undefined
  const at = token.lastIndexOf("@")
  if (at >= 0) {
    const host = token.slice(at + 1)
    const tld = HOST.exec(host)?.[1]
    return at > 0 && tld !== undefined && plausibleTld(tld, false) ? normalizeDomain(host) : undefined
  }
  const match = BARE.exec(token)
  return match?.[1] !== undefined && match[2] !== undefined && plausibleTld(match[2], true)
    ? normalizeDomain(match[1])
    : undefined
}

const SEPARATOR = /[\s<>()[\]{}"'„“”‚‘’«»|,;]/
// Asked for every character of every word read: ASCII from a table, the rest by the pattern.
const ASCII_SEPARATORS = Array.from({ length: 128 }, (_, code) => SEPARATOR.test(String.fromCharCode(code)))
const isSeparator = (text: string, i: number) => {
  const code = text.charCodeAt(i)
  return code < 128 ? ASCII_SEPARATORS[code] === true : SEPARATOR.test(text.charAt(i))
}
const domainOfToken = cached((token: string): string | null => fromToken(token) ?? null)

/** The word around `at`: the characters between the separators on either side. */
const wordAround = (text: string, at: number) => {
  let start = at
  while (start > 0 && !isSeparator(text, start - 1)) start--
  let end = at
  while (end < text.length && !isSeparator(text, end)) end++
  return { start, end }
}

/**
 * Domains written in free text, normalised, in order of appearance: URLs with a scheme, the
 * domains of e-mail addresses, and bare names like "acme.io" or "www.müller-maschinenbau.de".
 * Not file names ("report.pdf"), version numbers ("1.2.3") or abbreviations ("z.B.", "e.g.").
 */
export const findDomainsInText = (text: string): Array<string> => {
  const found: Array<string> = []
  // Every domain has a dot or follows a scheme: only the words with one are read.
  let scheme = text.indexOf("://")
  for (let from = 0; from < text.length;) {
    const dot = text.indexOf(".", from)
    if (scheme >= 0 && scheme < from) scheme = text.indexOf("://", from)
    const at = dot < 0 ? scheme : scheme < 0 ? dot : Math.min(dot, scheme)
    if (at < 0) break
    const { end, start } = wordAround(text, at)
    const token = text.slice(start, end).replace(/^[.:!?*]+|[.:!?*]+$/g, "")
    const domain = token.length > 0 ? domainOfToken(token) : null
    if (domain !== null) found.push(domain)
    from = end + 1
  }
  return found
}
