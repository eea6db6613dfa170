/**
 * Ways to reach the company: e-mail addresses (mailto: links and text, also "info [at] firma.de"),
 * phone numbers (tel: links and labelled numbers, never the fax), and its profiles on LinkedIn,
 * X/Twitter, Xing, Facebook, Instagram, YouTube and GitHub (not share buttons). Pure.
 */
import { isWithinAny } from "../../Domain/WebDomain.js"

// Bounded runs keep the scan linear on long tokens.
const EMAIL = /[\p{L}\d][\p{L}\d._%+-]{0,63}@(?:[\p{L}\d-]{1,63}\.){1,6}[a-z]{2,24}/giu
const AT = String.raw`\s*(?:\[\s*(?:at|ät)\s*\]|\(\s*(?:at|ät)\s*\)|\{\s*at\s*\}|\s\(@\)\s|\s\[@\]\s)\s*`
const DOT = String.raw`(?:\.|\s*\[\s*(?:dot|punkt)\s*\]\s*|\s*\(\s*(?:dot|punkt)\s*\)\s*)`
const OBFUSCATED = new RegExp(String.raw`([\p{L}\d][\p{L}\d._%+-]{0,63})${AT}((?:[\p{L}\d-]{1,63}${DOT}){1,6}[a-z]{2,24})\b`, "giu")
const NOT_EMAIL_END = /\.(?:png|jpe?g|gif|svg|webp|css|js)$/iu

const normalizeEmail = (email: string): string =>
  email.replace(new RegExp(DOT, "giu"), ".").replace(/\s+/g, "").toLowerCase()

/** Cloudflare's e-mail protection: the first byte is the key the others are XORed with. */
export const decodeCfEmail = (hex: string): string | undefined => {
  if (!/^(?:[0-9a-f]{2}){2,}$/i.test(hex)) return undefined
  const bytes = hex.match(/../g)?.map((pair) => Number.parseInt(pair, 16)) ?? []
  const key = bytes[0] ?? 0
  return String.fromCharCode(...bytes.slice(1).map((b) => b ^ key))
}

