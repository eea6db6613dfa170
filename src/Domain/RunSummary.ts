/**
 * The run history contract (DESIGN.md §4): what `summary.json` and `steps.jsonl` hold.
 * Field names are snake_case because they are a file format read by people and scripts.
 */
import { Schema } from "effect"
import { Trigger } from "./Trigger.js"

export const RunId = Schema.String.pipe(Schema.pattern(/^run-[0-9a-f-]{36}$/), Schema.brand("RunId"))
export type RunId = typeof RunId.Type

export const EventStatus = Schema.Literal(
  "no_trigger",
  "unchanged",
  "invalid_domain",
  "awaiting_missing_info",
  "awaiting_approval",
  "declined",
  "dossier_reused",
  "delivered",
  "failed",
  // A step failed and is tried again later within the same workflow (`retry_at`); nothing is asked again.
  "retrying",
  // Shutdown came before the event reached a status; the next cycle handles it again.
  "interrupted"
)
export type EventStatus = typeof EventStatus.Type

export class EventError extends Schema.Class<EventError>("EventError")({
  type: Schema.String,
  message: Schema.String
}) {}

/**
 * Built inside the program with `new EventOutcome(fields, true)`: the fields are typed there, so
 * validating each construction again only costs time; decoding and encoding at the boundaries
 * (the stored workflow result, summary.json) still check them. Likewise StepRecord, LedgerEntry, EventError.
 */
export class EventOutcome extends Schema.Class<EventOutcome>("EventOutcome")({
  event_id: Schema.String,
  status: EventStatus,
  summary: Schema.String,
  start: Schema.String,
  trigger: Schema.optional(Trigger),
  company: Schema.optional(Schema.Struct({
    name: Schema.optional(Schema.String),
    domain: Schema.optional(Schema.String)
  })),
  dossier: Schema.optional(Schema.Struct({ json_path: Schema.String, pdf_path: Schema.optional(Schema.String) })),
  crm: Schema.optional(Schema.Struct({
    provider: Schema.String,
    company_id: Schema.String,
    note_id: Schema.String,
    /** The dossier PDF's id in the CRM (HubSpot's file id), when one was attached. */
    file_id: Schema.optional(Schema.String),
    created: Schema.Boolean
  })),
  hitl: Schema.optional(Schema.Struct({ audit_id: Schema.String, kind: Schema.String, state: Schema.String })),
  /** Why an event ended `declined`: the person said no, or the request expired. */
  reason: Schema.optional(Schema.String),
  error: Schema.optional(EventError),
  /** With `retrying`: when the failed step is tried again. */
  retry_at: Schema.optional(Schema.String)
}) {}

/** One series cut to its first `kept` occurrences; `at_least`: there were too many to count, `skipped` is a lower bound. */
export class SkippedSeries extends Schema.Class<SkippedSeries>("SkippedSeries")({
  series_id: Schema.String,
  summary: Schema.String,
  kept: Schema.Number,
  skipped: Schema.Number,
  at_least: Schema.optional(Schema.Boolean)
}) {}

export const RunStatus = Schema.Literal("success", "partial", "failure")
export type RunStatus = typeof RunStatus.Type

export class RunSummary extends Schema.Class<RunSummary>("RunSummary")({
  run_id: Schema.String,
  started_at: Schema.String,
  finished_at: Schema.String,
  status: RunStatus,
  /** Why the cycle as a whole failed (the calendar could not be read, shutdown during the read …). */
  error: Schema.optional(EventError),
  events: Schema.Array(EventOutcome),
  /** Occurrences left out because their series had more than MAX_OCCURRENCES_PER_SERIES in the window. */
  skipped_occurrences: Schema.optional(Schema.Number),
  skipped_series: Schema.optional(Schema.Array(SkippedSeries))
}) {}

export class StepRecord extends Schema.Class<StepRecord>("StepRecord")({
  ts: Schema.String,
  run_id: Schema.String,
  event_id: Schema.optional(Schema.String),
  step: Schema.String,
  detail: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}) {}

/** success: every event reached a status without error; failure: the cycle could not run; partial: in between. */
export const runStatusOf = (
  cycleFailed: boolean,
  events: ReadonlyArray<{ readonly status: EventStatus }>
): RunStatus =>
  cycleFailed
    ? "failure"
    : events.some((e) => e.status === "failed" || e.status === "retrying" || e.status === "interrupted")
    ? "partial"
    : "success"
