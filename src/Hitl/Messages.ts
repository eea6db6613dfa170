/**
 * The mails we send to people: the request, reminders, the escalation, "please answer", the
 * withdrawal, and the delivery notice with the dossier's PDF. Each is written once as a few blocks
 * (paragraphs, the meeting's facts, the lines to reply with) and rendered from them as plain text
 * and as HTML, so the two parts always say the same. English with a German line; the meeting time
 * on the reader's clock (the event's own zone, else DISPLAY_TIMEZONE, else UTC), as people write it.
 */
import { Option } from "effect"
import { createHash } from "node:crypto"
import { chooseZone, formatMeetingTime } from "../Agents/Research/Meeting.js"
import type { AppConfigShape } from "../Config.js"
import type { CalendarEvent, Person } from "../Domain/CalendarEvent.js"
import type { HitlRequest } from "../Domain/Hitl.js"
import { MailAttachment, mailDomainOf, messageIdFor, OutgoingMail, subjectToken } from "../Domain/Mail.js"
import { isWithinAny } from "../Domain/WebDomain.js"

export interface RequestContext {
  readonly auditId: string
  readonly kind: "missing_info" | "approval"
  readonly reason: string
  readonly event: CalendarEvent
  readonly company: { readonly name?: string | undefined; readonly domain?: string | undefined }
}

/** Who sends, and on whose clock meeting times are written when the event has no zone of its own. */
export interface Sender {
  readonly from: string
  readonly domain: string
  readonly displayTimeZone: string | undefined
}

export const senderOf = (config: Pick<AppConfigShape, "mailFrom" | "displayTimeZone">): Sender => ({
  from: config.mailFrom,
  domain: mailDomainOf(config.mailFrom),
  displayTimeZone: Option.getOrUndefined(config.displayTimeZone)
})

// ---------------------------------------------------------------------------------------------
// Words

/** "1 attachment", "3 attachments"; `many` for the irregular ones ("2 people"). */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** "Anna", "Anna and Ben", "Anna, Ben and Carla", "Anna, Ben, Carla and 2 others". */
export const listOf = (items: ReadonlyArray<string>, shown = 4): string => {
  if (items.length <= 1) return items.join("")
  if (items.length > shown + 1) return `${items.slice(0, shown).join(", ")} and ${count(items.length - shown, "other")}`
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`
}

/** 172800000 → "2 days", 14400000 → "4 hours". */
export const waitedFor = (ms: number): string => {
  const units: ReadonlyArray<readonly [number, string]> = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"]]
  const [size, name] = units.find(([size]) => ms >= size && ms % size === 0) ?? units.find(([size]) => ms >= size) ?? [1000, "second"]
  return count(Math.round(ms / size), name)
}

/** "Thu 26 Nov 2026, 10:00–11:00 CET" on the reader's clock. */
export const meetingWhen = (event: Pick<CalendarEvent, "start" | "end" | "allDay" | "timeZone">, displayTimeZone: string | undefined) =>
  formatMeetingTime(event, chooseZone(event.timeZone, displayTimeZone).zone).when

const personText = (p: Person) =>
  p.name && p.email ? `${p.name} <${p.email}>` : p.name ?? p.email ?? ""

const titleOf = (summary: string) => summary.trim() || "(no title)"

// ---------------------------------------------------------------------------------------------
// Blocks, and the two renderings of them

type Block =
  | { readonly _tag: "Para"; readonly text: string }
  /** Label and value rows: the meeting at a glance. */
  | { readonly _tag: "Facts"; readonly rows: ReadonlyArray<readonly [string, string]> }
  /** Lines to copy into the answer, written exactly as the reply parser reads them. */
  | { readonly _tag: "Reply"; readonly lines: ReadonlyArray<string> }
  | { readonly _tag: "Small"; readonly text: string }

const para = (text: string): Block => ({ _tag: "Para", text })
const small = (text: string): Block => ({ _tag: "Small", text })
const reference = (auditId: string) => small(`Reference: ${auditId}`)

const SIGNATURE = "Lead Insights"

export const renderText = (blocks: ReadonlyArray<Block>): string =>
  [
    ...blocks.map((b) => {
      switch (b._tag) {
        case "Facts": {
          const width = Math.max(...b.rows.map(([label]) => label.length)) + 1
          return b.rows.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`).join("\n")
        }
        case "Reply":
          return b.lines.join("\n")
        default:
          return b.text
      }
    }),
    // "-- " (with the space) is the signature line mail clients recognise and leave out of quotes.
    `-- \n${SIGNATURE}`
  ].join("\n\n")

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const lines = (s: string) => escapeHtml(s).replace(/\n/g, "<br>")

