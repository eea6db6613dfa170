/**
 * The incoming mail port. Adapters: MailDir (files dropped into inbox/) and IMAP. Mails are
 * listed first and read one at a time, so a poll never holds more than one mail, and one that
 * cannot be read is set aside without stopping the others.
 */
import { Context, type Duration, type Effect, type Option, Schema } from "effect"
import type { IncomingMail } from "../Domain/Mail.js"

export class InboxError extends Schema.TaggedError<InboxError>()("InboxError", {
  reason: Schema.String
}) {
  override get message() {
    return `cannot read the inbox: ${this.reason}`
  }
}

/** This mail cannot be used (too large, not a mail at all …); it is rejected with the reason. */
export class UnreadableMail extends Schema.TaggedError<UnreadableMail>()("UnreadableMail", {
  ref: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `unreadable: ${this.reason}`
  }
}

export class Inbox extends Context.Tag("Agents/Inbox")<Inbox, {
  /** Mails not yet acknowledged, oldest first; nothing is read yet. */
  readonly list: Effect.Effect<ReadonlyArray<string>, InboxError>
  /** One listed mail; `None` when it is gone meanwhile (acknowledged by another reader). */
  readonly read: (ref: string) => Effect.Effect<Option.Option<IncomingMail>, UnreadableMail | InboxError>
  /** Done with a mail: `processed`, or `rejected` with the reason (unmatched, malformed …). */
  readonly ack: (
    ref: string,
    outcome: { readonly _tag: "processed" } | { readonly _tag: "rejected"; readonly reason: string }
  ) => Effect.Effect<void, InboxError>
  /**
   * Returns when new mail may have arrived (an IMAP server's IDLE news), or after `atMost` at the
   * latest; adapters that cannot tell leave it out, and the reader polls every `atMost`.
   */
  readonly waitForMail?: (atMost: Duration.Duration) => Effect.Effect<void>
}>() {}
