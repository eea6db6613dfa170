/**
 * The part of a reply its author wrote: quoted originals (top- or bottom-posted) and signatures
 * removed. Decisions and fields are read from this text only.
 */
import EmailReplyParser from "email-reply-parser"
import { normalizeText } from "../../Domain/Text.js"

export const isQuoted = (line: string) => /^\s*>/.test(line)

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

export const isSignatureStart = (line: string) => {
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
