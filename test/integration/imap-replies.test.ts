/**
 * Replies over real mail, end to end: the app (SQLite engine, doubles for calendar and CRM) asks
 * the organiser; the request travels over SMTP into Dovecot (a test SMTP server delivering over
 * LMTP) and lands in her mailbox, read there over IMAP; her replies, written as Gmail and Outlook
 * write them, are appended to the product's mailbox, read over IMAP, and the workflows go on to
 * `delivered`. An out-of-office reply and a stranger's reply decide nothing; after a restart no
 * message is handled twice.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { ImapFlow } from "imapflow"
import { simpleParser } from "mailparser"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { AppConfig } from "../../src/Config.js"
import type { RunSummary } from "../../src/Domain/RunSummary.js"
import { ImapInboxLive } from "../../src/Integrations/Imap/ImapInbox.js"
import { composeMail } from "../../src/Integrations/MailCompose.js"
import { Orchestrator } from "../../src/Orchestrator.js"
import { makeApp } from "../../layers/App.js"
import { SqliteEngineLive } from "../../layers/Engine.js"
import { ResearchTaking, TestAdapters, TestCrm, TestMail } from "../../layers/Test.js"
import { makeEvent, person } from "../fixtures/events.js"
import { type Dovecot, startDovecot, withImapClient } from "../support/dovecot.js"
import { type MailBridge, sendThrough, startMailBridge } from "../support/mailBridge.js"
import { tempDir } from "../support/spawn.js"
import { testConfig } from "../support/workflow.js"

const PRODUCT = "li@ourco.test"
const MARIA = "maria@ourco.test"
const PASSWORD = "pw-Äß1"

let dovecot: Dovecot
let bridge: MailBridge
beforeAll(async () => {
  dovecot = await startDovecot({ [PRODUCT]: PASSWORD, [MARIA]: PASSWORD })
  bridge = await startMailBridge(dovecot.lmtpPort)
})
afterAll(async () => {
  await bridge?.stop()
  await dovecot?.stop()
})

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString()
const gmailEvent = makeEvent({ eventId: "gmail-kickoff", summary: "Kickoff", start: inDays(3), end: inDays(3.05), organizer: person(MARIA) })
const outlookEvent = makeEvent({ eventId: "outlook-kickoff", summary: "Kickoff call", start: inDays(4), end: inDays(4.05), organizer: person(MARIA) })

const withClient = <A>(user: string, f: (client: ImapFlow) => Promise<A>) => withImapClient(dovecot, user, PASSWORD, f)

/** Maria's INBOX as her mail program shows it. */
const mariasInbox = () =>
  withClient(MARIA, async (client) => {
    await client.mailboxOpen("INBOX")
    const messages = await client.fetchAll("1:*", { uid: true, source: true })
    return Promise.all(messages.map((m) => simpleParser(m.source ?? Buffer.alloc(0))))
  })

const productFlags = () =>
  withClient(PRODUCT, async (client) => {
    await client.mailboxOpen("INBOX")
    const all = await client.fetchAll("1:*", { uid: true, flags: true })
    return all.map((m) => ({ uid: m.uid, seen: m.flags?.has("\\Seen") ?? false }))
  })

const appendToProduct = (raw: string, mailbox = "INBOX") => withClient(PRODUCT, (c) => c.append(mailbox, raw, []))

const crlf = (lines: ReadonlyArray<string>) => lines.join("\r\n")

