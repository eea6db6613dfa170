/**
 * The IMAP inbox against a real Dovecot: messages are listed once, read like inbox files, marked
 * \Seen (or moved) when handled, never listed again after a restart, and claimed by one of two
 * runners only; IDLE wakes the reader when mail arrives; a restarted server is connected to again;
 * a wrong password or a missing mailbox is one line.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { ImapFlow } from "imapflow"
import * as path from "node:path"
import { Inbox } from "../../src/Agents/Inbox.js"
import { AppConfig } from "../../src/Config.js"
import type { ImapConfig } from "../../src/Integrations/Imap/ImapConfig.js"
import { ImapInboxLive } from "../../src/Integrations/Imap/ImapInbox.js"
import { probeImap } from "../../src/Integrations/Imap/Probe.js"
import { runMigrations } from "../../src/Storage/Migrations.js"
import { type Dovecot, startDovecot, withImapClient } from "../support/dovecot.js"
import { tempDir } from "../support/spawn.js"

const PRODUCT = "li@ourco.test"
const PASSWORD = "s3cret"

let dovecot: Dovecot
beforeAll(async () => {
  dovecot = await startDovecot({ [PRODUCT]: PASSWORD, "other@ourco.test": PASSWORD })
})
afterAll(async () => {
  await dovecot?.stop()
})

const imapOf = (overrides: Partial<ImapConfig> = {}): ImapConfig => ({
  host: "127.0.0.1",
  port: dovecot.imapPort,
  secure: false,
  username: PRODUCT,
  password: Redacted.make(PASSWORD),
  mailbox: "INBOX",
  processedMailbox: Option.none(),
  ...overrides
})

/** The inbox as one runner sees it: its own connection, the shared workflow database. */
const runner = (dbFile: string, imap: ImapConfig) =>
  ImapInboxLive(imap).pipe(
    Layer.provide(Layer.effectDiscard(runMigrations)),
    Layer.provideMerge(SqliteClient.layer({ filename: dbFile })),
    Layer.provide(AppConfig.layerWith({ logStorageDir: path.dirname(dbFile) })),
    Layer.provide(NodeContext.layer)
  )

/** A client of the test, as a person's mail program. */
const withClient = <A>(user: string, f: (client: ImapFlow) => Promise<A>) => withImapClient(dovecot, user, PASSWORD, f)

let counter = 0
const mail = (subject: string, body = "Ja, gerne.") => {
  counter++
  return [
    `From: Maria <maria@ourco.test>`,
    `To: ${PRODUCT}`,
    `Subject: ${subject}`,
    `Message-ID: <m${counter}.${Date.now()}@ourco.test>`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    body,
    ""
  ].join("\r\n")
}

const append = (mailbox: string, raw: string, user = PRODUCT) => withClient(user, (c) => c.append(mailbox, raw, []))
const flagsOf = (mailbox: string, user = PRODUCT) =>
  withClient(user, async (c) => {
    await c.mailboxOpen(mailbox)
    const all = await c.fetchAll("1:*", { uid: true, flags: true, envelope: true })
    return all.map((m) => ({ subject: m.envelope?.subject ?? "", seen: m.flags?.has("\\Seen") ?? false }))
  }).catch(() => [])

const quiet = Effect.provide(Logger.minimumLogLevel(LogLevel.None))

