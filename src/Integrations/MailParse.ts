/**
 * Raw RFC 5322 bytes → IncomingMail, with mailparser. Shared by the MailDir inbox and the IMAP
 * adapter. A file that is not a mail at all fails with a reason, so the adapter can set it aside
 * instead of stopping on it.
 */
import { Clock, Effect } from "effect"
import type { AddressObject, EmailAddress } from "mailparser"
import { createHash } from "node:crypto"
import { IncomingMail } from "../Domain/Mail.js"

const firstAddress = (list: ReadonlyArray<EmailAddress>): string | undefined => {
  for (const entry of list) {
    const found = entry.address?.trim() || (entry.group ? firstAddress(entry.group) : undefined)
    if (found) return found
  }
  return undefined
}

const senderOf = (from: AddressObject | undefined) => (from ? firstAddress(from.value) : undefined)

const ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: " ", auml: "ä", ouml: "ö", uuml: "ü", Auml: "Ä",
  Ouml: "Ö", Uuml: "Ü", szlig: "ß", euro: "€", ndash: "–", mdash: "—", hellip: "…", laquo: "«", raquo: "»",
  bdquo: "„", ldquo: "“", rdquo: "”", sbquo: "‚", lsquo: "‘", rsquo: "’", copy: "©", reg: "®"
}

const decodeEntities = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (!name.startsWith("#")) return ENTITIES[name] ?? ENTITIES[name.toLowerCase()] ?? whole
    const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })

// `[^<>]`, not `[^>]`: an unclosed "<div" stops at the next tag instead of scanning to the end.
const TAG = /<(\/?)([a-z][a-z0-9]*)\b[^<>]*>|<![^<>]*>/gi
const BLOCK = /^(p|div|br|li|tr|table|h[1-6]|hr|blockquote|ul|ol)$/
const HIDDEN = /^(head|style|script|title)$/

/**
 * Last resort when mailparser could not convert the HTML (too large or too deeply nested), in
 * one pass so that no input makes it slow: blocks become lines, and quoted blocks keep "> " so
 * reply parsing still sees them as quoted.
 */
export const htmlToPlain = (html: string): string => {
  const lines: Array<string> = []
  let line = ""
  let depth = 0
  let hidden: string | undefined
  let at = 0
  const text = (raw: string) => (line += decodeEntities(raw.replace(/\s+/g, " ")))
  // <br> always ends the line; a block only a line with text in it (so <div><div> is one break).
  const newline = (always: boolean) => {
    if (!always && line.trim() === "") return
    lines.push(line)
    line = "> ".repeat(depth)
  }
  for (const match of html.matchAll(TAG)) {
    if (hidden === undefined) text(html.slice(at, match.index))
    at = match.index + match[0].length
    const closing = match[1] === "/"
    const name = (match[2] ?? "").toLowerCase()
    if (hidden !== undefined) {
      if (closing && name === hidden) hidden = undefined
    } else if (HIDDEN.test(name) && !closing) {
      hidden = name
    } else if (name === "blockquote") {
      depth = Math.max(0, depth + (closing ? -1 : 1))
      newline(true)
    } else if (BLOCK.test(name)) {
      newline(name === "br")
    }
  }
  if (hidden === undefined) text(html.slice(at))
  lines.push(line)
  return lines.map((l) => l.trim()).join("\n").replace(/\n{3,}/g, "\n\n").trim()
}

/** A header as mailparser gives it: a string, a structured value ({ value }), or a list of either. */
const headerText = (value: unknown): string => {
  if (typeof value === "string") return value.trim()
  if (Array.isArray(value)) return value.map(headerText).filter((v) => v.length > 0).join(", ")
  if (typeof value === "object" && value !== null && "value" in value) {
    const inner: unknown = value.value
    // An address header ({ value: [{ address }] }): the addresses, "" for the null sender "<>".
    if (Array.isArray(inner)) {
      const address = (a: unknown) => (typeof a === "object" && a !== null && "address" in a ? String(a.address ?? "") : "")
      return inner.map(address).join(", ")
    }
    return headerText(inner)
  }
  return ""
}