const MUTED = "color:#57606a"

export const renderHtml = (blocks: ReadonlyArray<Block>): string => {
  const body = blocks.map((b) => {
    switch (b._tag) {
      case "Para":
        return `<p style="margin:0 0 14px">${lines(b.text)}</p>`
      case "Small":
        return `<p style="margin:0 0 14px;font-size:13px;${MUTED}">${lines(b.text)}</p>`
      case "Reply":
        return `<pre style="margin:0 0 14px;padding:8px 12px;background:#f6f8fa;border-radius:4px;` +
          `font-family:Menlo,Consolas,monospace;font-size:14px;white-space:pre-wrap">${escapeHtml(b.lines.join("\n"))}</pre>`
      case "Facts":
        return `<table role="presentation" style="margin:0 0 14px;border-collapse:collapse">${
          b.rows.map(([label, value]) =>
            `<tr><td style="padding:2px 14px 2px 0;vertical-align:top;${MUTED}">${escapeHtml(label)}</td>` +
            `<td style="padding:2px 0;vertical-align:top">${lines(value)}</td></tr>`
          ).join("")
        }</table>`
    }
  })
  return `<!doctype html><html><head><meta charset="utf-8"></head>` +
    `<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1f2328">` +
    `${body.join("")}<p style="margin:0;${MUTED}">-- <br>${SIGNATURE}</p></body></html>`
}

// ---------------------------------------------------------------------------------------------
// The requests and what follows them

/** Who is asked: the organiser when they are one of us, otherwise the operator. */
export const recipientFor = (event: CalendarEvent, ownDomains: ReadonlyArray<string>, operator: string): string => {
  const email = event.organizer?.email
  const domain = email?.split("@")[1]?.toLowerCase()
  return email && domain && isWithinAny(domain, ownDomains) ? email : operator
}

const meetingFacts = (event: CalendarEvent, sender: Sender): Block => {
  const attendees = event.attendees.map((a) => a.name ?? a.email ?? "").filter(Boolean)
  return {
    _tag: "Facts",
    rows: [
      ["Meeting", titleOf(event.summary)],
      ["When", meetingWhen(event, sender.displayTimeZone)],
      ...(event.location.trim() ? [["Where", event.location.trim()] as const] : []),
      ...(event.organizer?.email ? [["Organiser", personText(event.organizer)] as const] : []),
      ...(attendees.length > 0 ? [["Attendees", listOf(attendees)] as const] : [])
    ]
  }
}

export const requestSubject = (ctx: RequestContext) =>
  ctx.kind === "missing_info"
    ? `Which company is "${titleOf(ctx.event.summary)}" with?`
    : `Approve research for ${ctx.company.name ?? ctx.company.domain ?? "this meeting"}?`

const askBlocks = (ctx: RequestContext, sender: Sender): ReadonlyArray<Block> =>
  ctx.kind === "missing_info"
    ? [
      para(
        "Lead Insights found a meeting that needs preparation, but could not tell which company it is with" +
          (ctx.reason ? ` (${ctx.reason}).` : ".")
      ),
      meetingFacts(ctx.event, sender),
      para("Please reply with these two lines (German keys work too: Firma / Webseite):"),
      {
        _tag: "Reply",
        lines: [`company: ${ctx.company.name ?? "<company name>"}`, `domain: ${ctx.company.domain ?? "<web domain, e.g. acme.com>"}`]
      }
    ]
    : [
      para(
        `Lead Insights would like to prepare a dossier on ${
          [ctx.company.name, ctx.company.domain ? `(${ctx.company.domain})` : undefined].filter(Boolean).join(" ")
        } for this meeting.\nWhy it asks first: ${ctx.reason}`
      ),
      meetingFacts(ctx.event, sender),
      para("Reply \"approve\" to go ahead or \"decline\" to skip it.\nAntworten Sie mit \"ja\" (freigeben) oder \"nein\" (ablehnen).")
    ]