/** E-mail addresses in `text` and `hrefs` (and Cloudflare-protected ones), the site's own first; others only when the site shows none of its own. */
export const emails = (
  text: string,
  hrefs: ReadonlyArray<string>,
  siteDomains: ReadonlyArray<string>,
  protectedHex: ReadonlyArray<string> = []
): Array<string> => {
  const found = [
    ...protectedHex.flatMap((hex) => decodeCfEmail(hex) ?? []),
    ...hrefs.flatMap((href) => /\/cdn-cgi\/l\/email-protection#([0-9a-f]+)/i.exec(href)?.[1] ?? []).flatMap((hex) => decodeCfEmail(hex) ?? []),
    ...hrefs.flatMap((href) => {
      if (!/^mailto:/i.test(href)) return []
      const address = decodeURIComponentSafe(href.slice(7).split("?")[0] ?? "")
      return address.split(",").map((a) => a.trim())
    }),
    ...Array.from(text.matchAll(EMAIL), (m) => m[0]),
    ...Array.from(text.matchAll(OBFUSCATED), (m) => `${m[1]}@${m[2]}`)
  ]
    .map(normalizeEmail)
    .filter((email) => /^[^@\s]+@[^@\s]+\.[a-z]{2,24}$/u.test(email) && !NOT_EMAIL_END.test(email))
  const unique = [...new Set(found)]
  const own = unique.filter((email) => isWithinAny(email.slice(email.indexOf("@") + 1), siteDomains))
  return own.length > 0 ? own : unique
}

const decodeURIComponentSafe = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

const PHONE_LABEL = /(?:^|[\s|·•,;(])(?:tel(?:efon)?|phone|telephone|fon|t|call(?: us)?|zentrale|hotline|mobil|mobile|ruf|switchboard)\.?\s*(?:\s*\([^)]{1,24}\))?(?:[:.]\s*|\s)(?:(?:on|at|unter|an)\s+)?/iu
const PHONE_NUMBER = /^((?:\+|00)\d{1,3}[\s./-]*(?:\(0\)\s*)?\(?\d[\d\s()./-]{4,20}\d|\(?0\d[\d\s()./-]{4,20}\d|\(\d{3}\)\s?\d{3}[-.\s]\d{4}|\d{3}[-.\s]\d{3}[-.\s]\d{4})/u

const digitCount = (s: string) => s.replace(/\D/g, "").length

/** Phone numbers: `tel:` links and numbers after a phone label (Tel., Telefon, Phone, T …); fax numbers never. */
export const phones = (lines: ReadonlyArray<string>, links: ReadonlyArray<{ href: string; text: string }>): Array<string> => {
  const fromLinks = links.flatMap((link) => {
    if (!/^tel:/i.test(link.href)) return []
    const shown = PHONE_NUMBER.exec(link.text.replace(/^[^\d+(]+/, "").trim())?.[1]
    const target = decodeURIComponentSafe(link.href.slice(4)).trim()
    return [shown ?? target]
  })
  const fromText = lines.flatMap((line) =>
    line.split(/\s*[|·•]\s*|\s*\t\s*|\s{2,}/u).flatMap((segment) => {
      const label = PHONE_LABEL.exec(segment)
      if (label === null || /\bfax\b|telefax/iu.test(segment.slice(0, label.index + label[0].length))) return []
      const number = PHONE_NUMBER.exec(segment.slice(label.index + label[0].length).trim())?.[1]
      return number === undefined ? [] : [number]
    })
  )
  // International numbers stand out without a label ("call us on +44 20 7946 0321"); a fax's never counts.
  const international = lines.flatMap((line) =>
    Array.from(line.matchAll(/(?<![\d\w+])\+\d{1,3}[\s./-]*(?:\(0\)\s*)?\(?\d[\d\s()./-]{5,20}\d/gu), (m) => ({ m, line }))
      .filter(({ m, line }) => !/fax|(?:^|[\s|·•,;])f\.?\s*:?\s*$/iu.test(line.slice(Math.max(0, (m.index ?? 0) - 16), m.index)))
      .map(({ m }) => m[0])
  )
  return [...fromLinks, ...fromText, ...international]
    .map((n) => n.replace(/\s+/g, " ").replace(/[\s./-]+$/, "").trim())
    .filter((n) => digitCount(n) >= 7 && digitCount(n) <= 17)
}

/** Two spellings of one number ("+49 (0) 7351 5820-0", "07351 58200") share this key. */
export const phoneKey = (phone: string): string => phone.replace(/\(0\)/g, "").replace(/\D/g, "").slice(-9)

const SOCIAL: ReadonlyArray<{ readonly host: RegExp; readonly canonical: string; readonly path: RegExp }> = [
  { host: /(?:^|\.)linkedin\.com$/, canonical: "www.linkedin.com", path: /^\/(?:company|in|school|showcase)\/[^/]+/ },
  { host: /(?:^|\.)(?:twitter|x)\.com$/, canonical: "", path: /^\/(?!intent|share|home|hashtag|i\/|search|privacy|tos)[A-Za-z0-9_]{1,15}$/ },
  { host: /(?:^|\.)xing\.com$/, canonical: "www.xing.com", path: /^\/(?:pages|companies|profile)\/[^/]+/ },
  { host: /(?:^|\.)facebook\.com$/, canonical: "www.facebook.com", path: /^\/(?!sharer|share|dialog|plugins|tr\b|login|policies|privacy)[^/]+/ },
  { host: /(?:^|\.)instagram\.com$/, canonical: "www.instagram.com", path: /^\/(?!p\/|explore|accounts)[A-Za-z0-9_.]+/ },
  { host: /(?:^|\.)youtube\.com$/, canonical: "www.youtube.com", path: /^\/(?:channel\/[^/]+|c\/[^/]+|user\/[^/]+|@[^/]+)/ },
  { host: /^github\.com$/, canonical: "github.com", path: /^\/(?!features|about|pricing|login|sponsors|topics|marketplace)[A-Za-z0-9-]+$/ }
]

/** The company's profile URL on a social network, canonical (https, no query); undefined for other links. */
export const socialProfile = (href: string): string | undefined => {
  let url: URL
  try {
    url = new URL(href.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined
  const host = url.hostname.toLowerCase()
  const path = url.pathname.replace(/\/+$/, "")
  for (const network of SOCIAL) {
    if (!network.host.test(host)) continue
    const match = network.path.exec(path)
    if (match === null) return undefined
    const canonicalHost = network.canonical === "" ? host.replace(/^(?:www|mobile|m)\./, "") : network.canonical
    // A Facebook page without a name is its numeric id.
    const id = match[0] === "/profile.php" ? url.searchParams.get("id") : null
    return `https://${canonicalHost}${match[0]}${id === null ? "" : `?id=${id}`}`
  }
  return undefined
}
