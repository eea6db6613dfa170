/**
 * The event workflow sending its mail over SMTP to a real SMTP server in the test (smtp-server on
 * a loopback port), as a user sees it: what arrives at the server, the run summary, the audit trail.
 * The app runs on the test doubles with the SMTP mailer in place of the in-memory one, under the
 * TestClock (test/support/workflow.ts); the sockets are real.
 */
import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Duration, Effect, Layer, Logger, LogLevel, Option, TestClock } from "effect"
import { simpleParser } from "mailparser"
import { readFileSync } from "node:fs"
import { AppConfig } from "../../src/Config.js"
import type { CalendarEvent } from "../../src/Domain/CalendarEvent.js"
import type { SmtpConfig } from "../../src/Integrations/Smtp/SmtpConfig.js"
import { SmtpMailerLive } from "../../src/Integrations/Smtp/SmtpMailer.js"
import { makeApp } from "../../layers/App.js"
import { MemoryEngineLive } from "../../layers/Engine.js"
import { TestAdapters } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { tempDir } from "../support/spawn.js"
import { startSmtpServer, type TestSmtpServer } from "../support/smtpServer.js"
import { auditOf, BASE, cycle, OPERATOR, outcomeOf, statuses, testConfig } from "../support/workflow.js"

const FROM = "Lead Insights <lead-insights@mail.ourco.de>"

const smtpOf = (server: TestSmtpServer): SmtpConfig => ({
  host: server.host,
  port: server.port,
  security: "plain",
  auth: Option.none(),
  timeout: Duration.seconds(5),
  attempts: 4,
  // short, so the test's clock driver (which runs sleeps up to 2 s away) runs the backoff
  retryDelay: Duration.millis(100)
})

/** The whole app on doubles, its mail going to `server`; the clock starts at BASE. */
const withSmtpApp = <A, E, R>(
  server: TestSmtpServer,
  events: ReadonlyArray<CalendarEvent>,
  body: (ctx: { readonly logStorageDir: string }) => Effect.Effect<A, E, R>
) => {
  const logStorageDir = tempDir("li-smtp-")
  const layer = makeApp(Layer.mergeAll(TestAdapters({ events }), SmtpMailerLive(smtpOf(server))), MemoryEngineLive).pipe(
    Layer.provideMerge(AppConfig.layerWith({ ...testConfig(logStorageDir), mailFrom: FROM })),
    Layer.provideMerge(NodeContext.layer)
  )
  return TestClock.setTime(BASE).pipe(
    Effect.zipRight(Effect.suspend(() => body({ logStorageDir }))),
    Effect.provide(layer),
    Effect.provide(Logger.minimumLogLevel(LogLevel.None))
  )
}

/** Triggers, names no company: a request goes to the organiser (one of ours) or the operator. */
const unknownCompany = (eventId: string, organiser?: string) =>
  makeEvent({
    eventId,
    summary: "Customer meeting prep",
    timeZone: "Europe/Berlin",
    ...(organiser ? { organizer: person(organiser, { name: "Maria Roth" }) } : {})
  })