/** A mail in the request's thread: its own stable Message-ID, replying to the request's. */
const threadMail = (sender: Sender, auditId: string, purpose: string, fields: {
  readonly to: ReadonlyArray<string>
  readonly cc?: ReadonlyArray<string>
  readonly subject: string
  readonly blocks: ReadonlyArray<Block>
  readonly attachments?: ReadonlyArray<MailAttachment>
}) => {
  const request = messageIdFor(auditId, "request", sender.domain)
  return new OutgoingMail({
    messageId: messageIdFor(auditId, purpose, sender.domain),
    auditId,
    from: sender.from,
    to: fields.to,
    cc: fields.cc ?? [],
    subject: `${subjectToken(auditId)} ${fields.subject}`,
    text: renderText(fields.blocks),
    html: renderHtml(fields.blocks),
    ...(purpose === "request" ? {} : { inReplyTo: request }),
    references: purpose === "request" ? [] : [request],
    attachments: fields.attachments ?? []
  })
}

export const requestMail = (sender: Sender, ctx: RequestContext, to: string) =>
  threadMail(sender, ctx.auditId, "request", {
    to: [to],
    subject: requestSubject(ctx),
    blocks: [para("Hello,"), ...askBlocks(ctx, sender), reference(ctx.auditId)]
  })

export const reminderMail = (sender: Sender, ctx: RequestContext, to: string, n: number) =>
  threadMail(sender, ctx.auditId, `remind-${n}`, {
    to: [to],
    subject: `Reminder: ${requestSubject(ctx)}`,
    blocks: [
      para(`Hello,\n\nReminder ${n}: we are still waiting for your answer.`),
      ...askBlocks(ctx, sender),
      reference(ctx.auditId)
    ]
  })

export const escalationMail = (
  sender: Sender,
  ctx: RequestContext,
  options: { readonly to: string; readonly originalRecipient: string; readonly n: number; readonly waited: string }
) =>
  threadMail(sender, ctx.auditId, `escalate-${options.n}`, {
    to: [options.to],
    cc: [options.originalRecipient],
    subject: `Escalation: ${requestSubject(ctx)}`,
    blocks: [
      para(
        `Hello,\n\nNobody has answered this request to ${options.originalRecipient} for ${options.waited}. ` +
          "You are asked as the escalation contact; your reply counts like theirs."
      ),
      ...askBlocks(ctx, sender),
      reference(ctx.auditId)
    ]
  })

/** A reply without a clear answer: thanks, and what we need. */
export const pleaseAnswerMail = (sender: Sender, ctx: RequestContext, to: string, seq: number) =>
  threadMail(sender, ctx.auditId, `please-answer-${seq}`, {
    to: [to],
    subject: `Re: ${requestSubject(ctx)}`,
    blocks: ctx.kind === "approval"
      ? [
        para("Thank you. We could not read a clear decision in your reply."),
        para("Please answer \"approve\" or \"decline\" (ja / nein) at the top of your reply."),
        reference(ctx.auditId)
      ]
      : [
        para("Thank you. We could not find the company or its web domain in your reply."),
        para("Please answer with these two lines:"),
        { _tag: "Reply", lines: ["company: …", "domain: …"] },
        reference(ctx.auditId)
      ]
  })

/** The meeting is gone: the person asked need not answer any more. */
export const withdrawnMail = (
  sender: Sender,
  request: Pick<HitlRequest, "audit_id" | "recipient" | "event_summary" | "event_start">,
  why: string
) =>
  threadMail(sender, request.audit_id, "withdrawn", {
    to: [request.recipient],
    subject: `No need to answer: ${titleOf(request.event_summary)}`,
    blocks: [
      para(`Hello,\n\nNo need to answer our earlier question any more: ${why}.`),
      {
        _tag: "Facts",
        rows: [
          ["Meeting", titleOf(request.event_summary)],
          ...(request.event_start
            ? [["When", meetingWhen({ start: request.event_start, allDay: !request.event_start.includes("T") }, sender.displayTimeZone)] as const]
            : [])
        ]
      },
      reference(request.audit_id)
    ]
  })

