/**
 * Mail as files, for when no SMTP/IMAP server is configured: every mail we would send is written
 * to `LOG_STORAGE_DIR/outbox/`, and a reply dropped into `LOG_STORAGE_DIR/inbox/` is read like one
 * fetched over IMAP, one file at a time and at most INBOX_MAX_BYTES of it. Acknowledged replies
 * move to `inbox/processed/` or `inbox/rejected/`.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import * as path from "node:path"
import { Inbox, InboxError, UnreadableMail } from "../Agents/Inbox.js"
import { MailError, Mailer } from "../Agents/Mailer.js"
import { AppConfig } from "../Config.js"
import type { OutgoingMail } from "../Domain/Mail.js"
import { writeFileAtomic } from "../Storage/AtomicFile.js"
import { collectAtMost, formatBytes } from "./BoundedRead.js"
import { composeMail } from "./MailCompose.js"
import { parseMail } from "./MailParse.js"

/**
 * `<li.ab12cd.request@lead-insights.invalid>` → `li.ab12cd.request@lead-insights.invalid.eml`. Ids
 * that had to be changed to be a safe name get a hash, so two different ids never share a file.
 */
export const outboxFileName = (messageId: string): string => {
  const bare = messageId.trim().replace(/^<|>$/g, "")
  const safe = bare.replace(/[^A-Za-z0-9._@+-]/g, "_").replace(/^\./, "_").slice(0, 120)
  const suffix = safe === bare && safe.length > 0
    ? ""
    : `-${createHash("sha256").update(messageId).digest("hex").slice(0, 12)}`
  return `${safe}${suffix}.eml`
}

const isReason = (reason: string) => (e: PlatformError) => e._tag === "SystemError" && e.reason === reason

const isNotFound = (e: { readonly _tag: string }) => e._tag === "SystemError" && "reason" in e && e.reason === "NotFound"

/** Missing files are not an error here: another poller or an ack may have moved them meanwhile. */
const orMissing = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.catchIf(isNotFound, () => Effect.succeed(undefined)))

// Dot files and `.tmp` files are still being written (by us or by whoever drops mail in).
const isMailFile = (name: string) =>
  !name.startsWith(".") && !/\.tmp$/i.test(name) && /\.eml$/i.test(name)

export const MailDirMailerLive = Layer.effect(
  Mailer,
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const outbox = path.join((yield* AppConfig).logStorageDir, "outbox")

    const send = Effect.fn("MailDir.send")(function*(mail: OutgoingMail) {
      const target = path.join(outbox, outboxFileName(mail.messageId))
      yield* Effect.annotateCurrentSpan("mail.message_id", mail.messageId)
      // A retried activity sends the same Message-ID again; the first file stands.
      if (yield* fs.exists(target)) return yield* Effect.logDebug(`mail ${mail.messageId} already in the outbox`)
      yield* writeFileAtomic(target, yield* composeMail(mail))
    }, Effect.mapError((e) => (e._tag === "MailError" ? e : new MailError({ reason: e.message }))))

    return Mailer.of({ send })
  })
)

