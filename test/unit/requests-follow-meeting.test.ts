/**
 * Issue-level promises of the HITL core on doubles (TestClock; see event-workflow.test.ts for how
 * cycles are driven): an answer is never asked for twice, requests follow their meeting (edits,
 * cancellations, its start, one request per series), and what a user reads says what is known.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { CrmAttachment, CrmCompany } from "../../src/Domain/Crm.js"
import type { RunSummary } from "../../src/Domain/RunSummary.js"
import { HitlStore } from "../../src/Hitl/HitlStore.js"
import { TestCalendar, TestCrm, TestMail } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { advanceTo, auditOf, BASE, cycle, DAY, HOUR, outcomeOf, receive, reply, statuses, withApp } from "../support/workflow.js"

const ACME = "acme-robotics.com"
const acmeCrm = new CrmCompany({ id: "crm-acme", name: "Acme Robotics", domain: ACME, attachments: [new CrmAttachment({ name: "deck.pdf" })] })
const MARIA = "maria@ourco.de"

/** Needs approval (the CRM holds an attachment), organised by one of us. */
const acme = makeEvent({
  eventId: "acme",
  summary: "Discovery call with Acme Robotics",
  description: `https://${ACME}`,
  organizer: person(MARIA)
})

/** The same meeting weekly, three times: one series. */
const weekly = [0, 7, 14].map((days) =>
  makeEvent({
    ...acme,
    eventId: `weekly_${days}`,
    seriesId: "weekly",
    start: new Date(Date.parse(acme.start) + days * DAY).toISOString(),
    end: new Date(Date.parse(acme.start) + days * DAY + HOUR).toISOString()
  }))

const sentMails = Effect.flatMap(TestMail, (m) => m.sent)
const crmNotes = Effect.flatMap(TestCrm, (c) => c.notes)
const requestOf = (auditId: string) => Effect.flatMap(HitlStore, (s) => s.get(auditId)).pipe(Effect.map(Option.getOrThrow))
const auditIdIn = (summary: RunSummary, eventId: string) => {
  const id = outcomeOf(summary, eventId).hitl?.audit_id
  if (id === undefined) throw new Error(`${eventId} waits for nobody in ${summary.run_id}`)
  return id
}
const requestMails = Effect.map(sentMails, (mails) => mails.filter((m) => m.messageId.includes(".request@")))

describe("an answer is never asked for twice", () => {
  it.effect("approved, then the CRM fails past the quick retries: the same workflow retries, nobody is asked again", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, () =>
      Effect.gen(function*() {
        const auditId = auditIdIn(yield* cycle, "acme")
        yield* (yield* TestCrm).failNextDeliveries(3)
        yield* receive(reply({ auditId, from: MARIA, text: "Approved." }))
        const failed = yield* cycle
        expect(statuses(failed)).toEqual({ acme: "retrying" })
        yield* advanceTo(Date.parse(outcomeOf(failed, "acme").retry_at ?? "") + 1_000)
        const done = yield* cycle
        expect(statuses(done)).toEqual({ acme: "delivered" })
        expect(outcomeOf(done, "acme").hitl).toMatchObject({ audit_id: auditId, state: "answered" })
        expect(yield* requestMails).toHaveLength(1)
        expect(yield* crmNotes).toHaveLength(1)
      })))

  it.effect("a dossier folder that cannot be written is a retried failure, not a crash of the event", () =>
    withApp({ events: [makeEvent({ eventId: "beta", summary: "Kickoff with Beta Systems", description: "beta-systems.io" })] }, ({ logStorageDir }) =>
      Effect.gen(function*() {
        const { mkdirSync, rmSync, writeFileSync } = yield* Effect.promise(() => import("node:fs"))
        mkdirSync(`${logStorageDir}/dossiers`, { recursive: true })
        // a file where the domain's folder should be: every write fails until it is gone
        writeFileSync(`${logStorageDir}/dossiers/beta-systems.io`, "in the way")
        const first = yield* cycle
        expect(statuses(first)).toEqual({ beta: "retrying" })
        expect(outcomeOf(first, "beta").error?.type).toBe("StorageError")
        rmSync(`${logStorageDir}/dossiers/beta-systems.io`)
        yield* advanceTo(Date.parse(outcomeOf(first, "beta").retry_at ?? "") + 1_000)
        expect(statuses(yield* cycle)).toEqual({ beta: "delivered" })
      })))

  it.effect("A → B → A: the version seen again is a new workflow that asks again, not the stopped one ending failed", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, () =>
      Effect.gen(function*() {
        const calendar = yield* TestCalendar
        const first = auditIdIn(yield* cycle, "acme")
        yield* calendar.setEvents([makeEvent({ ...acme, summary: "Discovery call with Acme Robotics (moved)" })])
        const edited = yield* cycle
        expect(statuses(edited)).toEqual({ acme: "awaiting_approval" })
        yield* calendar.setEvents([acme])
        const back = yield* cycle
        expect(statuses(back)).toEqual({ acme: "awaiting_approval" })
        const again = auditIdIn(back, "acme")
        expect(new Set([first, auditIdIn(edited, "acme"), again]).size).toBe(3)
        expect((yield* requestOf(first)).state).toBe("cancelled")
        yield* receive(reply({ auditId: again, from: MARIA, text: "yes" }))
        expect(statuses(yield* cycle)).toEqual({ acme: "delivered" })
      })))
})

