/** Requests to a person, their replies and the decisions: the human-in-the-loop contract. */
import { Schema } from "effect"

export const HitlKind = Schema.Literal("missing_info", "approval")
export type HitlKind = typeof HitlKind.Type

export const HitlState = Schema.Literal("pending", "answered", "expired", "cancelled")
export type HitlState = typeof HitlState.Type

export const Decision = Schema.Literal("approve", "decline", "unclear")
export type Decision = typeof Decision.Type

/** A reply as the workflow receives it: by mail, or by `hitl decide`. */
export class HitlReply extends Schema.Class<HitlReply>("HitlReply")({
  from: Schema.String,
  at: Schema.String,
  /** `series`: the answer another occurrence of the same recurring meeting was given. */
  via: Schema.Literal("mail", "cli", "series"),
  /** The author's own words, quoted text and signature removed. */
  text: Schema.String,
  decision: Decision,
  fields: Schema.Record({ key: Schema.String, value: Schema.String })
}) {}

/**
 * One planned step of a request's wait, fixed when the request is made: changing HITL_* later
 * neither moves it nor turns a stored timer into another phase.
 */
export const ScheduledPhase = Schema.Struct({
  action: Schema.Literal("remind", "escalate", "expire"),
  n: Schema.Number,
  /** ISO instant. */
  due: Schema.String,
  /** Why an `expire` ends the request: it ran out, or the meeting started. */
  reason: Schema.optional(Schema.Literal("expired", "meeting started"))
})
export type ScheduledPhase = typeof ScheduledPhase.Type

export class HitlRequest extends Schema.Class<HitlRequest>("HitlRequest")({
  audit_id: Schema.String,
  execution_id: Schema.String,
  run_id: Schema.String,
  event_id: Schema.String,
  event_summary: Schema.String,
  kind: HitlKind,
  reason: Schema.String,
  recipient: Schema.String,
  state: HitlState,
  created_at: Schema.String,
  replies: Schema.Number,
  /** Replies the workflow has taken up; fewer than `replies` means one is on its way. */
  handled: Schema.Number,
  next_action: Schema.NullOr(Schema.String),
  next_due: Schema.NullOr(Schema.String),
  decision: Schema.NullOr(Schema.String),
  answered_by: Schema.NullOr(Schema.String),
  answered_at: Schema.NullOr(Schema.String),
  /** The calendar of the event and when the meeting starts; null on requests made before they were recorded. */
  calendar_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  event_start: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** The recurring series whose occurrences this request covers. */
  series_key: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** null on requests made before the schedule was stored: those follow the configuration. */
  schedule: Schema.optionalWith(Schema.NullOr(Schema.parseJson(Schema.Array(ScheduledPhase))), { default: () => null }),
  /** The `key: value` fields of the answer, for the occurrences that take it over. */
  fields: Schema.optionalWith(Schema.NullOr(Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.String }))), {
    default: () => null
  })
}) {}

export const HitlEntryType = Schema.Literal(
  "request",
  "reminder",
  "escalation",
  "reply",
  "please_answer",
  "decision",
  "ignored_reply",
  "expired",
  "cancelled",
  // The mail server refused a mail of the request for good (its reply is in the detail).
  "mail_rejected"
)

export class HitlEntry extends Schema.Class<HitlEntry>("HitlEntry")({
  audit_id: Schema.String,
  at: Schema.String,
  type: HitlEntryType,
  actor: Schema.String,
  detail: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}
