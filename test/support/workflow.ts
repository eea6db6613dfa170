/**
 * Driving the whole app on doubles (layers/Test.ts TestApp) under the TestClock, for tests of the
 * event workflow's decision tree: one cycle at a time through Orchestrator.runCycle, with the
 * clock moved only by what a cycle itself waits for (EventProcessor.settle's 50 ms polls, the
 * activities' retry back-off), so durable HITL timers fire only when a test moves the clock.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Chunk, Clock, Duration, Effect, Fiber, Layer, Logger, LogLevel, Option, TestClock } from "effect"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import type { Contact } from "../../src/Agents/Contacts.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import type { CalendarEvent } from "../../src/Domain/CalendarEvent.js"
import type { CrmCompany } from "../../src/Domain/Crm.js"
import { IncomingMail, messageIdFor, subjectToken } from "../../src/Domain/Mail.js"
import type { RunSummary } from "../../src/Domain/RunSummary.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { TestApp, TestMail } from "../../layers/Test.js"
import { tempDir } from "./spawn.js"

export const HOUR = 3_600_000
export const DAY = 24 * HOUR

/** Where the TestClock starts: a week before the fixtures' meetings (2026-11-26), inside the lookahead. */
export const BASE = Date.parse("2026-11-20T08:00:00.000Z")

export const OWN_DOMAIN = "ourco.de"
export const OPERATOR = "ops@ourco.de"
export const ESCALATION = "lead@ourco.de"

/** The configuration every app in the tests starts from. */
export const testConfig = (logStorageDir: string) => ({
  logStorageDir,
  triggerWords: Option.some(["kickoff", "discovery call", "customer meeting"]),
  ownDomains: [OWN_DOMAIN],
  hitlOperatorEmail: OPERATOR,
  hitlEscalationEmail: ESCALATION,
  // the defaults, spelled out so the timer tests do not depend on them
  hitlReminders: [Duration.hours(4), Duration.hours(28)],
  hitlEscalateAfter: Duration.hours(48),
  hitlExpireAfter: Duration.days(7),
  dossierFreshDays: 30,
  // The fixtures' meetings are six days after BASE: the timer tests measure the full schedule.
  hitlUntilMeetingStart: false
}) satisfies Partial<AppConfigShape>

export interface AppOptions {
  readonly events?: ReadonlyArray<CalendarEvent>
  readonly companies?: ReadonlyArray<CrmCompany>
  readonly contacts?: ReadonlyArray<Contact>
  readonly config?: Partial<AppConfigShape>
}

/** A fresh app (its own temp LOG_STORAGE_DIR, engine and in-memory SQLite) for one test. */
export const makeTestApp = (options: AppOptions = {}) => {
  const logStorageDir = tempDir("li-wf-")
  const layer = TestApp({
    ...(options.events ? { events: options.events } : {}),
    ...(options.companies ? { companies: options.companies } : {}),
    ...(options.contacts ? { contacts: options.contacts } : {})
  }).pipe(
    Layer.provideMerge(AppConfig.layerWith({ ...testConfig(logStorageDir), ...options.config })),
    Layer.provideMerge(NodeContext.layer)
  )
  return { logStorageDir, layer }
}

/**
 * Runs `body` with the app built inside the test fiber, so every fiber the engine forks (workflow
 * bodies, durable clocks) sees the test's TestClock; the clock starts at BASE.
 */
export const withApp = <A, E, R>(options: AppOptions, body: (ctx: { readonly logStorageDir: string }) => Effect.Effect<A, E, R>) => {
  const { layer, logStorageDir } = makeTestApp(options)
  return TestClock.setTime(BASE).pipe(
    Effect.zipRight(Effect.suspend(() => body({ logStorageDir }))),
    Effect.provide(layer),
    Effect.provide(Logger.minimumLogLevel(LogLevel.None))
  )
}

/** One turn of the Node event loop, so real I/O (files, SQLite) can complete. */
const realTick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Sleeps within this distance of "now" belong to the cycle itself (polls, retries): the driver runs them. */
const NEAR_MS = 2_000

/**
 * Runs `self` to completion under the TestClock. Between real event-loop turns it moves the clock
 * to the next sleep that is at most NEAR_MS away; durable timers hours away stay untouched.
 */
