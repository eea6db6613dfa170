/**
 * What happens to one calendar event in a cycle: the decision tree of DESIGN.md §3.
 * This slice ends at `qualified`; the durable workflow of the next slice continues from there.
 */
import { Cause, Effect, Option } from "effect"
import { Contacts, enrichEvent } from "./Agents/Contacts.js"
import { EventLedger, LedgerEntry } from "./Agents/EventLedger.js"
import { Extraction } from "./Agents/Extraction.js"
import { TriggerDetection } from "./Agents/TriggerDetection.js"
import type { CalendarEvent } from "./Domain/CalendarEvent.js"
import { eventFingerprint } from "./Domain/Fingerprint.js"
import { EventError, EventOutcome, type EventStatus } from "./Domain/RunSummary.js"
import type { StepLog } from "./Storage/RunHistory.js"

/** Statuses that settle an event version for good; the others are looked at again next cycle. */
const settled: ReadonlySet<EventStatus> = new Set(["no_trigger", "invalid_domain", "qualified", "missing_info"])

export const errorOf = (cause: Cause.Cause<unknown>): EventError => {
  const failure = Cause.squash(cause)
  if (failure instanceof Error) {
    const tag = (failure as { readonly _tag?: unknown })._tag
    return new EventError({ type: typeof tag === "string" ? tag : failure.name, message: failure.message })
  }
  return new EventError({ type: "UnknownError", message: String(failure) })
}

export class EventWorkflow extends Effect.Service<EventWorkflow>()("EventWorkflow", {
  effect: Effect.gen(function*() {
    const triggers = yield* TriggerDetection
    const extraction = yield* Extraction
    const ledger = yield* EventLedger
    const contacts = yield* Contacts

    const decide = Effect.fn("EventWorkflow.decide")(function*(event: CalendarEvent, log: StepLog) {
      const base = { event_id: event.eventId, summary: event.summary, start: event.start }
      const fingerprint = eventFingerprint(event)
      const seen = yield* ledger.lookup(event.calendarId, event.eventId)
      const isUnchanged = Option.exists(seen, (entry) =>
        entry.fingerprint === fingerprint && (entry.status !== "no_trigger" || entry.rules_hash === triggers.rulesHash))
      if (isUnchanged) {
        yield* log.step(event.eventId, "unchanged", { fingerprint })
        return new EventOutcome({ ...base, status: "unchanged" })
      }

      const enriched = yield* enrichEvent(contacts, event)
      const trigger = yield* triggers.detect(enriched)
      yield* log.step(event.eventId, "trigger_detection", {
        trigger: Option.getOrNull(trigger)
      })
      if (Option.isNone(trigger)) {
        return new EventOutcome({ ...base, status: "no_trigger" })
      }

      const found = yield* extraction.extract(enriched)
      yield* log.step(event.eventId, "extraction", {
        company_name: found.companyName ?? null,
        domain: found.domain ?? null,
        domain_source: found.domainSource ?? null,
        invalid_domains: found.invalidDomains
      })
      const company = {
        ...(found.companyName === undefined ? {} : { name: found.companyName }),
        ...(found.domain === undefined ? {} : { domain: found.domain })
      }
      const common = { ...base, trigger: trigger.value, company }
      if (found.domain === undefined && found.invalidDomains.length > 0) {
        const first = found.invalidDomains[0]
        return new EventOutcome({
          ...common,
          status: "invalid_domain",
          error: new EventError({
            type: "InvalidDomain",
            message: first === undefined ? "invalid domain" : `${first.domain}: ${first.reason}`
          })
        })
      }
      if (found.domain === undefined || found.companyName === undefined) {
        return new EventOutcome({ ...common, status: "missing_info" })
      }
      return new EventOutcome({ ...common, status: "qualified" })
    })

    /** Never fails: an error ends this event as `failed` with its reason, and nothing else is affected. */
    const process = (event: CalendarEvent, log: StepLog): Effect.Effect<EventOutcome> =>
      decide(event, log).pipe(
        Effect.tap((outcome) =>
          settled.has(outcome.status)
            ? ledger.record(
              event.calendarId,
              event.eventId,
              new LedgerEntry({
                fingerprint: eventFingerprint(event),
                status: outcome.status,
                rules_hash: triggers.rulesHash,
                recorded_at: new Date().toISOString()
              })
            )
            : Effect.void
        ),
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.succeed(
              new EventOutcome({
                event_id: event.eventId,
                summary: event.summary,
                start: event.start,
                status: "failed",
                error: errorOf(cause)
              })
            )
        ),
        Effect.tap((outcome) =>
          log.step(event.eventId, "status", {
            status: outcome.status,
            ...(outcome.error ? { error: outcome.error } : {})
          })
        ),
        Effect.annotateLogs({ event_id: event.eventId }),
        Effect.withSpan("EventWorkflow.process", { attributes: { event_id: event.eventId } })
      )

    return { process } as const
  })
}) {}
