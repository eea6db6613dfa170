/**
 * Answers from people reach their waiting workflow here, whether they came by mail (the inbox)
 * or from `hitl decide`. Each reply to a pending request takes the next reply slot of that request
 * and completes its durable deferred; a reply to a request that is no longer pending is recorded
 * and ignored, and so is one from an address that was not asked (the request's recipient and the
 * escalation address are), unless HITL_ACCEPT_ANY_SENDER=true. Mail that matches nothing is set
 * aside with the reason.
 */
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Clock, Config, Data, type Duration, Effect, Option, Ref } from "effect"
import { Inbox } from "../Agents/Inbox.js"
import { readReply } from "../Agents/ReplyParser.js"
import { AppConfig } from "../Config.js"
import { type Decision, HitlEntry, HitlReply, type HitlRequest } from "../Domain/Hitl.js"
import { auditIdOf, type IncomingMail } from "../Domain/Mail.js"
import type { StorageError } from "../Storage/StorageError.js"
import { HitlStore } from "./HitlStore.js"
import { replyDeferred, tokenFor } from "./Wait.js"

export class UnknownRequest extends Data.TaggedError("UnknownRequest")<{ readonly auditId: string }> {
  override get message() {
    return `no request ${this.auditId}`
  }
}

export type Delivered = "delivered" | "ignored"

type MailOutcome =
  | { readonly _tag: "processed"; readonly delivered: boolean }
  | { readonly _tag: "rejected"; readonly reason: string }
  | { readonly _tag: "kept" }
  /** The inbox itself cannot be read now: this mail and the rest wait for the next read. */
  | { readonly _tag: "stop" }

/** `Maria Muster <Maria@Example.com>` and `maria@example.com` are the same sender. */
const bareAddress = (address: string) => (/<([^<>]+)>\s*$/.exec(address)?.[1] ?? address).trim().toLowerCase()

