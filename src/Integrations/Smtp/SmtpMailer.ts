/**
 * The Mailer over SMTP (nodemailer): a pooled transport owned by the layer's Scope (closed on
 * shutdown), the same RFC 5322 bytes the outbox would hold (MailCompose), sent with the envelope
 * of To and Cc. A 4xx reply, a dropped connection or a time-out is tried again a few times with
 * jittered backoff inside the call; a 5xx refusal is a MailRejected with the server's words.
 *
 * Idempotent on the Message-ID: each mail the server accepted is kept under `LOG_STORAGE_DIR/sent/`,
 * and a mail found there is not sent again (a step retried after the send, or re-run after a crash).
 * Only a crash between the server's "250" and that file can send a mail twice — with the same
 * Message-ID, which the recipient's mail client shows as one message.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import type SMTPPool from "nodemailer/lib/smtp-pool"
import * as path from "node:path"
import { MailError, Mailer, MailRejected } from "../../Agents/Mailer.js"
import { AppConfig } from "../../Config.js"
import type { OutgoingMail } from "../../Domain/Mail.js"
import { writeFileAtomic } from "../../Storage/AtomicFile.js"
import { composeMail } from "../MailCompose.js"
import { outboxFileName } from "../MailDir.js"
import { describeSmtpConfig, type SmtpConfig } from "./SmtpConfig.js"
import { describeSmtpError, type SmtpProblem } from "./SmtpError.js"

/** nodemailer's pooled transport for `config` (`doctor`'s check uses it too: verify opens a connection of its own). */
export const transportOptions = (config: SmtpConfig): SMTPPool.Options & { pool: true } => {
  const ms = Duration.toMillis(config.timeout)
  return {
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.security === "tls",
    requireTLS: config.security === "starttls",
    ignoreTLS: config.security === "plain",
    ...Option.match(config.auth, {
      onNone: () => ({}),
      onSome: (a) => ({ auth: { user: a.username, pass: Redacted.value(a.password) } })
    }),
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    dnsTimeout: ms,
    // The retries are ours (a Schedule, in a span): the pool does not resend on its own.
    maxRequeues: 0,
    maxConnections: 2
  }
}

/** An address out of a header value: `Lead Insights <li@acme.io>` → `li@acme.io`. */
const bareAddress = (value: string) => /<([^<>]+)>\s*$/.exec(value)?.[1]?.trim() ?? value.trim()

/** A refusal as the workflow records it (with the server's words); anything else is worth another try. */
const toMailError = (e: MailError | SmtpProblem | PlatformError, mail: OutgoingMail): MailError | MailRejected => {
  switch (e._tag) {
    case "MailError":
      return e
    case "SmtpProblem":
      return e.kind === "rejected"
        ? new MailRejected({
          messageId: mail.messageId,
          recipients: e.rejected && e.rejected.length > 0 ? e.rejected : [...mail.to, ...mail.cc],
          response: e.response ?? e.reason
        })
        : new MailError({ reason: e.reason })
    default:
      return new MailError({ reason: e.message })
  }
}

export const SmtpMailerLive = (config: SmtpConfig) =>
  Layer.scoped(
    Mailer,
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const sentDir = path.join((yield* AppConfig).logStorageDir, "sent")
      const login = Option.getOrUndefined(Option.map(config.auth, (a) => a.username))
      const { default: nodemailer } = yield* Effect.promise(() => import("nodemailer"))
      const transport = yield* Effect.acquireRelease(
        Effect.sync(() => nodemailer.createTransport(transportOptions(config))),
        (t) => Effect.sync(() => t.close())
      )
      yield* Effect.logDebug(`mail goes out over SMTP: ${describeSmtpConfig(config)}`)

      const retry = Schedule.exponential(config.retryDelay, 2).pipe(
        Schedule.jittered,
        Schedule.intersect(Schedule.recurs(config.attempts - 1))
      )

      const deliver = (mail: OutgoingMail, raw: Uint8Array) =>
        Effect.tryPromise({
          try: (signal) =>
            transport.sendMail({
              envelope: { from: bareAddress(mail.from), to: [...mail.to, ...mail.cc].map(bareAddress) },
              raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
              signal
            }),
          catch: (e) => describeSmtpError(config, e, login)
        }).pipe(
          Effect.tapError((p) => p.transient ? Effect.logWarning(`mail ${mail.messageId} not sent yet: ${p.reason}`) : Effect.void),
          Effect.retry({ schedule: retry, while: (p: SmtpProblem) => p.transient })
        )

      const send = Effect.fn("Smtp.send")(
        function*(mail: OutgoingMail) {
          yield* Effect.annotateCurrentSpan("mail.message_id", mail.messageId)
          const sent = path.join(sentDir, outboxFileName(mail.messageId))
          if (yield* fs.exists(sent)) return yield* Effect.logDebug(`mail ${mail.messageId} was sent before`)
          const raw = yield* composeMail(mail)
          const info = yield* deliver(mail, raw)
          yield* Effect.annotateCurrentSpan("smtp.response", info.response)
          // Some recipients refused, the others took it: sent, and said.
          if (info.rejected.length > 0) {
            yield* Effect.logWarning(`mail ${mail.messageId} went out, but the server refused ${info.rejected.map(String).join(", ")}`)
          }
          yield* writeFileAtomic(sent, raw)
        },
        (effect, mail) => Effect.mapError(effect, (e) => toMailError(e, mail))
      )

      return Mailer.of({ send })
    })
  )
