/**
 * Which links a person would open to learn about a company: Impressum / legal notice, about us,
 * contact, team / management, products, services. Their paths cannot be guessed, so links are
 * scored by anchor text and path words in German and English; same site only, no files, no
 * privacy/terms/jobs/press/news pages, the homepage's language preferred. Pure.
 */
import type { PageKind } from "../../Domain/WebsiteFacts.js"
import { isWithinAny } from "../../Domain/WebDomain.js"
import type { PageDoc } from "./Html.js"

export type LinkKind = Exclude<PageKind, "home">

export interface Candidate {
  readonly url: string
  readonly kind: LinkKind
  readonly score: number
  readonly text: string
}

interface Category {
  readonly kind: LinkKind
  readonly weight: number
  readonly text: RegExp
  readonly path: RegExp
}

const CATEGORIES: ReadonlyArray<Category> = [
  {
    kind: "imprint",
    weight: 100,
    text: /impressum|imprint|legal notice|legal information|legal details|legal disclosure|site notice|anbieterkennzeichnung|pflichtangaben|offenlegung|herausgeber|corporate info|company info|company details|mentions légales|colophon/,
    path: /impressum|imprint|legal-?notice|legal-?disclosure|site-?notice|anbieterkennzeichnung|offenlegung|corporate-?information|company-?(?:information|details)|mentions-?legales|colophon/
  },
  { kind: "imprint", weight: 55, text: /^(?:legal|rechtliches|rechtliche hinweise|legal info)$/, path: /\/(?:legal|rechtliches)\/?$/ },
  {
    kind: "about",
    weight: 80,
    text: /über uns|ueber uns|uber uns|about|who we are|wer wir sind|das sind wir|unternehmen|firmenprofil|profil|our story|unsere geschichte|geschichte|history|company|philosophie|leitbild|mission/,
    path: /ueber-?uns|uber-?uns|about|unternehmen|firmenprofil|profil|geschichte|history|who-?we-?are|our-?story|company|philosophie/
  },
  {
    kind: "contact",
    weight: 70,
    text: /kontakt|contact|get in touch|anfahrt|standorte?|locations?|reach us|write to us/,
    path: /kontakt|contact|anfahrt|standort|location/
  },
  {
    kind: "team",
    weight: 60,
    text: /\bteam\b|management|geschäftsführung|geschäftsleitung|leadership|vorstand|führung|our people|people|board|ansprechpartner|köpfe/,
    path: /team|management|geschaeftsfuehrung|geschaftsfuhrung|geschaeftsleitung|leadership|vorstand|fuehrung|people|board|ansprechpartner/
  },
  {
    kind: "products",
    weight: 50,
    text: /produkte|products?|sortiment|lösungen|loesungen|solutions|portfolio|angebot|our range|maschinen|systeme|technologie|platform|plattform/,
    path: /produkt|product|sortiment|loesung|losung|solution|portfolio|angebot|maschinen|platform|plattform/
  },
  {
    kind: "services",
    weight: 45,
    text: /leistungen|leistungsspektrum|services?|dienstleistung|what we do|was wir tun|expertise|kompetenz|capabilities|beratung|consulting/,
    path: /leistung|service|dienstleistung|what-?we-?do|was-?wir-?tun|expertise|kompetenz|capabilit|beratung|consulting/
  }
]

const NEGATIVE = /(?<![a-zäöüß])(?:datenschutz|privacy|cookie|agb\b|terms|conditions|nutzungsbedingung|karriere|careers?\b|jobs?\b|stellen(?:angebote?|markt)?\b|bewerb|presse?\b|press-?releases?|news|neuigkeiten|aktuell|blog|magazin|events?\b|termine|messen?\b|login|anmelden|sign-?in|register\b|warenkorb|cart\b|checkout|suche\b|search|downloads?\b|newsletter|sitemap|barrierefrei|accessibility|widerruf|webinar|faq\b|hilfe\b|help\b)/
const FILE = /\.(?:pdf|jpe?g|png|gif|svg|webp|zip|rar|7z|gz|docx?|xlsx?|pptx?|mp[34]|mov|avi|ics|vcf|xml|json|css|js|txt|exe|dmg)$/i
const LANGUAGE_PREFIX = /^\/([a-z]{2})(?:[-_][a-z]{2})?(?:\/|$)/i

/** Per kind, how many pages are worth reading. */
export const QUOTA: Readonly<Record<LinkKind, number>> = {
  imprint: 1,
  about: 1,
  contact: 1,
  team: 1,
  products: 2,
  services: 1
}

