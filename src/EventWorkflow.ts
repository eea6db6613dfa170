/**
 * The durable per-event workflow: the decision tree of DESIGN.md §3 for a triggered event.
 * Every side effect is an Activity (stored result, at-least-once, idempotent towards the outside);
 * waits for people are durable deferreds raced against durable timers (Hitl/Wait.ts); a failing
 * step waits durably and is tried again within the same workflow (WorkflowStep.ts).
 */
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Clock, Effect, Either, Layer, Option, Schema } from "effect"
import { Crm } from "./Agents/Crm.js"
import { nameFromDomain } from "./Agents/Extraction.js"
import { Mailer } from "./Agents/Mailer.js"
import { Research } from "./Agents/Research.js"
import { AppConfig } from "./Config.js"
import { CrmCompany, CrmDelivery, CrmNote } from "./Domain/Crm.js"
import { Dossier, type StoredDossier as Stored } from "./Domain/Dossier.js"
import { errorInfo } from "./Domain/ErrorInfo.js"
import type { HitlRequest } from "./Domain/Hitl.js"
import { EventError, EventOutcome } from "./Domain/RunSummary.js"
import { classifyDomain } from "./Domain/WebDomain.js"
import { EventWorkflow } from "./EventWorkflowSpec.js"
import { type Answer, makeConversation } from "./Hitl/Conversation.js"
import { HitlStore } from "./Hitl/HitlStore.js"
import * as Messages from "./Hitl/Messages.js"
import { releaseFollowers } from "./Hitl/Release.js"
import { DossierRenderer } from "./Reporting/DossierRenderer.js"
import { DossierStore, isFresh } from "./Storage/DossierStore.js"
import { StepRetries } from "./Storage/StepRetries.js"
import { makeStep } from "./WorkflowStep.js"

const DossierRef = Schema.Struct({
  json_path: Schema.String,
  pdf_path: Schema.optional(Schema.String),
  created_at: Schema.String,
  fresh: Schema.Boolean
})

// The results of the steps, made once here (a schema built per workflow costs more than the step).
const MaybeDossier = Schema.OptionFromNullOr(DossierRef)
const StoredDossier = Schema.Struct({ json_path: Schema.String, pdf_path: Schema.optional(Schema.String) })
/** The research step's result: the dossier written, or (`reused`) a fresh one another meeting with the company wrote meanwhile. */
const Researched = Schema.Struct({ ...StoredDossier.fields, reused: Schema.optional(Schema.Boolean) })

/** The dossier with the reason its PDF could not be rendered: it is delivered without one. */
const withoutPdf = (dossier: Dossier, reason: string): Dossier =>
  new Dossier({
    ...dossier,
    sections: { ...dossier.sections, pdf: { status: "failed", reason } },
    notes: [...dossier.notes, `dossier.pdf could not be rendered: ${reason}`]
  })

const paths = (stored: Stored) => ({ json_path: stored.json_path, ...(stored.pdf_path ? { pdf_path: stored.pdf_path } : {}) })

const Internal = Schema.Struct({
  crm: Schema.OptionFromNullOr(CrmCompany),
  dossier: Schema.OptionFromNullOr(DossierRef)
})

