/**
 * Waiting for a person, durably: the reply raced against the reminder, escalation and expiry
 * timers. Every race is named, so its outcome is stored and a replay after a restart takes the
 * same branch; the timers are durable clocks, so a restart loses none of them.
 */
import * as DurableClock from "@effect/workflow/DurableClock"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import { Clock, Duration, Effect, Schema } from "effect"
import { HitlReply } from "../Domain/Hitl.js"

/** The n-th reply to a request. Replies are numbered by the inbox as they arrive, so none is lost. */
export const replyDeferred = (auditId: string, seq: number) =>
  DurableDeferred.make(`reply/${auditId}/${seq}`, { success: HitlReply })

export interface Phase {
  /** After how long, counted from the request. */
  readonly after: Duration.Duration
  readonly action: "remind" | "escalate" | "expire"
  readonly n: number
}

/** Reminders, then escalation, then expiry; anything planned at or after expiry is dropped. */
export const phasesOf = (options: {
  readonly reminders: ReadonlyArray<Duration.Duration>
  readonly escalateAfter: Duration.Duration
  readonly expireAfter: Duration.Duration
}): ReadonlyArray<Phase> =>
  [
    ...options.reminders.map((after, i) => ({ after, action: "remind" as const, n: i + 1 })),
    { after: options.escalateAfter, action: "escalate" as const, n: 1 },
    { after: options.expireAfter, action: "expire" as const, n: 1 }
  ]
    .filter((p) => p.action === "expire" || Duration.lessThan(p.after, options.expireAfter))
    .sort((a, b) => Duration.toMillis(a.after) - Duration.toMillis(b.after))

const RaceOutcome = Schema.Union(
  Schema.TaggedStruct("Reply", { reply: HitlReply }),
  Schema.TaggedStruct("Timer", {})
)

/** One wait: the `seq`-th reply, or the timer of `phase`, whichever comes first. */
export const race = (auditId: string, createdAtMs: number, seq: number, phaseIndex: number, phase: Phase) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const remaining = Math.max(1, createdAtMs + Duration.toMillis(phase.after) - now)
    return yield* DurableDeferred.raceAll({
      name: `wait/${auditId}/${seq}/${phaseIndex}`,
      success: RaceOutcome,
      error: Schema.Never,
      effects: [
        DurableDeferred.await(replyDeferred(auditId, seq)).pipe(
          Effect.map((reply) => ({ _tag: "Reply" as const, reply }))
        ),
        DurableClock.sleep({ name: `timer/${auditId}/${seq}/${phaseIndex}`, duration: remaining, inMemoryThreshold: Duration.zero })
          .pipe(Effect.as({ _tag: "Timer" as const }))
      ]
    })
  })