describe("requests follow their meeting", () => {
  it.effect("a meeting removed from the calendar: withdrawn with one mail, no reminder after, a late reply changes nothing", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, ({ logStorageDir }) =>
      Effect.gen(function*() {
        const first = yield* cycle
        const auditId = auditIdIn(first, "acme")
        yield* (yield* TestCalendar).setEvents([])
        yield* cycle
        const request = yield* requestOf(auditId)
        expect(request.state).toBe("cancelled")
        expect((yield* Effect.flatMap(HitlStore, (s) => s.pending)).map((r) => r.audit_id)).not.toContain(auditId)
        const cancelled = auditOf(logStorageDir, first.run_id, auditId).entries.find((e) => e.type === "cancelled")
        expect(cancelled).toMatchObject({ reason: "the meeting is no longer in the calendar (cancelled, deleted or moved away)", notified: MARIA })
        const withdrawn = (yield* sentMails).filter((m) => m.auditId === auditId && m.subject.includes("No need to answer"))
        expect(withdrawn.map((m) => m.to)).toEqual([[MARIA]])

        yield* advanceTo(BASE + 2 * DAY)
        yield* cycle
        yield* receive(reply({ auditId, from: MARIA, text: "approve" }))
        yield* cycle
        const mails = (yield* sentMails).filter((m) => m.auditId === auditId).map((m) => m.messageId)
        expect(mails.filter((id) => id.includes("remind") || id.includes("escalate"))).toEqual([])
        expect(mails.filter((id) => id.includes("withdrawn"))).toHaveLength(1)
        expect(yield* crmNotes).toHaveLength(0)
        expect(auditOf(logStorageDir, first.run_id, auditId).entries.map((e) => e.type)).toContain("ignored_reply")
      })))

  it.effect("a meeting that left the window by passing is not withdrawn: its request keeps its own schedule", () =>
    withApp({ events: [acme], companies: [acmeCrm], config: { hitlExpireAfter: Duration.days(14) } }, () =>
      Effect.gen(function*() {
        const auditId = auditIdIn(yield* cycle, "acme")
        // two days after the meeting, with one day of lookback: the feed no longer lists it
        yield* advanceTo(Date.parse(acme.start) + 2 * DAY)
        expect(statuses(yield* cycle)).toEqual({})
        expect((yield* requestOf(auditId)).state).toBe("pending")
        expect((yield* sentMails).filter((m) => m.messageId.includes("withdrawn"))).toEqual([])
      })))

  it.effect("a request ends when its meeting starts: declined, reason 'meeting started'", () =>
    withApp({ events: [acme], companies: [acmeCrm], config: { hitlUntilMeetingStart: true } }, () =>
      Effect.gen(function*() {
        const auditId = auditIdIn(yield* cycle, "acme")
        const schedule = (yield* requestOf(auditId)).schedule ?? []
        expect(schedule.at(-1)).toEqual({ action: "expire", n: 1, due: acme.start, reason: "meeting started" })
        yield* advanceTo(Date.parse(acme.start) + 1_000)
        const outcome = outcomeOf(yield* cycle, "acme")
        expect(outcome).toMatchObject({ status: "declined", reason: "meeting started" })
        expect((yield* requestOf(auditId)).state).toBe("expired")
      })))

  it.effect("a meeting that has already started when first seen is not asked about", () =>
    withApp({ events: [makeEvent({ ...acme, start: new Date(BASE - HOUR).toISOString(), end: new Date(BASE + HOUR).toISOString() })], companies: [acmeCrm], config: { hitlUntilMeetingStart: true } }, () =>
      Effect.gen(function*() {
        const outcome = outcomeOf(yield* cycle, "acme")
        expect(outcome).toMatchObject({ status: "declined", reason: "meeting started" })
        expect(yield* sentMails).toEqual([])
      })))

  it.effect("a recurring series is asked about once; each occurrence has its status and the later ones reuse the dossier", () =>
    withApp({ events: weekly, companies: [acmeCrm], config: { lookaheadDays: 30 } }, () =>
      Effect.gen(function*() {
        const first = yield* cycle
        expect(statuses(first)).toEqual({ weekly_0: "awaiting_approval", weekly_7: "awaiting_approval", weekly_14: "awaiting_approval" })
        const auditIds = new Set(weekly.map((e) => auditIdIn(first, e.eventId)))
        expect(auditIds.size).toBe(1)
        expect(yield* requestMails).toHaveLength(1)
        const [auditId] = [...auditIds]
        yield* receive(reply({ auditId: auditId ?? "", from: MARIA, text: "ja, gerne" }))
        const second = yield* cycle
        expect(statuses(second)).toEqual({ weekly_0: "delivered", weekly_7: "dossier_reused", weekly_14: "dossier_reused" })
        const dossiers = new Set(weekly.map((e) => outcomeOf(second, e.eventId).dossier?.json_path))
        expect(dossiers.size).toBe(1)
        expect(yield* crmNotes).toHaveLength(3)
        expect(yield* requestMails).toHaveLength(1)
      })))

  it.effect("the asking occurrence is cancelled: the rest of the series is asked once more, by one request", () =>
    withApp({ events: weekly, companies: [acmeCrm], config: { lookaheadDays: 30 } }, () =>
      Effect.gen(function*() {
        const first = auditIdIn(yield* cycle, "weekly_0")
        yield* (yield* TestCalendar).setEvents(weekly.slice(1))
        yield* cycle
        const again = yield* cycle
        expect(statuses(again)).toEqual({ weekly_7: "awaiting_approval", weekly_14: "awaiting_approval" })
        const now = new Set(["weekly_7", "weekly_14"].map((id) => auditIdIn(again, id)))
        expect(now.size).toBe(1)
        expect(now.has(first)).toBe(false)
        expect((yield* requestOf(first)).state).toBe("cancelled")
        expect(yield* requestMails).toHaveLength(2)
        const pending = yield* Effect.flatMap(HitlStore, (s) => s.pending)
        expect(pending.map((r) => r.audit_id)).toEqual([...now])
      })))

  it.effect("the schedule is fixed when the request is made", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, () =>
      Effect.gen(function*() {
        const auditId = auditIdIn(yield* cycle, "acme")
        const request = yield* requestOf(auditId)
        const created = Date.parse(request.created_at)
        expect(request.schedule?.map((p) => [p.action, p.n, Date.parse(p.due) - created])).toEqual([
          ["remind", 1, 4 * HOUR],
          ["remind", 2, 28 * HOUR],
          ["escalate", 1, 48 * HOUR],
          ["expire", 1, 7 * DAY]
        ])
      })))

  it.effect("an auto-reply is no answer and gets no 'please answer' back; it is in the audit as ignored", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, ({ logStorageDir }) =>
      Effect.gen(function*() {
        const first = yield* cycle
        const auditId = auditIdIn(first, "acme")
        const ooo = reply({ auditId, from: MARIA, text: "I'm travelling, no laptop with me until Monday.", subject: "Automatic reply: out of office" })
        yield* receive(ooo)
        expect(statuses(yield* cycle)).toEqual({ acme: "awaiting_approval" })
        expect((yield* sentMails).filter((m) => m.messageId.includes("please-answer"))).toEqual([])
        expect((yield* requestOf(auditId)).replies).toBe(0)
        expect(auditOf(logStorageDir, first.run_id, auditId).entries.map((e) => e.type)).toContain("ignored_reply")
      })))
})

describe("what a user reads", () => {
  it.effect("an event waiting for a person carries its trigger and company, also when joined in a later cycle", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, () =>
      Effect.gen(function*() {
        for (const summary of [yield* cycle, yield* cycle]) {
          const outcome = outcomeOf(summary, "acme")
          expect(outcome.status).toBe("awaiting_approval")
          expect(outcome.trigger).toMatchObject({ type: "hard", matched_word: "discovery call" })
          expect(outcome.company).toEqual({ name: "Acme Robotics", domain: ACME })
        }
      })))

  it.effect("hitl decide racing the inbox: every answer gets its own slot", () =>
    withApp({ events: [acme], companies: [acmeCrm] }, () =>
      Effect.gen(function*() {
        const auditId = auditIdIn(yield* cycle, "acme")
        const store = yield* HitlStore
        const slots = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => `key-${i}`),
          (key) => store.claimReply(auditId, key),
          { concurrency: "unbounded" }
        )
        expect(slots.map(Option.getOrThrow).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
        // the same reply claimed again keeps its slot
        expect(yield* store.claimReply(auditId, "key-3")).toEqual(slots[3])
        expect((yield* requestOf(auditId)).replies).toBe(20)
      })))
})
