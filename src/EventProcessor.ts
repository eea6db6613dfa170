/**
 * One calendar event in a cycle: is it new or changed, does it trigger, which company — and, when
 * it triggers, its durable workflow: started once per version, joined when unchanged, interrupted
 * when the meeting was edited or moved. Returns the status the event reached in this cycle.
 */
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Clock, Effect, Exit, Option } from "effect"
import { Contacts, enrichEvent } from "./Agents/Contacts.js"
import { EventLedger, LedgerEntry } from "./Agents/EventLedger.js"
import { Extraction } from "./Agents/Extraction.js"
import { TriggerDetection } from "./Agents/TriggerDetection.js"
import type { CalendarEvent } from "./Domain/CalendarEvent.js"
import { errorInfo } from "./Domain/ErrorInfo.js"
import { eventFingerprint } from "./Domain/Fingerprint.js"
import { HitlEntry } from "./Domain/Hitl.js"
import { EventError, EventOutcome, type EventStatus } from "./Domain/RunSummary.js"
import { EventWorkflow } from "./EventWorkflow.js"
import { HitlStore, isSettled } from "./Hitl/HitlStore.js"
import type { StepLog } from "./Storage/RunHistory.js"

export const errorOf = (cause: Cause.Cause<unknown>): EventError => new EventError(errorInfo(Cause.squash(cause)))

const STUCK_AFTER_MS = 60_000
/** How often one version of an event is tried when its workflow fails (a CRM outage, …). */
const MAX_ATTEMPTS = 3