describe("IMAP inbox on Dovecot", () => {
  it.live("lists new messages once, reads them, marks handled ones \\Seen; after a restart nothing is listed again", () =>
    Effect.gen(function*() {
      const mailbox = "Replies1"
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate(mailbox)))
      yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] Fehlende Angaben", "Firma: Müller GmbH")))
      yield* Effect.promise(() => append(mailbox, mail("Lunch?", "not for the program")))
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      const imap = imapOf({ mailbox })

      const firstLife = Effect.gen(function*() {
        const inbox = yield* Inbox
        const refs = yield* inbox.list
        expect(refs).toHaveLength(2)
        const first = yield* inbox.read(refs[0] ?? "")
        expect(Option.map(first, (m) => [m.subject, m.from, m.text.trim()])).toEqual(
          Option.some(["Re: [LI-abc123def] Fehlende Angaben", "maria@ourco.test", "Firma: Müller GmbH"])
        )
        yield* inbox.ack(refs[0] ?? "", { _tag: "processed" })
        yield* inbox.read(refs[1] ?? "")
        yield* inbox.ack(refs[1] ?? "", { _tag: "rejected", reason: "no request reference" })
        expect(yield* inbox.list).toEqual([])
      }).pipe(Effect.provide(runner(db, imap)))
      yield* firstLife
      // The reply is \Seen; the mail for people is left unread.
      expect(yield* Effect.promise(() => flagsOf(mailbox))).toEqual([
        { subject: "Re: [LI-abc123def] Fehlende Angaben", seen: true },
        { subject: "Lunch?", seen: false }
      ])

      // A restart: the same database, a new connection. Only the new message is listed.
      yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] noch was")))
      const secondLife = Effect.gen(function*() {
        const inbox = yield* Inbox
        const refs = yield* inbox.list
        expect(refs).toHaveLength(1)
        const read = yield* inbox.read(refs[0] ?? "")
        expect(Option.map(read, (m) => m.subject)).toEqual(Option.some("Re: [LI-abc123def] noch was"))
      }).pipe(Effect.provide(runner(db, imap)))
      yield* secondLife
    }).pipe(quiet), 30_000)

  it.live("with IMAP_PROCESSED_MAILBOX a handled reply is moved there (created when missing)", () =>
    Effect.gen(function*() {
      const mailbox = "Replies2"
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate(mailbox)))
      yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] Freigabe")))
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      yield* Effect.gen(function*() {
        const inbox = yield* Inbox
        const [ref] = yield* inbox.list
        yield* inbox.read(ref ?? "")
        yield* inbox.ack(ref ?? "", { _tag: "processed" })
        expect(yield* inbox.list).toEqual([])
      }).pipe(Effect.provide(runner(db, imapOf({ mailbox, processedMailbox: Option.some("Processed2") }))))
      expect(yield* Effect.promise(() => flagsOf(mailbox))).toEqual([])
      expect((yield* Effect.promise(() => flagsOf("Processed2"))).map((m) => m.subject)).toEqual(["Re: [LI-abc123def] Freigabe"])
    }).pipe(quiet), 30_000)

  it.live("of two runners on one database, only one reads a message", () =>
    Effect.gen(function*() {
      const mailbox = "Replies3"
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate(mailbox)))
      yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] Ja")))
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      const imap = imapOf({ mailbox })
      const readBy = (refs: ReadonlyArray<string>) =>
        Effect.flatMap(Inbox, (inbox) => Effect.forEach(refs, (ref) => Effect.map(inbox.read(ref), Option.isSome)))
      const listed = yield* Effect.flatMap(Inbox, (i) => i.list).pipe(Effect.provide(runner(db, imap)))
      // Both list the message; both try to read it at once; one wins the claim.
      const [a, b] = yield* Effect.all([
        readBy(listed).pipe(Effect.provide(runner(db, imap))),
        readBy(listed).pipe(Effect.provide(runner(db, imap)))
      ], { concurrency: 2 })
      expect([...(a ?? []), ...(b ?? [])].filter(Boolean)).toHaveLength(1)
    }).pipe(quiet), 30_000)

  it.live("IDLE: waiting for mail returns once a message arrives, long before the poll interval", () =>
    Effect.gen(function*() {
      const mailbox = "Replies4"
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate(mailbox)))
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      yield* Effect.gen(function*() {
        const inbox = yield* Inbox
        expect(yield* inbox.list).toEqual([])
        const wait = inbox.waitForMail?.(Duration.hours(1)) ?? Effect.never
        const arrived = yield* Effect.fork(wait)
        yield* Effect.sleep("1500 millis")
        yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] per IDLE")))
        const woke = yield* arrived.await.pipe(Effect.timeoutOption("20 seconds"))
        expect(Option.isSome(woke)).toBe(true)
        expect(yield* inbox.list).toHaveLength(1)
      }).pipe(Effect.provide(runner(db, imapOf({ mailbox }))))
    }).pipe(quiet), 40_000)

  it.live("after the server restarts, the inbox connects again and lists what arrived", () =>
    Effect.gen(function*() {
      const mailbox = "Replies5"
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate(mailbox)))
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      yield* Effect.gen(function*() {
        const inbox = yield* Inbox
        expect(yield* inbox.list).toEqual([])
        yield* Effect.promise(() => dovecot.kill())
        // The dropped connection wakes the waiter; reading fails while the server is down.
        const woke = yield* (inbox.waitForMail?.(Duration.hours(1)) ?? Effect.never).pipe(Effect.timeoutOption("20 seconds"))
        expect(Option.isSome(woke)).toBe(true)
        const down = yield* Effect.either(inbox.list)
        expect(Either.isLeft(down) && down.left.message).toMatch(/cannot connect to the IMAP server 127\.0\.0\.1:\d+: connection refused/)
        yield* Effect.promise(() => dovecot.start())
        yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] nach dem Neustart")))
        yield* (inbox.waitForMail?.(Duration.hours(1)) ?? Effect.never).pipe(Effect.timeoutOption("20 seconds"))
        const refs = yield* inbox.list
        expect(refs).toHaveLength(1)
      }).pipe(Effect.provide(runner(db, imapOf({ mailbox }))))
    }).pipe(quiet), 60_000)

  it.live("a mailbox renewed (new UIDVALIDITY) is read again from its unseen messages; what a person read stays", () =>
    Effect.gen(function*() {
      const mailbox = "Replies6"
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate(mailbox)))
      yield* Effect.promise(() => append(mailbox, mail("Re: [LI-abc123def] vorher")))
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      const imap = imapOf({ mailbox })
      const before = yield* Effect.gen(function*() {
        const inbox = yield* Inbox
        const [ref] = yield* inbox.list
        yield* inbox.read(ref ?? "")
        yield* inbox.ack(ref ?? "", { _tag: "processed" })
        return ref ?? ""
      }).pipe(Effect.provide(runner(db, imap)))
      // The mailbox is deleted and made again: its UIDs start over under a new UIDVALIDITY.
      yield* Effect.promise(() =>
        withClient(PRODUCT, async (c) => {
          await c.mailboxDelete(mailbox)
          await c.mailboxCreate(mailbox)
          await c.append(mailbox, mail("Re: [LI-abc123def] neu"), [])
          await c.append(mailbox, mail("Re: [LI-abc123def] schon gelesen"), ["\\Seen"])
        })
      )
      yield* Effect.gen(function*() {
        const inbox = yield* Inbox
        const refs = yield* inbox.list
        expect(refs).toHaveLength(1)
        const read = yield* inbox.read(refs[0] ?? "")
        expect(Option.map(read, (m) => m.subject)).toEqual(Option.some("Re: [LI-abc123def] neu"))
        // UID 1 again, under another UIDVALIDITY
        expect(refs[0]?.split(":")[1]).toBe("1")
        expect(refs[0]?.split(":")[0]).not.toBe(before.split(":")[0])
      }).pipe(Effect.provide(runner(db, imap)))
    }).pipe(quiet), 30_000)

  it.live("a wrong password is one line, for the reader and for doctor", () =>
    Effect.gen(function*() {
      const imap = imapOf({ password: Redacted.make("wrong") })
      const db = path.join(tempDir("li-imap-"), "workflows.sqlite")
      const listed = yield* Effect.flatMap(Inbox, (i) => Effect.either(i.list)).pipe(Effect.provide(runner(db, imap)))
      const expected = `IMAP login to 127.0.0.1:${dovecot.imapPort} as ${PRODUCT} refused: wrong user name or password (IMAP_USERNAME, IMAP_PASSWORD)`
      expect(Either.isLeft(listed) && listed.left.message).toBe(`cannot read the inbox: ${expected}`)
      const probe = yield* Effect.either(probeImap(imap))
      expect(Either.isLeft(probe) && probe.left.message).toBe(expected)
    }).pipe(quiet), 30_000)

  it.live("doctor: a missing mailbox is named; a good one is counted", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.either(probeImap(imapOf({ mailbox: "Nope" })))
      expect(Either.isLeft(missing) && missing.left.message).toBe(`the IMAP mailbox "Nope" does not exist on 127.0.0.1:${dovecot.imapPort} (IMAP_MAILBOX)`)
      yield* Effect.promise(() => append("INBOX", mail("hello"), "other@ourco.test"))
      const ok = yield* probeImap(imapOf({ username: "other@ourco.test" }))
      expect(ok).toBe(`imap other@ourco.test@127.0.0.1:${dovecot.imapPort}/INBOX (STARTTLS if offered): 1 message(s), 1 unseen; IDLE; not encrypted`)
    }).pipe(quiet), 30_000)
})

