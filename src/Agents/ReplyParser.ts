/**
 * Reading a person's reply like a person does: what they wrote themselves (no quoted original, no
 * signature), whether it clearly approves or declines, the company and web domain it gives, and
 * whether a person wrote it at all (auto-replies, out-of-office notes and bounces are never
 * decisions). English and German; the word tables are in ReplyRules. Pure.
 *
 * Deliberately unlike upstream: quoted text never counts, "DISAPPROVE"/"not ok"/"Not sure" are
 * not approvals, a reply with both signals is "unclear", and so is one that hedges, sets a
 * condition or puts the answer off ("sure — once legal has signed off"): the request then stays
 * pending and the person is asked again.
 */
import EmailReplyParser from "email-reply-parser"
import { normalizeText } from "../Domain/Text.js"
import {
  classifyDomain,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinDomain,
  normalizeDomain
} from "../Domain/WebDomain.js"
import * as Rules from "./ReplyRules.js"

// ---------------------------------------------------------------------------------------------
// Own text

const isQuoted = (line: string) => /^\s*>/.test(line)

/** Lower-case, accent-free and trimmed, so "Ursprüngliche" and "URSPRUNGLICHE" look the same. */
const norm = (line: string) => normalizeText(line).replace(/[*_]/g, "").trim()

const ORIGINAL_MARKER = new RegExp(
  "^-{2,}\\s*(original message|ursprungliche nachricht|original nachricht|forwarded message|" +
    "weitergeleitete nachricht)\\s*-{2,}$"
)
const OUTLOOK_FROM = /^(from|von|de)\s*:/
const OUTLOOK_FIELD = /^(sent|date|gesendet|datum|to|an|subject|betreff|cc)\s*:/
const OUTLOOK_ONE_LINE = /^(from|von)\s*:.*\b(sent|gesendet|date|datum)\s*:/
/** "On …, Anna <a@x.de> wrote:", "Am … schrieb Anna <a@x.de>:", "Anna <a@x.de> schrieb am …:" */
const isAttribution = (text: string) =>
  text.length < 300 && /:$/.test(text) && /\b(wrote|schrieb)\b/.test(text) &&
  (/^(on|am)\s/.test(text) || text.includes("@"))

/**
 * How many lines the quote header starting at `i` spans (0: none), and whether everything after
 * it is the original (Outlook never marks quoted lines with ">", Gmail and Apple Mail do).
 * Gmail wraps a long attribution over two or three lines.
 */
const quoteHeaderAt = (lines: ReadonlyArray<string>, i: number): { span: number; toEnd: boolean } | undefined => {
  const line = norm(lines[i] ?? "")
  if (line.length === 0 || isQuoted(lines[i] ?? "")) return undefined
  if (ORIGINAL_MARKER.test(line) || OUTLOOK_ONE_LINE.test(line)) return { span: 1, toEnd: true }
  if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_FIELD.test(norm(l)))) {
    return { span: 1, toEnd: true }
  }
  for (let span = 1; span <= (/^(on|am)\s/.test(line) ? 3 : 1); span++) {
    const part = lines.slice(i, i + span)
    if (part.length < span || part.some((l, k) => k > 0 && (isQuoted(l) || l.trim() === ""))) return undefined
    // A last line that is an attribution by itself ("Anna <a@x.de> wrote:") is the header, and the
    // lines above are the reply; one starting with "<" only continues a wrapped attribution.
    const last = norm(part.at(-1) ?? "")
    if (span > 1 && isAttribution(last) && /^\p{L}/u.test(last)) return undefined
    if (isAttribution(part.map(norm).join(" "))) {
      let next = i + span
      while (next < lines.length && (lines[next] ?? "").trim() === "") next++
      return { span, toEnd: next < lines.length && !isQuoted(lines[next] ?? "") }
    }
  }
  return undefined
}

const isSeparatorLine = (line: string) => /^\s*(_{8,}|-{8,})\s*$/.test(line)

