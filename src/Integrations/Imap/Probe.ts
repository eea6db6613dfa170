/**
 * `doctor`'s look at the IMAP mailbox: log in, check the mailbox (and IMAP_PROCESSED_MAILBOX)
 * exists, count what waits in it; one line either way, the connection closed after.
 */
import { Effect, Option } from "effect"
import { ImapFlow } from "imapflow"
import { describeImapError, ImapProblem } from "./ImapError.js"
import { describeImapConfig, type ImapConfig } from "./ImapConfig.js"
import { clientOptions } from "./Session.js"

export const probeImap = (config: ImapConfig): Effect.Effect<string, ImapProblem> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const client = new ImapFlow({ ...clientOptions(config), disableAutoIdle: true })
      client.on("error", () => undefined)
      return client
    }),
    (client) =>
      Effect.gen(function*() {
        yield* Effect.tryPromise({ try: () => client.connect(), catch: (e) => describeImapError(config, e) })
        const status = yield* Effect.tryPromise({
          try: () => client.status(config.mailbox, { messages: true, unseen: true }),
          catch: (e) => describeImapError(config, e)
        })
        if (status === false) {
          return yield* new ImapProblem({ kind: "mailbox", reason: `the IMAP mailbox "${config.mailbox}" does not exist (IMAP_MAILBOX)` })
        }
        if (Option.isSome(config.processedMailbox)) {
          const processed = config.processedMailbox.value
          const listed = yield* Effect.tryPromise({ try: () => client.list(), catch: (e) => describeImapError(config, e) })
          if (!listed.some((box) => box.path === processed)) {
            return yield* new ImapProblem({
              kind: "mailbox",
              reason: `the IMAP mailbox "${processed}" does not exist (IMAP_PROCESSED_MAILBOX; it is created on the first read)`
            })
          }
        }
        const idle = client.capabilities.has("IDLE") ? "IDLE" : `no IDLE: polled every INBOX_POLL_SECONDS`
        const tls = client.secureConnection ? "encrypted" : "not encrypted"
        return `imap ${describeImapConfig(config)}: ${status.messages ?? 0} message(s), ${status.unseen ?? 0} unseen; ${idle}; ${tls}`
      }),
    (client) =>
      Effect.promise(() => client.logout().catch(() => undefined)).pipe(
        Effect.interruptible,
        Effect.timeoutOption("2 seconds"),
        Effect.ensuring(Effect.sync(() => client.close()))
      )
  )