export class EventProcessor extends Effect.Service<EventProcessor>()("EventProcessor", {
  effect: Effect.gen(function*() {
    const triggers = yield* TriggerDetection
    const extraction = yield* Extraction
    const ledger = yield* EventLedger
    const contacts = yield* Contacts
    const hitl = yield* HitlStore
    const engine = yield* WorkflowEngine.WorkflowEngine

    const record = (event: CalendarEvent, fingerprint: string, status: EventStatus, executionId?: string, attempt?: number) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
        ledger.record(event.calendarId, event.eventId, new LedgerEntry({
          fingerprint,
          status,
          rules_hash: triggers.rulesHash,
          ...(executionId ? { execution_id: executionId } : {}),
          ...(attempt !== undefined && attempt > 1 ? { attempt } : {}),
          recorded_at: new Date(now).toISOString()
        }))
      ))

    /** Until the workflow completes or waits for a person; what it reached is the event's status. */
    const settle = (executionId: string, base: { event_id: string; summary: string; start: string }) =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        // Most workflows settle within milliseconds; back off from 1 ms up to 50 ms between polls.
        for (let attempt = 0;; attempt++) {
          const result = yield* EventWorkflow.poll(executionId)
          if (result?._tag === "Complete") {
            return Exit.isSuccess(result.exit)
              ? result.exit.value
              : new EventOutcome({ ...base, status: "failed", error: errorOf(result.exit.cause) })
          }
          if (result?._tag === "Suspended") {
            const now = new Date(yield* Clock.currentTimeMillis)
            // A request whose reply or timer does not move it on within a while is reported as
            // waiting anyway: one stuck workflow must not hold the whole cycle.
            const patient = now.getTime() - startedAt > STUCK_AFTER_MS
            const waiting = (yield* hitl.pendingFor(executionId)).find((r) => patient || isSettled(r, now))
            if (waiting && patient) yield* Effect.logWarning(`request ${waiting.audit_id} has not moved for ${STUCK_AFTER_MS / 1000} s`)
            if (waiting) {
              return new EventOutcome({
                ...base,
                status: waiting.kind === "approval" ? "awaiting_approval" : "awaiting_missing_info",
                hitl: { audit_id: waiting.audit_id, kind: waiting.kind, state: waiting.state }
              })
            }
          }
          yield* Effect.sleep(Math.min(50, 2 ** attempt))
        }
      })

    const decide = Effect.fn("EventProcessor.decide")(function*(event: CalendarEvent, runId: string, log: StepLog) {
      const base = { event_id: event.eventId, summary: event.summary, start: event.start }
      const fingerprint = eventFingerprint(event)
      const seen = yield* ledger.lookup(event.calendarId, event.eventId)
      const same = Option.filter(seen, (entry) => entry.fingerprint === fingerprint)

      if (Option.isSome(same)) {
        const entry = same.value
        if (entry.execution_id === undefined) {
          if (entry.status !== "no_trigger" || entry.rules_hash === triggers.rulesHash) {
            yield* log.step(event.eventId, "unchanged", { fingerprint })
            return new EventOutcome({ ...base, status: "unchanged" })
          }
        } else if (entry.status !== "failed" || (entry.attempt ?? 1) >= MAX_ATTEMPTS) {
          // The same version joins its workflow: finished → unchanged; waiting → still waiting.
          const outcome = yield* settle(entry.execution_id, base)
          yield* log.step(event.eventId, "joined", { execution_id: entry.execution_id, status: outcome.status })
          if (outcome.status === entry.status && !outcome.status.startsWith("awaiting_")) {
            return new EventOutcome({ ...base, status: "unchanged" })
          }
          // It moved on since the last cycle (a reply, a timer): report where it is now, once.
          yield* record(event, fingerprint, outcome.status, entry.execution_id, entry.attempt)
          return outcome
        }
      }
      // A version whose workflow failed is tried again (a fresh workflow), up to MAX_ATTEMPTS times.
      const attempt = Option.match(same, {
        onNone: () => 1,
        onSome: (entry) => (entry.status === "failed" ? (entry.attempt ?? 1) + 1 : 1)
      })

      // An edited or moved meeting: what still waits for the old version is stopped.
      const previous = Option.flatMap(seen, (entry) => Option.fromNullable(entry.execution_id))
      if (Option.isSome(previous) && Option.isNone(same)) {
        yield* EventWorkflow.interrupt(previous.value)
        for (const request of yield* hitl.pendingFor(previous.value)) {
          yield* hitl.update(request.audit_id, { state: "cancelled", next_action: null, next_due: null })
          yield* hitl.log(request.run_id, "cancelled", new HitlEntry({
            audit_id: request.audit_id,
            at: new Date(yield* Clock.currentTimeMillis).toISOString(),
            type: "cancelled",
            actor: "lead-insights",
            detail: { reason: "the meeting was edited or moved; the new version is handled on its own" }
          }))
        }
        yield* log.step(event.eventId, "superseded", { execution_id: previous.value })
      }

      const enriched = yield* enrichEvent(contacts, event)
      const trigger = yield* triggers.detect(enriched)
      yield* log.step(event.eventId, "trigger_detection", { trigger: Option.getOrNull(trigger) })
      if (Option.isNone(trigger)) {
        yield* record(event, fingerprint, "no_trigger")
        return new EventOutcome({ ...base, status: "no_trigger" })
      }

      const found = yield* extraction.extract(enriched)
      yield* log.step(event.eventId, "extraction", {
        company_name: found.companyName ?? null,
        domain: found.domain ?? null,
        domain_source: found.domainSource ?? null,
        invalid_domains: found.invalidDomains
      })
      const first = found.invalidDomains[0]
      if (found.domain === undefined && first !== undefined) {
        yield* record(event, fingerprint, "invalid_domain")
        return new EventOutcome({
          ...base,
          status: "invalid_domain",
          trigger: trigger.value,
          company: found.companyName === undefined ? {} : { name: found.companyName },
          error: new EventError({ type: "InvalidDomain", message: `${first.domain}: ${first.reason}` })
        })
      }

      const payload = {
        key: `${event.calendarId}|${event.eventId}|${fingerprint}${attempt > 1 ? `|attempt-${attempt}` : ""}`,
        runId,
        event: enriched,
        trigger: trigger.value,
        ...(found.companyName === undefined ? {} : { companyName: found.companyName }),
        ...(found.domain === undefined ? {} : { domain: found.domain }),
        ...(found.companyName !== undefined && found.domain === undefined
          ? { missingReason: `the meeting names ${found.companyName}, but no web domain of theirs` }
          : {})
      }
      const executionId = yield* EventWorkflow.execute(payload, { discard: true })
      // Linked before anything else, so a crash now still finds this workflow; "interrupted" until it settles.
      yield* record(event, fingerprint, "interrupted", executionId, attempt)
      yield* log.step(event.eventId, "workflow_started", { execution_id: executionId, attempt })
      const outcome = yield* settle(executionId, base)
      yield* record(event, fingerprint, outcome.status, executionId, attempt)
      return outcome
    })

    /** Never fails: an error ends this event as `failed` with its reason, and nothing else is affected. */
    const process = (event: CalendarEvent, runId: string, log: StepLog): Effect.Effect<EventOutcome> =>
      decide(event, runId, log).pipe(
        Effect.provideService(WorkflowEngine.WorkflowEngine, engine),
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.succeed(new EventOutcome({
              event_id: event.eventId,
              summary: event.summary,
              start: event.start,
              status: "failed",
              error: errorOf(cause)
            }))
        ),
        Effect.tap((outcome) =>
          log.step(event.eventId, "status", { status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) })
        ),
        Effect.annotateLogs({ event_id: event.eventId }),
        Effect.withSpan("EventProcessor.process", { attributes: { event_id: event.eventId } })
      )

    return { process } as const
  })
}) {}