const CLOSING = new RegExp(
  [
    "^((best|kind|warm|warmest|many|with (best|kind))\\s+)?regards\\b",
    "^best wishes\\b",
    "^(cheers|sincerely|yours( sincerely| truly)?|best|thanks and regards)$",
    "^(mit )?(freundlichen|besten|vielen|lieben|herzlichen|schonen|beste|viele|liebe|herzliche|schone|freundliche)" +
      "\\s+gruss(e|en)?\\b",
    "^(mfg|lg|vg|bg|gruss|grusse)$",
    "^(sent|gesendet) (from|von|with|mit|via|uber)\\b",
    "^von meinem .+ gesendet$",
    "^diese nachricht wurde von .+ gesendet\\b",
    "^(get|hol dir|holen sie sich) outlook fur\\b",
    "^outlook fur (ios|android) herunterladen\\b",
    "^get outlook for\\b"
  ].join("|")
)

/** "Thanks," / "Danke!" close a reply only near its end; at the top they open it ("Danke! Ja, bitte."). */
const WEAK_CLOSING = new RegExp(
  "^(thanks|thank you|many thanks|thanks again|thx|ty|br|kr|rgds|greetings|ciao|danke|danke schon|" +
    "danke dir|danke euch|vielen dank|besten dank|merci|tschuss|bis dann|gruss und danke)$"
)
const WEAK_CLOSING_TAIL = 4

/** Phone, fax, register and tax lines: the contact block of a signature that has no closing line. */
const CONTACT_LINE = new RegExp(
  [
    "^(tel|phone|fon|telefon|mobil|mobile|handy|cell|fax|direct|durchwahl|t|m|f|p)\\s*[.:]?\\s*\\+?[\\d(]",
    "^\\+\\d[\\d\\s()/.-]{6,}$",
    "^0\\d{2,5}[\\s/-]\\d[\\d\\s/-]{4,}$",
    "\\b(hrb|hra|amtsgericht|registergericht|handelsregister|geschaftsfuhr\\w*|vorstand|sitz der gesellschaft|" +
      "ust-?id\\w*|vat (id|no|number)|registered (office|in)|company (number|registration))\\b"
  ].join("|")
)
/** How far above the end a contact block is looked for, and how many name/title lines it has above. */
const CONTACT_TAIL = 10
const CONTACT_HEAD = 5

const isSignatureStart = (line: string) => {
  if (/^--\s*$/.test(line)) return true
  const n = norm(line).replace(/[,.!]+$/, "")
  // "Viele Grüße, Anna" is a closing; a long line starting that way is more likely a sentence.
  return n.length <= 60 && CLOSING.test(n)
}

const dropQuoteHeaders = (lines: ReadonlyArray<string>): Array<string> => {
  const kept: Array<string> = []
  for (let i = 0; i < lines.length; i++) {
    const header = quoteHeaderAt(lines, i)
    if (!header) {
      kept.push(lines[i] ?? "")
      continue
    }
    if (header.toEnd) {
      while (kept.length > 0 && (isSeparatorLine(kept.at(-1) ?? "") || (kept.at(-1) ?? "").trim() === "")) kept.pop()
      break
    }
    i += header.span - 1
  }
  return kept
}

const isWeakClosing = (lines: ReadonlyArray<string>, i: number) => {
  const n = norm(lines[i] ?? "").replace(/[,.!]+$/, "")
  if (i === 0 || !WEAK_CLOSING.test(n)) return false
  const after = lines.slice(i + 1).filter((l) => l.trim().length > 0)
  return after.length <= WEAK_CLOSING_TAIL && after.every((l) => l.trim().length <= 60)
}

/**
 * A signature without a closing line ("Anna Berger / Head of Sales / Acme GmbH / Tel. +49 …"): from
 * the first contact line near the end, up through the name and title lines above it. The first
 * line is never cut, nor a line that reads as a sentence or a `key: value` answer.
 */
const contactBlockStart = (lines: ReadonlyArray<string>): number => {
  const from = Math.max(1, lines.length - CONTACT_TAIL)
  const at = lines.findIndex((l, i) => i >= from && CONTACT_LINE.test(norm(l)))
  if (at < 0) return lines.length
  let start = at
  while (start - 1 >= 1 && at - start < CONTACT_HEAD) {
    const above = (lines[start - 1] ?? "").trim()
    if (above === "" || above.length > 60 || /[.!?:]$/.test(above) || above.includes(": ")) break
    start--
  }
  return start
}

const cutSignature = (lines: ReadonlyArray<string>): ReadonlyArray<string> => {
  const at = lines.findIndex((line, i) => isSignatureStart(line) || isWeakClosing(lines, i))
  const kept = at < 0 ? lines : lines.slice(0, at)
  return kept.slice(0, contactBlockStart(kept))
}