const decodePath = (path: string): string => {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** `href` resolved against the page, without fragment; undefined unless it is an http(s) page on the site. */
export const resolveOnSite = (href: string, pageUrl: string, siteDomains: ReadonlyArray<string>): string | undefined => {
  if (/^(?:mailto|tel|javascript|data|#)/i.test(href.trim())) return undefined
  let url: URL
  try {
    url = new URL(href.trim(), pageUrl)
  } catch {
    return undefined
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined
  if (!isWithinAny(url.hostname, siteDomains) || FILE.test(url.pathname)) return undefined
  url.hash = ""
  return url.toString()
}

/** The kind and score of one link, or undefined when it is not worth opening. */
export const scoreLink = (url: string, text: string, homeUrl: string, language: string | undefined): Candidate | undefined => {
  const parsed = new URL(url)
  const home = new URL(homeUrl)
  const path = decodePath(parsed.pathname).toLowerCase()
  if (path === decodePath(home.pathname).toLowerCase() && parsed.search === home.search && parsed.host === home.host) {
    return undefined
  }
  const label = text.toLowerCase().replace(/\s+/g, " ").trim()
  let best: { kind: LinkKind; score: number } | undefined
  for (const category of CATEGORIES) {
    const inText = category.text.test(label)
    const inPath = category.path.test(path)
    if (!inText && !inPath) continue
    const score = inText && inPath ? category.weight * 1.2 : inText ? category.weight : category.weight * 0.7
    if (best === undefined || score > best.score) best = { kind: category.kind, score }
  }
  if (best === undefined) return undefined
  const strongImprint = best.kind === "imprint" && best.score >= 100
  if (!strongImprint && (NEGATIVE.test(label) || NEGATIVE.test(path))) return undefined
  const depth = path.split("/").filter((s) => s !== "").length
  let score = best.score - 4 * Math.max(0, depth - 1) - (parsed.search === "" ? 0 : 10) - (label.length > 60 ? 15 : 0)
  if (parsed.hostname !== home.hostname) score -= 10
  const prefix = LANGUAGE_PREFIX.exec(parsed.pathname)?.[1]?.toLowerCase()
  const homePrefix = LANGUAGE_PREFIX.exec(home.pathname)?.[1]?.toLowerCase() ?? language
  if (prefix !== undefined && homePrefix !== undefined && prefix !== homePrefix) score -= 40
  return { url, kind: best.kind, score, text }
}

/** The page's links worth opening, best first, one entry per URL. */
export const candidateLinks = (
  doc: PageDoc,
  pageUrl: string,
  homeUrl: string,
  siteDomains: ReadonlyArray<string>,
  language: string | undefined
): Array<Candidate> => {
  const baseUrl = doc.base === undefined ? pageUrl : resolveOnSite(doc.base, pageUrl, siteDomains) ?? pageUrl
  const byUrl = new Map<string, Candidate>()
  for (const link of doc.links) {
    const url = resolveOnSite(link.href, baseUrl, siteDomains)
    if (url === undefined) continue
    const candidate = scoreLink(url, link.text, homeUrl, language)
    if (candidate === undefined) continue
    const known = byUrl.get(url)
    if (known === undefined || candidate.score > known.score) byUrl.set(url, candidate)
  }
  return [...byUrl.values()].sort((a, b) => b.score - a.score)
}

/**
 * The next link to open: the best one whose kind still has room, not yet seen. `counts` says how
 * many pages of each kind were chosen already.
 */
export const nextLink = (
  candidates: ReadonlyArray<Candidate>,
  counts: Readonly<Partial<Record<LinkKind, number>>>,
  seen: ReadonlySet<string>
): Candidate | undefined =>
  candidates
    .filter((c) => !seen.has(c.url) && (counts[c.kind] ?? 0) < QUOTA[c.kind])
    .reduce<Candidate | undefined>((best, c) => (best === undefined || c.score > best.score ? c : best), undefined)

const LANGUAGE_ROOT = /^\/([a-z]{2})(?:[-_][a-z]{2})?\/?(?:index\.\w+|home(?:\.\w+)?|start(?:seite)?(?:\.\w+)?)?$/i

/**
 * Where a homepage that only sends visitors on leads: its meta refresh, else the language version
 * to read (German for .de/.at/.ch, else English, else the first offered).
 */
export const onwardFrom = (doc: PageDoc, pageUrl: string, siteDomains: ReadonlyArray<string>): string | undefined => {
  const refresh = doc.metas.find(([key]) => key === "refresh")?.[1]
  const target = refresh === undefined ? undefined : /url\s*=\s*['"]?([^'";]+)/i.exec(refresh)?.[1]
  const refreshed = target === undefined ? undefined : resolveOnSite(target.trim(), pageUrl, siteDomains)
  if (refreshed !== undefined && refreshed !== pageUrl) return refreshed
  const roots = doc.links.flatMap((link) => {
    const url = resolveOnSite(link.href, pageUrl, siteDomains)
    const language = url === undefined ? undefined : LANGUAGE_ROOT.exec(new URL(url).pathname)?.[1]?.toLowerCase()
    return url === undefined || language === undefined || url === pageUrl ? [] : [{ url, language }]
  })
  const host = new URL(pageUrl).hostname
  const preferred = /\.(?:de|at|ch|li)$/.test(host) ? ["de", "en"] : ["en", "de"]
  for (const language of preferred) {
    const found = roots.find((root) => root.language === language)
    if (found !== undefined) return found.url
  }
  return roots[0]?.url
}
