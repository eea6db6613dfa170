/**
 * The LLM's budgets, kept in the app's SQL database (SQLite or PostgreSQL) so that every runner
 * sharing it counts against the same day: tokens per event and USD per UTC day.
 *
 * A call first reserves what it may use at most (its prompt estimated, plus its output limit) with
 * one conditional UPDATE per budget; the row changes only while the reservation still fits, so
 * two runners cannot both take the last of a budget. After the call the reservation is replaced
 * by what the API counted. A process that dies mid-call leaves its reservation counted: the safe
 * side, and the day's row is a new one tomorrow.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect } from "effect"

export const DAILY_TABLE = "li_llm_daily_spend"
export const EVENT_TABLE = "li_llm_event_tokens"

/**
 * The budget tables. Idempotent (IF NOT EXISTS): a numbered migration in Storage/Migrations.ts
 * (`"3_llm_budget": llmBudgetMigration`), and run by the adapter when it starts too. Money is in
 * millionths of a USD, so sums stay exact.
 */
export const llmBudgetMigration: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS li_llm_daily_spend (
    day TEXT PRIMARY KEY, spent_micro_usd BIGINT NOT NULL DEFAULT 0, reserved_micro_usd BIGINT NOT NULL DEFAULT 0,
    input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0, calls INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL)`
  yield* sql`CREATE TABLE IF NOT EXISTS li_llm_event_tokens (
    event_key TEXT PRIMARY KEY, used_tokens BIGINT NOT NULL DEFAULT 0, reserved_tokens BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL)`
})

export const MICRO_PER_USD = 1_000_000

/** How long a day's spend and an event's tokens are kept. */
const KEEP_DAYS = 90

export interface Reservation {
  readonly eventKey: string
  readonly day: string
  readonly tokens: number
  readonly microUsd: number
}

export interface Spend {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly microUsd: number
  /** Whether the call reached the model (counted in `calls`). */
  readonly called: boolean
}

export type Refusal =
  | { readonly _tag: "EventBudget"; readonly used: number; readonly limit: number }
  | { readonly _tag: "DailyBudget"; readonly spentMicroUsd: number; readonly limitMicroUsd: number }

const dayOf = (millis: number) => new Date(millis).toISOString().slice(0, 10)

// PostgreSQL hands BIGINT columns over as strings.
const toNumber = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0))

export const makeBudget = (limits: { readonly tokensPerEvent: number; readonly dailyMicroUsd: number }) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const prune = (now: number) => {
      const cutoff = new Date(now - KEEP_DAYS * 86_400_000).toISOString()
      return Effect.all([
        sql`DELETE FROM li_llm_event_tokens WHERE updated_at < ${cutoff}`,
        sql`DELETE FROM li_llm_daily_spend WHERE day < ${cutoff.slice(0, 10)}`
      ], { discard: true })
    }

    const reserveEvent = (eventKey: string, tokens: number, at: string) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO li_llm_event_tokens (event_key, used_tokens, reserved_tokens, updated_at)
                   VALUES (${eventKey}, 0, 0, ${at}) ON CONFLICT (event_key) DO NOTHING`
        const taken = yield* sql`UPDATE li_llm_event_tokens
          SET reserved_tokens = reserved_tokens + ${tokens}, updated_at = ${at}
          WHERE event_key = ${eventKey} AND used_tokens + reserved_tokens + ${tokens} <= ${limits.tokensPerEvent}
          RETURNING event_key`
        if (taken.length > 0) return undefined
        const rows = yield* sql<{ used: unknown }>`SELECT used_tokens + reserved_tokens AS used
          FROM li_llm_event_tokens WHERE event_key = ${eventKey}`
        return { _tag: "EventBudget", used: toNumber(rows[0]?.used), limit: limits.tokensPerEvent } satisfies Refusal
      })

    const reserveDay = (day: string, microUsd: number, at: string, now: number) =>
      Effect.gen(function*() {
        const created = yield* sql`INSERT INTO li_llm_daily_spend (day, spent_micro_usd, reserved_micro_usd,
            input_tokens, output_tokens, calls, updated_at)
          VALUES (${day}, 0, 0, 0, 0, 0, ${at}) ON CONFLICT (day) DO NOTHING RETURNING day`
        if (created.length > 0) yield* prune(now)
        const taken = yield* sql`UPDATE li_llm_daily_spend
          SET reserved_micro_usd = reserved_micro_usd + ${microUsd}, updated_at = ${at}
          WHERE day = ${day} AND spent_micro_usd + reserved_micro_usd + ${microUsd} <= ${limits.dailyMicroUsd}
          RETURNING day`
        if (taken.length > 0) return undefined
        const rows = yield* sql<{ spent: unknown }>`SELECT spent_micro_usd + reserved_micro_usd AS spent
          FROM li_llm_daily_spend WHERE day = ${day}`
        return {
          _tag: "DailyBudget",
          spentMicroUsd: toNumber(rows[0]?.spent),
          limitMicroUsd: limits.dailyMicroUsd
        } satisfies Refusal
      })

    const settleEvent = (reservation: Reservation, tokens: number, at: string) =>
      sql`UPDATE li_llm_event_tokens
        SET reserved_tokens = reserved_tokens - ${reservation.tokens}, used_tokens = used_tokens + ${tokens},
            updated_at = ${at}
        WHERE event_key = ${reservation.eventKey}`

    const settleDay = (reservation: Reservation, spend: Spend, at: string) =>
      sql`UPDATE li_llm_daily_spend
        SET reserved_micro_usd = reserved_micro_usd - ${reservation.microUsd},
            spent_micro_usd = spent_micro_usd + ${spend.microUsd},
            input_tokens = input_tokens + ${spend.inputTokens}, output_tokens = output_tokens + ${spend.outputTokens},
            calls = calls + ${spend.called ? 1 : 0}, updated_at = ${at}
        WHERE day = ${reservation.day}`

    /** Takes `tokens` of the event's budget and `microUsd` of today's, or says which one is spent. */
    const reserve = (eventKey: string, tokens: number, microUsd: number): Effect.Effect<
      { readonly _tag: "Reserved"; readonly reservation: Reservation } | Refusal,
      SqlError
    > =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const at = new Date(now).toISOString()
        const day = dayOf(now)
        const reservation: Reservation = { eventKey, day, tokens, microUsd }
        const eventRefusal = yield* reserveEvent(eventKey, tokens, at)
        if (eventRefusal !== undefined) return eventRefusal
        const dayRefusal = yield* reserveDay(day, microUsd, at, now).pipe(
          Effect.tapError(() => settleEvent(reservation, 0, at).pipe(Effect.ignore))
        )
        if (dayRefusal !== undefined) {
          yield* settleEvent(reservation, 0, at)
          return dayRefusal
        }
        return { _tag: "Reserved", reservation } as const
      })

    /** Replaces the reservation by what was spent (nothing, when the call never reached the model). */
    const settle = (reservation: Reservation, spend: Spend): Effect.Effect<void, SqlError> =>
      Effect.gen(function*() {
        const at = new Date(yield* Clock.currentTimeMillis).toISOString()
        yield* settleEvent(reservation, spend.inputTokens + spend.outputTokens, at)
        yield* settleDay(reservation, spend, at)
      })

    /** Today's spend, reservations included, in USD. */
    const spentToday: Effect.Effect<number, SqlError> = Effect.gen(function*() {
      const day = dayOf(yield* Clock.currentTimeMillis)
      const rows = yield* sql<{ spent: unknown }>`SELECT spent_micro_usd + reserved_micro_usd AS spent
        FROM li_llm_daily_spend WHERE day = ${day}`
      return toNumber(rows[0]?.spent) / MICRO_PER_USD
    })

    return { reserve, settle, spentToday } as const
  })