/** Gmail, German UI: "AW:" is Outlook's, but Gmail keeps the subject it is given; quoted original below. */
const gmailReply = (request: { messageId: string; subject: string; text: string }) =>
  crlf([
    `From: Maria Muster <${MARIA}>`,
    `To: Lead Insights <${PRODUCT}>`,
    `Subject: AW: ${request.subject}`,
    `Message-ID: <CAGm${Date.now()}xQ@mail.gmail.com>`,
    `In-Reply-To: ${request.messageId}`,
    `References: ${request.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=\"UTF-8\"",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Firma: Acme Robotics GmbH",
    "Domain: acme-robotics.de",
    "",
    "Viele Grüße",
    "Maria",
    "",
    `Am ${new Date().toUTCString()} schrieb Lead Insights <${PRODUCT}>:`,
    "",
    ...request.text.split(/\r?\n/).map((l) => `> ${l}`),
    ""
  ])

/** Outlook: HTML and text, "AW:", the original under a "Von:/Gesendet:" block, no In-Reply-To kept by some servers — here kept. */
const outlookReply = (request: { messageId: string; subject: string; text: string }) => {
  const boundary = "_000_AM0PR01MB1234outlook_"
  return crlf([
    `From: "Muster, Maria" <${MARIA}>`,
    `To: "Lead Insights" <${PRODUCT}>`,
    `Subject: AW: ${request.subject}`,
    `Thread-Topic: ${request.subject}`,
    `Message-ID: <AM0PR01MB${Date.now()}@AM0PR01MB1234.eurprd01.prod.outlook.com>`,
    `In-Reply-To: ${request.messageId}`,
    `References: ${request.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Language: de-DE",
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=\"utf-8\"",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Hallo,",
    "",
    "Company: Beta Systems AG",
    "Domain: beta-systems.de",
    "",
    "Gruß Maria",
    "",
    "Von: Lead Insights <li@ourco.test>",
    `Gesendet: ${new Date().toUTCString()}`,
    "An: Muster, Maria <maria@ourco.test>",
    `Betreff: ${request.subject}`,
    "",
    ...request.text.split(/\r?\n/),
    "",
    `--${boundary}`,
    "Content-Type: text/html; charset=\"utf-8\"",
    "Content-Transfer-Encoding: 8bit",
    "",
    "<html><body><p>Hallo,</p><p>Company: Beta Systems AG<br>Domain: beta-systems.de</p><p>Gruß Maria</p>",
    "<div id=\"divRplyFwdMsg\"><hr><b>Von:</b> Lead Insights<br><b>Betreff:</b> the request</div></body></html>",
    "",
    `--${boundary}--`,
    ""
  ])
}

const outOfOffice = (request: { messageId: string; subject: string }) =>
  crlf([
    `From: Maria Muster <${MARIA}>`,
    `To: ${PRODUCT}`,
    `Subject: Automatische Antwort: ${request.subject}`,
    `Message-ID: <ooo-${Date.now()}@ourco.test>`,
    `In-Reply-To: ${request.messageId}`,
    "Auto-Submitted: auto-replied",
    "X-Autoreply: yes",
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Ich bin bis Montag nicht im Büro. Ja, bitte weiter.",
    ""
  ])

