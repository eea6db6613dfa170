/** The incoming mail port. Adapters: MailDir (files dropped into inbox/), later IMAP. */
import { Context, type Effect, Schema } from "effect"
import type { IncomingMail } from "../Domain/Mail.js"

export class InboxError extends Schema.TaggedError<InboxError>()("InboxError", {
  reason: Schema.String
}) {
  override get message() {
    return `cannot read the inbox: ${this.reason}`
  }
}

/** A mail that could not even be parsed; the adapter sets it aside and says why. */
export interface UnreadableMail {
  readonly ref: string
  readonly reason: string
}

export class Inbox extends Context.Tag("Agents/Inbox")<Inbox, {
  /** Mails not yet acknowledged, oldest first. */
  readonly poll: Effect.Effect<{
    readonly mails: ReadonlyArray<IncomingMail>
    readonly unreadable: ReadonlyArray<UnreadableMail>
  }, InboxError>
  /** Done with a mail: `processed`, or `rejected` with the reason (unmatched, malformed …). */
  readonly ack: (
    ref: string,
    outcome: { readonly _tag: "processed" } | { readonly _tag: "rejected"; readonly reason: string }
  ) => Effect.Effect<void, InboxError>
}>() {}
