/**
 * Pending and past requests to people, in the same SQL database as the workflows (SQLite by
 * default, PostgreSQL when scaled out), so `hitl list`, the inbox and every runner see one truth.
 * Each change is mirrored to `run_history/workflows/<run_id>/hitl.json` for people to read.
 * Every failure is a typed StorageError, so a workflow step retries it.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import * as path from "node:path"
import { AppConfig } from "../Config.js"
import { HitlEntry, type HitlKind, HitlRequest, type HitlState } from "../Domain/Hitl.js"
import { writeJsonAtomic } from "../Storage/AtomicFile.js"
import { RunHistory } from "../Storage/RunHistory.js"
import { StorageError } from "../Storage/StorageError.js"

const decodeRequest = Schema.decodeUnknown(HitlRequest)
const encodeRequest = Schema.encode(HitlRequest)
const encodeFields = Schema.encode(Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.String })))

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

/** An occurrence workflow that waits for a request made by another occurrence of its series. */
export interface Follow {
  readonly request: HitlRequest
  /** The asking workflow has finished: its answer (and dossier) can be taken over now. */
  readonly released: boolean
}

/** A workflow that waits for a person, and the event it belongs to. */
export interface WaitingWorkflow {
  readonly execution_id: string
  readonly calendar_id: string
  readonly event_id: string
  readonly event_start: string | null
  readonly audit_id: string
  readonly role: "asker" | "follower"
}

export type RequestUpdate = Partial<{
  state: HitlState
  replies: number
  handled: number
  next_action: string | null
  next_due: string | null
  decision: string | null
  answered_by: string | null
  answered_at: string | null
  fields: Record<string, string>
}>

