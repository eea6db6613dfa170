/** The outgoing mail port. Adapters: MailDir (files in outbox/, the default) and SMTP. */
import { Context, type Effect, Schema } from "effect"
import type { OutgoingMail } from "../Domain/Mail.js"

/** The mail did not go out this time (no connection, a 4xx, a file that cannot be written): worth another try. */
export class MailError extends Schema.TaggedError<MailError>()("MailError", {
  reason: Schema.String
}) {
  override get message() {
    return `cannot send mail: ${this.reason}`
  }
}

/**
 * The mail server refused the mail for good (a 5xx reply): sending it again gets the same answer,
 * so the step that sends it ends at once with the server's own words.
 */
export class MailRejected extends Schema.TaggedError<MailRejected>()("MailRejected", {
  messageId: Schema.String,
  recipients: Schema.Array(Schema.String),
  /** What the server said, e.g. "550 5.1.1 <x@acme.io>: Recipient address rejected: User unknown". */
  response: Schema.String
}) {
  /** Read by the workflow's steps: trying again cannot cure this. */
  get permanent(): true {
    return true
  }
  override get message() {
    return `the mail server refused the mail to ${this.recipients.join(", ")}: ${this.response}`
  }
}

export class Mailer extends Context.Tag("Agents/Mailer")<Mailer, {
  /** Idempotent on `mail.messageId`: sending the same message twice delivers it once. */
  readonly send: (mail: OutgoingMail) => Effect.Effect<void, MailError | MailRejected>
}>() {}
