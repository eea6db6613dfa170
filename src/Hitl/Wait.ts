/**
 * Waiting for a person, durably: the reply raced against the reminder, escalation and expiry
 * timers. Every race is named, so its outcome is stored and a replay after a restart takes the
 * same branch; the timers are durable clocks, so a restart loses none of them.
 */
import * as DurableClock from "@effect/workflow/DurableClock"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import { Clock, Duration, Effect, Schema } from "effect"
import { HitlReply, type ScheduledPhase } from "../Domain/Hitl.js"
import { EventWorkflow } from "../EventWorkflowSpec.js"

/** The n-th reply to a request. Replies are numbered by the inbox as they arrive, so none is lost. */
export const replyDeferred = (auditId: string, seq: number) =>
  DurableDeferred.make(`reply/${auditId}/${seq}`, { success: HitlReply })

/** Completed for an occurrence that follows another occurrence's request, once that workflow is done. */
export const releasedDeferred = (auditId: string) => DurableDeferred.make(`released/${auditId}`)

/** Where a deferred of the event workflow `executionId` is completed from outside it. */
export const tokenFor = <A extends Schema.Schema.Any, E extends Schema.Schema.All>(
  deferred: DurableDeferred.DurableDeferred<A, E>,
  executionId: string
) =>
  DurableDeferred.tokenFromExecutionId(deferred, { workflow: EventWorkflow, executionId })

/**
 * The schedule of a new request: reminders, then escalation, then the end — after
 * HITL_EXPIRE_AFTER, or when the meeting starts if that comes first. Anything planned at or after
 * the end is dropped.
 */
export const scheduleOf = (options: {
  readonly createdAt: number
  readonly reminders: ReadonlyArray<Duration.Duration>
  readonly escalateAfter: Duration.Duration
  readonly expireAfter: Duration.Duration
  /** The meeting's start (epoch ms), when the request must not outlive it. */
  readonly meetingStart?: number | undefined
}): ReadonlyArray<ScheduledPhase> => {
  const expiry = options.createdAt + Duration.toMillis(options.expireAfter)
  const meetingFirst = options.meetingStart !== undefined && options.meetingStart < expiry
  const end = meetingFirst && options.meetingStart !== undefined ? options.meetingStart : expiry
  const at = (ms: number) => new Date(ms).toISOString()
  const before = [
    ...options.reminders.map((after, i) => ({ at: options.createdAt + Duration.toMillis(after), action: "remind" as const, n: i + 1 })),
    { at: options.createdAt + Duration.toMillis(options.escalateAfter), action: "escalate" as const, n: 1 }
  ].filter((p) => p.at < end).sort((a, b) => a.at - b.at)
  return [
    ...before.map((p) => ({ action: p.action, n: p.n, due: at(p.at) })),
    { action: "expire" as const, n: 1, due: at(end), reason: meetingFirst ? "meeting started" as const : "expired" as const }
  ]
}

const RaceOutcome = Schema.Union(
  Schema.TaggedStruct("Reply", { reply: HitlReply }),
  Schema.TaggedStruct("Timer", {})
)

const sleepUntil = (name: string, dueMs: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    DurableClock.sleep({ name, duration: Math.max(1, dueMs - now), inMemoryThreshold: Duration.zero }))

/** One wait: the `seq`-th reply, or the timer of the `phaseIndex`-th phase (due at `dueMs`), whichever comes first. */
export const race = (auditId: string, seq: number, phaseIndex: number, dueMs: number) =>
  DurableDeferred.raceAll({
    name: `wait/${auditId}/${seq}/${phaseIndex}`,
    success: RaceOutcome,
    error: Schema.Never,
    effects: [
      DurableDeferred.await(replyDeferred(auditId, seq)).pipe(Effect.map((reply) => ({ _tag: "Reply" as const, reply }))),
      sleepUntil(`timer/${auditId}/${seq}/${phaseIndex}`, dueMs).pipe(Effect.as({ _tag: "Timer" as const }))
    ]
  })

/**
 * After downtime the end of a request may fire late, before the inbox was read again. A reply
 * still has until `graceMs` from now to arrive; whoever waits decides whether its Date was in time.
 */
export const lateReply = (auditId: string, seq: number, graceMs: number) =>
  DurableDeferred.raceAll({
    name: `late/${auditId}/${seq}`,
    success: RaceOutcome,
    error: Schema.Never,
    effects: [
      DurableDeferred.await(replyDeferred(auditId, seq)).pipe(Effect.map((reply) => ({ _tag: "Reply" as const, reply }))),
      DurableClock.sleep({ name: `late-timer/${auditId}/${seq}`, duration: graceMs, inMemoryThreshold: Duration.zero })
        .pipe(Effect.as({ _tag: "Timer" as const }))
    ]
  })

const FollowOutcome = Schema.Union(Schema.TaggedStruct("Released", {}), Schema.TaggedStruct("MeetingStarted", {}))

/** An occurrence that follows its series' request: until the asker is done, or this meeting starts. */
export const awaitRelease = (auditId: string, executionId: string, meetingStartMs: number | undefined) =>
  meetingStartMs === undefined
    ? DurableDeferred.await(releasedDeferred(auditId)).pipe(Effect.as({ _tag: "Released" as const }))
    : DurableDeferred.raceAll({
      name: `follow/${auditId}`,
      success: FollowOutcome,
      error: Schema.Never,
      effects: [
        DurableDeferred.await(releasedDeferred(auditId)).pipe(Effect.as({ _tag: "Released" as const })),
        sleepUntil(`follow-timer/${auditId}/${executionId}`, meetingStartMs).pipe(Effect.as({ _tag: "MeetingStarted" as const }))
      ]
    })
