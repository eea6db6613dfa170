/**
 * The durable per-event workflow: the decision tree of DESIGN.md §3 for a triggered event.
 * Every side effect is an Activity (stored result, at-least-once, idempotent towards the outside);
 * waits for people are durable deferreds raced against durable timers (Hitl/Wait.ts).
 */
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import { Clock, Duration, Effect, Option, Schedule, Schema } from "effect"
import { createHash } from "node:crypto"
import { Crm } from "./Agents/Crm.js"
import { nameFromDomain } from "./Agents/Extraction.js"
import { Mailer } from "./Agents/Mailer.js"
import { Research } from "./Agents/Research.js"
import { AppConfig } from "./Config.js"
import { CalendarEvent } from "./Domain/CalendarEvent.js"
import { CrmCompany, CrmDelivery, CrmNote } from "./Domain/Crm.js"
import { HitlEntry, type HitlKind, HitlReply, HitlRequest } from "./Domain/Hitl.js"
import { messageIdFor, OutgoingMail, subjectToken } from "./Domain/Mail.js"
import { EventError, EventOutcome } from "./Domain/RunSummary.js"
import { Trigger } from "./Domain/Trigger.js"
import { classifyDomain } from "./Domain/WebDomain.js"
import { HitlStore } from "./Hitl/HitlStore.js"
import * as Messages from "./Hitl/Messages.js"
import { phasesOf, race } from "./Hitl/Wait.js"
import { DossierStore, isFresh } from "./Storage/DossierStore.js"

export const EventPayload = {
  /** calendar id + event id + content fingerprint: the workflow's identity. */
  key: Schema.String,
  runId: Schema.String,
  event: CalendarEvent,
  trigger: Trigger,
  companyName: Schema.optional(Schema.String),
  domain: Schema.optional(Schema.String),
  /** Why the company is not known yet (e.g. the only domain found was a placeholder). */
  missingReason: Schema.optional(Schema.String)
}

export const EventWorkflow = Workflow.make({
  name: "LeadInsights/Event",
  payload: EventPayload,
  success: EventOutcome,
  error: Schema.Never,
  idempotencyKey: ({ key }) => key
})

/** A step that failed after its retries; stored with the activity's result, so it must be a schema. */
export class StepFailed extends Schema.TaggedError<StepFailed>()("StepFailed", {
  step: Schema.String,
  type: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return this.reason
  }
}

const asStepFailed = (step: string) => (e: unknown) =>
  new StepFailed({
    step,
    type: typeof e === "object" && e !== null && "_tag" in e && typeof e._tag === "string" ? e._tag : "Error",
    reason: e instanceof Error ? e.message : String(e)
  })

const auditIdFor = (executionId: string, kind: HitlKind, attempt: number) =>
  createHash("sha256").update(`${executionId}/${kind}/${attempt}`).digest("hex").slice(0, 12)

const Internal = Schema.Struct({
  crm: Schema.OptionFromNullOr(CrmCompany),
  dossier: Schema.OptionFromNullOr(Schema.Struct({
    json_path: Schema.String,
    pdf_path: Schema.optional(Schema.String),
    created_at: Schema.String,
    fresh: Schema.Boolean
  }))
})

const Answer = Schema.Union(
  Schema.TaggedStruct("Answered", { reply: HitlReply }),
  Schema.TaggedStruct("Expired", {})
)