describe("SMTP: requests", () => {
  it.scoped("451 twice, then accepted: the request arrives once, with its id, token and headers", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({
        answer: (a) => (a.n <= 2 ? { code: 451, text: "4.3.0 Try again later" } : "accept")
      })
      yield* withSmtpApp(server, [unknownCompany("nobody")], () =>
        Effect.gen(function*() {
          const summary = yield* cycle
          expect(statuses(summary)).toEqual({ nobody: "awaiting_missing_info" })
          const auditId = outcomeOf(summary, "nobody").hitl?.audit_id ?? ""

          expect(server.attempts.map((a) => a.n)).toEqual([1, 2, 3])
          expect(server.received).toHaveLength(1)
          const [mail] = server.received
          expect(mail?.to).toEqual([OPERATOR])
          expect(mail?.from).toBe("lead-insights@mail.ourco.de")
          // on the sender's own domain, carrying the audit id
          expect(mail?.messageId).toBe(`<li.${auditId}.request@mail.ourco.de>`)
          const parsed = yield* Effect.promise(() => simpleParser(mail?.raw ?? Buffer.alloc(0)))
          expect(parsed.subject).toBe(`[LI-${auditId}] Which company is "Customer meeting prep" with?`)
          expect(parsed.headers.get("auto-submitted")).toBe("auto-generated")
          // the meeting on the organiser's clock, as people write it
          expect(parsed.text).toContain("Thu 26 Nov 2026, 10:00–11:00 CET")
          expect(parsed.html).toContain("Thu 26 Nov 2026, 10:00–11:00 CET")

          // the next cycle sends nothing again
          yield* cycle
          expect(server.received).toHaveLength(1)
        }))
    }))

  it.scoped("550 for one recipient: that event fails with the server's words in the summary and the audit; the others go on", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({
        recipient: (address) =>
          address === "gone@ourco.de" ? { code: 550, text: "5.1.1 <gone@ourco.de>: Recipient address rejected: User unknown" } : undefined
      })
      const events = [unknownCompany("refused", "gone@ourco.de"), unknownCompany("fine", "maria@ourco.de")]
      yield* withSmtpApp(server, events, ({ logStorageDir }) =>
        Effect.gen(function*() {
          const summary = yield* cycle
          expect(statuses(summary)).toEqual({ refused: "failed", fine: "awaiting_missing_info" })
          expect(summary.status).toBe("partial")

          const error = outcomeOf(summary, "refused").error
          expect(error?.type).toBe("MailRejected")
          expect(error?.message).toContain("550 5.1.1 <gone@ourco.de>: Recipient address rejected: User unknown")
          // refused for good: not tried again, neither at once nor later
          expect(error?.message).not.toContain("tried")

          const runId = summary.run_id
          const rows = auditOf(logStorageDir, runId, auditIdOf(logStorageDir, runId, "gone@ourco.de")).entries
          const rejected = rows.find((e) => e.type === "mail_rejected")
          expect(rejected?.["response"]).toContain("User unknown")
          expect(rows.map((e) => e.type)).not.toContain("request")

          expect(server.received.map((m) => m.to)).toEqual([["maria@ourco.de"]])
        }))
    }))
})

describe("SMTP: the delivery notice", () => {
  it.scoped("a delivered dossier is announced to our organiser once, with the brief attached", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer()
      const acme = makeEvent({
        eventId: "acme",
        summary: "Discovery call with Acme Robotics",
        description: "Deck at https://acme-robotics.com",
        timeZone: "America/New_York",
        organizer: person("maria@ourco.de", { name: "Maria Roth" }),
        attendees: [person("maria@ourco.de"), person("john@acme-robotics.com", { name: "John Smith" })]
      })
      yield* withSmtpApp(server, [acme], () =>
        Effect.gen(function*() {
          const summary = yield* cycle
          const outcome = outcomeOf(summary, "acme")
          expect(outcome.status).toBe("delivered")
          expect(outcome.error).toBeUndefined()

          expect(server.received).toHaveLength(1)
          const [mail] = server.received
          expect(mail?.to).toEqual(["maria@ourco.de"])
          expect(mail?.messageId).toMatch(/^<li\.[a-z0-9]{12}\.delivered@mail\.ourco\.de>$/)
          const parsed = yield* Effect.promise(() => simpleParser(mail?.raw ?? Buffer.alloc(0)))
          expect(parsed.subject).toMatch(/^\[LI-[a-z0-9]{12}\] Dossier ready: Acme Robotics for "Discovery call with Acme Robotics"$/)
          // on the organiser's clock (the event's own zone)
          expect(parsed.text).toContain("Thu 26 Nov 2026, 04:00–05:00 GMT-5")
          expect(parsed.text).toContain("The brief is attached as a PDF.")
          expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([["Brief Acme Robotics.pdf", "application/pdf"]])
          expect(parsed.attachments[0]?.content).toEqual(readFileSync(outcome.dossier?.pdf_path ?? ""))

          yield* cycle
          expect(server.received).toHaveLength(1)
        }))
    }))
})

/** The audit id of the request that went to `recipient` in a run (from its hitl.json). */
const auditIdOf = (logStorageDir: string, runId: string, recipient: string) => {
  const file = `${logStorageDir}/run_history/workflows/${runId}/hitl.json`
  const json = JSON.parse(readFileSync(file, "utf8")) as { requests: ReadonlyArray<{ audit_id: string; recipient: string }> }
  const found = json.requests.find((r) => r.recipient === recipient)
  if (found === undefined) throw new Error(`no request to ${recipient} in ${file}`)
  return found.audit_id
}
