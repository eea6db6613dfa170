/**
 * The mails we send to people: the request, reminders, the escalation, "please answer".
 * Plain wording, English with a German line, the meeting spelled out, the reply format shown.
 */
import type { CalendarEvent } from "../Domain/CalendarEvent.js"
import { isWithinAny } from "../Domain/WebDomain.js"

export interface RequestContext {
  readonly auditId: string
  readonly kind: "missing_info" | "approval"
  readonly reason: string
  readonly event: CalendarEvent
  readonly company: { readonly name?: string | undefined; readonly domain?: string | undefined }
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const toHtml = (text: string) =>
  `<!doctype html><html><body><pre style="font-family:sans-serif;white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`

const meetingLines = (event: CalendarEvent) => [
  `Meeting: ${event.summary || "(no title)"}`,
  `When: ${event.start}${event.allDay ? " (all day)" : " UTC"}`,
  ...(event.location ? [`Where: ${event.location}`] : []),
  ...(event.organizer?.email ? [`Organiser: ${[event.organizer.name, `<${event.organizer.email}>`].filter(Boolean).join(" ")}`] : []),
  ...(event.attendees.length > 0
    ? [`Attendees: ${event.attendees.map((a) => a.name ?? a.email ?? "").filter(Boolean).join(", ")}`]
    : [])
]

/** Who is asked: the organiser when they are one of us, otherwise the operator. */
export const recipientFor = (event: CalendarEvent, ownDomains: ReadonlyArray<string>, operator: string): string => {
  const email = event.organizer?.email
  const domain = email?.split("@")[1]?.toLowerCase()
  return email && domain && isWithinAny(domain, ownDomains) ? email : operator
}

export const requestSubject = (ctx: RequestContext) =>
  ctx.kind === "missing_info"
    ? `Which company is "${ctx.event.summary}" with?`
    : `Approve research for ${ctx.company.name ?? ctx.company.domain ?? "this meeting"}?`

export const requestBody = (ctx: RequestContext) => {
  const lines = ctx.kind === "missing_info"
    ? [
      "Hello,",
      "",
      "Lead Insights found a meeting that needs preparation, but could not tell which company it is with.",
      ...(ctx.reason ? [`(${ctx.reason})`] : []),
      "",
      ...meetingLines(ctx.event),
      "",
      "Please reply with these two lines (German keys work too: Firma / Webseite):",
      "",
      `company: ${ctx.company.name ?? "<company name>"}`,
      `domain: ${ctx.company.domain ?? "<web domain, e.g. acme.com>"}`
    ]
    : [
      "Hello,",
      "",
      `Lead Insights would like to prepare a dossier on ${ctx.company.name ?? ""} (${ctx.company.domain ?? ""}) for this meeting.`,
      `Why it asks first: ${ctx.reason}`,
      "",
      ...meetingLines(ctx.event),
      "",
      "Reply \"approve\" to go ahead or \"decline\" to skip it.",
      "Antworten Sie mit \"ja\" (freigeben) oder \"nein\" (ablehnen)."
    ]
  return [...lines, "", `Reference: ${ctx.auditId}`, "", "-- ", "Lead Insights"].join("\n")
}

export const reminderBody = (ctx: RequestContext, n: number) =>
  [`Reminder ${n}: we are still waiting for your answer.`, "", requestBody(ctx)].join("\n")

export const escalationBody = (ctx: RequestContext, waited: string, originalRecipient: string) =>
  [
    `Nobody has answered this request to ${originalRecipient} for ${waited}. You are asked as the escalation contact;`,
    "your reply counts like theirs.",
    "",
    requestBody(ctx)
  ].join("\n")

/** 172800000 → "2 days", 14400000 → "4 hours". */
export const waitedFor = (ms: number): string => {
  const units: ReadonlyArray<readonly [number, string]> = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"]]
  const [size, name] = units.find(([size]) => ms >= size && ms % size === 0) ?? units.find(([size]) => ms >= size) ?? [1000, "second"]
  const n = Math.round(ms / size)
  return `${n} ${name}${n === 1 ? "" : "s"}`
}

/** The meeting is gone: the person asked need not answer any more. */
export const withdrawnBody = (auditId: string, meeting: string, why: string) =>
  [
    "Hello,",
    "",
    `No need to answer our earlier question any more: ${why}.`,
    "",
    `Meeting: ${meeting || "(no title)"}`,
    "",
    `Reference: ${auditId}`,
    "",
    "-- ",
    "Lead Insights"
  ].join("\n")

export const pleaseAnswerBody = (ctx: RequestContext) =>
  (ctx.kind === "approval"
    ? [
      "Thank you. We could not read a clear decision in your reply.",
      "Please answer \"approve\" or \"decline\" (ja / nein) at the top of your reply."
    ]
    : [
      "Thank you. We could not find the company or its web domain in your reply.",
      "Please answer with the lines \"company: …\" and \"domain: …\"."
    ]).concat(["", `Reference: ${ctx.auditId}`]).join("\n")

export const html = toHtml
