/**
 * What the durable per-event workflow is — its name, payload and result — apart from what it does
 * (EventWorkflow.ts). Whoever only starts, polls or signals it (the event processor, the replies
 * from people) depends on this, not on the decision tree.
 */
import * as Workflow from "@effect/workflow/Workflow"
import { Schema } from "effect"
import { CalendarEvent } from "./Domain/CalendarEvent.js"
import { EventOutcome } from "./Domain/RunSummary.js"
import { Trigger } from "./Domain/Trigger.js"

export const EventPayload = {
  /** calendar id + event id + content fingerprint (+ revision): the workflow's identity. */
  key: Schema.String,
  runId: Schema.String,
  event: CalendarEvent,
  trigger: Trigger,
  companyName: Schema.optional(Schema.String),
  domain: Schema.optional(Schema.String),
  /** Why the company is not known yet (e.g. the only domain found was a placeholder). */
  missingReason: Schema.optional(Schema.String),
  /** The recurring series this occurrence belongs to: one request to a person covers all of it. */
  seriesKey: Schema.optional(Schema.String),
  /** When the last occurrence of that series in the polled window starts: its requests end then at the latest. */
  seriesLastStart: Schema.optional(Schema.String)
}

export const EventWorkflow = Workflow.make({
  name: "LeadInsights/Event",
  payload: EventPayload,
  success: EventOutcome,
  error: Schema.Never,
  idempotencyKey: ({ key }) => key
})
