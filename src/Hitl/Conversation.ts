/**
 * Asking a person and waiting for the answer, inside the event workflow: the request mail (once),
 * then the reply raced against the schedule fixed with the request (Wait.ts). A reply without a
 * clear answer gets a "please answer" mail and the wait goes on. An occurrence of a recurring
 * series whose question another occurrence already asked follows that request instead of asking
 * again. Every step lands in the audit trail.
 */
import { Clock, Duration, Effect, Option, Schema } from "effect"
import { createHash } from "node:crypto"
import type { Mailer } from "../Agents/Mailer.js"
import type { AppConfigShape } from "../Config.js"
import type { CalendarEvent } from "../Domain/CalendarEvent.js"
import { HitlEntry, type HitlKind, HitlReply, HitlRequest, type ScheduledPhase } from "../Domain/Hitl.js"
import type { OutgoingMail } from "../Domain/Mail.js"
import { StorageError } from "../Storage/StorageError.js"
import type { Step } from "../WorkflowStep.js"
import type { HitlStore } from "./HitlStore.js"
import * as Messages from "./Messages.js"
import { awaitRelease, lateReply, race, scheduleOf } from "./Wait.js"

const auditIdFor = (executionId: string, kind: HitlKind, attempt: number, round: number) =>
  createHash("sha256").update(`${executionId}/${kind}/${attempt}${round > 0 ? `/${round}` : ""}`).digest("hex").slice(0, 12)

type Company = { readonly name?: string | undefined; readonly domain?: string | undefined }

/** How a question to a person ended. */
export type Answer =
  | { readonly _tag: "Answered"; readonly reply: HitlReply; readonly request: HitlRequest }
  | { readonly _tag: "Ended"; readonly reason: "expired" | "meeting started"; readonly request?: HitlRequest | undefined }

const NotAsked = Schema.TaggedStruct("NotAsked", { reason: Schema.Literal("meeting started") })
const Asked = Schema.Union(HitlRequest, NotAsked, Schema.TaggedStruct("Taken", {}))
const FollowResult = Schema.OptionFromNullOr(Schema.Struct({ request: HitlRequest, released: Schema.Boolean }))

/** A deadline that passed before this process started was missed while nobody was running. */
const isDeadlineMissed = (startedAt: number, dueMs: number) => startedAt > dueMs
/** How long after such a deadline, beyond one inbox interval, a reply still has to be read. */
const LATE_GRACE_MS = 30_000