export const MailDirInboxLive = Layer.effect(
  Inbox,
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppConfig
    const inbox = path.join(config.logStorageDir, "inbox")
    const maxBytes = config.inboxMaxBytes
    const toInboxError = (e: PlatformError | InboxError) =>
      e._tag === "InboxError" ? e : new InboxError({ reason: e.message })
    const checkRef = (ref: string) =>
      isMailFile(ref) && path.basename(ref) === ref
        ? Effect.succeed(path.join(inbox, ref))
        : Effect.fail(new InboxError({ reason: `not a mail file of the inbox: ${ref}` }))

    const list = Effect.gen(function*() {
      yield* fs.makeDirectory(inbox, { recursive: true })
      const names = (yield* fs.readDirectory(inbox)).filter(isMailFile)
      const stats = yield* Effect.forEach(names, (name) =>
        orMissing(fs.stat(path.join(inbox, name))).pipe(Effect.map((info) =>
          info?.type === "File"
            ? [{ name, mtime: Option.match(info.mtime, { onNone: () => 0, onSome: (d) => d.getTime() }) }]
            : []
        )))
      return stats.flat()
        .sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((f) => f.name)
    }).pipe(Effect.mapError(toInboxError), Effect.withSpan("MailDir.list"))

    const read = Effect.fn("MailDir.read")(
      function*(ref: string) {
        yield* Effect.annotateCurrentSpan("mail.ref", ref)
        const file = yield* checkRef(ref)
        const tooLarge = (size: string) =>
          new UnreadableMail({ ref, reason: `too large (${size}; INBOX_MAX_BYTES is ${formatBytes(maxBytes)})` })
        const info = yield* orMissing(fs.stat(file))
        if (info === undefined) return Option.none()
        // Only listed files get here; one replaced by a pipe meanwhile would block the read.
        if (info.type !== "File") return yield* new UnreadableMail({ ref, reason: "not a regular file" })
        if (Number(info.size) > maxBytes) return yield* tooLarge(formatBytes(Number(info.size)))
        // The file may still grow: one byte past the limit is all that is read.
        const bytes = yield* orMissing(collectAtMost(
          fs.stream(file, { bytesToRead: maxBytes + 1 }),
          maxBytes,
          () => tooLarge(`more than ${formatBytes(maxBytes)}`)
        ))
        if (bytes === undefined) return Option.none()
        const mail = yield* parseMail(bytes, ref).pipe(Effect.mapError((reason) => new UnreadableMail({ ref, reason })))
        return Option.some(mail)
      },
      Effect.mapError((e) => (e._tag === "UnreadableMail" ? e : toInboxError(e)))
    )

    /** Hard-links under the first free name, then removes the original: an existing file is never replaced. */
    const moveInto = Effect.fn(function*(source: string, dir: string, name: string, sidecar: string) {
      const ext = path.extname(name)
      const stem = name.slice(0, name.length - ext.length)
      for (let i = 0; i < 10_000; i++) {
        const candidate = i === 0 ? name : `${stem}-${i}${ext}`
        const target = path.join(dir, candidate)
        if (sidecar && (yield* fs.exists(target + sidecar))) continue
        const linked = yield* fs.link(source, target).pipe(
          Effect.as(true),
          Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
          // File systems without hard links: check, then rename (only a concurrent ack could race us).
          Effect.catchIf(
            (e) => !isReason("NotFound")(e),
            () =>
              Effect.flatMap(
                fs.exists(target),
                (taken) => taken ? Effect.succeed(false) : Effect.as(fs.rename(source, target), true)
              )
          )
        )
        if (!linked) continue
        yield* orMissing(fs.remove(source))
        return candidate
      }
      return yield* new InboxError({ reason: `no free file name for ${name} in ${dir}` })
    })

    const ack = Effect.fn("MailDir.ack")(
      function*(
        ref: string,
        outcome: { readonly _tag: "processed" } | { readonly _tag: "rejected"; readonly reason: string }
      ) {
        const source = yield* checkRef(ref)
        // Acknowledging twice (a retried activity) finds the file already gone: nothing to do.
        if (!(yield* fs.exists(source))) return yield* Effect.logDebug(`inbox mail ${ref} already acknowledged`)
        const dir = path.join(inbox, outcome._tag)
        yield* fs.makeDirectory(dir, { recursive: true })
        const sidecar = outcome._tag === "rejected" ? ".reason.txt" : ""
        const placed = yield* moveInto(source, dir, ref, sidecar)
        if (outcome._tag === "rejected") {
          yield* writeFileAtomic(path.join(dir, placed + sidecar), `${outcome.reason}\n`)
        }
      },
      Effect.mapError(toInboxError)
    )

    return Inbox.of({ list, read, ack })
  })
)