export const EventWorkflowLive = EventWorkflow.toLayer(Effect.fnUntraced(function*(payload, executionId) {
  const config = yield* AppConfig
  const crm = yield* Crm
  const mailer = yield* Mailer
  const dossiers = yield* DossierStore
  const research = yield* Research
  const hitl = yield* HitlStore
  const { event, runId } = payload
  const phases = phasesOf({
    reminders: config.hitlReminders,
    escalateAfter: config.hitlEscalateAfter,
    expireAfter: config.hitlExpireAfter
  })

  const step = <A, I, E>(name: string, success: Schema.Schema<A, I>, execute: Effect.Effect<A, E>) =>
    Activity.make({
      name,
      success,
      error: StepFailed,
      execute: execute.pipe(
        // Transient trouble (a locked file, a CRM hiccup) gets two more tries before the event fails.
        Effect.retry(Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(2)))),
        Effect.mapError(asStepFailed(name)),
        Effect.withSpan(`EventWorkflow.${name.split(":")[0]}`, { attributes: { execution_id: executionId } })
      )
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
        yield* hitl.update(request.audit_id, {
          next_action: `${phase.action}${phase.action === "remind" ? ` ${phase.n}` : ""}`,
          next_due: new Date(createdAt + Duration.toMillis(phase.after)).toISOString()
        })
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
        yield* step(`${label}:${request.audit_id}`, Schema.Void, Effect.gen(function*() {
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

  const hitlRef = (request: HitlRequest, state: string) => ({ audit_id: request.audit_id, kind: request.kind, state })
  const base = { event_id: event.eventId, summary: event.summary, start: event.start, trigger: payload.trigger }

  const body = Effect.gen(function*() {
    // 1. Company or domain unknown: ask until a person tells us, or the request expires.
    let name = payload.companyName
    let domain = payload.domain
    let reason = payload.missingReason ?? "the meeting names no company or web domain we could use"
    let attempt = 0
    let lastRequest: HitlRequest | undefined
    while (name === undefined || domain === undefined) {
      attempt++
      const request = yield* ask("missing_info", attempt, reason, { name, domain })
      lastRequest = request
      const answer = yield* awaitAnswer(request, { name, domain })
      if (answer._tag === "Expired") {
        return new EventOutcome({ ...base, status: "declined", reason: "expired", hitl: hitlRef(request, "expired"), company: { ...(name ? { name } : {}), ...(domain ? { domain } : {}) } })
      }
      const given = answer.reply.fields
      if (given["domain"]) {
        const check = classifyDomain(given["domain"])
        if (!check.valid) {
          reason = `the domain "${given["domain"]}" cannot be used: ${check.reason}`
          continue
        }
        // A domain given by a person is taken even when the event text never mentions it.
        domain = check.domain
      }
      if (given["company"]) name = given["company"]
      if (domain !== undefined && name === undefined) name = nameFromDomain(domain) ?? domain
      if (domain === undefined) reason = "the reply did not give the company's web domain"
    }
    const company = { name, domain }

    // 2. Internal research: our own dossiers and the CRM.
    const internal = yield* step("internal-research", Internal, Effect.gen(function*() {
      const now = new Date(yield* Clock.currentTimeMillis)
      const found = yield* crm.findByDomain(domain)
      const latest = yield* dossiers.latest(domain)
      return {
        crm: found,
        dossier: Option.map(latest, (d) => ({
          json_path: d.json_path,
          ...(d.pdf_path ? { pdf_path: d.pdf_path } : {}),
          created_at: d.created_at,
          fresh: isFresh(d, now, config.dossierFreshDays)
        }))
      }
    }))

    const deliver = (stepName: string, dossier: { readonly json_path: string; readonly pdf_path?: string | undefined }) =>
      step(stepName, CrmDelivery, crm.deliver(new CrmNote({
        key: executionId,
        domain,
        companyName: name,
        title: `Meeting preparation: ${event.summary}`,
        body: `Dossier for ${name} (${domain}) for the meeting "${event.summary}" on ${event.start}.`,
        dossierJsonPath: dossier.json_path,
        ...(dossier.pdf_path ? { dossierPdfPath: dossier.pdf_path } : {})
      })))

    if (Option.isSome(internal.dossier) && internal.dossier.value.fresh) {
      const delivery = yield* deliver("deliver-reused", internal.dossier.value)
      return new EventOutcome({ ...base, status: "dossier_reused", company, dossier: { json_path: internal.dossier.value.json_path, ...(internal.dossier.value.pdf_path ? { pdf_path: internal.dossier.value.pdf_path } : {}) }, crm: delivery })
    }

    // 3. A person approves first when the trigger was soft, a dossier needs a refresh, or the CRM already has material.
    const attachments = Option.match(internal.crm, { onNone: () => 0, onSome: (c) => c.attachments.length })
    const approvalReason = payload.trigger.type === "soft"
      ? `the meeting only loosely suggests preparation ("${payload.trigger.matched_word}")`
      : Option.isSome(internal.dossier)
      ? `the last dossier on ${name} is from ${internal.dossier.value.created_at.slice(0, 10)} and needs a refresh`
      : attachments > 0
      ? `the CRM already holds ${attachments} attachment(s) on ${name}`
      : undefined
    let approval: HitlRequest | undefined
    if (approvalReason !== undefined) {
      approval = yield* ask("approval", 1, approvalReason, company)
      const answer = yield* awaitAnswer(approval, company)
      if (answer._tag === "Expired") {
        return new EventOutcome({ ...base, status: "declined", reason: "expired", company, hitl: hitlRef(approval, "expired") })
      }
      if (answer.reply.decision === "decline") {
        return new EventOutcome({ ...base, status: "declined", reason: `declined by ${answer.reply.from}`, company, hitl: hitlRef(approval, "answered") })
      }
    }

    // 4. Research, the dossier, delivery.
    const stored = yield* step("research", Schema.Struct({ json_path: Schema.String, pdf_path: Schema.optional(Schema.String) }), Effect.gen(function*() {
      const existing = yield* dossiers.findByKey(domain, executionId)
      if (Option.isSome(existing)) return { json_path: existing.value.json_path }
      const dossier = yield* research.research({ key: executionId, company, event, crm: internal.crm })
      const written = yield* dossiers.write(dossier)
      return { json_path: written.json_path, ...(written.pdf_path ? { pdf_path: written.pdf_path } : {}) }
    }))
    const delivery = yield* deliver("deliver", stored)
    const asked = approval ?? lastRequest
    return new EventOutcome({
      ...base,
      status: "delivered",
      company,
      dossier: stored,
      crm: delivery,
      ...(asked ? { hitl: hitlRef(asked, "answered") } : {})
    })
  })

  return yield* body.pipe(
    Effect.catchAll((error) =>
      Effect.succeed(new EventOutcome({
        ...base,
        status: "failed",
        error: new EventError({ type: error.type, message: `${error.step}: ${error.reason}` })
      }))
    ),
    Effect.annotateLogs({ event_id: event.eventId, run_id: runId })
  )
}))
