/**
 * Reading a person's reply: what they wrote themselves (no quoted original, no signature), whether
 * it approves or declines, and the `key: value` fields it gives. English and German. Pure.
 *
 * Deliberately unlike upstream: quoted text never counts, "DISAPPROVE"/"not ok"/"Not sure" are
 * not approvals, and a reply with both signals is "unclear" (the request then stays pending).
 */
import EmailReplyParser from "email-reply-parser"
import { normalizeText } from "../Domain/Text.js"

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
    "^(sent|gesendet) (from|von|with|mit)\\b",
    "^von meinem .+ gesendet$",
    "^(get|hol dir) outlook fur\\b",
    "^get outlook for\\b"
  ].join("|")
)

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

const cutSignature = (lines: ReadonlyArray<string>): ReadonlyArray<string> => {
  const at = lines.findIndex(isSignatureStart)
  return at < 0 ? lines : lines.slice(0, at)
}

const MAX_OWN_TEXT = 16_000

/**
 * The part of a reply its author wrote: quoted originals (top- or bottom-posted, "> " lines,
 * "On … wrote:", "Am … schrieb …:", Outlook header blocks) and signatures removed.
 */
export const ownText = (text: string): string => {
  const cleaned = text.replace(/\r\n?/g, "\n").replace(/[\u00a0\u2007\u202f]/g, " ").replace(/[\u200b\ufeff]/g, "")
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
// Decision

export type Decision = "approve" | "decline" | "unclear"

type Signal = "approve" | "decline" | "neutral"

const APPROVE_WORDS = new Set([
  "approve", "approved", "yes", "yep", "yeah", "yup", "ok", "okay", "okey", "sure", "confirm", "confirmed",
  "agree", "agreed", "accept", "accepted", "ja", "jawohl", "jep", "freigeben", "freigegeben", "genehmigt",
  "genehmige", "einverstanden", "passt", "gerne", "gern", "bestatigt", "zugestimmt"
])
const DECLINE_WORDS = new Set([
  "decline", "declined", "disapprove", "disapproved", "no", "nope", "nah", "reject", "rejected", "deny",
  "denied", "cancel", "cancelled", "canceled", "stop", "nein", "ablehnen", "abgelehnt", "lehne", "absagen",
  "abbrechen", "stopp", "veto"
])
const NEGATORS = new Set([
  "not", "don't", "dont", "doesn't", "isn't", "won't", "can't", "cannot", "never", "nicht", "kein", "keine",
  "keinen", "nie", "niemals"
])
/** German can put the negation after the word: "das passt mir nicht", "genehmigt ist es nicht". */
const NEGATED_AFTER = new Set(["passt", "einverstanden", "genehmigt", "freigegeben"])

/** Checked before single words, longest first; "neutral" ones only hide their words. */
const PHRASES: ReadonlyArray<readonly [string, Signal]> = ([
  ["go ahead", "approve"], ["go for it", "approve"], ["sounds good", "approve"], ["no problem", "approve"],
  ["no objections", "approve"], ["no objection", "approve"], ["kein problem", "approve"],
  ["keine einwande", "approve"], ["nichts dagegen", "approve"], ["of course", "approve"],
  ["alles klar", "approve"], ["in ordnung", "approve"],
  ["not approved", "decline"], ["nicht freigeben", "decline"], ["nicht freigegeben", "decline"],
  ["nicht genehmigt", "decline"], ["bitte nicht", "decline"], ["lieber nicht", "decline"],
  ["no way", "decline"], ["no thanks", "decline"], ["nein danke", "decline"], ["not interested", "decline"],
  ["kein interesse", "decline"], ["no go", "decline"],
  ["not sure", "neutral"], ["nicht sicher", "neutral"], ["no idea", "neutral"], ["keine ahnung", "neutral"],
  ["no further questions", "neutral"], ["no questions", "neutral"], ["keine fragen", "neutral"],
  ["keine weiteren fragen", "neutral"], ["not yet", "neutral"], ["noch nicht", "neutral"],
  ["don't know", "neutral"], ["weiss nicht", "neutral"]
] as const).slice().sort((a, b) => b[0].length - a[0].length)

const tokenize = (clause: string): ReadonlyArray<string> =>
  normalizeText(clause.replace(/[’‘`´]/g, "'")).match(/[\p{L}\p{N}]+(?:'\p{L}+)?/gu) ?? []

const clauseSignals = (tokens: ReadonlyArray<string>): ReadonlyArray<Signal> => {
  const signals: Array<Signal> = []
  for (let i = 0; i < tokens.length; i++) {
    const phrase = PHRASES.find(([p]) => {
      const words = p.split(" ")
      return words.every((w, k) => tokens[i + k] === w)
    })
    if (phrase) {
      signals.push(phrase[1])
      i += phrase[0].split(" ").length - 1
      continue
    }
    const token = tokens[i] ?? ""
    const negatedBefore = [tokens[i - 1], tokens[i - 2]].some((t) => t !== undefined && NEGATORS.has(t))
    const negatedAfter = NEGATED_AFTER.has(token) && [tokens[i + 1], tokens[i + 2]].includes("nicht")
    if (APPROVE_WORDS.has(token)) signals.push(negatedBefore || negatedAfter ? "decline" : "approve")
    // "don't cancel" is no approval either: the person should say what they want.
    else if (DECLINE_WORDS.has(token)) signals.push(negatedBefore ? "neutral" : "decline")
  }
  return signals
}

// "Firma: Nein GmbH" names a company; "Decision: approve" still decides.
const isDataField = (line: string) => {
  const key = fieldOf(line)?.[0]
  return key === "company" || key === "domain"
}

const lineSignals = (line: string): ReadonlyArray<Signal> =>
  isDataField(line) ? [] : (line.match(/[^.!?]+[.!?]*/g) ?? [])
    // A question ("Ok?", "Why decline?") asks, it does not decide.
    .filter((sentence) => !sentence.trim().endsWith("?"))
    .flatMap((sentence) => sentence.split(/[,;:]/).flatMap((clause) => clauseSignals(tokenize(clause))))

/** The answer to a yes/no question sits at the top: paragraphs starting after these lines are not read. */
const DECISION_LINES = 4

/**
 * approve / decline / unclear, from the first paragraph of the reply's own text that says
 * anything either way (later paragraphs are background, "no budget back then …"). Company and
 * domain lines carry no decision; both signals in that paragraph make it unclear.
 */
export const parseDecision = (text: string): Decision => {
  const paragraphs = ownText(text).split(/\n\s*\n/).map((p) => p.split("\n").filter((l) => l.trim().length > 0))
  let seen = 0
  for (const paragraph of paragraphs) {
    if (seen >= DECISION_LINES) break
    seen += paragraph.length
    const signals = new Set(paragraph.flatMap(lineSignals))
    const approve = signals.has("approve")
    const decline = signals.has("decline")
    if (approve || decline) return approve && decline ? "unclear" : approve ? "approve" : "decline"
  }
  return "unclear"
}

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

const fieldOf = (segment: string): readonly [string, string] | undefined => {
  const match = FIELD.exec(segment)
  if (!match?.[1]) return undefined
  const key = normalizeText(match[1].replace(/\*/g, "")).trim().replace(/[\s_-]+/g, " ")
  if (key.length === 0 || key.split(" ").length > 4) return undefined
  const raw = unwrap(match[2] ?? "")
  // "We meet at 10:00" is a time of day, not a field.
  if (/\d$/.test(key) && /^\d/.test(raw)) return undefined
  const canonical = ALIASES[key] ?? key.replace(/ /g, "_")
  const value = canonical === "domain" ? unwrap(cleanDomain(raw)) : raw
  return [canonical, value]
}

/**
 * `key: value` / `key = value` lines of the reply's own text (quoted lines never count). Aliases
 * become `company` and `domain`; other keys are lower-cased, accent-free, spaces as "_". The last
 * non-blank value of a key wins. "CHANGE: a=1; b=2" gives both pairs.
 */
export const parseFields = (text: string): ReplyFields => {
  const fields: Record<string, string> = {}
  for (const line of ownText(text).split("\n")) {
    const body = line.replace(/^\s*change\s*:\s*/i, "")
    const segments = body.split(";").filter((s) => s.trim().length > 0)
    const pairs = segments.length > 1 && segments.every((s) => fieldOf(s) !== undefined)
      ? segments.map(fieldOf)
      : [fieldOf(body)]
    for (const pair of pairs) {
      if (pair && pair[1].length > 0) fields[pair[0]] = pair[1]
    }
  }
  return fields
}