const stranger = (request: { messageId: string; subject: string }) =>
  crlf([
    "From: Kunde <kunde@acme-robotics.de>",
    `To: ${PRODUCT}`,
    `Subject: Re: ${request.subject}`,
    `Message-ID: <stranger-${Date.now()}@acme-robotics.de>`,
    `In-Reply-To: ${request.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Firma: Falsch AG",
    "Domain: falsch.de",
    ""
  ])

const config = (logStorageDir: string) => ({
  ...testConfig(logStorageDir),
  ownDomains: ["ourco.test"],
  mailFrom: PRODUCT,
  hitlOperatorEmail: "ops@ourco.test",
  hitlEscalationEmail: "lead@ourco.test",
  inboxInterval: Duration.hours(1),
  pollInterval: Duration.hours(1)
})

const imap = (mailbox = "INBOX") => ({
  host: "127.0.0.1",
  port: dovecot.imapPort,
  secure: false,
  username: PRODUCT,
  password: Redacted.make(PASSWORD),
  mailbox,
  processedMailbox: Option.none<string>()
})

const statuses = (summary: RunSummary) => Object.fromEntries(summary.events.map((e) => [e.event_id, e.status]))

/** Cycles (a little apart) until `done` holds, or 20 s pass; returns the last summary. */
const cycleUntil = (done: (summary: RunSummary) => boolean) =>
  Effect.gen(function*() {
    const orchestrator = yield* Orchestrator
    const until = Date.now() + 20_000
    for (;;) {
      const summary = yield* orchestrator.runCycle
      if (done(summary) || Date.now() > until) return summary
      yield* Effect.sleep("300 millis")
    }
  })

const hitlEntries = (logStorageDir: string, runId: string) => {
  const file = path.join(logStorageDir, "run_history", "workflows", runId, "hitl.json")
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    requests: ReadonlyArray<{ audit_id: string; state: string; entries: ReadonlyArray<{ type: string; actor: string; reason?: string }> }>
  }
  return json.requests
}

describe("replies over IMAP, end to end on Dovecot", () => {
  it.live("requests reach the organiser's mailbox; Gmail and Outlook replies deliver; auto-replies and strangers decide nothing; nothing twice after a restart", () =>
    Effect.gen(function*() {
      const logStorageDir = tempDir("li-imap-e2e-")
      const doubles = yield* Layer.build(TestAdapters({ events: [gmailEvent, outlookEvent] }))
      const app = makeApp(Layer.merge(Layer.succeedContext(doubles), ImapInboxLive(imap())), SqliteEngineLive, ResearchTaking(0)).pipe(
        Layer.provideMerge(AppConfig.layerWith(config(logStorageDir))),
        Layer.provideMerge(NodeContext.layer)
      )
      const life = <A, E, R>(body: Effect.Effect<A, E, R>) => Effect.scoped(Effect.provide(body, app))

      // 1. Both meetings need the company: one request each to Maria.
      const first = yield* life(Effect.flatMap(Orchestrator, (o) => o.runCycle))
      expect(statuses(first)).toEqual({ "gmail-kickoff": "awaiting_missing_info", "outlook-kickoff": "awaiting_missing_info" })
      const sent = yield* Effect.flatMap(TestMail, (m) => m.sent).pipe(Effect.provide(Layer.succeedContext(doubles)))
      expect(sent).toHaveLength(2)
      // The request mails go over SMTP into Maria's mailbox.
      for (const mail of sent) {
        const raw = yield* composeMail(mail)
        yield* Effect.promise(() => sendThrough(bridge, { from: PRODUCT, to: mail.to }, Buffer.from(raw)))
      }
      const received = yield* Effect.promise(mariasInbox)
      expect(received).toHaveLength(2)
      const requestOf = (eventId: string) => {
        const auditId = first.events.find((e) => e.event_id === eventId)?.hitl?.audit_id ?? ""
        const mail = received.find((m) => (m.subject ?? "").includes(`[LI-${auditId}]`))
        if (mail === undefined) throw new Error(`no request for ${eventId} in Maria's mailbox`)
        return { auditId, messageId: mail.messageId ?? "", subject: mail.subject ?? "", text: mail.text ?? "" }
      }
      const gmailRequest = requestOf("gmail-kickoff")
      const outlookRequest = requestOf("outlook-kickoff")
      expect(gmailRequest.messageId).toMatch(/^<li\./)

      // 2. An out-of-office reply and a stranger's reply: recorded, nothing decided.
      yield* Effect.promise(() => appendToProduct(outOfOffice(gmailRequest)))
      yield* Effect.promise(() => appendToProduct(stranger(gmailRequest)))
      const second = yield* life(Effect.flatMap(Orchestrator, (o) => o.runCycle))
      expect(statuses(second)).toEqual({ "gmail-kickoff": "awaiting_missing_info", "outlook-kickoff": "awaiting_missing_info" })
      const ignored = hitlEntries(logStorageDir, first.run_id).find((r) => r.audit_id === gmailRequest.auditId)
      expect(ignored?.state).toBe("pending")
      // In any order: a reply's time is its Date header, to the second, so it may sort before the request.
      expect(ignored?.entries.map((e) => [e.type, e.actor])).toEqual(expect.arrayContaining([
        ["request", PRODUCT],
        ["ignored_reply", MARIA],
        ["ignored_reply", "kunde@acme-robotics.de"]
      ]))
      expect(ignored?.entries).toHaveLength(3)
      // Neither is answered: the only mails ever sent are the two requests.
      expect(yield* Effect.flatMap(TestMail, (m) => m.sent).pipe(Effect.provide(Layer.succeedContext(doubles)))).toHaveLength(2)

      // 3. Maria's real replies: both workflows go on to delivered, with what she wrote.
      yield* Effect.promise(() => appendToProduct(gmailReply(gmailRequest)))
      yield* Effect.promise(() => appendToProduct(outlookReply(outlookRequest)))
      const third = yield* life(cycleUntil((s) => s.events.every((e) => e.status === "delivered" || e.status === "unchanged")))
      const companies = Object.fromEntries(third.events.map((e) => [e.event_id, [e.status, e.company?.domain]]))
      expect(companies).toEqual({
        "gmail-kickoff": ["delivered", "acme-robotics.de"],
        "outlook-kickoff": ["delivered", "beta-systems.de"]
      })
      const notes = yield* Effect.flatMap(TestCrm, (c) => c.notes).pipe(Effect.provide(Layer.succeedContext(doubles)))
      expect(notes.map((n) => n.domain).sort()).toEqual(["acme-robotics.de", "beta-systems.de"])
      // Every handled message is \Seen in the product's mailbox.
      expect((yield* Effect.promise(productFlags)).map((m) => m.seen)).toEqual([true, true, true, true])

      // 4. A restart, and someone marks every message unread again: nothing is handled twice.
      yield* Effect.promise(() =>
        withClient(PRODUCT, async (c) => {
          await c.mailboxOpen("INBOX")
          await c.messageFlagsRemove("1:*", ["\\Seen"])
        })
      )
      const fourth = yield* life(Effect.flatMap(Orchestrator, (o) => o.runCycle))
      expect(statuses(fourth)).toEqual({ "gmail-kickoff": "unchanged", "outlook-kickoff": "unchanged" })
      const after = hitlEntries(logStorageDir, first.run_id)
      expect(after.map((r) => r.entries.filter((e) => e.type === "reply" || e.type === "ignored_reply").length)).toEqual(
        after.map((r) => (r.audit_id === gmailRequest.auditId ? 3 : 1))
      )
      expect(yield* Effect.flatMap(TestCrm, (c) => c.notes).pipe(Effect.provide(Layer.succeedContext(doubles)))).toHaveLength(2)
      // The program did not even look at them again: they stay as the person left them, unread.
      expect((yield* Effect.promise(productFlags)).map((m) => m.seen)).toEqual([false, false, false, false])
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))), 90_000)

  it.live("HITL_ACCEPT_ANY_SENDER=true: a colleague's reply from another address counts", () =>
    Effect.gen(function*() {
      const logStorageDir = tempDir("li-imap-any-")
      const event = makeEvent({ eventId: "any-kickoff", summary: "Kickoff", start: inDays(5), end: inDays(5.05), organizer: person(MARIA) })
      const doubles = yield* Layer.build(TestAdapters({ events: [event] }))
      yield* Effect.promise(() => withClient(PRODUCT, (c) => c.mailboxCreate("Team")))
      const app = makeApp(Layer.merge(Layer.succeedContext(doubles), ImapInboxLive(imap("Team"))), SqliteEngineLive, ResearchTaking(0)).pipe(
        Layer.provideMerge(AppConfig.layerWith(config(logStorageDir))),
        Layer.provideMerge(NodeContext.layer)
      )
      const life = <A, E, R>(body: Effect.Effect<A, E, R>) =>
        Effect.scoped(Effect.provide(body, app)).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HITL_ACCEPT_ANY_SENDER", "true"]])))
        )
      const first = yield* life(Effect.flatMap(Orchestrator, (o) => o.runCycle))
      const auditId = first.events[0]?.hitl?.audit_id ?? ""
      yield* Effect.promise(() =>
        appendToProduct(crlf([
          "From: Tom <tom@ourco.test>",
          `To: ${PRODUCT}`,
          `Subject: Re: [LI-${auditId}] Kickoff`,
          `Message-ID: <tom-${Date.now()}@ourco.test>`,
          `Date: ${new Date().toUTCString()}`,
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Company: Gamma GmbH",
          "Domain: gamma-gmbh.de",
          ""
        ]), "Team")
      )
      const done = yield* life(cycleUntil((s) => s.events.every((e) => e.status === "delivered")))
      expect(done.events.map((e) => [e.status, e.company?.domain])).toEqual([["delivered", "gamma-gmbh.de"]])
    }).pipe(Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.None))), 60_000)
})