export const drive = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    for (let i = 0; i < 20_000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      yield* realTick
      if (Option.isSome(yield* Fiber.poll(fiber))) continue
      const now = yield* Clock.currentTimeMillis
      const next = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((t) => t > now).sort((a, b) => a - b)[0]
      if (next !== undefined && next - now <= NEAR_MS) yield* TestClock.adjust(next - now)
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage("drive: the effect did not finish")
  })

/** One poll cycle (inbox first, then the calendar), driven to its summary. */
export const cycle: Effect.Effect<RunSummary, never, Orchestrator> = drive(Effect.flatMap(Orchestrator, (o) => o.runCycle))

/** `{ event_id: status }` of a summary. */
export const statuses = (summary: RunSummary) => Object.fromEntries(summary.events.map((e) => [e.event_id, e.status]))

export const outcomeOf = (summary: RunSummary, eventId: string) => {
  const outcome = summary.events.find((e) => e.event_id === eventId)
  if (outcome === undefined) throw new Error(`no event ${eventId} in run ${summary.run_id}`)
  return outcome
}

/** Moves the clock to `at` (epoch ms) and lets everything that became due run (timers fire, workflows move). */
export const advanceTo = (at: number) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(at)
    // let the woken clock fibers resume their workflows before the next cycle looks
    yield* drive(Effect.yieldNow())
  })

export interface HitlJson {
  readonly run_id: string
  readonly requests: ReadonlyArray<{
    readonly audit_id: string
    readonly execution_id: string
    readonly kind: string
    readonly reason: string
    readonly recipient: string
    readonly state: string
    readonly created_at: string
    readonly next_action: string | null
    readonly next_due: string | null
    readonly decision: string | null
    readonly answered_by: string | null
    readonly entries: ReadonlyArray<{ readonly at: string; readonly type: string; readonly actor: string; readonly [k: string]: unknown }>
  }>
}

export const hitlJsonPath = (logStorageDir: string, runId: string) =>
  path.join(logStorageDir, "run_history", "workflows", runId, "hitl.json")

export const readHitlJson = (logStorageDir: string, runId: string): HitlJson | undefined => {
  const file = hitlJsonPath(logStorageDir, runId)
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) as HitlJson : undefined
}

/** The audit trail of one request, from the hitl.json of the run that created it. */
export const auditOf = (logStorageDir: string, runId: string, auditId: string) => {
  const request = readHitlJson(logStorageDir, runId)?.requests.find((r) => r.audit_id === auditId)
  if (request === undefined) throw new Error(`no request ${auditId} in ${hitlJsonPath(logStorageDir, runId)}`)
  return request
}

let mailCounter = 0

/** A reply as the inbox would deliver it; by default it references the request by In-Reply-To only. */
export const reply = (options: {
  readonly auditId?: string
  readonly from: string
  readonly text: string
  readonly subject?: string
  /** "header": In-Reply-To only (subject without token); "subject": only the [LI-…] token. */
  readonly via?: "header" | "subject" | "none"
  readonly date?: string
}) => {
  const n = ++mailCounter
  const via = options.via ?? "header"
  const token = options.auditId === undefined ? "" : subjectToken(options.auditId)
  return new IncomingMail({
    ref: `mail-${n}`,
    messageId: `<reply-${n}@customer.test>`,
    from: options.from,
    // "": stamped by `receive` with the time it arrives
    date: options.date ?? "",
    subject: options.subject ?? (via === "subject" ? `Re: ${token} Your question` : "Re: Your question"),
    ...(via === "header" && options.auditId !== undefined ? { inReplyTo: messageIdFor(options.auditId, "request", "lead-insights.app") } : {}),
    references: [],
    text: options.text
  })
}

/**
 * Drops a reply into the test inbox the way a person sends one: a minute after whatever happened
 * last, dated when it was written (unless the mail has a date), read a second later. The gaps keep
 * the audit trail, which hitl.json orders by time, in the order things happened.
 */
export const receive = (mail: IncomingMail) =>
  Effect.gen(function*() {
    yield* advanceTo((yield* Clock.currentTimeMillis) + 60_000)
    const written = new Date(yield* Clock.currentTimeMillis).toISOString()
    yield* (yield* TestMail).receive(mail.date === "" ? new IncomingMail({ ...mail, date: written }) : mail)
    yield* advanceTo((yield* Clock.currentTimeMillis) + 1_000)
  })
