/**
 * One calendar event in a cycle: is it new or changed, does it trigger, which company — and, when
 * it triggers, its durable workflow: started once per version, joined when unchanged, stopped when
 * the meeting was edited, moved, cancelled or removed. Returns the status the event reached.
 */
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Clock, Effect, Exit, Option } from "effect"
import { Contacts, enrichEvent } from "./Agents/Contacts.js"
import { type CycleLedger, readChunk } from "./CycleLedger.js"
import { EventLedger, LedgerEntry } from "./Agents/EventLedger.js"
import { Extraction } from "./Agents/Extraction.js"
import { Mailer } from "./Agents/Mailer.js"
import { TriggerDetection } from "./Agents/TriggerDetection.js"
import { AppConfig } from "./Config.js"
import { type CalendarEvent, type ListedEvent, takeEvent, type TimeWindow } from "./Domain/CalendarEvent.js"
import { errorInfo } from "./Domain/ErrorInfo.js"
import { eventFingerprint } from "./Domain/Fingerprint.js"
import { HitlEntry } from "./Domain/Hitl.js"
import { EventError, EventOutcome, type EventStatus } from "./Domain/RunSummary.js"
import type { Trigger } from "./Domain/Trigger.js"
import { EventWorkflow } from "./EventWorkflowSpec.js"
import { HitlStore, isSettled, type WaitingWorkflow } from "./Hitl/HitlStore.js"
import * as Messages from "./Hitl/Messages.js"
import { releaseFollowers } from "./Hitl/Release.js"
import type { StepLog } from "./Storage/RunHistory.js"
import { RunWatch } from "./Storage/RunWatch.js"
import { StepRetries } from "./Storage/StepRetries.js"

export const errorOf = (cause: Cause.Cause<unknown>): EventError => new EventError(errorInfo(Cause.squash(cause)), true)

/** However a workflow is doing, a cycle waits this long for it at most; it is reported again next cycle. */
const STUCK_AFTER_MS = 60_000

type Company = { readonly name?: string | undefined; readonly domain?: string | undefined }

/** What the cycle reports about an event besides its status. */
interface Known {
  readonly event_id: string
  readonly summary: string
  readonly start: string
  readonly trigger?: Trigger | undefined
  readonly company?: Company | undefined
}

const withKnown = (known: Known) => ({
  event_id: known.event_id,
  summary: known.summary,
  start: known.start,
  ...(known.trigger ? { trigger: known.trigger } : {}),
  ...(known.company && (known.company.name || known.company.domain) ? { company: known.company } : {})
})

/** Where a recurring series sits in this cycle's window. */
export interface SeriesContext {
  readonly key: string
  readonly lastStart: string
}

