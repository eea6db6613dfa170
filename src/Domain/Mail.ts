/**
 * Mail as the program sees it. Every request to a person has an audit id; it travels in the
 * subject (`[LI-<audit id>]`, which survives "Re:"/"AW:"), in a header, and inside our Message-IDs,
 * so a reply is matched by In-Reply-To/References even when the subject was rewritten.
 */
import { Schema } from "effect"

export const AuditId = Schema.String.pipe(Schema.pattern(/^[a-z0-9]{6,32}$/), Schema.brand("AuditId"))
export type AuditId = typeof AuditId.Type

/** The Message-ID domain when the sender's address has none we can use (it never does: MAIL_FROM is checked). */
export const MAIL_DOMAIN = "lead-insights.invalid"
export const AUDIT_HEADER = "X-Lead-Insights-Audit-Id"

/** `[LI-ab12cd34ef]` */
export const subjectToken = (auditId: string) => `[LI-${auditId}]`

/**
 * The domain our Message-IDs carry: the sender's own (MAIL_FROM's), since spam filters distrust
 * ids on a domain that is not the sender's; `lead-insights@mail.acme.io` → `mail.acme.io`.
 */
export const mailDomainOf = (from: string): string => {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from
  const domain = address.slice(address.lastIndexOf("@") + 1).trim().toLowerCase()
  return address.includes("@") && /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain) ? domain : MAIL_DOMAIN
}

/**
 * Deterministic (the audit id and what the mail is for), so a mail re-sent after a crash or a
 * retry has the same Message-ID: the outbox and the recipient's mail client see one message.
 */
export const messageIdFor = (auditId: string, purpose: string, domain: string) => `<li.${auditId}.${purpose}@${domain}>`

const tokenPattern = /\[LI-([a-z0-9]{6,32})\]/i
// Any domain: mails sent before MAIL_FROM changed (or under the old `.invalid` one) still match.
const messageIdPattern = /<li\.([a-z0-9]{6,32})\.[a-z0-9-]+@[^<>@\s]+>/i

/** The audit id a reply belongs to: References/In-Reply-To first (they cannot be edited by hand), then the subject. */
export const auditIdOf = (mail: {
  readonly inReplyTo?: string | undefined
  readonly references: ReadonlyArray<string>
  readonly subject: string
}): string | undefined => {
  for (const id of [mail.inReplyTo ?? "", ...[...mail.references].reverse()]) {
    const match = messageIdPattern.exec(id)
    if (match?.[1]) return match[1].toLowerCase()
  }
  return tokenPattern.exec(mail.subject)?.[1]?.toLowerCase()
}

/** A file of ours sent with a mail (the dossier's PDF), read when the mail is built. */
export class MailAttachment extends Schema.Class<MailAttachment>("MailAttachment")({
  filename: Schema.String,
  contentType: Schema.String,
  path: Schema.String
}) {}

export class OutgoingMail extends Schema.Class<OutgoingMail>("OutgoingMail")({
  /** Our Message-ID (angle brackets included); the adapter sends a given id at most once. */
  messageId: Schema.String,
  auditId: Schema.String,
  from: Schema.String,
  to: Schema.Array(Schema.String),
  cc: Schema.Array(Schema.String),
  subject: Schema.String,
  text: Schema.String,
  html: Schema.String,
  inReplyTo: Schema.optional(Schema.String),
  references: Schema.Array(Schema.String),
  attachments: Schema.optionalWith(Schema.Array(MailAttachment), { default: () => [] })
}) {}

export class IncomingMail extends Schema.Class<IncomingMail>("IncomingMail")({
  /** Where the adapter keeps it (a file name, an IMAP UID); handed back on ack. */
  ref: Schema.String,
  messageId: Schema.String,
  from: Schema.String,
  date: Schema.String,
  subject: Schema.String,
  inReplyTo: Schema.optional(Schema.String),
  references: Schema.Array(Schema.String),
  /** The plain text body as sent (HTML-only mails converted to text). */
  text: Schema.String,
  /**
   * Why the headers say no person wrote it (an auto-reply or a bounce), e.g. "Auto-Submitted:
   * auto-replied": such a mail is never a decision and is never answered.
   */
  automatic: Schema.optional(Schema.String)
}) {}
