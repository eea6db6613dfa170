/**
 * Which version of each event was already handled, so an unchanged event is never processed twice
 * (across restarts) and an edited or moved one is. The durable workflow engine takes this over later.
 */
import { Context, type Effect, type Option, Schema } from "effect"
import { EventStatus } from "../Domain/RunSummary.js"
import { Trigger } from "../Domain/Trigger.js"

export class LedgerEntry extends Schema.Class<LedgerEntry>("LedgerEntry")({
  fingerprint: Schema.String,
  status: EventStatus,
  /** The trigger words in force; a `no_trigger` decision is revisited when they change. */
  rules_hash: Schema.String,
  /** The durable workflow that handles this version, when it was triggered. */
  execution_id: Schema.optional(Schema.String),
  /**
   * How many versions of this event have had a workflow: a version seen again after an edit
   * (A → B → A) gets a new workflow, not the one interrupted when B came.
   */
  revision: Schema.optional(Schema.Number),
  /** What the cycle knew when it started the workflow, so a waiting event is reported with it. */
  trigger: Schema.optional(Trigger),
  company: Schema.optional(Schema.Struct({ name: Schema.optional(Schema.String), domain: Schema.optional(Schema.String) })),
  recorded_at: Schema.String
}) {}

export class EventLedger extends Context.Tag("Agents/EventLedger")<EventLedger, {
  readonly lookup: (calendarId: string, eventId: string) => Effect.Effect<Option.Option<LedgerEntry>>
  readonly record: (calendarId: string, eventId: string, entry: LedgerEntry) => Effect.Effect<void>
  /** The entries of many events at once (a cycle reads its calendar in chunks, not event by event). */
  readonly lookupMany: (calendarId: string, eventIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, LedgerEntry>>
  /** Many entries in one go (one transaction where the store has them). */
  readonly recordMany: (calendarId: string, entries: ReadonlyArray<readonly [eventId: string, entry: LedgerEntry]>) => Effect.Effect<void>
}>() {}