describe("IMAP over TLS on Dovecot (a self-signed certificate)", () => {
  let tlsDovecot: Dovecot
  beforeAll(async () => {
    tlsDovecot = await startDovecot({ [PRODUCT]: PASSWORD }, { tls: true })
  })
  afterAll(async () => {
    await tlsDovecot?.stop()
  })

  it.live("doctor names the TLS problem in one line: an untrusted certificate (TLS or STARTTLS), a port without TLS", () =>
    Effect.gen(function*() {
      const server = (port: number) => `TLS problem with the IMAP server 127.0.0.1:${port}`
      const reason = (config: ImapConfig) => Effect.map(Effect.flip(probeImap(config)), (e) => [e.kind, e.message])
      const untrusted = yield* reason(imapOf({ port: tlsDovecot.imapsPort, secure: true }))
      expect(untrusted).toEqual(["tls", `${server(tlsDovecot.imapsPort)}: its certificate is not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT; NODE_EXTRA_CA_CERTS adds a CA)`])
      const startTls = yield* reason(imapOf({ port: tlsDovecot.imapPort, secure: false }))
      expect(startTls[0]).toBe("tls")
      expect(startTls[1]).toMatch(/its certificate is not trusted/)
      const plainPort = yield* reason(imapOf({ port: tlsDovecot.imapPort, secure: true }))
      expect(plainPort).toEqual(["tls", `${server(tlsDovecot.imapPort)}: it does not speak TLS on this port (IMAP_SECURE=false for STARTTLS or a plain connection, or the TLS port, usually 993)`])
    }).pipe(quiet), 30_000)
})
