/**
 * Pending and past requests to people, in the same SQL database as the workflows (SQLite by
 * default, PostgreSQL when scaled out), so `hitl list`, the inbox and every runner see one truth.
 * Each change is mirrored to `run_history/workflows/<run_id>/hitl.json` for people to read.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import * as path from "node:path"
import { AppConfig } from "../Config.js"
import { HitlEntry, HitlRequest, type HitlState } from "../Domain/Hitl.js"
import { writeJsonAtomic } from "../Storage/AtomicFile.js"
import { RunHistory } from "../Storage/RunHistory.js"

const decodeRequest = Schema.decodeUnknown(HitlRequest)

/**
 * A pending request really waiting for a person: every reply taken up by the workflow, and no
 * timer overdue. Anything else is about to move, so whoever waits for a settled state waits on.
 */
export const isSettled = (request: HitlRequest, now: Date): boolean =>
  request.replies === request.handled && (request.next_due === null || Date.parse(request.next_due) > now.getTime())

// Entries written in the same millisecond still read in the order things happen.
const stage = ["request", "reminder", "escalation", "reply", "please_answer", "decision", "ignored_reply", "expired", "cancelled"]
const byTimeThenStage = (a: { at: string; type: string }, b: { at: string; type: string }) =>
  a.at.localeCompare(b.at) || stage.indexOf(a.type) - stage.indexOf(b.type)

export class HitlStore extends Effect.Service<HitlStore>()("Hitl/HitlStore", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppConfig
    const history = yield* RunHistory

    const toRequest = (row: unknown) => decodeRequest(row).pipe(Effect.orDie)

    const get = (auditId: string) =>
      sql`SELECT * FROM li_hitl_requests WHERE audit_id = ${auditId}`.pipe(
        Effect.flatMap((rows) => rows[0] === undefined ? Effect.succeed(Option.none()) : Effect.map(toRequest(rows[0]), Option.some)),
        Effect.orDie,
        Effect.withSpan("HitlStore.get")
      )

    const mirror = (runId: string) =>
      Effect.gen(function*() {
        const requests = yield* sql`SELECT * FROM li_hitl_requests WHERE run_id = ${runId} ORDER BY created_at, audit_id`
        const entries = yield* sql<{ audit_id: string; at: string; type: string; actor: string; detail: string }>`
          SELECT audit_id, at, type, actor, detail FROM li_hitl_log WHERE run_id = ${runId} ORDER BY at, entry_key`
        yield* writeJsonAtomic(fs, path.join(config.logStorageDir, "run_history", "workflows", runId, "hitl.json"), {
          run_id: runId,
          requests: yield* Effect.forEach(requests, (row) =>
            Effect.map(toRequest(row), (request) => ({
              ...request,
              entries: entries.filter((e) => e.audit_id === request.audit_id).sort(byTimeThenStage).map((e) => ({
                at: e.at,
                type: e.type,
                actor: e.actor,
                ...(JSON.parse(e.detail) as Record<string, unknown>)
              }))
            })))
        })
      }).pipe(Effect.orDie)

    /**
     * Idempotent on (audit id, entry key): a retried activity records once — in the table, in
     * hitl.json, and as a step of the event in the run's steps.jsonl.
     */
    const log = (runId: string, entryKey: string, entry: HitlEntry) =>
      Effect.gen(function*() {
        const inserted = yield* sql<{ entry_key: string }>`INSERT INTO li_hitl_log ${
          sql.insert({
            entry_key: `${entry.audit_id}/${entryKey}`,
            audit_id: entry.audit_id,
            run_id: runId,
            at: entry.at,
            type: entry.type,
            actor: entry.actor,
            detail: JSON.stringify(entry.detail)
          })
        } ON CONFLICT (entry_key) DO NOTHING RETURNING entry_key`
        yield* mirror(runId)
        if (inserted.length === 0) return
        const request = yield* get(entry.audit_id)
        yield* history.stepLog(runId).step(Option.getOrUndefined(Option.map(request, (r) => r.event_id)), `hitl_${entry.type}`, {
          audit_id: entry.audit_id,
          actor: entry.actor,
          ...entry.detail
        })
      }).pipe(Effect.orDie, Effect.withSpan("HitlStore.log"))

    const create = (request: HitlRequest) =>
      sql`INSERT INTO li_hitl_requests ${sql.insert({ ...request })} ON CONFLICT (audit_id) DO NOTHING`.pipe(
        Effect.zipRight(mirror(request.run_id)),
        Effect.orDie,
        Effect.withSpan("HitlStore.create")
      )

    const update = (auditId: string, fields: Partial<{
      state: HitlState
      replies: number
      handled: number
      next_action: string | null
      next_due: string | null
      decision: string | null
      answered_by: string | null
      answered_at: string | null
    }>) =>
      Effect.gen(function*() {
        if (Object.keys(fields).length === 0) return
        yield* sql`UPDATE li_hitl_requests SET ${sql.update(fields)} WHERE audit_id = ${auditId}`
        const request = yield* get(auditId)
        if (Option.isSome(request)) yield* mirror(request.value.run_id)
      }).pipe(Effect.orDie, Effect.withSpan("HitlStore.update"))

    /**
     * The reply slot of one reply (by its key: the mail's Message-ID). A reply seen before keeps
     * its slot — a crash between claiming and delivering must not move the same mail to a slot the
     * workflow never waits on. A new reply to a pending request takes the next slot; to a request
     * that is no longer pending (answered, expired …) it gets `None` and is only recorded.
     */
    const claimReply = (auditId: string, replyKey: string) =>
      sql.withTransaction(Effect.gen(function*() {
        const request = yield* get(auditId)
        if (Option.isNone(request)) return Option.none<{ seq: number; request: HitlRequest }>()
        const seen = yield* sql<{ seq: number }>`SELECT seq FROM li_hitl_replies WHERE reply_key = ${replyKey}`
        if (seen[0] !== undefined) return Option.some({ seq: Number(seen[0].seq), request: request.value })
        if (request.value.state !== "pending") return Option.none<{ seq: number; request: HitlRequest }>()
        const seq = request.value.replies + 1
        yield* sql`UPDATE li_hitl_requests SET replies = ${seq} WHERE audit_id = ${auditId}`
        yield* sql`INSERT INTO li_hitl_replies ${sql.insert({ reply_key: replyKey, audit_id: auditId, seq })}`
        return Option.some({ seq, request: request.value })
      })).pipe(Effect.orDie, Effect.withSpan("HitlStore.claimReply"))

    const pending = sql`SELECT * FROM li_hitl_requests WHERE state = 'pending' ORDER BY created_at, audit_id`.pipe(
      Effect.flatMap(Effect.forEach(toRequest)),
      Effect.orDie,
      Effect.withSpan("HitlStore.pending")
    )

    const pendingFor = (executionId: string) =>
      sql`SELECT * FROM li_hitl_requests WHERE state = 'pending' AND execution_id = ${executionId}
          ORDER BY created_at, audit_id`.pipe(
        Effect.flatMap(Effect.forEach(toRequest)),
        Effect.orDie,
        Effect.withSpan("HitlStore.pendingFor")
      )

    return { get, create, update, log, claimReply, pending, pendingFor } as const
  })
}) {}