export const EventWorkflowLive = Layer.unwrapEffect(Effect.gen(function*() {
  // A deadline that passed before this moment was missed while the program was not running.
  const processStartedAt = yield* Clock.currentTimeMillis
  return EventWorkflow.toLayer(Effect.fnUntraced(function*(payload, executionId) {
    const config = yield* AppConfig
    const crm = yield* Crm
    const mailer = yield* Mailer
    const dossiers = yield* DossierStore
    const research = yield* Research
    const renderer = yield* DossierRenderer
    const hitl = yield* HitlStore
    const engine = yield* WorkflowEngine.WorkflowEngine
    const retries = yield* StepRetries
    const { event, runId } = payload
    const step = makeStep({ executionId, retries, delays: config.stepRetryDelays, timeout: config.stepTimeout })
    const series = payload.seriesKey !== undefined && payload.seriesLastStart !== undefined
      ? { key: payload.seriesKey, lastStart: payload.seriesLastStart }
      : undefined
    const { askAndWait } = makeConversation({ config, mailer, hitl, executionId, runId, event, series, step, processStartedAt })

    const hitlRef = (request: HitlRequest, state: string) => ({ audit_id: request.audit_id, kind: request.kind, state })
    const base = { event_id: event.eventId, summary: event.summary, start: event.start, trigger: payload.trigger }
    // Whether this workflow asked anything itself: then occurrences of its series may follow it.
    let asked = false
    const noteAsked = (answer: Answer) => {
      if (answer.request?.execution_id === executionId) asked = true
      return answer
    }
    const ended = (answer: Answer & { _tag: "Ended" }, company: { name?: string | undefined; domain?: string | undefined }) =>
      new EventOutcome({
        ...base,
        status: "declined",
        reason: answer.reason,
        company: { ...(company.name ? { name: company.name } : {}), ...(company.domain ? { domain: company.domain } : {}) },
        ...(answer.request ? { hitl: hitlRef(answer.request, answer.reason === "meeting started" ? "meeting started" : "expired") } : {})
      }, true)

    /**
     * The dossier's PDF, or why there is none. A PDF that cannot be rendered is no reason to hold
     * the dossier back (trying again renders the same dossier the same way): it is logged and
     * recorded, and the JSON is delivered.
     */
    const tryRender = (dossier: Dossier): Effect.Effect<Either.Either<Uint8Array, string>> =>
      renderer.render(dossier).pipe(
        Effect.map((pdf) => Either.right(pdf)),
        Effect.catchAllCause((cause) => {
          if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
          const reason = errorInfo(Cause.squash(cause)).message
          return Effect.logWarning(`dossier.pdf for ${dossier.company.domain} not rendered, the JSON is delivered without it: ${reason}`)
            .pipe(Effect.as(Either.left(reason)))
        })
      )

    const freshDossier = Effect.fn("EventWorkflow.freshDossier")(function*(domain: string) {
      const now = new Date(yield* Clock.currentTimeMillis)
      const latest = yield* dossiers.latest(domain)
      return Option.map(latest, (d) => ({
        json_path: d.json_path,
        ...(d.pdf_path ? { pdf_path: d.pdf_path } : {}),
        created_at: d.created_at,
        fresh: isFresh(d, now, config.dossierFreshDays)
      }))
    })

    const body = Effect.gen(function*() {
      // 1. Company or domain unknown: ask until a person tells us, or the request ends.
      let name = payload.companyName
      let domain = payload.domain
      let reason = payload.missingReason ?? "the meeting names no company or web domain we could use"
      let attempt = 0
      let lastRequest: HitlRequest | undefined
      // Anything else a person wrote as `key: value` (contact, notes …) goes into the dossier.
      const humanNotes: Record<string, string> = {}
      while (name === undefined || domain === undefined) {
        attempt++
        const answer = noteAsked(yield* askAndWait("missing_info", attempt, reason, { name, domain }))
        if (answer._tag === "Ended") return ended(answer, { name, domain })
        lastRequest = answer.request
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

      // A dossier (and its PDF) is likely to follow: what starts slowly for the PDF starts now,
      // alongside (held a moment only: a person may be asked first), and again when research begins.
      yield* renderer.warm

      // 2. Internal research: our own dossiers and the CRM.
      const internal = yield* step("internal-research", Internal, Effect.gen(function*() {
        return { crm: yield* crm.findByDomain(domain), dossier: yield* freshDossier(domain) }
      }))

      const deliver = (stepName: string, dossier: { readonly json_path: string; readonly pdf_path?: string | undefined }) =>
        step(stepName, CrmDelivery, crm.deliver(new CrmNote({
          key: executionId,
          domain,
          companyName: name,
          title: `Meeting preparation: ${event.summary}`,
          body: [
            `Dossier for ${name} (${domain}) for the meeting "${event.summary}" on ${event.start}.`,
            `Dossier: ${dossier.json_path}`,
            dossier.pdf_path ? `Brief (PDF): ${dossier.pdf_path}` : "No PDF brief: see the dossier."
          ].join("\n"),
          dossierJsonPath: dossier.json_path,
          ...(dossier.pdf_path ? { dossierPdfPath: dossier.pdf_path } : {})
        })))
      /**
       * Our own people in the meeting hear that the dossier is ready, with its PDF (Messages.noticeRecipients
       * says who): once per delivery, as a step whose mail has a Message-ID made from this workflow. A notice
       * that cannot go out does not undo the delivery; the outcome says why it did not.
       */
      const notify = (stepName: string, dossier: { readonly json_path: string; readonly pdf_path?: string | undefined }, reused: boolean) => {
        const to = Messages.noticeRecipients(event, config.ownDomains)
        if (to.length === 0) return Effect.succeed({})
        return step(stepName, Schema.Void, Effect.gen(function*() {
          // The summary only makes the notice friendlier: a dossier that cannot be read leaves it out.
          const summary = yield* Effect.gen(function*() {
            const own = yield* dossiers.findByKey(domain, executionId)
            const found = Option.isSome(own) && own.value.json_path === dossier.json_path
              ? own
              : Option.filter(yield* dossiers.latest(domain), (d) => d.json_path === dossier.json_path)
            return Option.getOrUndefined(Option.map(found, (d) => d.dossier.summary.text))
          }).pipe(Effect.orElseSucceed(() => undefined))
          const notice = { noticeId: Messages.noticeIdFor(executionId), event, company, dossier, summary, reused }
          yield* mailer.send(Messages.deliveryNoticeMail(Messages.senderOf(config), notice, to))
        })).pipe(
          Effect.as({}),
          Effect.catchAll((e) => Effect.succeed({ error: new EventError({ type: e.type, message: `${e.step}: ${e.reason}` }) }))
        )
      }
      const reuse = (dossier: typeof StoredDossier.Type, request?: HitlRequest) =>
        Effect.gen(function*() {
          const delivery = yield* deliver("deliver-reused", dossier)
          const notice = yield* notify("notify-reused", dossier, true)
          return new EventOutcome({
            ...base,
            status: "dossier_reused",
            company,
            dossier: { json_path: dossier.json_path, ...(dossier.pdf_path ? { pdf_path: dossier.pdf_path } : {}) },
            crm: delivery,
            ...(request ? { hitl: hitlRef(request, "answered") } : {}),
            ...notice
          }, true)
        })

      if (Option.isSome(internal.dossier) && internal.dossier.value.fresh) return yield* reuse(internal.dossier.value)

      // 3. A person approves first when the trigger was soft, a dossier needs a refresh, or the CRM already has material.
      const attachments = Option.match(internal.crm, { onNone: () => 0, onSome: (c) => c.attachments.length })
      const approvalReason = payload.trigger.type === "soft"
        ? `the meeting only loosely suggests preparation ("${payload.trigger.matched_word}")`
        : Option.isSome(internal.dossier)
        ? `the last dossier on ${name} is from ${internal.dossier.value.created_at.slice(0, 10)} and needs a refresh`
        : attachments > 0
        ? `the CRM already holds ${Messages.count(attachments, "attachment")} on ${name}`
        : undefined
      let approval: HitlRequest | undefined
      if (approvalReason !== undefined) {
        const answer = noteAsked(yield* askAndWait("approval", 1, approvalReason, company))
        if (answer._tag === "Ended") return ended(answer, company)
        approval = answer.request
        if (answer.reply.decision === "decline") {
          return new EventOutcome({ ...base, status: "declined", reason: `declined by ${answer.reply.from}`, company, hitl: hitlRef(approval, "answered") }, true)
        }
        if (answer.reply.via === "series") {
          // Approved for the whole series: the occurrence that asked has written the dossier by now.
          const latest = yield* step("dossier-of-series", MaybeDossier, freshDossier(domain))
          if (Option.isSome(latest) && latest.value.fresh) return yield* reuse(latest.value, approval)
        }
      }

      // 4. Research, the dossier (JSON, and the PDF beside it), delivery.
      const researched = yield* step("research", Researched, Effect.gen(function*() {
        const existing = yield* dossiers.findByKey(domain, executionId)
        if (Option.isSome(existing)) {
          // Tried again after the JSON was written: the PDF is added unless it already failed to render.
          const found = existing.value
          if (found.pdf_path !== undefined || found.dossier.sections["pdf"]?.status === "failed") return paths(found)
          const pdf = yield* tryRender(found.dossier)
          return Either.isRight(pdf) ? paths(yield* dossiers.attachPdf(found, pdf.right)) : paths(found)
        }
        // Another meeting with this company wrote a fresh dossier while this one waited (for the lock, or a person).
        const meanwhile = yield* freshDossier(domain)
        if (Option.isSome(meanwhile) && meanwhile.value.fresh) {
          const { json_path, pdf_path } = meanwhile.value
          return { json_path, ...(pdf_path ? { pdf_path } : {}), reused: true }
        }
        yield* renderer.warm
        const dossier = yield* research.research({
          key: executionId,
          eventKey: payload.key,
          company,
          event,
          crm: internal.crm,
          ...(Object.keys(humanNotes).length > 0 ? { humanNotes } : {})
        })
        // Rendered before the JSON is written, so a PDF that cannot be made is recorded in it.
        const pdf = yield* tryRender(dossier)
        const written = yield* dossiers.write(Either.isLeft(pdf) ? withoutPdf(dossier, pdf.left) : dossier)
        return Either.isRight(pdf) ? paths(yield* dossiers.attachPdf(written, pdf.right)) : paths(written)
      }).pipe(dossiers.exclusive(domain)))
      const askedLast = approval ?? lastRequest
      const { reused, ...stored } = researched
      if (reused) return yield* reuse(stored, askedLast)
      const delivery = yield* deliver("deliver", stored)
      const notice = yield* notify("notify", stored, false)
      return new EventOutcome({
        ...base,
        status: "delivered",
        company,
        dossier: stored,
        crm: delivery,
        ...(askedLast ? { hitl: hitlRef(askedLast, "answered") } : {}),
        ...notice
      }, true)
    })

    const outcome = yield* body.pipe(
      Effect.catchAll((error) =>
        Effect.succeed(new EventOutcome({
          ...base,
          status: "failed",
          error: new EventError({ type: error.type, message: `${error.step}: ${error.reason}` })
        }, true))
      )
    )
    // Occurrences of the series that wait for what this one asked take the answer over now.
    if (asked) {
      yield* step("release-series", Schema.Void, releaseFollowers(hitl, executionId, engine)).pipe(
        Effect.catchAll((error) => Effect.logError(`cannot wake the series' other occurrences: ${error.reason}`))
      )
    }
    return outcome
  }, (effect, payload) => Effect.annotateLogs(effect, { event_id: payload.event.eventId, run_id: payload.runId })))
}))
