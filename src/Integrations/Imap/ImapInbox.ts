/**
 * Replies read from an IMAP mailbox (IMAP_MAILBOX of IMAP_USERNAME at IMAP_HOST), exactly once:
 * - the cursor in the workflow database (UIDVALIDITY, last UID decided) says where to look: new
 *   UIDs only; a mailbox seen for the first time, or whose UIDVALIDITY changed, is read from its
 *   oldest unseen message on;
 * - before a message is decided on, its claim is won in the database (one reader of several);
 * - a handled reply is marked \Seen, or moved to IMAP_PROCESSED_MAILBOX when that is set. Mail that
 *   answers no request is left as it is, for people to read.
 * Messages are fetched with BODY.PEEK, at most INBOX_MAX_BYTES each, and read like inbox files.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Duration, Effect, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import { hostname } from "node:os"
import { Inbox, InboxError, UnreadableMail } from "../../Agents/Inbox.js"
import { AppConfig } from "../../Config.js"
import { formatBytes } from "../BoundedRead.js"
import { parseMail } from "../MailParse.js"
import type { ImapConfig } from "./ImapConfig.js"
import { makeMailCursor } from "./MailCursor.js"
import { makeImapSession } from "./Session.js"

/** A claim not decided within this time belongs to a reader that died; another may take it over. */
const CLAIM_LEASE = Duration.minutes(10)

type Fetched =
  | { readonly _tag: "mail"; readonly source: Uint8Array }
  | { readonly _tag: "tooLarge"; readonly size: number }
  | { readonly _tag: "gone" }
  | { readonly _tag: "otherMailbox" }

const parseRef = (ref: string) => {
  const match = /^(\d+):(\d+)$/.exec(ref)
  return match?.[1] && match[2] ? { uidValidity: match[1], uid: Number(match[2]) } : undefined
}

const lowest = (uids: ReadonlyArray<number>) => uids.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
const highest = (uids: ReadonlyArray<number>) => uids.reduce((a, b) => Math.max(a, b), 0)

const search = (found: ReadonlyArray<number> | false | undefined): ReadonlyArray<number> => (found === false || found === undefined ? [] : found)

export const ImapInboxLive = (config: ImapConfig) =>
  Layer.scoped(
    Inbox,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const app = yield* AppConfig
      const session = yield* makeImapSession(config, Duration.min(app.shutdownTimeout, Duration.seconds(2)))
      const mailboxKey = `${config.username}@${config.host}:${config.port}/${config.mailbox}`
      const cursor = makeMailCursor(sql, mailboxKey, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, CLAIM_LEASE)
      const toInboxError = (e: { readonly message: string }) => new InboxError({ reason: e.message })
      const checkRef = (ref: string) => {
        const parsed = parseRef(ref)
        return parsed === undefined ? Effect.fail(new InboxError({ reason: `not a message of the IMAP mailbox: ${ref}` })) : Effect.succeed(parsed)
      }

      const list = Effect.gen(function*() {
        const before = yield* cursor.get
        const seen = yield* session.use(async (client, mailbox) => {
          const uidValidity = String(mailbox.uidValidity)
          if (Option.isSome(before) && before.value.uidValidity === uidValidity) {
            const from = before.value.lastUid
            // `n:*` also yields the newest message when none is above n.
            const uids = search(await client.search({ uid: `${from + 1}:*` }, { uid: true })).filter((uid) => uid > from)
            return { uidValidity, uids, base: from, fresh: false }
          }
          const unseen = search(await client.search({ seen: false }, { uid: true }))
          const newest = search(await client.search({ uid: "*" }, { uid: true }))
          const base = unseen.length > 0 ? lowest(unseen) - 1 : highest(newest)
          return { uidValidity, uids: unseen, base, fresh: true }
        })
        if (seen.fresh) {
          if (Option.isSome(before)) {
            yield* Effect.logWarning(
              `the IMAP mailbox ${config.mailbox} was renewed (UIDVALIDITY ${before.value.uidValidity} → ${seen.uidValidity}): reading its unseen messages`
            )
          }
          yield* cursor.advance({ uidValidity: seen.uidValidity, lastUid: seen.base })
        }
        const decided = yield* cursor.decidedAfter(seen.uidValidity, seen.base)
        const open = [...seen.uids].filter((uid) => !decided.has(uid)).sort((a, b) => a - b)
        // Everything below the first undecided message is decided: the cursor moves up to it.
        const upTo = open.length > 0 ? (open[0] ?? 1) - 1 : Math.max(seen.base, highest(seen.uids))
        if (upTo > seen.base) yield* cursor.advance({ uidValidity: seen.uidValidity, lastUid: upTo })
        return open.map((uid) => `${seen.uidValidity}:${uid}`)
      }).pipe(Effect.mapError(toInboxError), Effect.withSpan("ImapInbox.list"))

      const read = Effect.fn("ImapInbox.read")(
        function*(ref: string) {
          yield* Effect.annotateCurrentSpan("mail.ref", ref)
          const { uid, uidValidity } = yield* checkRef(ref)
          // Another reader holds it (or decided on it): not ours to read.
          if (!(yield* cursor.claim(uidValidity, uid).pipe(Effect.mapError(toInboxError)))) return Option.none()
          const fetched = yield* session.use(async (client, mailbox): Promise<Fetched> => {
            if (String(mailbox.uidValidity) !== uidValidity) return { _tag: "otherMailbox" }
            const meta = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true })
            if (meta === false) return { _tag: "gone" }
            if ((meta.size ?? 0) > app.inboxMaxBytes) return { _tag: "tooLarge", size: meta.size ?? 0 }
            const full = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true })
            return full === false || full.source === undefined ? { _tag: "gone" } : { _tag: "mail", source: full.source }
          }).pipe(Effect.mapError(toInboxError))
          switch (fetched._tag) {
            case "otherMailbox":
              return Option.none()
            case "gone":
              // Moved or deleted by someone else meanwhile: nothing to decide, the cursor may pass it.
              yield* cursor.finish(uidValidity, uid, "gone").pipe(Effect.mapError(toInboxError))
              return Option.none()
            case "tooLarge":
              return yield* new UnreadableMail({
                ref,
                reason: `too large (${formatBytes(fetched.size)}; INBOX_MAX_BYTES is ${formatBytes(app.inboxMaxBytes)})`
              })
            case "mail":
              return Option.some(yield* parseMail(fetched.source, ref).pipe(Effect.mapError((reason) => new UnreadableMail({ ref, reason }))))
          }
        }
      )

      const ack = Effect.fn("ImapInbox.ack")(
        function*(ref: string, outcome: { readonly _tag: "processed" } | { readonly _tag: "rejected"; readonly reason: string }) {
          const { uid, uidValidity } = yield* checkRef(ref)
          if (outcome._tag === "processed") {
            yield* session.use(async (client, mailbox) => {
              if (String(mailbox.uidValidity) !== uidValidity) return
              if (Option.isSome(config.processedMailbox)) {
                await client.messageMove(String(uid), config.processedMailbox.value, { uid: true })
              } else {
                await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true })
              }
            }).pipe(Effect.mapError(toInboxError))
          } else {
            yield* Effect.logWarning(`IMAP message ${ref} left unread in ${config.mailbox}: ${outcome.reason}`)
          }
          yield* cursor.finish(uidValidity, uid, outcome._tag === "processed" ? "processed" : `rejected: ${outcome.reason}`).pipe(
            Effect.mapError(toInboxError)
          )
        }
      )

      return Inbox.of({ list, read, ack, waitForMail: session.waitForMail })
    })
  )