export const makeConversation = (options: {
  readonly config: AppConfigShape
  readonly mailer: Mailer["Type"]
  readonly hitl: HitlStore
  readonly executionId: string
  readonly runId: string
  readonly event: CalendarEvent
  /** The recurring series this occurrence belongs to, and when its last occurrence in the window starts. */
  readonly series?: { readonly key: string; readonly lastStart: string } | undefined
  readonly step: Step
  /** When this process started: a request's end that came before it was missed while we were down. */
  readonly processStartedAt: number
}) => {
  const { config, event, executionId, hitl, mailer, runId, step } = options
  const startMs = (iso: string) => Date.parse(iso)
  const meetingStart = config.hitlUntilMeetingStart ? startMs(event.start) : undefined
  // A series request covers every occurrence in the window, so it lasts until the last one starts.
  const requestDeadline = config.hitlUntilMeetingStart ? startMs(options.series?.lastStart ?? event.start) : undefined
  const seriesKeyFor = (kind: HitlKind, company: Company) =>
    options.series === undefined ? undefined : `${options.series.key}|${kind}|${company.domain ?? ""}`

  const entry = (auditId: string, key: string, type: HitlEntry["type"], actor: string, detail: Record<string, unknown>) =>
    Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
      hitl.log(runId, key, new HitlEntry({ audit_id: auditId, at: new Date(now).toISOString(), type, actor, detail }))
    ))

  const sender = Messages.senderOf(config)
  /** A mail the server refused for good ends its step; the refusal, in the server's words, goes into the audit trail. */
  const send = (mail: OutgoingMail) =>
    mailer.send(mail).pipe(Effect.tapError((e) =>
      e._tag === "MailRejected"
        ? entry(mail.auditId, `rejected:${mail.messageId}`, "mail_rejected", "mail server", {
          to: e.recipients,
          message_id: mail.messageId,
          response: e.response
        })
        : Effect.void
    ))

  /**
   * Ask a person (created once, however often this step is retried or replayed) — unless the
   * meeting has started, or another occurrence of the series has just asked the same (`Taken`:
   * at most one pending request per series and question, kept by the database).
   */
  const ask = (kind: HitlKind, attempt: number, round: number, reason: string, company: Company) =>
    step(`request:${kind}:${attempt}${round > 0 ? `:${round}` : ""}`, Asked, Effect.gen(function*() {
      const auditId = auditIdFor(executionId, kind, attempt, round)
      const ctx: Messages.RequestContext = { auditId, kind, reason, event, company }
      const existing = yield* hitl.get(auditId)
      let request: HitlRequest
      if (Option.isSome(existing)) request = existing.value
      else {
        const createdAt = yield* Clock.currentTimeMillis
        if (meetingStart !== undefined && createdAt >= meetingStart) return { _tag: "NotAsked" as const, reason: "meeting started" as const }
        request = new HitlRequest({
          audit_id: auditId, execution_id: executionId, run_id: runId, event_id: event.eventId,
          event_summary: event.summary, kind, reason, recipient: Messages.recipientFor(event, config.ownDomains, config.hitlOperatorEmail),
          state: "pending", created_at: new Date(createdAt).toISOString(),
          replies: 0, handled: 0, next_action: null, next_due: null, decision: null, answered_by: null, answered_at: null,
          calendar_id: event.calendarId, event_start: event.start, series_key: seriesKeyFor(kind, company) ?? null, fields: null,
          schedule: scheduleOf({
            createdAt,
            reminders: config.hitlReminders,
            escalateAfter: config.hitlEscalateAfter,
            expireAfter: config.hitlExpireAfter,
            meetingStart: requestDeadline
          })
        })
        // Recorded before the mail goes out, so a second asker of the same series loses here.
        if (!(yield* hitl.create(request))) return { _tag: "Taken" as const }
      }
      // The mail and the audit entry are idempotent: a retry after a crash in between completes them.
      yield* send(Messages.requestMail(sender, ctx, request.recipient))
      yield* entry(auditId, "request", "request", config.mailFrom, { to: request.recipient, kind, reason })
      return request
    }))

  const isDecisive = (kind: HitlKind, reply: HitlReply) =>
    kind === "approval" ? reply.decision !== "unclear" : Boolean(reply.fields["company"] || reply.fields["domain"])

  /** Requests made before schedules were stored follow the configuration, as they always did. */
  const scheduleFor = (request: HitlRequest): ReadonlyArray<ScheduledPhase> =>
    request.schedule ?? scheduleOf({
      createdAt: startMs(request.created_at),
      reminders: config.hitlReminders,
      escalateAfter: config.hitlEscalateAfter,
      expireAfter: config.hitlExpireAfter
    })

  const answered = (request: HitlRequest, seq: number, reply: HitlReply) =>
    step(`answered:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
      yield* hitl.update(request.audit_id, {
        state: "answered", decision: reply.decision, answered_by: reply.from, answered_at: reply.at,
        next_action: null, next_due: null, handled: seq, fields: reply.fields
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

  const expire = (request: HitlRequest, phase: ScheduledPhase, detail: Record<string, unknown> = {}) =>
    step(`expire:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
      yield* hitl.update(request.audit_id, { state: "expired", next_action: null, next_due: null })
      yield* entry(request.audit_id, `${phase.action}-${phase.n}`, "expired", "lead-insights", {
        reason: phase.reason ?? "expired", due: phase.due, ...detail
      })
    }))

  /** Replies and timers until the request is answered or ends. */
  const awaitAnswer = (request: HitlRequest, company: Company) =>
    Effect.gen(function*() {
      const ctx: Messages.RequestContext = { auditId: request.audit_id, kind: request.kind, reason: request.reason, event, company }
      const schedule = scheduleFor(request)
      let seq = 1
      let phaseIndex = 0
      while (true) {
        const phase = schedule[phaseIndex]
        if (phase === undefined) return { _tag: "Ended" as const, reason: "expired" as const, request }
        const dueMs = startMs(phase.due)
        // A step, so a replay after the request was answered does not put the next action back.
        yield* step(`schedule:${request.audit_id}:${seq}:${phaseIndex}`, Schema.Void, hitl.update(request.audit_id, {
          next_action: `${phase.action}${phase.action === "remind" ? ` ${phase.n}` : ""}`,
          next_due: phase.due
        }))
        const outcome = yield* race(request.audit_id, seq, phaseIndex, dueMs)
        if (outcome._tag === "Reply") {
          const reply = outcome.reply
          if (isDecisive(request.kind, reply)) {
            yield* answered(request, seq, reply)
            return { _tag: "Answered" as const, reply, request }
          }
          yield* step(`please-answer:${request.audit_id}:${seq}`, Schema.Void, Effect.gen(function*() {
            if (reply.via === "mail") {
              yield* send(Messages.pleaseAnswerMail(sender, ctx, reply.from, seq))
            }
            yield* entry(request.audit_id, `please-answer-${seq}`, "please_answer", config.mailFrom, { to: reply.from, reply: seq })
            yield* hitl.update(request.audit_id, { handled: seq })
          }))
          seq++
          continue
        }
        const label = `${phase.action}-${phase.n}`
        if (phase.action === "expire") {
          // The end passed while we were down: a reply written before it, still in the inbox, wins.
          if (isDeadlineMissed(options.processStartedAt, dueMs)) {
            const graceMs = Duration.toMillis(config.inboxInterval) + LATE_GRACE_MS
            yield* step(`late:${request.audit_id}:${seq}`, Schema.Void, Effect.flatMap(Clock.currentTimeMillis, (now) =>
              hitl.update(request.audit_id, { next_action: "expire", next_due: new Date(now + graceMs).toISOString() })))
            const late = yield* lateReply(request.audit_id, seq, graceMs)
            if (late._tag === "Reply") {
              if (startMs(late.reply.at) <= dueMs && isDecisive(request.kind, late.reply)) {
                yield* answered(request, seq, late.reply)
                return { _tag: "Answered" as const, reply: late.reply, request }
              }
              yield* expire(request, phase, { ignored_reply: seq, reply_sent_at: late.reply.at })
              return { _tag: "Ended" as const, reason: phase.reason ?? "expired", request }
            }
          }
          yield* expire(request, phase)
          return { _tag: "Ended" as const, reason: phase.reason ?? "expired", request }
        }
        const following = schedule[phaseIndex + 1]
        yield* step(`${label}:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
          // After downtime past several deadlines only the latest due mail goes out, not a burst.
          const now = yield* Clock.currentTimeMillis
          if (following !== undefined && now >= startMs(following.due)) return
          if (phase.action === "remind") {
            yield* send(Messages.reminderMail(sender, ctx, request.recipient, phase.n))
            yield* entry(request.audit_id, label, "reminder", config.mailFrom, { to: request.recipient, n: phase.n })
          } else {
            const to = config.hitlEscalationEmail
            const waited = Messages.waitedFor(startMs(phase.due) - startMs(request.created_at))
            yield* send(Messages.escalationMail(sender, ctx, { to, originalRecipient: request.recipient, n: phase.n, waited }))
            yield* entry(request.audit_id, label, "escalation", config.mailFrom, { to, cc: request.recipient })
          }
        }))
        phaseIndex++
      }
    })

  /** The answer of the request this occurrence follows, once its asker is done; None: ask ourselves. */
  const followAnswer = (followed: { readonly request: HitlRequest; readonly released: boolean }) =>
    Effect.gen(function*() {
      const auditId = followed.request.audit_id
      if (!followed.released) {
        const waited = yield* awaitRelease(auditId, executionId, meetingStart)
        if (waited._tag === "MeetingStarted") {
          return Option.some<Answer>({ _tag: "Ended", reason: "meeting started", request: followed.request })
        }
      }
      const request = yield* step(`followed:${auditId}`, HitlRequest, hitl.get(auditId).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new StorageError({ operation: "HitlStore.get", reason: `no request ${auditId}` })),
          onSome: Effect.succeed
        }))
      ))
      if (request.state === "answered" && request.decision !== null) {
        const reply = new HitlReply({
          from: request.answered_by ?? request.recipient,
          at: request.answered_at ?? request.created_at,
          via: "series",
          text: "",
          decision: request.decision === "approve" || request.decision === "decline" ? request.decision : "unclear",
          fields: request.fields ?? {}
        })
        return Option.some<Answer>({ _tag: "Answered", reply, request })
      }
      if (request.state === "expired") {
        return Option.some<Answer>({ _tag: "Ended", reason: request.schedule?.at(-1)?.reason ?? "expired", request })
      }
      return Option.none<Answer>()
    })

  /**
   * One question to a person, from asking to its end. An occurrence of a series first looks for
   * the same question asked for another occurrence and takes that answer; when that request was
   * withdrawn, or another occurrence asks at the same moment, it looks again.
   */
  const askAndWait = (kind: HitlKind, attempt: number, reason: string, company: Company) =>
    Effect.gen(function*() {
      const seriesKey = seriesKeyFor(kind, company)
      for (let round = 0;; round++) {
        if (seriesKey !== undefined) {
          const followed = yield* step(`follow:${kind}:${attempt}${round > 0 ? `:${round}` : ""}`, FollowResult, hitl.follow(seriesKey, kind, {
            execution_id: executionId,
            calendar_id: event.calendarId,
            event_id: event.eventId,
            event_start: event.start
          }))
          if (Option.isSome(followed)) {
            const answer = yield* followAnswer(followed.value)
            if (Option.isSome(answer)) return answer.value
            continue
          }
        }
        const asked = yield* ask(kind, attempt, round, reason, company)
        if (asked instanceof HitlRequest) return (yield* awaitAnswer(asked, company)) satisfies Answer
        if (asked._tag === "NotAsked") return { _tag: "Ended" as const, reason: asked.reason } satisfies Answer
      }
    })

  return { askAndWait } as const
}
