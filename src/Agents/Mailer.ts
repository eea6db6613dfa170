/** The outgoing mail port. Adapters: MailDir (files in outbox/), later SMTP. */
import { Context, type Effect, Schema } from "effect"
import type { OutgoingMail } from "../Domain/Mail.js"

export class MailError extends Schema.TaggedError<MailError>()("MailError", {
  reason: Schema.String
}) {
  override get message() {
    return `cannot send mail: ${this.reason}`
  }
}

export class Mailer extends Context.Tag("Agents/Mailer")<Mailer, {
  /** Idempotent on `mail.messageId`: sending the same message twice delivers it once. */
  readonly send: (mail: OutgoingMail) => Effect.Effect<void, MailError>
}>() {}
