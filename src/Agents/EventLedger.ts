/**
 * Which version of each event was already handled, so an unchanged event is never processed twice
 * (across restarts) and an edited or moved one is. The durable workflow engine takes this over later.
 */
import { Context, type Effect, type Option, Schema } from "effect"
import { EventStatus } from "../Domain/RunSummary.js"

export class LedgerEntry extends Schema.Class<LedgerEntry>("LedgerEntry")({
  fingerprint: Schema.String,
  status: EventStatus,
  /** The trigger words in force; a `no_trigger` decision is revisited when they change. */
  rules_hash: Schema.String,
  /** The durable workflow that handles this version, when it was triggered. */
  execution_id: Schema.optional(Schema.String),
  /** Which try of this version the workflow is (a failed one is tried again, a few times). */
  attempt: Schema.optional(Schema.Number),
  recorded_at: Schema.String
}) {}

export class EventLedger extends Context.Tag("Agents/EventLedger")<EventLedger, {
  readonly lookup: (calendarId: string, eventId: string) => Effect.Effect<Option.Option<LedgerEntry>>
  readonly record: (calendarId: string, eventId: string, entry: LedgerEntry) => Effect.Effect<void>
}>() {}