export class EventProcessor extends Effect.Service<EventProcessor>()("EventProcessor", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const triggers = yield* TriggerDetection
    const extraction = yield* Extraction
    const ledger = yield* EventLedger
    const contacts = yield* Contacts
    const hitl = yield* HitlStore
    const retries = yield* StepRetries
    const mailer = yield* Mailer
    const engine = yield* WorkflowEngine.WorkflowEngine
    // The embedded engine says when a run ends; the layers only promise the engine, so it is looked up.
    const watch = yield* Effect.serviceOption(RunWatch)
    /** Until a running workflow's run ends (a second at most), or else the back-off. */
    const pause = (executionId: string, running: boolean, backoffMs: number) =>
      Option.isSome(watch) && running
        ? Effect.flatMap(watch.value.ended(executionId, "1 second"), (waited) => (waited ? Effect.void : Effect.sleep(backoffMs)))
        : Effect.sleep(backoffMs)

    const record = (view: CycleLedger, event: CalendarEvent, fingerprint: string, status: EventStatus, extra: {
      readonly executionId?: string | undefined
      readonly revision?: number | undefined
      readonly trigger?: Trigger | undefined
      readonly company?: Company | undefined
    } = {}, durable = false) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
        view.record(event.calendarId, event.eventId, new LedgerEntry({
          fingerprint,
          status,
          rules_hash: triggers.rulesHash,
          ...(extra.executionId ? { execution_id: extra.executionId } : {}),
          ...(extra.revision !== undefined && extra.revision > 1 ? { revision: extra.revision } : {}),
          ...(extra.trigger ? { trigger: extra.trigger } : {}),
          ...(extra.company ? { company: extra.company } : {}),
          recorded_at: new Date(now).toISOString()
        }, true), durable)
      ))

    /**
     * Until the workflow completes, waits for a person or for a retry, or STUCK_AFTER_MS pass.
     * None: the workflow was stopped (its meeting was edited or removed) — it has no status of its own.
     */
    const settle = Effect.fn("EventProcessor.settle")(function*(executionId: string, known: Known) {
      const startedAt = yield* Clock.currentTimeMillis
      // A running workflow is waited for until its run ends (the engine says when); otherwise, and
      // with an engine that cannot say, polls back off from 1 ms up to 50 ms.
      for (let attempt = 0;; attempt++) {
        const result = yield* EventWorkflow.poll(executionId)
        if (result?._tag === "Complete") {
          if (Exit.isSuccess(result.exit)) return Option.some(result.exit.value)
          if (Cause.isInterruptedOnly(result.exit.cause)) return Option.none()
          return Option.some(new EventOutcome({ ...withKnown(known), status: "failed", error: errorOf(result.exit.cause) }, true))
        }
        const now = yield* Clock.currentTimeMillis
        // One stuck workflow must not hold the whole cycle: past the bound it is reported as it is.
        const patient = now - startedAt > STUCK_AFTER_MS
        if (result?._tag === "Suspended") {
          const waiting = (yield* hitl.pendingFor(executionId)).find((r) => patient || isSettled(r, new Date(now)))
          if (waiting && patient) yield* Effect.logWarning(`request ${waiting.audit_id} has not moved for ${STUCK_AFTER_MS / 1000} s`)
          if (waiting) {
            return Option.some(new EventOutcome({
              ...withKnown(known),
              status: waiting.kind === "approval" ? "awaiting_approval" : "awaiting_missing_info",
              hitl: { audit_id: waiting.audit_id, kind: waiting.kind, state: waiting.state }
            }, true))
          }
          const retry = yield* retries.get(executionId)
          if (Option.isSome(retry) && (patient || Date.parse(retry.value.next_at) > now)) {
            return Option.some(new EventOutcome({
              ...withKnown(known),
              status: "retrying",
              error: new EventError({
                type: retry.value.error_type,
                message: `${retry.value.step}: ${retry.value.error_message} (try ${retry.value.attempt} failed)`
              }),
              retry_at: retry.value.next_at
            }, true))
          }
        }
        if (patient) {
          yield* Effect.logWarning(`workflow ${executionId} is still working after ${STUCK_AFTER_MS / 1000} s`)
          return Option.some(new EventOutcome({
            ...withKnown(known),
            status: "interrupted",
            error: new EventError({ type: "StillRunning", message: "still working; it goes on and is reported next cycle" })
          }, true))
        }
        yield* pause(executionId, result === undefined, Math.min(50, 2 ** attempt))
      }
    })

    /**
     * Stops a workflow whose meeting changed or went away: its open requests are cancelled (the
     * person asked is told so when `notify`), it no longer follows its series' request, and the
     * occurrences that followed its requests ask for themselves.
     */
    const stop = Effect.fn("EventProcessor.stop")(function*(executionId: string, why: string, notify: boolean) {
      const own = (yield* hitl.pendingFor(executionId)).filter((r) => r.execution_id === executionId)
      for (const request of own) {
        if (notify) {
          yield* mailer.send(Messages.withdrawnMail(Messages.senderOf(config), request, why))
        }
        yield* hitl.update(request.audit_id, { state: "cancelled", next_action: null, next_due: null })
        yield* hitl.log(request.run_id, "cancelled", new HitlEntry({
          audit_id: request.audit_id,
          at: new Date(yield* Clock.currentTimeMillis).toISOString(),
          type: "cancelled",
          actor: "lead-insights",
          detail: { reason: why, ...(notify ? { notified: request.recipient } : {}) }
        }))
      }
      yield* hitl.unfollow(executionId)
      yield* EventWorkflow.interrupt(executionId)
      yield* releaseFollowers(hitl, executionId, engine)
    })

    /**
     * After a full read of a calendar: every workflow still waiting for a person whose meeting is
     * no longer in it (cancelled, deleted, moved out of the window) is stopped, and the person is
     * told there is no need to answer. Followers go first, so none of them asks for a meeting that is gone.
     */
    const withdrawGone = Effect.fn("EventProcessor.withdrawGone")(function*(
      calendarId: string,
      window: TimeWindow,
      present: (eventId: string) => boolean
    ) {
      // A meeting that left the window by passing is not gone: its request ends by its own schedule.
      const passed = (w: WaitingWorkflow) => w.event_start !== null && Date.parse(w.event_start) < window.from.getTime()
      const waiting = (yield* hitl.waiting).filter((w) => w.calendar_id === calendarId && !present(w.event_id) && !passed(w))
      const ordered = [...waiting.filter((w) => w.role === "follower"), ...waiting.filter((w) => w.role === "asker")]
      const done = new Set<string>()
      for (const gone of ordered) {
        if (done.has(gone.execution_id)) continue
        done.add(gone.execution_id)
        yield* Effect.log(`the meeting of request ${gone.audit_id} is no longer in the calendar: withdrawn`)
        yield* stop(gone.execution_id, "the meeting is no longer in the calendar (cancelled, deleted or moved away)", true)
      }
      return done.size
    })

    // Without a span of its own: `process` has the event's span, and a cycle decides every event of the calendar.
    const decide = Effect.fnUntraced(function*(
      event: CalendarEvent,
      runId: string,
      log: StepLog,
      series: SeriesContext | undefined,
      view: CycleLedger
    ) {
      const base = { event_id: event.eventId, summary: event.summary, start: event.start }
      const fingerprint = eventFingerprint(event)
      const seen = view.get(event.calendarId, event.eventId)
      const same = Option.filter(seen, (entry) => entry.fingerprint === fingerprint)

      if (Option.isSome(same)) {
        const entry = same.value
        if (entry.execution_id === undefined) {
          if (entry.status !== "no_trigger" || entry.rules_hash === triggers.rulesHash) {
            yield* log.step(event.eventId, "unchanged", { fingerprint })
            return new EventOutcome({ ...base, status: "unchanged" }, true)
          }
        } else {
          // The same version joins its workflow: finished → unchanged; waiting → still waiting.
          const known = { ...base, trigger: entry.trigger, company: entry.company }
          const joined = yield* settle(entry.execution_id, known)
          if (Option.isSome(joined)) {
            const outcome = joined.value
            yield* log.step(event.eventId, "joined", { execution_id: entry.execution_id, status: outcome.status })
            if (outcome.status === entry.status && !outcome.status.startsWith("awaiting_") && outcome.status !== "retrying") {
              return new EventOutcome({ ...base, status: "unchanged" }, true)
            }
            // It moved on since the last cycle (a reply, a timer): report where it is now, once.
            yield* record(view, event, fingerprint, outcome.status, { ...entry, executionId: entry.execution_id })
            return outcome
          }
          // Its workflow was stopped (the meeting was edited and changed back, or was gone and is back): a new version.
          yield* log.step(event.eventId, "restarted", { execution_id: entry.execution_id })
        }
      }
      // A version seen again after an edit (A → B → A) is a new workflow, never the one stopped for B.
      const revision = Option.match(seen, {
        onNone: () => 1,
        onSome: (entry) => (entry.revision ?? (entry.execution_id === undefined ? 0 : 1)) + 1
      })

      // An edited or moved meeting: what still waits for the old version is stopped.
      const previous = Option.flatMap(seen, (entry) => Option.fromNullable(entry.execution_id))
      if (Option.isSome(previous) && Option.isNone(same)) {
        yield* stop(previous.value, "the meeting was edited or moved; the new version is handled on its own", false)
        yield* log.step(event.eventId, "superseded", { execution_id: previous.value })
      }

      const enriched = yield* enrichEvent(contacts, event)
      const trigger = yield* triggers.detect(enriched)
      yield* log.step(event.eventId, "trigger_detection", { trigger: Option.getOrNull(trigger) })
      if (Option.isNone(trigger)) {
        yield* record(view, event, fingerprint, "no_trigger", { revision })
        return new EventOutcome({ ...base, status: "no_trigger" }, true)
      }

      const found = yield* extraction.extract(enriched)
      yield* log.step(event.eventId, "extraction", {
        company_name: found.companyName ?? null,
        domain: found.domain ?? null,
        domain_source: found.domainSource ?? null,
        invalid_domains: found.invalidDomains
      })
      const company: Company = {
        ...(found.companyName === undefined ? {} : { name: found.companyName }),
        ...(found.domain === undefined ? {} : { domain: found.domain })
      }
      const first = found.invalidDomains[0]
      if (found.domain === undefined && first !== undefined) {
        yield* record(view, event, fingerprint, "invalid_domain", { revision })
        return new EventOutcome({
          ...base,
          status: "invalid_domain",
          trigger: trigger.value,
          company,
          error: new EventError({ type: "InvalidDomain", message: `${first.domain}: ${first.reason}` })
        }, true)
      }

      const payload = {
        key: `${event.calendarId}|${event.eventId}|${fingerprint}${revision > 1 ? `|r${revision}` : ""}`,
        runId,
        event: enriched,
        trigger: trigger.value,
        ...(found.companyName === undefined ? {} : { companyName: found.companyName }),
        ...(found.domain === undefined ? {} : { domain: found.domain }),
        ...(found.companyName !== undefined && found.domain === undefined
          ? { missingReason: `the meeting names ${found.companyName}, but no web domain of theirs` }
          : {}),
        ...(series === undefined ? {} : { seriesKey: series.key, seriesLastStart: series.lastStart })
      }
      const executionId = yield* EventWorkflow.execute(payload, { discard: true })
      const known = { ...base, trigger: trigger.value, company }
      const linked = { executionId, revision, trigger: trigger.value, company }
      // Linked before anything else, so a crash now still finds this workflow; "interrupted" until it settles.
      yield* record(view, event, fingerprint, "interrupted", linked, true)
      yield* log.step(event.eventId, "workflow_started", { execution_id: executionId, revision })
      const outcome = Option.getOrElse(yield* settle(executionId, known), () =>
        new EventOutcome({
          ...withKnown(known),
          status: "interrupted",
          error: new EventError({ type: "Interrupted", message: "the workflow was stopped before it reached a status" })
        }, true))
      yield* record(view, event, fingerprint, outcome.status, linked)
      return outcome
    })

    /**
     * Never fails: an error ends this event as `failed` with its reason, and nothing else is affected.
     * A deferred event is built here, so one that cannot be built is such an error.
     */
    const process = (
      event: ListedEvent,
      runId: string,
      log: StepLog,
      series: SeriesContext | undefined,
      view: CycleLedger
    ): Effect.Effect<EventOutcome> =>
      Effect.suspend(() => decide(takeEvent(event), runId, log, series, view)).pipe(
        Effect.provideService(WorkflowEngine.WorkflowEngine, engine),
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.interrupt
            : Effect.succeed(new EventOutcome({
              event_id: event.eventId,
              summary: event.summary,
              start: event.start,
              status: "failed",
              error: errorOf(cause)
            }, true))
        ),
        Effect.tap((outcome) =>
          log.step(event.eventId, "status", { status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) })
        ),
        Effect.annotateLogs({ event_id: event.eventId }),
        Effect.withSpan("EventProcessor.process", { attributes: { event_id: event.eventId } })
      )

    /** For `once`: until each of these workflows settles (a reply or a timer moved it on). */
    const settleAll = (executionIds: Iterable<string>) =>
      Effect.forEach(
        new Set(executionIds),
        (id) =>
          settle(id, { event_id: "", summary: "", start: "" }).pipe(
            Effect.provideService(WorkflowEngine.WorkflowEngine, engine),
            Effect.catchAll((error) => Effect.logError(`cannot follow workflow ${id}: ${error.message}`))
          ),
        { concurrency: config.maxConcurrentEvents, discard: true }
      )

    return {
      /** The ledger entries of these events, read at once; `flush` writes what the events decided. */
      readLedger: (events: ReadonlyArray<ListedEvent>) => readChunk(ledger, events),
      process,
      withdrawGone: (calendarId: string, window: TimeWindow, present: (eventId: string) => boolean) =>
        withdrawGone(calendarId, window, present).pipe(Effect.provideService(WorkflowEngine.WorkflowEngine, engine)),
      settleAll
    } as const
  })
}) {}
