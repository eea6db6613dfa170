/**
 * The durable per-event workflow: the decision tree of DESIGN.md §3 for a triggered event.
 * Every side effect is an Activity (stored result, at-least-once, idempotent towards the outside);
 * waits for people are durable deferreds raced against durable timers (Hitl/Wait.ts).
 */
import * as Workflow from "@effect/workflow/Workflow"
import { Clock, Effect, Option, Schema } from "effect"
import { Crm } from "./Agents/Crm.js"
import { nameFromDomain } from "./Agents/Extraction.js"
import { Mailer } from "./Agents/Mailer.js"
import { Research } from "./Agents/Research.js"
import { AppConfig } from "./Config.js"
import { CalendarEvent } from "./Domain/CalendarEvent.js"
import { CrmCompany, CrmDelivery, CrmNote } from "./Domain/Crm.js"
import type { HitlRequest } from "./Domain/Hitl.js"
import { EventError, EventOutcome } from "./Domain/RunSummary.js"
import { Trigger } from "./Domain/Trigger.js"
import { classifyDomain } from "./Domain/WebDomain.js"
import { makeConversation } from "./Hitl/Conversation.js"
import { HitlStore } from "./Hitl/HitlStore.js"
import { DossierStore, isFresh } from "./Storage/DossierStore.js"
import { makeStep } from "./WorkflowStep.js"

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

const Internal = Schema.Struct({
  crm: Schema.OptionFromNullOr(CrmCompany),
  dossier: Schema.OptionFromNullOr(Schema.Struct({
    json_path: Schema.String,
    pdf_path: Schema.optional(Schema.String),
    created_at: Schema.String,
    fresh: Schema.Boolean
  }))
})

export const EventWorkflowLive = EventWorkflow.toLayer(Effect.fnUntraced(function*(payload, executionId) {
  const config = yield* AppConfig
  const crm = yield* Crm
  const mailer = yield* Mailer
  const dossiers = yield* DossierStore
  const research = yield* Research
  const hitl = yield* HitlStore
  const { event, runId } = payload
  const step = makeStep(executionId)
  const { ask, awaitAnswer } = makeConversation({ config, mailer, hitl, executionId, runId, event, step })

  const hitlRef = (request: HitlRequest, state: string) => ({ audit_id: request.audit_id, kind: request.kind, state })
  const base = { event_id: event.eventId, summary: event.summary, start: event.start, trigger: payload.trigger }

  const body = Effect.gen(function*() {
    // 1. Company or domain unknown: ask until a person tells us, or the request expires.
    let name = payload.companyName
    let domain = payload.domain
    let reason = payload.missingReason ?? "the meeting names no company or web domain we could use"
    let attempt = 0
    let lastRequest: HitlRequest | undefined
    // Anything else a person wrote as `key: value` (contact, notes …) goes into the dossier.
    const humanNotes: Record<string, string> = {}
    while (name === undefined || domain === undefined) {
      attempt++
      const request = yield* ask("missing_info", attempt, reason, { name, domain })
      lastRequest = request
      const answer = yield* awaitAnswer(request, { name, domain })
      if (answer._tag === "Expired") {
        return new EventOutcome({ ...base, status: "declined", reason: "expired", hitl: hitlRef(request, "expired"), company: { ...(name ? { name } : {}), ...(domain ? { domain } : {}) } })
      }
      const given = answer.reply.fields
      for (const [key, value] of Object.entries(given)) {
        if (key !== "company" && key !== "domain") humanNotes[key] = value
      }
      if (given["company"]) name = given["company"]
      if (given["domain"]) {
        const check = classifyDomain(given["domain"])
        if (!check.valid) {
          reason = `the domain "${given["domain"]}" cannot be used: ${check.reason}`
          continue
        }
        // A domain given by a person is taken even when the event text never mentions it.
        domain = check.domain
      }
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
      const dossier = yield* research.research({
        key: executionId,
        company,
        event,
        crm: internal.crm,
        ...(Object.keys(humanNotes).length > 0 ? { humanNotes } : {})
      })
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
