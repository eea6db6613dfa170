/**
 * The core of the decision tree on the engine users run: the SQLite single runner, real clock,
 * real durable timers and interrupts — approval, missing information, reminders → expiry, an edit
 * while waiting, a reply read after a restart, a schedule kept across a configuration change, a
 * reply dated before a deadline that passed while the program was down, a meeting that goes
 * away, and a failed step tried again inside its workflow.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Option } from "effect"
import { CrmAttachment, CrmCompany } from "../../src/Domain/Crm.js"
import type { RunSummary } from "../../src/Domain/RunSummary.js"
import { HitlStore } from "../../src/Hitl/HitlStore.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { TestCalendar, TestCrm, TestMail } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { cycleUntil, FAST, makeSqliteHarness } from "../support/sqliteApp.js"
import { outcomeOf, reply, statuses } from "../support/workflow.js"

const ACME = "acme-robotics.com"
const acmeCrm = new CrmCompany({ id: "crm-acme", name: "Acme Robotics", domain: ACME, attachments: [new CrmAttachment({ name: "deck.pdf" })] })
const MARIA = "maria@ourco.de"
const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString()
const acme = makeEvent({ eventId: "acme", summary: "Discovery call with Acme Robotics", description: `https://${ACME}`, organizer: person(MARIA), start: inTwoDays, end: inTwoDays })
const nobody = makeEvent({ eventId: "nobody", summary: "Customer meeting prep", organizer: person(MARIA), start: inTwoDays, end: inTwoDays })

const auditIdIn = (summary: RunSummary, eventId: string) => outcomeOf(summary, eventId).hitl?.audit_id ?? ""
/** `<li.<audit id>.remind-1@…>` → `remind-1` */
const purposeOf = (messageId: string) => /^<li\.[a-z0-9]+\.([^@]+)@/.exec(messageId)?.[1]
const sleep = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))
const once = Effect.flatMap(Orchestrator, (o) => o.runCycle)
const statusIs = (eventId: string, status: string) => (s: RunSummary) => outcomeOf(s, eventId).status === status

