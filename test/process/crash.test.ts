/**
 * Crash safety on the real process: the embedded stack (durable workflows on SQLite, local CRM,
 * mail folders, dossier store) is SIGKILLed mid-workflow and started again on the same
 * LOG_STORAGE_DIR. Research is a counting double (test/fixtures/programs/crash-app-program.ts), so
 * an activity that runs again after the restart shows up; mail hand-overs are counted the same way.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { listNotes } from "../../src/Integrations/LocalCrm.js"
import { programJs, run, type Spawned, summaries, tempDir } from "../support/spawn.js"

const DOMAIN = "acme-robotics.com"

// ---------------------------------------------------------------------------------------------
// Fixtures

const icsTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")

interface Meeting {
  readonly uid: string
  readonly summary: string
  readonly description: string
  readonly attendees?: ReadonlyArray<string>
}

/** A calendar whose meetings start in an hour or two, organised by one of ours. */
const calendar = (meetings: ReadonlyArray<Meeting>) => {
  const now = Date.now()
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Lead Insights tests//crash//EN",
    ...meetings.flatMap((m, i) => [
      "BEGIN:VEVENT",
      `UID:${m.uid}`,
      "DTSTAMP:20250101T000000Z",
      `DTSTART:${icsTime(now + (i + 1) * 3_600_000)}`,
      `DTEND:${icsTime(now + (i + 2) * 3_600_000)}`,
      `SUMMARY:${m.summary}`,
      `DESCRIPTION:${m.description}`,
      "ORGANIZER;CN=Anna Berger:mailto:anna.berger@lead-insights.app",
      ...(m.attendees ?? []).map((a) => `ATTENDEE;CN=Guest:mailto:${a}`),
      "END:VEVENT"
    ]),
    "END:VCALENDAR",
    ""
  ].join("\r\n")
}

const COMPANIES_HEADER = "name,domain,industry,size,country,notes,attachments"
const OTHER_COMPANY = "Brightwave Analytics,brightwave.io,Software,51-200,United Kingdom,Prospect.,"
const ACME_WITH_ATTACHMENTS =
  `Acme Robotics,${DOMAIN},Industrial automation,51-200,Germany,Customer since 2024.,"Framework contract.pdf|https://crm.example.invalid/files/1"`

interface Setup {
  readonly dir: string
  readonly logDir: string
  readonly researchLog: string
  readonly mailLog: string
  readonly env: (extra?: Record<string, string>) => Record<string, string>
}

const setup = (meetings: ReadonlyArray<Meeting>, companies: ReadonlyArray<string> = [OTHER_COMPANY]): Setup => {
  const dir = tempDir("li-crash-")
  const logDir = path.join(dir, "log")
  writeFileSync(path.join(dir, "calendar.ics"), calendar(meetings))
  writeFileSync(path.join(dir, "companies.csv"), [COMPANIES_HEADER, ...companies, ""].join("\n"))
  const researchLog = path.join(dir, "research.log")
  const mailLog = path.join(dir, "mail.log")
  return {
    dir,
    logDir,
    researchLog,
    mailLog,
    env: (extra = {}) => ({
      LOG_STORAGE_DIR: logDir,
      ICAL_URL: path.join(dir, "calendar.ics"),
      LOCAL_CRM_FILE: path.join(dir, "companies.csv"),
      OWN_DOMAINS: "lead-insights.app",
      TRIGGER_WORDS: "discovery call,kickoff",
      POLL_INTERVAL_SECONDS: "0.5",
      SHUTDOWN_TIMEOUT_SECONDS: "2",
      RESEARCH_LOG: researchLog,
      MAIL_LOG: mailLog,
      RESEARCH_DELAY_MS: "200",
      ...extra
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Processes: every one is SIGKILLed after its test if it is still running.

const live: Array<Spawned> = []
const exited = new WeakSet<Spawned>()

const start = (s: Setup, extra: Record<string, string> = {}): Spawned => {
  const p = run(programJs("crash-app"), ["run"], s.env(extra))
  void p.exited.then(() => exited.add(p))
  live.push(p)
  return p
}

const crash = async (p: Spawned) => {
  p.kill("SIGKILL")
  const exit = await bounded(p.exited, 5_000, "the SIGKILLed process to exit")
  expect(exit.signal).toBe("SIGKILL")
}

const stop = async (p: Spawned) => {
  p.kill("SIGTERM")
  const exit = await bounded(p.exited, 10_000, "the process to stop after SIGTERM")
  expect(exit.code).toBe(0)
}

afterEach(async () => {
  const running = live.splice(0).filter((p) => !exited.has(p))
  for (const p of running) p.kill("SIGKILL")
  await Promise.all(running.map((p) => bounded(p.exited, 5_000, "a leftover process to die").catch(() => undefined)))
})

// ---------------------------------------------------------------------------------------------
// Waiting, bounded

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const bounded = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))
  ]).finally(() => clearTimeout(timer))
}

