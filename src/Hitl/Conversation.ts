/**
 * Asking a person and waiting for the answer, inside the event workflow: the request mail (once),
 * then the reply raced against reminders, escalation and expiry (Wait.ts). A reply without a clear
 * answer gets a "please answer" mail and the wait goes on. Every step lands in the audit trail.
 */
import { Clock, Duration, Effect, Option, Schema } from "effect"
import { createHash } from "node:crypto"
import type { Mailer } from "../Agents/Mailer.js"
import type { AppConfigShape } from "../Config.js"
import type { CalendarEvent } from "../Domain/CalendarEvent.js"
import { HitlEntry, type HitlKind, type HitlReply, HitlRequest } from "../Domain/Hitl.js"
import { messageIdFor, OutgoingMail, subjectToken } from "../Domain/Mail.js"
import type { Step } from "../WorkflowStep.js"
import type { HitlStore } from "./HitlStore.js"
import * as Messages from "./Messages.js"
import { phasesOf, race } from "./Wait.js"

const auditIdFor = (executionId: string, kind: HitlKind, attempt: number) =>
  createHash("sha256").update(`${executionId}/${kind}/${attempt}`).digest("hex").slice(0, 12)

export const makeConversation = (options: {
  readonly config: AppConfigShape
  readonly mailer: Mailer["Type"]
  readonly hitl: HitlStore
  readonly executionId: string
  readonly runId: string
  readonly event: CalendarEvent
  readonly step: Step
}) => {
  const { config, event, executionId, hitl, mailer, runId, step } = options
  const phases = phasesOf({
    reminders: config.hitlReminders,
    escalateAfter: config.hitlEscalateAfter,
    expireAfter: config.hitlExpireAfter
  })

  const send = (ctx: Messages.RequestContext, to: ReadonlyArray<string>, purpose: string, subject: string, text: string, cc: ReadonlyArray<string> = []) =>
    mailer.send(new OutgoingMail({
      messageId: messageIdFor(ctx.auditId, purpose),
      auditId: ctx.auditId,
      from: config.mailFrom,
      to,
      cc,
      subject: `${subjectToken(ctx.auditId)} ${subject}`,
      text,
      html: Messages.html(text),
      ...(purpose === "request" ? {} : { inReplyTo: messageIdFor(ctx.auditId, "request") }),
      references: purpose === "request" ? [] : [messageIdFor(ctx.auditId, "request")]
    }))

  const entry = (auditId: string, key: string, type: HitlEntry["type"], actor: string, detail: Record<string, unknown>) =>
    Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
      hitl.log(runId, key, new HitlEntry({ audit_id: auditId, at: new Date(now).toISOString(), type, actor, detail }))
    ))

  /** Ask a person; returns the request (created once, however often this step is retried or replayed). */
  const ask = (kind: HitlKind, attempt: number, reason: string, company: { name?: string | undefined; domain?: string | undefined }) =>
    step(`request:${kind}:${attempt}`, HitlRequest, Effect.gen(function*() {
      const auditId = auditIdFor(executionId, kind, attempt)
      const existing = yield* hitl.get(auditId)
      if (Option.isSome(existing)) return existing.value
      const recipient = Messages.recipientFor(event, config.ownDomains, config.hitlOperatorEmail)
      const ctx: Messages.RequestContext = { auditId, kind, reason, event, company }
      yield* send(ctx, [recipient], "request", Messages.requestSubject(ctx), Messages.requestBody(ctx))
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      const request = new HitlRequest({
        audit_id: auditId, execution_id: executionId, run_id: runId, event_id: event.eventId,
        event_summary: event.summary, kind, reason, recipient, state: "pending", created_at: now, replies: 0, handled: 0,
        next_action: null, next_due: null, decision: null, answered_by: null, answered_at: null
      })
      yield* hitl.create(request)
      yield* entry(auditId, "request", "request", config.mailFrom, { to: recipient, kind, reason })
      return request
    }))

  const isDecisive = (kind: HitlKind, reply: HitlReply) =>
    kind === "approval" ? reply.decision !== "unclear" : Boolean(reply.fields["company"] || reply.fields["domain"])

  /** Replies and timers until the request is answered or expires. */
  const awaitAnswer = (request: HitlRequest, company: { name?: string | undefined; domain?: string | undefined }) =>
    Effect.gen(function*() {
      const ctx: Messages.RequestContext = { auditId: request.audit_id, kind: request.kind, reason: request.reason, event, company }
      const createdAt = Date.parse(request.created_at)
      let seq = 1
      let phaseIndex = 0
      while (true) {
        const phase = phases[phaseIndex]
        if (phase === undefined) return { _tag: "Expired" as const }
        // A step, so a replay after the request was answered does not put the next action back.
        yield* step(`schedule:${request.audit_id}:${seq}:${phaseIndex}`, Schema.Void, hitl.update(request.audit_id, {
          next_action: `${phase.action}${phase.action === "remind" ? ` ${phase.n}` : ""}`,
          next_due: new Date(createdAt + Duration.toMillis(phase.after)).toISOString()
        }))
        const outcome = yield* race(request.audit_id, createdAt, seq, phaseIndex, phase)
        if (outcome._tag === "Reply") {
          const reply = outcome.reply
          if (isDecisive(request.kind, reply)) {
            yield* step(`answered:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
              yield* hitl.update(request.audit_id, {
                state: "answered", decision: reply.decision, answered_by: reply.from, answered_at: reply.at,
                next_action: null, next_due: null, handled: seq
              })
              yield* entry(request.audit_id, `decision-${seq}`, "decision", reply.from, {
                decision: reply.decision, fields: reply.fields, via: reply.via
              })
              // Replies that arrived after this one while it was on its way are answered by it.
              const now = yield* hitl.get(request.audit_id)
              const claimed = Option.match(now, { onNone: () => seq, onSome: (r) => r.replies })
              for (let later = seq + 1; later <= claimed; later++) {
                yield* entry(request.audit_id, `ignored-${later}`, "ignored_reply", "lead-insights", {
                  reply: later,
                  reason: `the request was already answered by reply ${seq}`
                })
              }
            }))
            return { _tag: "Answered" as const, reply }
          }
          yield* step(`please-answer:${request.audit_id}:${seq}`, Schema.Void, Effect.gen(function*() {
            if (reply.via === "mail") {
              yield* send(ctx, [reply.from], `please-answer-${seq}`, `Re: ${Messages.requestSubject(ctx)}`, Messages.pleaseAnswerBody(ctx))
            }
            yield* entry(request.audit_id, `please-answer-${seq}`, "please_answer", config.mailFrom, { to: reply.from, reply: seq })
            yield* hitl.update(request.audit_id, { handled: seq })
          }))
          seq++
          continue
        }
        const label = `${phase.action}-${phase.n}`
        if (phase.action === "expire") {
          yield* step(`expire:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
            yield* hitl.update(request.audit_id, { state: "expired", next_action: null, next_due: null })
            yield* entry(request.audit_id, label, "expired", "lead-insights", { after: String(phase.after) })
          }))
          return { _tag: "Expired" as const }
        }
        const following = phases[phaseIndex + 1]
        yield* step(`${label}:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
          // After downtime past several deadlines only the latest due mail goes out, not a burst.
          const now = yield* Clock.currentTimeMillis
          if (following !== undefined && now >= createdAt + Duration.toMillis(following.after)) return
          if (phase.action === "remind") {
            yield* send(ctx, [request.recipient], label, `Reminder: ${Messages.requestSubject(ctx)}`, Messages.reminderBody(ctx, phase.n))
            yield* entry(request.audit_id, label, "reminder", config.mailFrom, { to: request.recipient, n: phase.n })
          } else {
            const to = config.hitlEscalationEmail
            yield* send(ctx, [to], label, `Escalation: ${Messages.requestSubject(ctx)}`,
              Messages.escalationBody(ctx, String(phase.after), request.recipient), [request.recipient])
            yield* entry(request.audit_id, label, "escalation", config.mailFrom, { to, cc: request.recipient })
          }
        }))
        phaseIndex++
      }
    })

  return { ask, awaitAnswer } as const
}