const MAX_OWN_TEXT = 16_000
/**
 * Only this much of a body is looked at: even a bottom-posted answer below a long thread starts
 * well within it, and a megabyte of quoted history must not cost more than a glance.
 */
const MAX_READ = 200_000

/**
 * The part of a reply its author wrote: quoted originals (top- or bottom-posted, "> " lines,
 * "On … wrote:", "Am … schrieb …:", Outlook header blocks) and signatures removed.
 */
export const ownText = (text: string): string => {
  const read = text.length > MAX_READ ? text.slice(0, text.lastIndexOf("\n", MAX_READ) + 1 || MAX_READ) : text
  const cleaned = read.replace(/\r\n?/g, "\n").replace(/[\u00a0\u2007\u202f]/g, " ").replace(/[\u200b\ufeff]/g, "")
  const unquoted = dropQuoteHeaders(cleaned.split("\n")).filter((l) => !isQuoted(l)).join("\n")
  // The library knows more locales and client signatures ("Sent from my iPhone", "Envoyé de …"),
  // but its regular expressions take seconds on long texts: a reply is read from its start.
  const cut = unquoted.lastIndexOf("\n", MAX_OWN_TEXT)
  const head = unquoted.length > MAX_OWN_TEXT ? unquoted.slice(0, cut > 0 ? cut : MAX_OWN_TEXT) : unquoted
  const visible = new EmailReplyParser().read(head).getVisibleText()
  return cutSignature(visible.split("\n"))
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
}


// ---------------------------------------------------------------------------------------------
// Words

