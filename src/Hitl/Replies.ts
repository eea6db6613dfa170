/**
 * Answers from people reach their waiting workflow here, whether they came by mail (the inbox)
 * or from `hitl decide`. Each reply to a pending request takes the next reply slot of that request
 * and completes its durable deferred; a reply to a request that is no longer pending is recorded
 * and ignored. Mail that matches nothing is set aside with the reason.
 */
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Clock, Data, Effect, Option } from "effect"
import { Inbox } from "../Agents/Inbox.js"
import { ownText, parseDecision, parseFields } from "../Agents/ReplyParser.js"
import { type Decision, HitlEntry, HitlReply } from "../Domain/Hitl.js"
import { auditIdOf, type IncomingMail } from "../Domain/Mail.js"
import { EventWorkflow } from "../EventWorkflow.js"
import { HitlStore } from "./HitlStore.js"
import { replyDeferred } from "./Wait.js"

export class UnknownRequest extends Data.TaggedError("UnknownRequest")<{ readonly auditId: string }> {
  override get message() {
    return `no request ${this.auditId}`
  }
}

export type Delivered = "delivered" | "ignored"

export class Replies extends Effect.Service<Replies>()("Hitl/Replies", {
  effect: Effect.gen(function*() {
    const store = yield* HitlStore
    const inbox = yield* Inbox
    const engine = yield* WorkflowEngine.WorkflowEngine
    // The cycle and the between-cycles loop both read the inbox; one reader at a time.
    const reading = yield* Effect.makeSemaphore(1)

    /** `replyKey` identifies the reply (a mail's Message-ID), so reading the same mail twice delivers it once. */
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
      const { seq } = claimed.value
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
      yield* DurableDeferred.succeed(deferred, {
        token: DurableDeferred.tokenFromExecutionId(deferred, { workflow: EventWorkflow, executionId: request.value.execution_id }),
        value: reply
      }).pipe(Effect.provideService(WorkflowEngine.WorkflowEngine, engine))
      return "delivered" as Delivered
    })

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

    const fromMail = (mail: IncomingMail) => {
      const text = ownText(mail.text)
      const fields = Object.fromEntries(
        Object.entries(parseFields(text)).filter((e): e is [string, string] => typeof e[1] === "string")
      )
      return new HitlReply({ from: mail.from, at: mail.date, via: "mail", text, decision: parseDecision(text), fields })
    }

    /** Reads every waiting mail once; returns how many replies reached a workflow. */
    const processInbox = () => reading.withPermits(1)(readInbox())

    const readInbox = Effect.fn("Replies.processInbox")(function*() {
      const { mails, unreadable } = yield* inbox.poll
      for (const bad of unreadable) yield* inbox.ack(bad.ref, { _tag: "rejected", reason: `unreadable: ${bad.reason}` })
      let delivered = 0
      for (const mail of mails) {
        const auditId = auditIdOf(mail)
        if (auditId === undefined) {
          yield* inbox.ack(mail.ref, { _tag: "rejected", reason: "no request reference ([LI-…] or In-Reply-To) in this mail" })
          continue
        }
        const outcome = yield* deliver(auditId, fromMail(mail), `mail:${mail.messageId}`).pipe(Effect.either)
        if (outcome._tag === "Left") {
          yield* inbox.ack(mail.ref, { _tag: "rejected", reason: outcome.left.message })
        } else {
          if (outcome.right === "delivered") delivered++
          yield* inbox.ack(mail.ref, { _tag: "processed" })
        }
      }
      return delivered
    })

    return { deliver, decide, processInbox } as const
  })
}) {}