describe("the decision tree on the SQLite engine", () => {
  it.scopedLive("approval: asked once, answered by mail, delivered once", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      const mail = Context.get(app.doubles, TestMail)
      yield* app.life(Effect.gen(function*() {
        const first = yield* once
        expect(statuses(first)).toEqual({ acme: "awaiting_approval" })
        yield* mail.receive(reply({ auditId: auditIdIn(first, "acme"), from: MARIA, text: "Approved.", date: new Date().toISOString() }))
        const done = yield* cycleUntil(statusIs("acme", "delivered"))
        expect(statuses(done)).toEqual({ acme: "delivered" })
        expect(yield* Context.get(app.doubles, TestCrm).notes).toHaveLength(1)
        expect((yield* mail.sent).filter((m) => m.messageId.includes(".request@"))).toHaveLength(1)
      }))
    }), 30_000)

  it.scopedLive("missing information: the reply's company and domain are researched and delivered", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [nobody] })
      const mail = Context.get(app.doubles, TestMail)
      yield* app.life(Effect.gen(function*() {
        const first = yield* once
        expect(statuses(first)).toEqual({ nobody: "awaiting_missing_info" })
        yield* mail.receive(reply({ auditId: auditIdIn(first, "nobody"), from: MARIA, text: "company: Globex\ndomain: globex.io", date: new Date().toISOString() }))
        const done = yield* cycleUntil(statusIs("nobody", "delivered"))
        expect(outcomeOf(done, "nobody")).toMatchObject({ status: "delivered", company: { name: "Globex", domain: "globex.io" } })
      }))
    }), 30_000)

  it.scopedLive("reminder, escalation, expiry fire as durable timers", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      const mail = Context.get(app.doubles, TestMail)
      yield* app.life(Effect.gen(function*() {
        const auditId = auditIdIn(yield* once, "acme")
        const done = yield* cycleUntil(statusIs("acme", "declined"))
        expect(outcomeOf(done, "acme")).toMatchObject({ status: "declined", reason: "expired" })
        const ids = (yield* mail.sent).filter((m) => m.auditId === auditId).map((m) => purposeOf(m.messageId))
        expect(ids).toEqual(["request", "remind-1", "escalate-1"])
      }), FAST)
    }), 30_000)

  it.scopedLive("an edit while waiting cancels the old request and asks for the new version", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      yield* app.life(Effect.gen(function*() {
        const old = auditIdIn(yield* once, "acme")
        yield* Context.get(app.doubles, TestCalendar).setEvents([makeEvent({ ...acme, summary: `${acme.summary} (moved)` })])
        const edited = yield* once
        expect(statuses(edited)).toEqual({ acme: "awaiting_approval" })
        expect(auditIdIn(edited, "acme")).not.toBe(old)
        expect(Option.map(yield* (yield* HitlStore).get(old), (r) => r.state)).toEqual(Option.some("cancelled"))
      }))
    }), 30_000)

  it.scopedLive("a reply read after a restart reaches the workflow started before it", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      const mail = Context.get(app.doubles, TestMail)
      const auditId = yield* app.life(Effect.map(once, (s) => auditIdIn(s, "acme")))
      yield* mail.receive(reply({ auditId, from: MARIA, text: "ja, gerne", date: new Date().toISOString() }))
      yield* app.life(Effect.gen(function*() {
        const done = yield* cycleUntil(statusIs("acme", "delivered"))
        expect(statuses(done)).toEqual({ acme: "delivered" })
        expect(yield* Context.get(app.doubles, TestCrm).notes).toHaveLength(1)
      }))
    }), 30_000)

  it.scopedLive("a request keeps the schedule it was made with when HITL_* change before a restart", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      const mail = Context.get(app.doubles, TestMail)
      // made with the defaults (4h, 28h, 48h, 7d) …
      const auditId = yield* app.life(Effect.map(once, (s) => auditIdIn(s, "acme")))
      // … restarted with schedules of seconds: nothing fires early
      yield* app.life(Effect.gen(function*() {
        yield* once
        yield* sleep(4_000)
        const later = yield* once
        expect(outcomeOf(later, "acme")).toMatchObject({ status: "awaiting_approval" })
        expect((yield* mail.sent).filter((m) => m.auditId === auditId).map((m) => purposeOf(m.messageId))).toEqual(["request"])
      }), FAST)
    }), 30_000)

  it.scopedLive("after downtime past the expiry, a reply dated before it still wins", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      const mail = Context.get(app.doubles, TestMail)
      const auditId = yield* app.life(Effect.map(once, (s) => auditIdIn(s, "acme")), { ...FAST, hitlReminders: [], hitlEscalateAfter: FAST.hitlExpireAfter })
      const written = new Date().toISOString()
      // down while the request expires
      yield* sleep(4_000)
      yield* mail.receive(reply({ auditId, from: MARIA, text: "Approved", date: written }))
      yield* app.life(Effect.gen(function*() {
        const done = yield* cycleUntil((s) => outcomeOf(s, "acme").status !== "awaiting_approval")
        expect(outcomeOf(done, "acme")).toMatchObject({ status: "delivered" })
      }), { ...FAST, hitlReminders: [], hitlEscalateAfter: FAST.hitlExpireAfter })
    }), 40_000)

  it.scopedLive("a meeting removed from the calendar: its request is withdrawn and its workflow stopped; back again, it is asked anew", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm] })
      const calendar = Context.get(app.doubles, TestCalendar)
      yield* app.life(Effect.gen(function*() {
        const first = auditIdIn(yield* once, "acme")
        yield* calendar.setEvents([])
        yield* once
        expect(Option.map(yield* (yield* HitlStore).get(first), (r) => r.state)).toEqual(Option.some("cancelled"))
        // well past where a reminder, the escalation and the expiry were due: nothing more for it
        yield* sleep(4_000)
        yield* once
        const mails = (yield* Context.get(app.doubles, TestMail).sent).filter((m) => m.auditId === first)
        expect(mails.map((m) => purposeOf(m.messageId))).toEqual(["request", "withdrawn"])
        yield* calendar.setEvents([acme])
        const back = yield* once
        expect(statuses(back)).toEqual({ acme: "awaiting_approval" })
        expect(auditIdIn(back, "acme")).not.toBe(first)
      }), { ...FAST, hitlReminders: [Duration.millis(2_500)], hitlEscalateAfter: Duration.millis(3_000), hitlExpireAfter: Duration.millis(3_500) })
    }), 30_000)

  it.scopedLive("once waits for a workflow a reply moved on, even when its meeting left the calendar in the meantime", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [acme], companies: [acmeCrm], researchDelayMs: 1_500 })
      const mail = Context.get(app.doubles, TestMail)
      const crm = Context.get(app.doubles, TestCrm)
      const auditId = yield* app.life(Effect.map(once, (s) => auditIdIn(s, "acme")))
      yield* mail.receive(reply({ auditId, from: MARIA, text: "Approved", date: new Date().toISOString() }))
      yield* Context.get(app.doubles, TestCalendar).setEvents([])
      // `once`: a cycle (the reply is read first), then settleDue — and nothing after it
      yield* app.life(Effect.gen(function*() {
        const orchestrator = yield* Orchestrator
        const summary = yield* orchestrator.runCycle
        expect(statuses(summary)).toEqual({})
        yield* orchestrator.settleDue
        expect(yield* crm.notes).toHaveLength(1)
      }))
    }), 30_000)

  it.scopedLive("a weekly series: one request; the answer releases the other occurrences, which reuse the dossier", () =>
    Effect.gen(function*() {
      const weekly = [0, 7, 14].map((days) => {
        const start = new Date(Date.parse(inTwoDays) + days * 86_400_000).toISOString()
        return makeEvent({ ...acme, eventId: `weekly_${days}`, seriesId: "weekly", start, end: start })
      })
      const app = yield* makeSqliteHarness({ events: weekly, companies: [acmeCrm] })
      const mail = Context.get(app.doubles, TestMail)
      yield* app.life(Effect.gen(function*() {
        const first = yield* once
        const asked = new Set(weekly.map((e) => auditIdIn(first, e.eventId)))
        expect(asked.size).toBe(1)
        yield* mail.receive(reply({ auditId: [...asked][0] ?? "", from: MARIA, text: "Approved.", date: new Date().toISOString() }))
        const done = yield* cycleUntil((s) => weekly.every((e) => !outcomeOf(s, e.eventId).status.startsWith("awaiting_")))
        expect(statuses(done)).toEqual({ weekly_0: "delivered", weekly_7: "dossier_reused", weekly_14: "dossier_reused" })
        expect((yield* mail.sent).filter((m) => purposeOf(m.messageId) === "request")).toHaveLength(1)
      }), { lookaheadDays: 30 })
    }), 30_000)

  it.scopedLive("a failed delivery is tried again inside the workflow after STEP_RETRY_DELAYS", () =>
    Effect.gen(function*() {
      const app = yield* makeSqliteHarness({ events: [makeEvent({ ...acme, organizer: undefined })] })
      yield* Context.get(app.doubles, TestCrm).failNextDeliveries(3)
      yield* app.life(Effect.gen(function*() {
        const first = yield* once
        expect(statuses(first)).toEqual({ acme: "retrying" })
        const done = yield* cycleUntil(statusIs("acme", "delivered"))
        expect(statuses(done)).toEqual({ acme: "delivered" })
        expect(yield* Context.get(app.doubles, TestCrm).notes).toHaveLength(1)
      }), FAST)
    }), 30_000)
})