// ---------------------------------------------------------------------------------------------
// The delivery notice

/**
 * Who hears that a dossier is ready: only our own people (OWN_DOMAINS). The organiser when they are
 * one of us; when the organiser is not (a customer's invitation), our own people among the
 * attendees; nobody when none of us is in the meeting (the dossier is in the CRM either way).
 */
export const noticeRecipients = (event: CalendarEvent, ownDomains: ReadonlyArray<string>): ReadonlyArray<string> => {
  const ours = (p: Person | undefined): p is Person & { email: string } => {
    const domain = p?.email?.split("@")[1]?.toLowerCase()
    return domain !== undefined && isWithinAny(domain, ownDomains)
  }
  if (ours(event.organizer)) return [event.organizer.email]
  const seen = new Set<string>()
  return event.attendees.filter(ours).map((p) => p.email).filter((e) => !seen.has(e.toLowerCase()) && seen.add(e.toLowerCase()))
}

/** The delivery's stand-in for an audit id: from the workflow, so a re-run notice has the same Message-ID. */
export const noticeIdFor = (executionId: string) =>
  createHash("sha256").update(`${executionId}/delivery-notice`).digest("hex").slice(0, 12)

export interface NoticeContext {
  /** Stands for the delivery in ids and the subject token, like a request's audit id. */
  readonly noticeId: string
  readonly event: CalendarEvent
  readonly company: { readonly name: string; readonly domain: string }
  readonly dossier: { readonly json_path: string; readonly pdf_path?: string | undefined }
  /** The dossier's summary, its source marks ([1]) left out; absent when it could not be read. */
  readonly summary?: string | undefined
  /** The dossier was made for an earlier meeting and is still fresh. */
  readonly reused: boolean
}

/** "Summary text [1] with marks [2, 3]." → "Summary text with marks." */
export const withoutSourceMarks = (text: string) => text.replace(/\s*\[\d+(?:\s*,\s*\d+)*\]/g, "").trim()

const SUMMARY_CHARS = 700

const shortened = (text: string) => {
  if (text.length <= SUMMARY_CHARS) return text
  const cut = text.slice(0, SUMMARY_CHARS)
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), SUMMARY_CHARS / 2))} …`
}

export const deliveryNoticeMail = (sender: Sender, ctx: NoticeContext, to: ReadonlyArray<string>) => {
  const blocks: ReadonlyArray<Block> = [
    para(
      `Hello,\n\nthe dossier on ${ctx.company.name} (${ctx.company.domain}) for your meeting is ready` +
        (ctx.reused ? " (a recent one, made for an earlier meeting)." : ".") +
        (ctx.dossier.pdf_path ? " The brief is attached as a PDF." : " It has no PDF brief; the full dossier is in the CRM.")
    ),
    meetingFacts(ctx.event, sender),
    ...(ctx.summary ? [para(shortened(withoutSourceMarks(ctx.summary)))] : []),
    small(`Dossier: ${ctx.dossier.json_path}`)
  ]
  return new OutgoingMail({
    messageId: messageIdFor(ctx.noticeId, "delivered", sender.domain),
    auditId: ctx.noticeId,
    from: sender.from,
    to,
    cc: [],
    subject: `${subjectToken(ctx.noticeId)} Dossier ready: ${ctx.company.name} for "${titleOf(ctx.event.summary)}"`,
    text: renderText(blocks),
    html: renderHtml(blocks),
    references: [],
    attachments: ctx.dossier.pdf_path
      ? [new MailAttachment({ filename: briefFileName(ctx.company.name), contentType: "application/pdf", path: ctx.dossier.pdf_path })]
      : []
  })
}

/** "Müller & Söhne GmbH" → "Brief Müller Söhne GmbH.pdf": a name every mail client and file system takes. */
export const briefFileName = (company: string) =>
  `Brief ${company.replace(/[^\p{L}\p{N} ._-]+/gu, " ").replace(/\s+/g, " ").trim().slice(0, 80) || "dossier"}.pdf`