/** Case-, accent- and ß/ss-insensitive, one apostrophe: "I’ll" = "i'll", "nötig" = "notig". */
const fold = (text: string) => normalizeText(text.replace(/[’‘`´]/g, "'"))

// Words (with inner apostrophes and hyphens: "don't", "no-go") and single emoji ("👍", "✅").
const TOKEN = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*|[\p{Extended_Pictographic}\u2713]/gu

/** "+1" is a thumbs-up written in text. */
const tokenize = (text: string): ReadonlyArray<string> =>
  fold(text.replace(/(^|\s)\+1(?=$|[\s.!,])/g, "$1👍")).match(TOKEN) ?? []

const wordSet = (words: ReadonlyArray<string>) => new Set(words.map((w) => tokenize(w).join(" ")))

// ---------------------------------------------------------------------------------------------
// Decision

export type Decision = "approve" | "decline" | "unclear"

interface Rule {
  readonly words: ReadonlyArray<string>
  readonly key: string
  readonly cue: Rules.Cue
  readonly position: Rules.Position
}

/** Every phrase of the tables, by its first word, longest first (so "lass mal sehen" beats "lass mal"). */
const RULES: ReadonlyMap<string, ReadonlyArray<Rule>> = (() => {
  const byFirst = new Map<string, Array<Rule>>()
  const add = (phrases: ReadonlyArray<string> | undefined, cue: Rules.Cue, position: Rules.Position) => {
    for (const phrase of phrases ?? []) {
      const words = tokenize(phrase)
      const first = words[0]
      if (first === undefined) continue
      byFirst.set(first, [...(byFirst.get(first) ?? []), { words, key: words.join(" "), cue, position }])
    }
  }
  for (const t of Rules.TABLES) {
    add(t.approve, "approve", "any")
    add(t.approveLead, "approve", "lead")
    add(t.approveEdge, "approve", "edge")
    add(t.approveAnswer, "approve", "answer")
    add(t.approveAlone, "approve", "alone")
    add(t.decline, "decline", "any")
    add(t.declineEdge, "decline", "edge")
    add(t.declineAnswer, "decline", "answer")
    add(t.declineAlone, "decline", "alone")
    add(t.hedge, "hedge", "any")
    add(t.hedgeEnd, "hedge", "end")
    add(t.condition, "condition", "any")
    add(t.but, "but", "any")
    add(t.polite, "polite", "any")
    add(t.neutral, "neutral", "any")
    add(t.need, "need", "any")
  }
  for (const rules of byFirst.values()) rules.sort((a, b) => b.words.length - a.words.length)
  return byFirst
})()

const NEGATORS = wordSet(Rules.NEGATORS)
const NEGATED_AFTER = wordSet(Rules.NEGATED_AFTER)
const CERTAINTY = wordSet(Rules.CERTAINTY)
const FILLERS = wordSet(Rules.FILLERS)
const AFTER_NO = wordSet(Rules.AFTER_NO)
const ANSWERING_QUESTIONS = wordSet(Rules.ANSWERING_QUESTIONS)
/** How far before a word a negation still applies ("I do not really approve"). */
const NEGATION_REACH = 3

/** A clause's words, and where its first and last words that are not fillers stand. */
interface Clause {
  readonly tokens: ReadonlyArray<string>
  readonly first: number
  readonly last: number
}

const clauseOf = (tokens: ReadonlyArray<string>): Clause => {
  let first = 0
  while (first < tokens.length && FILLERS.has(tokens[first] ?? "")) first++
  let last = tokens.length - 1
  while (last >= 0 && FILLERS.has(tokens[last] ?? "")) last--
  return { tokens, first, last }
}

const stands = (rule: Rule, clause: Clause, at: number, end: number): boolean => {
  const lead = at <= clause.first
  const trail = end > clause.last
  switch (rule.position) {
    case "any":
      return true
    case "lead":
      return lead
    case "edge":
      return lead || trail
    case "answer":
      return trail || (lead && AFTER_NO.has(clause.tokens[end] ?? ""))
    case "alone":
      return lead && trail
    case "end":
      return trail
  }
}

const ruleAt = (clause: Clause, at: number): Rule | undefined =>
  RULES.get(clause.tokens[at] ?? "")?.find((rule) =>
    rule.words.every((w, k) => clause.tokens[at + k] === w) && stands(rule, clause, at, at + rule.words.length)
  )

interface Cue {
  readonly cue: Rules.Cue
  readonly key: string
  /** The first word of the clause it opens, if it does. */
  readonly opens: boolean
}

/**
 * What one clause says. A negation before a word ("not ok", "kein OK") or, in German, after it
 * ("das passt mir nicht") turns a yes into a no, or into doubt for words of certainty ("not so
 * sure"); it turns a no into nothing ("don't cancel": the person should say what they want).
 */
const clauseCues = (tokens: ReadonlyArray<string>): ReadonlyArray<Cue> => {
  const clause = clauseOf(tokens)
  const cues: Array<Cue> = []
  let free = 0 // words before this belong to a phrase already read and negate nothing
  for (let i = 0; i < tokens.length; i++) {
    const rule = ruleAt(clause, i)
    if (rule === undefined) continue
    const end = i + rule.words.length
    const negated = tokens.slice(Math.max(free, i - NEGATION_REACH), i).some((t) => NEGATORS.has(t)) ||
      ((NEGATED_AFTER.has(rule.key) || NEGATED_AFTER.has(rule.words[0] ?? "")) &&
        tokens.slice(end, end + NEGATION_REACH).includes("nicht"))
    const cue: Rules.Cue = !negated
      ? (rule.cue === "need" ? "neutral" : rule.cue)
      : rule.cue === "need"
      ? "decline"
      : rule.cue === "approve"
      ? (CERTAINTY.has(rule.key) ? "hedge" : "decline")
      : rule.cue === "decline"
      ? "neutral"
      : rule.cue
    cues.push({ cue, key: rule.key, opens: i <= clause.first })
    free = end
    i = end - 1
  }
  return cues
}

interface Reading {
  readonly approve: boolean
  readonly decline: boolean
  /** Doubt, a condition or a deferral that qualifies the answer: it is unclear. */
  readonly hedge: boolean
  /**
   * "but …" after a yes: a yes with a reservation is unclear ("ok, but only …"); a no stays a no
   * ("no, but thanks"), and a yes after the "but" is the answer ("I'm travelling, but yes").
   */
  readonly but: "after-yes" | "alone" | undefined
}

/**
 * One sentence. A question decides nothing ("Ok?", "Why decline?") unless it is one that answers
 * ("Why not?"), but its doubts and conditions count ("Can we do it after the call?"). A condition
 * counts in the clause that decides ("Yes if they sign the NDA") or opening a clause ("sure —
 * once legal has signed off", "No, not until …"), not inside a remark ("Decline – we met them
 * after the fair"). In a courteous sentence ("let me know if you need anything") conditions are
 * no conditions.
 */
const readSentence = (sentence: string): Reading => {
  const question = /\?[\s!?]*$/.test(sentence)
  const clauses = sentence.split(/[,;:]|\s[-–—]+\s|[–—]/).map((clause) => clauseCues(tokenize(clause)))
  const cues = clauses.flat()
  const has = (cue: Rules.Cue) => cues.some((c) => c.cue === cue)
  const answers = question && cues.some((c) => ANSWERING_QUESTIONS.has(c.key))
  const polite = has("polite")
  const approve = (answers || !question) && has("approve")
  const decline = !question && has("decline")
  const conditional = clauses.some((clause) =>
    clause.some((c) => c.cue === "condition") &&
    (question || clause.some((c) => c.cue === "approve" || c.cue === "decline") ||
      (clause[0]?.cue === "condition" && clause[0].opens))
  )
  const yes = cues.findIndex((c) => c.cue === "approve")
  const but = polite || !has("but")
    ? undefined
    : !approve
    ? "alone"
    : cues.some((c, k) => c.cue === "but" && k > yes)
    ? "after-yes"
    : undefined
  return { approve, decline, hedge: !polite && (has("hedge") || conditional), but }
}

// "Firma: Nein GmbH" names a company; "Decision: approve" still decides.
const isDataField = (line: string) => {
  const key = fieldOf(line)?.[0]
  return key === "company" || key === "domain"
}

const readLine = (line: string): ReadonlyArray<Reading> =>
  isDataField(line) ? [] : line.split(/(?<=[.!?…])\s+/).filter((s) => s.trim().length > 0).map(readSentence)

/** The answer to a yes/no question sits at the top: paragraphs starting after these lines are not read. */
const DECISION_LINES = 4
/** …and within this many characters: a wall of text is not an answer. */
const DECISION_CHARS = 2000
/** "Yes.\n\nBut only once legal has signed off.": a short paragraph right below still belongs to the answer. */
const FOLLOW_UP_LINES = 2

const paragraphsOf = (text: string) =>
  text.split(/\n\s*\n/).map((p) => p.split("\n").filter((l) => l.trim().length > 0)).filter((p) => p.length > 0)

/**
 * Plain-text mail is wrapped at about 76 characters: a line that goes on in lower case after no
 * closing mark continues the sentence ("… let me" / "check with legal first").
 */
const unwrapLines = (lines: ReadonlyArray<string>): ReadonlyArray<string> => {
  const joined: Array<string> = []
  for (const line of lines) {
    const last = joined.at(-1)
    const wrapped = last !== undefined && !/[.!?:;]\s*$/.test(last) && /^\s*\p{Ll}/u.test(line) &&
      fieldOf(line) === undefined && fieldOf(last) === undefined
    if (wrapped) joined[joined.length - 1] = `${last.trimEnd()} ${line.trim()}`
    else joined.push(line)
  }
  return joined
}

/**
 * approve / decline / unclear, from the reply's own text (already without quotes and signature).
 * The answer is the first paragraph that says anything either way (later paragraphs are
 * background, "no budget back then …"); both signals make it unclear, and so does any hedge,
 * condition or deferral in it or above it. A "but" only qualifies a yes.
 */
const decide = (own: string): Decision => {
  const paragraphs = paragraphsOf(own.length > DECISION_CHARS ? own.slice(0, DECISION_CHARS) : own)
  const readings: Array<Reading> = []
  let seen = 0
  for (const [p, paragraph] of paragraphs.entries()) {
    if (seen >= DECISION_LINES) break
    seen += paragraph.length
    readings.push(...unwrapLines(paragraph).flatMap(readLine))
    if (!readings.some((r) => r.approve || r.decline)) continue
    const next = paragraphs[p + 1]
    if (next !== undefined && paragraph.length <= FOLLOW_UP_LINES && next.length <= FOLLOW_UP_LINES) {
      readings.push(...unwrapLines(next).flatMap(readLine))
    }
    const approve = readings.some((r) => r.approve)
    const decline = readings.some((r) => r.decline)
    if ((approve && decline) || readings.some((r) => r.hedge)) return "unclear"
    const yes = readings.findIndex((r) => r.approve)
    const reserved = readings.some((r, k) => r.but === "after-yes" || (r.but === "alone" && k > yes))
    if (approve) return reserved ? "unclear" : "approve"
    return "decline"
  }
  return "unclear"
}

/** approve / decline / unclear for a whole reply body (quoted parts and signature are ignored). */
export const parseDecision = (text: string): Decision => decide(ownText(text))

// ---------------------------------------------------------------------------------------------
// Fields

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

const fieldOf = (segment: string): readonly [string, string] | undefined => {
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

// ----- domains in free text

interface FoundDomain {
  readonly domain: string
  /** Taken from an e-mail address ("max@acme.de"): weaker than a name or a link. */
  readonly email: boolean
  /** "not acme.com", "acme.com is wrong", "acme.com gehört jemand anderem". */
  readonly refuted: boolean
}

const NOT_BEFORE = wordSet(Rules.DOMAIN_NOT_BEFORE)
const NOT_AFTER = [...wordSet(Rules.DOMAIN_NOT_AFTER)]
/** What a domain's clause ends at, for the words that refute it. */
const CLAUSE_END = /[,;()[\]–—]|\s[-/]\s|[.!?](?:\s|$)/
/** The next domain-like word: what follows it is about that one. */
const NEXT_DOMAIN = /\s\S*\.\p{L}/u

const refutedBy = (before: string, after: string): boolean => {
  const head = tokenize(before.split(CLAUSE_END).at(-1) ?? "").slice(-NEGATION_REACH)
  const clause = after.split(CLAUSE_END)[0] ?? ""
  const tail = ` ${tokenize(clause.split(NEXT_DOMAIN)[0] ?? "").slice(0, 5).join(" ")} `
  return head.some((w) => NOT_BEFORE.has(w)) || NOT_AFTER.some((phrase) => tail.includes(` ${phrase} `))
}

/** Domains of a text in order, each with the words around it (up to the previous domain). */
const domainsIn = (text: string): ReadonlyArray<FoundDomain> => {
  const found: Array<FoundDomain> = []
  const words = text.split(/(\s+)/)
  let since = 0
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? ""
    const domain = /[.@]/.test(word) ? findDomainsInText(word)[0] : undefined
    if (domain === undefined) continue
    const before = words.slice(since, i).join("")
    // Punctuation stuck to the word ("acme.de,") ends its clause as much as a spaced one.
    const after = (/[,;:)\]!?.]+$/.exec(word)?.[0] ?? "") + words.slice(i + 1, i + 24).join("")
    const email = /@/.test(word) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(word.replace(/^\W+/, ""))
    found.push({ domain, email, refuted: refutedBy(before, after) })
    since = i + 1
  }
  return found
}

// ----- company names in free text

const LEGAL_FORMS = new Set(Rules.LEGAL_FORMS)
const NOT_NAMES = wordSet(Rules.NOT_NAMES)
const NAME_JOINERS = new Set(["&", "+", "und", "and", "of", "de", "von", "van", "der"])
const MAX_NAME_WORDS = 6

const bare = (word: string) => word.replace(/^[„“"'«»‚(]+/, "").replace(/[,;:!?)"“”'»]+$/, "")
const formOf = (word: string): string | undefined => {
  const w = bare(word)
  if (LEGAL_FORMS.has(w)) return w
  const noDot = w.replace(/\.$/, "")
  return LEGAL_FORMS.has(noDot) ? noDot : undefined
}
const isNameWord = (word: string) => {
  const w = bare(word)
  return /^[\p{Lu}\p{N}]/u.test(w) && !NOT_NAMES.has(fold(w)) && !/[.@]\p{L}/u.test(w)
}
const endsClause = (word: string) => /[,;:!?)]$/.test(word) || (/\.$/.test(word) && formOf(word) === undefined)

/** "gmbh" → "GmbH": how a legal form is spelled, for names typed in lower case. */
const FORM_SPELLING = new Map([...LEGAL_FORMS].reverse().map((form) => [fold(form).replace(/\.$/, ""), form.replace(/\.$/, "")]))
const titleCase = (word: string) =>
  FORM_SPELLING.get(fold(word)) ?? (NAME_JOINERS.has(fold(word)) ? word : word.charAt(0).toUpperCase() + word.slice(1))

/**
 * The name at the start of `words`: capitalised words and joiners ("Müller & Söhne KG"), then
 * forms. In a text typed all in lower case ("firma ist keller logistik gmbh") any word counts,
 * and the name is capitalised.
 */
const nameAt = (words: ReadonlyArray<string>, lowerCase: boolean): string | undefined => {
  const picked: Array<string> = []
  const anyWord = (word: string) =>
    /^[\p{L}\p{N}]/u.test(bare(word)) && !NOT_NAMES.has(fold(bare(word))) && !/[.@]\p{L}/u.test(word)
  const nameLike = (word: string) => isNameWord(word) || (lowerCase && anyWord(word))
  for (const word of words) {
    if (picked.length === MAX_NAME_WORDS) break
    if (!(nameLike(word) || formOf(word) !== undefined || (picked.length > 0 && NAME_JOINERS.has(fold(word))))) break
    picked.push(word)
    if (endsClause(word)) break
  }
  while (picked.length > 0 && NAME_JOINERS.has(fold(picked.at(-1) ?? ""))) picked.pop()
  if (!picked.some(nameLike)) return undefined
  const name = picked.map(bare).join(" ").replace(/\.$/, (dot) => (formOf(picked.at(-1) ?? "")?.endsWith(".") ? dot : ""))
  return lowerCase ? name.split(" ").map(titleCase).join(" ") : name
}

/** "… Nordwind Logistik GmbH & Co. KG …": the capitalised words before a legal form, and the forms. */
const legalNameIn = (line: string): string | undefined => {
  const words = line.split(/\s+/).filter((w) => w.length > 0)
  for (let i = 1; i < words.length; i++) {
    if (formOf(words[i] ?? "") === undefined || !isNameWord(words[i - 1] ?? "") || endsClause(words[i - 1] ?? "")) continue
    let start = i - 1
    while (
      start > 0 && i - start < MAX_NAME_WORDS - 1 && !endsClause(words[start - 1] ?? "") &&
      (isNameWord(words[start - 1] ?? "") || (NAME_JOINERS.has(fold(words[start - 1] ?? "")) && start > 1))
    ) start--
    const name = nameAt(words.slice(start), false)
    if (name !== undefined) return name
  }
  return undefined
}

/** "the company is Acme", "Firma ist Keller Logistik GmbH", or any name with a legal form. */
const companyIn = (line: string): string | undefined => {
  const intro = Rules.COMPANY_INTRO.exec(line)
  const named = intro ? nameAt(line.slice(intro.index + intro[0].length).split(/\s+/), !/\p{Lu}/u.test(line)) : undefined
  return named ?? legalNameIn(line)
}

// ----- whose text it is

export interface ReplySource {
  /** The sender's address: its domain is the replier's own company. */
  readonly from?: string | undefined
  /** Our own domains: never the company a meeting is with. */
  readonly ownDomains?: ReadonlyArray<string> | undefined
}

const letters = (text: string) => fold(text).replace(/[^\p{L}\p{N}]/gu, "")

const ownCompanies = (source: ReplySource): ReadonlyArray<string> =>
  [source.from?.split("@")[1] ?? "", ...(source.ownDomains ?? [])]
    .map(normalizeDomain)
    .filter((d) => d.length > 0 && !isFreeMail(d))

/** The label that names a company: "lead-insights.app" → "leadinsights", "acme.co.uk" → "acme". */
const brandOf = (domain: string) => {
  const labels = domain.split(".")
  const second = labels.at(-2) ?? ""
  return letters(labels.length > 2 && second.length <= 3 ? labels.at(-3) ?? "" : second)
}

/** Domains spell "Krämer" as "kraemer": the name is compared both ways. */
const UMLAUTS: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", Ä: "Ae", Ö: "Oe", Ü: "Ue" }

const isOwnName = (name: string, own: ReadonlyArray<string>) => {
  const spellings = [letters(name), letters(name.replace(/[äöüÄÖÜ]/g, (c) => UMLAUTS[c] ?? c))]
  return own.some((d) => {
    const brand = brandOf(d)
    return brand.length >= 3 && spellings.some((n) => n.includes(brand))
  })
}

/** A company named in passing is named near the top; past this, only `key: value` lines are read. */
const FREE_TEXT_CHARS = 4000

/** Lines of our own request, should a mail program have quoted it without marks. */
const TEMPLATE_LINE = /<web domain|<company name>|reply "approve"|antworten sie mit "ja"|^reference: /i

/**
 * Company and domain a person wrote in sentences or as a bare link: "their site is acme.io",
 * "Website wäre www.acme.de", "Das ist die Nordwind Logistik GmbH". Never the replier's own company
 * or ours, a free-mail provider, a meeting or file-sharing host, or a domain the text refutes.
 */
const freeTextFields = (lines: ReadonlyArray<string>, source: ReplySource) => {
  const own = ownCompanies(source)
  const candidates = lines.flatMap(domainsIn).filter((d) =>
    !d.refuted && classifyDomain(d.domain).valid && !isFreeMail(d.domain) && !isSharedPlatform(d.domain) &&
    !own.some((o) => isWithinDomain(d.domain, o))
  )
  const domain = (candidates.find((d) => !d.email) ?? candidates[0])?.domain
  const company = lines.map(companyIn).find((name) => name !== undefined && !isOwnName(name, own))
  return { company, domain }
}

/** How far down a body inline answers are looked for (lines). */
const INLINE_LINES = 400

/**
 * Answers typed right below the quoted question ("> company: <company name>" ⏎ "Nordwind"), as
 * people do when they answer inline.
 */
const inlineAnswers = (text: string): Record<string, string> => {
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
const fieldsOf = (own: string, source: ReplySource, inline: Record<string, string> = {}): Record<string, string> => {
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

// ---------------------------------------------------------------------------------------------
// Mail no person wrote

const AWAY_TEXT_HEAD = 3000
const SUBJECT_PREFIX = /^\s*((re|aw|antw|fw|fwd|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+/i

/**
 * Why a mail is machine-sent, when it is: the headers (read by the mail adapter), a robot
 * sender, an auto-reply/bounce subject, or a text only machines write.
 */
const machineReason = (mail: ReadReplyInput, own: string): string | undefined => {
  if (mail.automatic !== undefined && mail.automatic.trim().length > 0) return mail.automatic.trim()
  const local = mail.from.trim().split("@")[0] ?? ""
  if (Rules.MACHINE_SENDERS.test(local)) return `sender: ${mail.from.trim()}`
  const subject = mail.subject.replace(SUBJECT_PREFIX, "").trim()
  const bySubject = Rules.AUTOMATIC_SUBJECTS.find(([pattern]) => pattern.test(subject))
  if (bySubject) return `subject: ${bySubject[1]} ("${mail.subject.trim().slice(0, 120)}")`
  const head = fold((own.length > 0 ? own : mail.text).slice(0, AWAY_TEXT_HEAD))
  const byText = Rules.AUTOMATIC_BODIES.find(([pattern]) => pattern.test(head))
  return byText ? `text: ${byText[1]}` : undefined
}

/** "I'm travelling, no laptop with me until Monday": away, and nothing else said. */
const isAwayNote = (own: string) => {
  const head = fold(own.slice(0, AWAY_TEXT_HEAD))
  return Rules.AWAY_BODIES.some((pattern) => pattern.test(head))
}

// ---------------------------------------------------------------------------------------------
// Reading a reply

export type ReadReply =
  /** An auto-reply, bounce or out-of-office note: never a decision, never answered. */
  | { readonly _tag: "Automatic"; readonly reason: string }
  | {
    readonly _tag: "Reply"
    readonly text: string
    readonly decision: Decision
    readonly fields: Record<string, string>
  }

export interface ReadReplyInput {
  /** Sender address; its domain is the replier's own company, never taken as the company's domain. */
  readonly from: string
  readonly subject: string
  /** The full body, quoted parts included. */
  readonly text: string
  /** Why the headers say the mail is machine-sent (IncomingMail.automatic). */
  readonly automatic?: string | undefined
}

/**
 * A reply as a person reads it. A person's note that they are away counts as an out-of-office
 * reply unless it also decides or gives the company.
 */
export const readReply = (
  mail: ReadReplyInput,
  options?: { readonly ownDomains?: ReadonlyArray<string> }
): ReadReply => {
  const text = ownText(mail.text)
  const machine = machineReason(mail, text)
  if (machine !== undefined) return { _tag: "Automatic", reason: machine }
  const decision = decide(text)
  const fields = fieldsOf(text, { from: mail.from, ownDomains: options?.ownDomains }, inlineAnswers(mail.text))
  if (decision === "unclear" && fields["company"] === undefined && fields["domain"] === undefined && isAwayNote(text)) {
    return { _tag: "Automatic", reason: "text: out of office" }
  }
  return { _tag: "Reply", text, decision, fields }
}