export class HitlStore extends Effect.Service<HitlStore>()("Hitl/HitlStore", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppConfig
    const history = yield* RunHistory

    const toRequest = (row: unknown) => decodeRequest(row)
    const toRequests = (rows: ReadonlyArray<unknown>) => Effect.forEach(rows, toRequest)
    const first = (rows: ReadonlyArray<unknown>) =>
      rows[0] === undefined ? Effect.succeed(Option.none<HitlRequest>()) : Effect.map(toRequest(rows[0]), Option.some)

    const get = (auditId: string) =>
      sql`SELECT * FROM li_hitl_requests WHERE audit_id = ${auditId}`.pipe(
        Effect.flatMap(first),
        Effect.mapError(StorageError.from("HitlStore.get")),
        Effect.withSpan("HitlStore.get")
      )

    const mirror = (runId: string) =>
      Effect.gen(function*() {
        const requests = yield* sql`SELECT * FROM li_hitl_requests WHERE run_id = ${runId} ORDER BY created_at, audit_id`
        const entries = yield* sql<{ audit_id: string; at: string; type: string; actor: string; detail: string }>`
          SELECT audit_id, at, type, actor, detail FROM li_hitl_log WHERE run_id = ${runId} ORDER BY at, entry_key`
        yield* writeJsonAtomic(path.join(config.logStorageDir, "run_history", "workflows", runId, "hitl.json"), {
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
      })

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
      }).pipe(Effect.mapError(StorageError.from("HitlStore.log")), Effect.withSpan("HitlStore.log"))

    /** false: not created — it exists, or its series already has a pending request for the same question. */
    const create = (request: HitlRequest) =>
      Effect.gen(function*() {
        const row = yield* encodeRequest(request)
        const inserted = yield* sql<{ audit_id: string }>`INSERT INTO li_hitl_requests ${sql.insert({ ...row })}
          ON CONFLICT DO NOTHING RETURNING audit_id`
        if (inserted.length > 0) yield* mirror(request.run_id)
        return inserted.length > 0
      }).pipe(Effect.mapError(StorageError.from("HitlStore.create")), Effect.withSpan("HitlStore.create"))

    const update = (auditId: string, changes: RequestUpdate) =>
      Effect.gen(function*() {
        const { fields, ...rest } = changes
        const row = fields === undefined ? rest : { ...rest, fields: yield* encodeFields(fields) }
        if (Object.keys(row).length === 0) return
        yield* sql`UPDATE li_hitl_requests SET ${sql.update(row)} WHERE audit_id = ${auditId}`
        const request = yield* get(auditId)
        if (Option.isSome(request)) yield* mirror(request.value.run_id)
      }).pipe(Effect.mapError(StorageError.from("HitlStore.update")), Effect.withSpan("HitlStore.update"))

    /**
     * The reply slot of one reply (by its key: the mail's Message-ID). A reply seen before keeps
     * its slot — a crash between claiming and delivering must not move the same mail to a slot the
     * workflow never waits on. A new reply to a pending request takes the next slot in one
     * statement (`replies + 1 … RETURNING`), and the slot is unique per request, so `hitl decide`
     * racing the inbox, or two runners, never lose an answer. To a request that is no longer
     * pending it gets `None` and is only recorded.
     */
    const claimReply = (auditId: string, replyKey: string) => {
      const seen = sql<{ seq: number }>`SELECT seq FROM li_hitl_replies WHERE reply_key = ${replyKey}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => Number(row.seq)))
      )
      const claim = sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<{ replies: number }>`UPDATE li_hitl_requests SET replies = replies + 1
          WHERE audit_id = ${auditId} AND state = 'pending' RETURNING replies`
        if (rows[0] === undefined) return Option.none<number>()
        const seq = Number(rows[0].replies)
        yield* sql`INSERT INTO li_hitl_replies ${sql.insert({ reply_key: replyKey, audit_id: auditId, seq })}`
        return Option.some(seq)
      }))
      return Effect.gen(function*() {
        const before = yield* seen
        if (Option.isSome(before)) return before
        // The same mail claimed at this very moment by another reader: its slot is the one.
        return yield* claim.pipe(Effect.catchAll((error) =>
          Effect.flatMap(seen, (slot) => Option.isSome(slot) ? Effect.succeed(slot) : Effect.fail(error))
        ))
      }).pipe(Effect.mapError(StorageError.from("HitlStore.claimReply")), Effect.withSpan("HitlStore.claimReply"))
    }

    const pending = sql`SELECT * FROM li_hitl_requests WHERE state = 'pending' ORDER BY created_at, audit_id`.pipe(
      Effect.flatMap(toRequests),
      Effect.mapError(StorageError.from("HitlStore.pending")),
      Effect.withSpan("HitlStore.pending")
    )

    /** What a workflow waits for: its own pending requests, and those of its series it follows. */
    // One query: it runs on every poll of a waiting workflow.
    const pendingFor = (executionId: string) =>
      sql`SELECT * FROM li_hitl_requests WHERE state = 'pending' AND execution_id = ${executionId}
          UNION ALL
          SELECT r.* FROM li_hitl_requests r JOIN li_hitl_followers f ON f.audit_id = r.audit_id
          WHERE f.execution_id = ${executionId} AND r.released = 0
          ORDER BY created_at, audit_id`.pipe(
        Effect.flatMap(toRequests),
        Effect.mapError(StorageError.from("HitlStore.pendingFor")),
        Effect.withSpan("HitlStore.pendingFor")
      )

    /**
     * The latest pending or answered request of a series (another occurrence's), with this
     * workflow recorded as its follower. The row update serialises with `release`: either the
     * asker sees this follower, or this follower sees the request released.
     */
    const follow = (
      seriesKey: string,
      kind: HitlKind,
      me: { execution_id: string; calendar_id: string; event_id: string; event_start: string }
    ) =>
      sql.withTransaction(Effect.gen(function*() {
        const leads = yield* sql<{ audit_id: string }>`SELECT audit_id FROM li_hitl_requests
          WHERE series_key = ${seriesKey} AND kind = ${kind} AND state IN ('pending', 'answered')
          AND execution_id <> ${me.execution_id} ORDER BY created_at DESC LIMIT 1`
        const lead = leads[0]
        if (lead === undefined) return Option.none<Follow>()
        const locked = yield* sql<{ released: number }>`UPDATE li_hitl_requests SET followers = followers + 1
          WHERE audit_id = ${lead.audit_id} AND state IN ('pending', 'answered') RETURNING *`
        if (locked[0] === undefined) return Option.none<Follow>()
        const request = yield* toRequest(locked[0])
        yield* sql`INSERT INTO li_hitl_followers ${sql.insert({ audit_id: lead.audit_id, ...me })}
          ON CONFLICT (audit_id, execution_id) DO NOTHING`
        return Option.some<Follow>({ request, released: Number(locked[0].released) === 1 })
      })).pipe(Effect.mapError(StorageError.from("HitlStore.follow")), Effect.withSpan("HitlStore.follow"))

    /** The asking workflow is done: its requests are released; returns who follows them. */
    const release = (executionId: string) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`UPDATE li_hitl_requests SET released = 1 WHERE execution_id = ${executionId}`
        return yield* sql<{ audit_id: string; execution_id: string }>`SELECT f.audit_id, f.execution_id
          FROM li_hitl_followers f JOIN li_hitl_requests r ON r.audit_id = f.audit_id WHERE r.execution_id = ${executionId}`
      })).pipe(Effect.mapError(StorageError.from("HitlStore.release")), Effect.withSpan("HitlStore.release"))

    /** Stops following (the follower's meeting is gone or was edited). */
    const unfollow = (executionId: string) =>
      sql`DELETE FROM li_hitl_followers WHERE execution_id = ${executionId}`.pipe(
        Effect.asVoid,
        Effect.mapError(StorageError.from("HitlStore.unfollow")),
        Effect.withSpan("HitlStore.unfollow")
      )

    /** Every workflow waiting for a person, with its event: the cycle withdraws those whose meeting is gone. */
    const waiting = Effect.gen(function*() {
      const askers = yield* sql<WaitingWorkflow>`SELECT execution_id, calendar_id, event_id, event_start, audit_id, 'asker' AS role
        FROM li_hitl_requests WHERE state = 'pending' AND calendar_id IS NOT NULL`
      const followers = yield* sql<WaitingWorkflow>`SELECT f.execution_id, f.calendar_id, f.event_id, f.event_start, f.audit_id,
        'follower' AS role FROM li_hitl_followers f JOIN li_hitl_requests r ON r.audit_id = f.audit_id WHERE r.released = 0`
      return [...askers, ...followers]
    }).pipe(Effect.mapError(StorageError.from("HitlStore.waiting")), Effect.withSpan("HitlStore.waiting"))

    return { get, create, update, log, claimReply, pending, pendingFor, follow, release, unfollow, waiting } as const
  })
}) {}