const AUTO_PRECEDENCE = /^(auto_reply|bulk|junk)$/i

/**
 * Why the headers say no person wrote this mail (RFC 3834 Auto-Submitted, the X-Autoreply /
 * X-Autorespond of vacation responders, Precedence, delivery and read reports, bounce markers),
 * or undefined. Only what a person's mail program never sets counts.
 */
export const automaticReason = (headers: ReadonlyMap<string, unknown>): string | undefined => {
  const lower = new Map([...headers].map(([key, value]) => [key.toLowerCase(), value]))
  const has = (name: string) => lower.has(name)
  const text = (name: string) => headerText(lower.get(name))
  // Most telling first: a delivery or read report, a bounce marker, then the auto-reply headers.
  const contentType = lower.get("content-type")
  if (headerText(contentType).toLowerCase() === "multipart/report") {
    const params = typeof contentType === "object" && contentType !== null && "params" in contentType
      ? contentType.params
      : undefined
    const report = typeof params === "object" && params !== null && "report-type" in params ? String(params["report-type"]) : ""
    return `Content-Type: multipart/report${report ? `; report-type=${report}` : ""}`
  }
  if (has("x-failed-recipients")) return `X-Failed-Recipients: ${text("x-failed-recipients")}`
  const submitted = text("auto-submitted")
  if (submitted.length > 0 && !/^no\b/i.test(submitted)) return `Auto-Submitted: ${submitted}`
  for (const name of ["x-autoreply", "x-autorespond"]) {
    const value = text(name)
    const label = name === "x-autoreply" ? "X-Autoreply" : "X-Autorespond"
    if (has(name) && !/^(no|false|0)$/i.test(value)) return `${label}: ${value}`
  }
  const precedence = text("precedence")
  if (AUTO_PRECEDENCE.test(precedence)) return `Precedence: ${precedence}`
  // The null sender: what bounces and (per RFC 3834) auto-replies are sent from.
  if (has("return-path") && text("return-path").replace(/[<>\s]/g, "") === "") return "Return-Path: <>"
  return undefined
}

const idList = (value: string | ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  (typeof value === "string" ? [value] : value ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v.length > 0)

export const parseMail = Effect.fn("MailParse.parse")(function*(bytes: Uint8Array, ref: string) {
  const parsed = yield* Effect.tryPromise({
    // Loaded on first use: most cycles find no mail, and mailparser is a large part of start-up.
    try: () =>
      import("mailparser").then(({ simpleParser }) =>
        simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      ),
    catch: (e) => `not a mail: ${e instanceof Error ? e.message : String(e)}`
  })
  if (parsed.headers.size === 0) return yield* Effect.fail("not a mail: no headers")
  const from = senderOf(parsed.from)
  if (from === undefined) return yield* Effect.fail("no sender address (From)")
  const text = parsed.text?.trim()
    ? parsed.text
    : typeof parsed.html === "string"
    ? htmlToPlain(parsed.html)
    : ""
  const messageId = parsed.messageId?.trim()
  if (!messageId && text.trim().length === 0) return yield* Effect.fail("no Message-ID and no body")
  // mailparser reads an unparsable Date header as "now"; a missing one we treat the same way.
  const date = parsed.date && !Number.isNaN(parsed.date.getTime())
    ? parsed.date
    : new Date(yield* Clock.currentTimeMillis)
  const inReplyTo = idList(parsed.inReplyTo)[0]
  const automatic = automaticReason(parsed.headers)
  return new IncomingMail({
    ref,
    // Without a Message-ID the content stands in, so the same file read twice is the same mail.
    messageId: messageId || `<${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}@no-message-id.invalid>`,
    from,
    date: date.toISOString(),
    subject: parsed.subject ?? "",
    ...(inReplyTo !== undefined ? { inReplyTo } : {}),
    references: idList(parsed.references),
    text,
    ...(automatic !== undefined ? { automatic } : {})
  })
}, (effect): Effect.Effect<IncomingMail, string> => effect)