export class Replies extends Effect.Service<Replies>()("Hitl/Replies", {
  effect: Effect.gen(function*() {
    const store = yield* HitlStore
    const inbox = yield* Inbox
    const engine = yield* WorkflowEngine.WorkflowEngine
    const config = yield* AppConfig
    // Read here, where it is used: a reply from anyone counts (e.g. a shared team address answers).
    const acceptAnySender = yield* Config.boolean("HITL_ACCEPT_ANY_SENDER").pipe(Config.withDefault(false))
    const woken = yield* Ref.make(new Set<string>())
    // The cycle and the between-cycles loop both read the inbox; one reader at a time.
    const reading = yield* Effect.makeSemaphore(1)

    /**
     * `replyKey` identifies the reply (a mail's Message-ID), so reading the same mail twice delivers
     * it once. A StorageError leaves the reply where it is, to be read again: an answer is never dropped.
     */
    const deliver = Effect.fn("Replies.deliver")(function*(auditId: string, reply: HitlReply, replyKey: string) {
      const request = yield* store.get(auditId)
      if (Option.isNone(request)) return yield* new UnknownRequest({ auditId })
      const claimed = yield* store.claimReply(auditId, replyKey)
      if (Option.isNone(claimed)) {
        yield* store.log(request.value.run_id, `ignored-${reply.at}-${reply.from}`, new HitlEntry({
          audit_id: auditId,
          at: reply.at,
          type: "ignored_reply",
          actor: reply.from,
          detail: { reason: `the request is ${request.value.state}`, decision: reply.decision, text: reply.text.slice(0, 500) }
        }))
        return "ignored" as Delivered
      }
      const seq = claimed.value
      // When we received it; the sender's own Date header is kept beside it.
      const receivedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
      yield* store.log(request.value.run_id, `reply-${seq}`, new HitlEntry({
        audit_id: auditId,
        at: receivedAt,
        type: "reply",
        actor: reply.from,
        detail: { seq, via: reply.via, sent_at: reply.at, decision: reply.decision, fields: reply.fields, text: reply.text.slice(0, 2000) }
      }))
      yield* Effect.log(`reply ${seq} from ${reply.from} to request ${auditId} (${reply.decision})`)
      const deferred = replyDeferred(auditId, seq)
      yield* DurableDeferred.succeed(deferred, { token: tokenFor(deferred, request.value.execution_id), value: reply }).pipe(
        Effect.provideService(WorkflowEngine.WorkflowEngine, engine)
      )
      yield* Ref.update(woken, (ids) => ids.add(request.value.execution_id))
      return "delivered" as Delivered
    })

    /** An auto-reply, out-of-office or bounce: never an answer, never asked again; recorded as ignored. */
    const ignoreAutomatic = Effect.fn("Replies.ignoreAutomatic")(function*(request: HitlRequest, mail: IncomingMail, reason: string) {
      yield* store.log(request.run_id, `automatic-${mail.messageId}`, new HitlEntry({
        audit_id: request.audit_id,
        at: mail.date,
        type: "ignored_reply",
        actor: mail.from,
        detail: { reason: `automatic mail: ${reason}`, subject: mail.subject.slice(0, 200) }
      }))
    })

    /** Who may answer a request: whom it was sent to, and the escalation address. */
    const isAsked = (request: HitlRequest, from: string) =>
      acceptAnySender || [request.recipient, config.hitlEscalationEmail].some((a) => bareAddress(a) === bareAddress(from))

    /** A reply from someone who was not asked: on record, but it decides nothing and is not answered. */
    const ignoreStranger = Effect.fn("Replies.ignoreStranger")(function*(request: HitlRequest, mail: IncomingMail, reply: HitlReply) {
      yield* store.log(request.run_id, `stranger-${mail.messageId}`, new HitlEntry({
        audit_id: request.audit_id,
        at: mail.date,
        type: "ignored_reply",
        actor: mail.from,
        detail: {
          reason: `${mail.from} was not asked (HITL_ACCEPT_ANY_SENDER=true accepts any sender)`,
          decision: reply.decision,
          text: reply.text.slice(0, 500)
        }
      }))
      yield* Effect.logWarning(`reply from ${mail.from} to request ${request.audit_id} ignored: not asked`)
    })

    /** The workflows that replies moved on since the last call: `once` waits for them before it exits. */
    const drainWoken = Ref.getAndSet(woken, new Set<string>())

    /** `hitl decide AUDIT_ID approve|decline --field k=v`: counts exactly like a reply. */
    const decide = (auditId: string, decision: Decision, fields: Record<string, string>, by: string) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
        deliver(
          auditId,
          new HitlReply({
            from: by,
            at: new Date(now).toISOString(),
            via: "cli",
            text: [decision, ...Object.entries(fields).map(([k, v]) => `${k}: ${v}`)].join("\n"),
            decision,
            fields
          }),
          `cli:${now}:${by}:${Math.random().toString(36).slice(2)}`
        )
      ))

    /** What a mail says: an automatic mail, or a person's reply with its decision and fields. */
    const readMail = (mail: IncomingMail) => {
      const read = readReply(mail, { ownDomains: config.ownDomains })
      return read._tag === "Automatic"
        ? read
        : {
          _tag: "Reply" as const,
          reply: new HitlReply({ from: mail.from, at: mail.date, via: "mail", text: read.text, decision: read.decision, fields: read.fields })
        }
    }

    /**
     * One mail from the inbox, and what becomes of it there: processed, rejected with the reason,
     * or kept for the next read when our own store failed (the answer must not be lost).
     */
    const handleMail = (mail: IncomingMail): Effect.Effect<MailOutcome> =>
      Effect.gen(function*() {
        const auditId = auditIdOf(mail)
        if (auditId === undefined) {
          return { _tag: "rejected", reason: "no request reference ([LI-…] or In-Reply-To) in this mail" } as const
        }
        const request = yield* store.get(auditId)
        if (Option.isNone(request)) return yield* new UnknownRequest({ auditId })
        const read = readMail(mail)
        if (read._tag === "Automatic") {
          yield* ignoreAutomatic(request.value, mail, read.reason)
          return { _tag: "processed", delivered: false } as const
        }
        if (!isAsked(request.value, mail.from)) {
          yield* ignoreStranger(request.value, mail, read.reply)
          return { _tag: "processed", delivered: false } as const
        }
        const delivered = yield* deliver(auditId, read.reply, `mail:${mail.messageId}`)
        return { _tag: "processed", delivered: delivered === "delivered" } as const
      }).pipe(
        Effect.catchTags({
          UnknownRequest: (e) => Effect.succeed<MailOutcome>({ _tag: "rejected", reason: e.message }),
          StorageError: (e) => Effect.as(Effect.logError(`reply ${mail.messageId} kept for the next read: ${e.message}`), { _tag: "kept" } as const)
        })
      )

    /** Reads every waiting mail once; returns how many replies reached a workflow. */
    const processInbox = () => reading.withPermits(1)(readInbox())

    const readInbox = Effect.fn("Replies.processInbox")(function*() {
      // Why a mail is set aside: its own error ("unreadable: …"), or what broke while handling it.
      const rejection = (cause: Cause.Cause<{ readonly message: string }>): MailOutcome => ({
        _tag: "rejected",
        reason: Option.match(Cause.failureOption(cause), {
          onSome: (e) => e.message,
          onNone: () => {
            const defect = Cause.squash(cause)
            return `failed: ${defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect)}`
          }
        })
      })
      let delivered = 0
      // One mail at a time: whatever goes wrong with one (a defect included) sets it aside, the others go on.
      for (const ref of yield* inbox.list) {
        const outcome = yield* inbox.read(ref).pipe(
          Effect.flatMap(Option.match({ onNone: () => Effect.succeed<MailOutcome>({ _tag: "kept" }), onSome: handleMail })),
          Effect.catchTag("InboxError", (e) =>
            Effect.as(Effect.logError(`inbox mail ${ref} kept for the next read: ${e.message}`), { _tag: "stop" } as const)),
          Effect.catchAllCause((cause) => (Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.succeed(rejection(cause))))
        )
        if (outcome._tag === "stop") break
        if (outcome._tag === "kept") continue
        if (outcome._tag === "processed" && outcome.delivered) delivered++
        yield* inbox.ack(ref, outcome._tag === "processed" ? { _tag: "processed" } : outcome).pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.logError(`cannot acknowledge inbox mail ${ref}`, cause)
          )
        )
      }
      return delivered
    })

    /** Returns when new mail may have arrived (IMAP IDLE), or after `atMost` when the inbox cannot tell. */
    const waitForMail = (atMost: Duration.Duration) => inbox.waitForMail?.(atMost) ?? Effect.sleep(atMost)

    return { deliver, decide, processInbox, drainWoken, waitForMail } as const
  })
}) {}
