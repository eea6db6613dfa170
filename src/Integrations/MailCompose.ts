/**
 * An OutgoingMail as a complete RFC 5322 message (multipart/alternative text + HTML, UTF-8, and
 * multipart/mixed with the attachments), built by nodemailer's MailComposer. Shared by the MailDir
 * outbox and the SMTP adapter, so a mail written to a file and one sent over the wire are
 * byte-for-byte the same kind of thing.
 */
import { Clock, Effect } from "effect"
import { readFile } from "node:fs/promises"
import { MailError } from "../Agents/Mailer.js"
import { AUDIT_HEADER, type OutgoingMail } from "../Domain/Mail.js"

const readAttachments = (mail: OutgoingMail) =>
  Effect.forEach(mail.attachments, (a) =>
    Effect.tryPromise({
      try: () => readFile(a.path),
      catch: (e) => new MailError({ reason: `cannot read the attachment ${a.path}: ${e instanceof Error ? e.message : String(e)}` })
    }).pipe(Effect.map((content) => ({ filename: a.filename, contentType: a.contentType, content }))))

export const composeMail = Effect.fn("MailCompose.compose")(function*(mail: OutgoingMail) {
  const now = yield* Clock.currentTimeMillis
  const attachments = yield* readAttachments(mail)
  // Loaded on first use, like mailparser: start-up should not pay for mail it may never send.
  const { default: MailComposer } = yield* Effect.promise(() => import("nodemailer/lib/mail-composer"))
  const composer = new MailComposer({
    messageId: mail.messageId,
    date: new Date(now),
    from: mail.from,
    to: [...mail.to],
    ...(mail.cc.length > 0 ? { cc: [...mail.cc] } : {}),
    subject: mail.subject,
    ...(mail.inReplyTo !== undefined ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references.length > 0 ? { references: [...mail.references] } : {}),
    headers: {
      [AUDIT_HEADER]: mail.auditId,
      // RFC 3834: tells auto-responders (vacation notices) not to answer us.
      "Auto-Submitted": "auto-generated"
    },
    text: mail.text,
    html: mail.html,
    ...(attachments.length > 0 ? { attachments } : {}),
    textEncoding: "Q",
    // Everything the mail holds is in it already: nothing is fetched or read while it is built.
    disableFileAccess: true,
    disableUrlAccess: true,
    // RFC 5322 lines end in CRLF whatever the platform.
    newline: "win"
  })
  // Building only fails on content we never pass (streams, files, URLs), so a failure is a defect.
  const bytes = yield* Effect.promise(() => composer.compile().build())
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
})