/** Polls `probe` until it returns something other than undefined; fails after `ms`, with the process output. */
const until = async <A>(what: string, probe: () => A | undefined, ms: number, p?: Spawned): Promise<A> => {
  const deadline = Date.now() + ms
  while (true) {
    const value = probe()
    if (value !== undefined) return value
    if (p !== undefined && exited.has(p)) {
      throw new Error(`the process exited while waiting for ${what}\nstderr: ${p.stderr().slice(-4000)}`)
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${p ? `\nstderr: ${p.stderr().slice(-4000)}` : ""}`)
    }
    await sleep(100)
  }
}

// ---------------------------------------------------------------------------------------------
// What the program left behind

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "") : []

/** "<pid> <key>" lines of the research double. */
const researchStarts = (s: Setup) =>
  lines(s.researchLog).map((l) => {
    const [pid, key] = l.split(" ")
    return { pid: Number(pid), key: key ?? "" }
  })

/** Message ids handed to the mailer, with the pid that did it. */
const mailHandOvers = (s: Setup) =>
  lines(s.mailLog).map((l) => {
    const [pid, id] = l.split(" ")
    return { pid: Number(pid), id: id ?? "" }
  })

const outbox = (s: Setup) => {
  const dir = path.join(s.logDir, "outbox")
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")).sort() : []
}

const requestFile = (auditId: string) => `li.${auditId}.request@lead-insights.app.eml`

/** The delivery notice to the organiser (one of ours), by its Message-ID. */
const noticeFiles = (s: Setup) => outbox(s).filter((f) => /^li\.[a-z0-9]+\.delivered@/.test(f))
const noticeId = (file: string | undefined) => `<${(file ?? "").replace(/\.eml$/, "")}>`

const auditIdOfOutbox = (s: Setup) =>
  outbox(s).map((f) => /^li\.([a-z0-9]+)\.request@/.exec(f)?.[1]).find((id) => id !== undefined)

const dossiers = (s: Setup, domain = DOMAIN) => {
  const dir = path.join(s.logDir, "dossiers", domain)
  return existsSync(dir)
    ? readdirSync(dir).map((d) => path.join(dir, d, "dossier.json")).filter((f) => existsSync(f))
    : []
}

const notes = (s: Setup, domain = DOMAIN) =>
  Effect.runPromise(listNotes(domain).pipe(
    Effect.provide(SqliteClient.layer({ filename: path.join(s.logDir, "crm.sqlite") }))
  ))

/** Runs one statement on LOG_STORAGE_DIR/workflows.sqlite (the engine's and the HITL store's database). */
const onWorkflowDb = <A>(s: Setup, query: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, query).pipe(
    Effect.provide(SqliteClient.layer({ filename: path.join(s.logDir, "workflows.sqlite") }))
  ))

interface HitlMirror {
  readonly run_id: string
  readonly requests: ReadonlyArray<{
    readonly audit_id: string
    readonly kind: string
    readonly state: string
    readonly decision: string | null
    readonly created_at: string
    readonly entries: ReadonlyArray<{ readonly type: string; readonly at: string }>
  }>
}

/** Every request in every hitl.json under the run history. */
const hitlRequests = (s: Setup) => {
  const dir = path.join(s.logDir, "run_history", "workflows")
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((run) => path.join(dir, run, "hitl.json"))
    .filter((f) => existsSync(f))
    .flatMap((f) => (JSON.parse(readFileSync(f, "utf8")) as HitlMirror).requests)
}

/** The event's status in each summary, oldest first. */
const statusesOf = (s: Setup, eventId: string) =>
  summaries(s.logDir).flatMap((summary) =>
    summary.events.filter((e) => e.event_id === eventId).map((e) => ({ run_id: summary.run_id, ...e }))
  )

/** Waits for a summary, newer than the first `after` ones, in which the event has `status`. */
const waitForStatus = (s: Setup, eventId: string, status: string, ms: number, p?: Spawned, after = 0) =>
  until(`event ${eventId} to reach ${status}`, () => statusesOf(s, eventId).slice(after).find((e) => e.status === status), ms, p)

/** The event moved to `final` exactly once, and every later cycle found it unchanged. */
const expectEndedOnce = (s: Setup, eventId: string, final: string) => {
  const statuses = statusesOf(s, eventId).map((e) => e.status)
  const at = statuses.indexOf(final)
  expect(at, `statuses: ${statuses.join(", ")}`).toBeGreaterThanOrEqual(0)
  expect(statuses.filter((x) => x === final), `statuses: ${statuses.join(", ")}`).toHaveLength(1)
  expect(statuses.slice(at + 1).every((x) => x === "unchanged"), `statuses: ${statuses.join(", ")}`).toBe(true)
  // The newest summary that says anything about the event beyond "unchanged".
  expect(statuses.filter((x) => x !== "unchanged").at(-1)).toBe(final)
}

/** A reply as a mail client writes it: own text on top, the original quoted below. */
/** Returns the reply's Message-ID. */
const dropReply = (s: Setup, auditId: string, name: string, ownText: string): string => {
  const messageId = `<${name}.${Date.now()}@mail.lead-insights.app>`
  const inbox = path.join(s.logDir, "inbox")
  mkdirSync(inbox, { recursive: true })
  const request = `<li.${auditId}.request@lead-insights.app>`
  const mail = [
    "From: Anna Berger <anna.berger@lead-insights.app>",
    "To: Lead Insights <lead-insights@lead-insights.app>",
    `Subject: Re: [LI-${auditId}] Your request`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${request}`,
    `References: ${request}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    ownText,
    "",
    `On ${new Date().toUTCString()}, Lead Insights <lead-insights@lead-insights.app> wrote:`,
    "> Hello,",
    ">",
    "> Lead Insights found a meeting that needs preparation.",
    `> Reference: ${auditId}`,
    ""
  ].join("\r\n")
  // Written beside, then renamed: the inbox never reads a half-written file.
  const tmp = path.join(inbox, `${name}.eml.tmp`)
  writeFileSync(tmp, mail)
  renameSync(tmp, path.join(inbox, `${name}.eml`))
  return messageId
}

const processedReply = (s: Setup, name: string) => existsSync(path.join(s.logDir, "inbox", "processed", `${name}.eml`))

// ---------------------------------------------------------------------------------------------

describe("SIGKILL and restart on the embedded stack", () => {
  it("killed while research runs: research runs again, the event is delivered once, nothing before it re-runs", async () => {
    const eventId = "crash-research@test"
    const s = setup([{
      uid: eventId,
      summary: "Discovery call with Acme Robotics",
      description: "Agenda: automation roadmap and a first budget."
    }])

    // 1. The meeting names no domain: a person is asked, and answers while the first process runs.
    const p1 = start(s, { RESEARCH_DELAY_MS: "30000" })
    await waitForStatus(s, eventId, "awaiting_missing_info", 15_000, p1)
    const auditId = await until("the request mail", () => auditIdOfOutbox(s), 1_000, p1)
    dropReply(s, auditId, "answer", `company: Acme Robotics\ndomain: ${DOMAIN}\n\nThanks, Anna`)
    await p1.waitFor(/research started/, 10_000)

    // 2. SIGKILL in the middle of the research activity.
    await crash(p1)
    const [first] = researchStarts(s)
    expect(researchStarts(s)).toEqual([{ pid: p1.pid, key: expect.any(String) }])
    expect(dossiers(s)).toEqual([])
    expect(await notes(s)).toEqual([])
    expect(processedReply(s, "answer")).toBe(true)

    // 3. Restart on the same storage: the workflow resumes by itself and the research runs again.
    const p2 = start(s)
    await waitForStatus(s, eventId, "delivered", 20_000, p2)
    const seen = statusesOf(s, eventId).length
    await until("a later cycle", () => (statusesOf(s, eventId).length > seen ? true : undefined), 5_000, p2)
    await stop(p2)

    // At least once: the interrupted attempt ran again, in the new process, for the same key.
    expect(researchStarts(s)).toEqual([{ pid: p1.pid, key: first?.key }, { pid: p2.pid, key: first?.key }])
    expectEndedOnce(s, eventId, "delivered")
    const delivered = statusesOf(s, eventId).find((e) => e.status === "delivered")
    expect(delivered?.company).toEqual({ name: "Acme Robotics", domain: DOMAIN })
    expect(delivered?.hitl).toMatchObject({ audit_id: auditId, kind: "missing_info" })

    // Exactly one dossier, one CRM note for it, keyed by the workflow that researched it.
    const files = dossiers(s)
    expect(files).toHaveLength(1)
    const crmNotes = await notes(s)
    expect(crmNotes).toHaveLength(1)
    expect(crmNotes[0]?.key).toBe(first?.key)
    expect(crmNotes[0]?.dossier_json_path).toBe(files[0])
    expect(JSON.parse(readFileSync(files[0] ?? "", "utf8"))).toMatchObject({ key: first?.key, company: { domain: DOMAIN } })

    // What finished before the kill did not run again: one request, handed to the mailer once,
    // one reply, one decision; no "please answer", no reminder. The organiser heard of the dossier once.
    const [notice, ...moreNotices] = noticeFiles(s)
    expect(moreNotices).toEqual([])
    expect(outbox(s)).toEqual([notice, requestFile(auditId)].sort())
    expect(mailHandOvers(s)).toEqual([
      { pid: p1.pid, id: `<li.${auditId}.request@lead-insights.app>` },
      { pid: p2.pid, id: noticeId(notice) }
    ])
    const [request, ...others] = hitlRequests(s)
    expect(others).toEqual([])
    expect(request).toMatchObject({ audit_id: auditId, kind: "missing_info", state: "answered" })
    expect(request?.entries.map((e) => e.type).sort()).toEqual(["decision", "reply", "request"])
  })

  it("killed while waiting for approval: one request mail, the reply after the restart delivers once", async () => {
    const eventId = "crash-approval@test"
    const s = setup([{
      uid: eventId,
      summary: "Discovery call with Acme Robotics",
      description: `Agenda: automation roadmap. Background: https://${DOMAIN}/about`,
      attendees: [`rita.roboto@${DOMAIN}`]
    }], [OTHER_COMPANY, ACME_WITH_ATTACHMENTS])

    // 1. The CRM already holds material on the company: a person must approve first.
    const p1 = start(s)
    const waiting = await waitForStatus(s, eventId, "awaiting_approval", 15_000, p1)
    const auditId = waiting.hitl?.audit_id ?? ""
    expect(waiting.hitl).toMatchObject({ kind: "approval", state: "pending" })
    await until("the request mail", () => (outbox(s).includes(requestFile(auditId)) ? true : undefined), 1_000, p1)
    await crash(p1)

    // 2. Restart: the workflow is still waiting, and the request was not sent again.
    const before = statusesOf(s, eventId).length
    const p2 = start(s)
    const rejoined = await waitForStatus(s, eventId, "awaiting_approval", 15_000, p2, before)
    expect(rejoined.hitl).toMatchObject({ audit_id: auditId, kind: "approval" })
    expect(outbox(s)).toEqual([requestFile(auditId)])

    // 3. The approval arrives while the restarted program runs.
    dropReply(s, auditId, "approve", "Approve\n\nBest, Anna")
    await waitForStatus(s, eventId, "delivered", 15_000, p2)
    await until("the reply in inbox/processed", () => (processedReply(s, "approve") ? true : undefined), 5_000, p2)
    const seen = statusesOf(s, eventId).length
    await until("a later cycle", () => (statusesOf(s, eventId).length > seen ? true : undefined), 5_000, p2)
    await stop(p2)

    expectEndedOnce(s, eventId, "delivered")
    expect(existsSync(path.join(s.logDir, "inbox", "approve.eml"))).toBe(false)
    expect(researchStarts(s).map((r) => r.pid)).toEqual([p2.pid])
    expect(dossiers(s)).toHaveLength(1)
    const crmNotes = await notes(s)
    expect(crmNotes).toHaveLength(1)
    expect(crmNotes[0]?.key).toBe(researchStarts(s)[0]?.key)
    const [notice, ...moreNotices] = noticeFiles(s)
    expect(moreNotices).toEqual([])
    expect(outbox(s)).toEqual([notice, requestFile(auditId)].sort())
    expect(mailHandOvers(s)).toEqual([
      { pid: p1.pid, id: `<li.${auditId}.request@lead-insights.app>` },
      { pid: p2.pid, id: noticeId(notice) }
    ])
    const [request, ...others] = hitlRequests(s)
    expect(others).toEqual([])
    expect(request).toMatchObject({ audit_id: auditId, kind: "approval", state: "answered", decision: "approve" })
    expect(request?.entries.map((e) => e.type).sort()).toEqual(["decision", "reply", "request"])
  })

  it("a durable reminder timer survives a kill: the reminder goes out once, then the request expires", async () => {
    const eventId = "crash-timer@test"
    const s = setup([{
      uid: eventId,
      summary: "Discovery call with Acme Robotics",
      description: "Agenda: automation roadmap."
    }])
    // The reminder falls due while no process runs; the escalation only after the restart (a mail
    // whose successor is already due too is skipped, so the gap between them must outlast the restart).
    const timers = { HITL_REMINDERS: "2s", HITL_ESCALATE_AFTER: "9s", HITL_EXPIRE_AFTER: "11s" }

    const p1 = start(s, timers)
    const waiting = await waitForStatus(s, eventId, "awaiting_missing_info", 15_000, p1)
    const auditId = waiting.hitl?.audit_id ?? ""
    await crash(p1)
    const killedAt = Date.now()
    const createdAt = Date.parse(hitlRequests(s)[0]?.created_at ?? "")
    // Killed before the reminder was due (a very slow start would make this check meaningless).
    expect(killedAt - createdAt).toBeLessThan(2_000)
    expect(outbox(s)).toEqual([requestFile(auditId)])

    await sleep(3_000)
    const p2 = start(s, timers)
    const ended = await waitForStatus(s, eventId, "declined", 25_000, p2)
    const seen = statusesOf(s, eventId).length
    await until("a later cycle", () => (statusesOf(s, eventId).length > seen ? true : undefined), 5_000, p2)
    await stop(p2)

    expect(ended).toMatchObject({ reason: "expired", hitl: { audit_id: auditId, kind: "missing_info", state: "expired" } })
    expectEndedOnce(s, eventId, "declined")

    const id = (purpose: string) => `<li.${auditId}.${purpose}@lead-insights.app>`
    expect(outbox(s)).toEqual([
      `li.${auditId}.escalate-1@lead-insights.app.eml`,
      `li.${auditId}.remind-1@lead-insights.app.eml`,
      requestFile(auditId)
    ])
    // Handed to the mailer once each: the reminder by the restarted process only.
    expect(mailHandOvers(s)).toEqual([
      { pid: p1.pid, id: id("request") },
      { pid: p2.pid, id: id("remind-1") },
      { pid: p2.pid, id: id("escalate-1") }
    ])
    const [request, ...others] = hitlRequests(s)
    expect(others).toEqual([])
    expect(request).toMatchObject({ audit_id: auditId, state: "expired" })
    expect(request?.entries.map((e) => e.type)).toEqual(["request", "reminder", "escalation", "expired"])
    expect(researchStarts(s)).toEqual([])
    expect(dossiers(s)).toEqual([])
  })

  /*
   * A kill after a reply has claimed its slot (HitlStore.claimReply) but before it completed the
   * workflow's durable deferred leaves the mail in inbox/. Read again after the restart, the same
   * mail (same Message-ID) must take the same slot, so the workflow — waiting on that slot — gets
   * it. (Once a bug: it took the next slot and the workflow, and the cycle, waited forever.)
   * The window is milliseconds wide, so the test writes the state such a kill leaves.
   */
  it("killed between claiming a reply and signalling the workflow: the restarted program still delivers", async () => {
    const eventId = "crash-claim@test"
    const s = setup([{
      uid: eventId,
      summary: "Discovery call with Acme Robotics",
      description: `Agenda: automation roadmap. Background: https://${DOMAIN}/about`
    }], [OTHER_COMPANY, ACME_WITH_ATTACHMENTS])

    // The set-up must work; a set-up failure is reported as such.
    const prepared = await (async () => {
      const p1 = start(s)
      const waiting = await waitForStatus(s, eventId, "awaiting_approval", 15_000, p1)
      const auditId = waiting.hitl?.audit_id ?? ""
      await crash(p1)
      const messageId = dropReply(s, auditId, "approve", "Approve\n\nBest, Anna")
      // What the claim's transaction leaves behind when the kill comes right after it commits.
      const claimed = await onWorkflowDb(s, (sql) =>
        sql`UPDATE li_hitl_requests SET replies = replies + 1 WHERE audit_id = ${auditId} AND state = 'pending' RETURNING replies`)
      if (claimed.length !== 1 || claimed[0]?.["replies"] !== 1) throw new Error(`unexpected claim: ${JSON.stringify(claimed)}`)
      await onWorkflowDb(s, (sql) =>
        sql`INSERT INTO li_hitl_replies (reply_key, audit_id, seq) VALUES (${`mail:${messageId}`}, ${auditId}, 1)`)
      return { auditId }
    })()
    expect(prepared.auditId).not.toBe("")

    const p2 = start(s)
    await p2.waitFor(/run manifest/, 8_000)
    await waitForStatus(s, eventId, "delivered", 10_000, p2)
    await stop(p2)
    expectEndedOnce(s, eventId, "delivered")
    expect(await notes(s)).toHaveLength(1)
    expect(processedReply(s, "approve")).toBe(true)
  })
})
