/**
 * One IMAP connection to the reply mailbox, held for the life of the scope and closed (LOGOUT,
 * bounded) when it ends. Connected on first use; a dropped connection is opened again on the next
 * use, with a growing pause between failed attempts (a refused login waits for the full poll
 * interval, so a wrong password never hammers the server). While connected and idle the mailbox
 * is in IDLE, and the server's news of new mail wakes whoever waits for mail.
 */
import { Duration, Effect, Option, Queue, Redacted, type Scope } from "effect"
import { ImapFlow, type MailboxObject } from "imapflow"
import { describeImapError, type ImapProblem } from "./ImapError.js"
import { describeImapConfig, type ImapConfig } from "./ImapConfig.js"

export interface ImapSession {
  /** Runs `f` on the open mailbox, connecting first when needed; one caller at a time. */
  readonly use: <A>(f: (client: ImapFlow, mailbox: MailboxObject) => Promise<A>) => Effect.Effect<A, ImapProblem>
  /**
   * Returns when new mail may be there: the server said so (IDLE), the connection dropped, or
   * `atMost` passed (at once when a dropped connection should be opened again). A server without
   * IDLE is polled every `atMost`.
   */
  readonly waitForMail: (atMost: Duration.Duration) => Effect.Effect<void>
}

/** Options shared with `doctor`: bounded waits, no library logging. */
export const clientOptions = (config: ImapConfig) => ({
  host: config.host,
  port: config.port,
  secure: config.secure,
  auth: { user: config.username, pass: Redacted.value(config.password) },
  logger: false as const,
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  // IDLE starts soon after the last command, and is renewed now and then so a dead link is noticed.
  autoIdleDelay: 1_000,
  maxIdleTime: 5 * 60_000
})

const MAX_BACKOFF = Duration.minutes(1)

/** `closeTimeout`: how long LOGOUT may take when the scope closes (within the shutdown time-out). */
export const makeImapSession = (config: ImapConfig, closeTimeout: Duration.Duration): Effect.Effect<ImapSession, never, Scope.Scope> =>
  Effect.gen(function*() {
    const lock = yield* Effect.makeSemaphore(1)
    // "Look again": new mail announced, or the connection gone. One pending signal is enough.
    const signals = yield* Queue.sliding<void>(1)
    let current: ImapFlow | undefined
    let everConnected = false
    let failures = 0
    let lastProblem: ImapProblem | undefined

    const connect = Effect.tryPromise({
      try: async () => {
        const client = new ImapFlow(clientOptions(config))
        // An error ends the connection and 'close' follows; without a listener it would end the process.
        client.on("error", () => undefined)
        client.on("exists", () => Queue.unsafeOffer(signals, undefined))
        client.on("close", () => Queue.unsafeOffer(signals, undefined))
        try {
          await client.connect()
          if (Option.isSome(config.processedMailbox)) await client.mailboxCreate(config.processedMailbox.value).catch(() => undefined)
          await client.mailboxOpen(config.mailbox)
          return client
        } catch (error) {
          client.close()
          throw error
        }
      },
      catch: (error) => describeImapError(config, error)
    })

    const open = Effect.gen(function*() {
      if (current !== undefined && current.usable) return current
      if (current !== undefined) {
        current.close()
        current = undefined
        yield* Effect.logWarning(`the connection to the IMAP server ${config.host}:${config.port} was lost; connecting again`)
      }
      const client = yield* connect.pipe(Effect.tapError((problem) =>
        Effect.sync(() => {
          failures++
          lastProblem = problem
        })
      ))
      current = client
      failures = 0
      lastProblem = undefined
      yield* Effect.log(
        `${everConnected ? "reconnected to" : "reading replies from"} ${describeImapConfig(config)}${
          client.capabilities.has("IDLE") ? " with IDLE" : ""
        }`
      )
      everConnected = true
      return client
    })

    const use = <A>(f: (client: ImapFlow, mailbox: MailboxObject) => Promise<A>) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const client = yield* open
        const mailbox = client.mailbox
        if (mailbox === false) {
          client.close()
          return yield* Effect.fail(describeImapError(config, new Error("no mailbox selected")))
        }
        return yield* Effect.tryPromise({ try: () => f(client, mailbox), catch: (error) => describeImapError(config, error) })
      }))

    const waitForMail = (atMost: Duration.Duration) =>
      Effect.suspend(() => {
        if (current !== undefined && current.usable) {
          return current.capabilities.has("IDLE")
            ? Effect.asVoid(Effect.timeoutOption(Queue.take(signals), atMost))
            : Effect.sleep(atMost)
        }
        if (failures === 0) return Effect.void
        // Refused logins wait for the full interval; anything else backs off 1 s, 2 s, 4 s … up to a minute.
        const backoff = lastProblem?.kind === "login"
          ? atMost
          : Duration.min(Duration.min(Duration.seconds(2 ** Math.min(failures - 1, 10)), MAX_BACKOFF), atMost)
        return Effect.sleep(backoff)
      })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        const client = current
        current = undefined
        if (client === undefined) return Effect.void
        return Effect.promise(() => client.logout().catch(() => undefined)).pipe(
          Effect.interruptible,
          Effect.timeoutOption(closeTimeout),
          Effect.ensuring(Effect.sync(() => client.close()))
        )
      })
    )

    return { use, waitForMail } satisfies ImapSession
  })
