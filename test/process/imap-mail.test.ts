/**
 * Real mail both ways, as a user runs the program with `once`: the requests go out over SMTP (a
 * test SMTP server that delivers into Dovecot over LMTP) and land in the organiser's mailbox; she
 * answers from her mail program — one reply as Gmail writes it, one as Outlook does ("AW:",
 * In-Reply-To, the original quoted) — and the replies, put into the product's mailbox, are read
 * over IMAP by the next `once`: both meetings are delivered. A third `once` decides nothing again.
 */
import { describe, expect, it } from "@effect/vitest"
import { ImapFlow } from "imapflow"
import { simpleParser } from "mailparser"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type Dovecot, startDovecot, withImapClient } from "../support/dovecot.js"
import { type MailBridge, startMailBridge } from "../support/mailBridge.js"
import { runCli, summaries, tempDir } from "../support/spawn.js"

const PRODUCT = "li@ourco.test"
const MARIA = "maria@ourco.test"
const PASSWORD = "secret-2"
const SMTP_LOGIN = { user: "li-sender", pass: "smtp-pw" }

let dovecot: Dovecot
let bridge: MailBridge
beforeAll(async () => {
  dovecot = await startDovecot({ [PRODUCT]: PASSWORD, [MARIA]: PASSWORD })
  bridge = await startMailBridge(dovecot.lmtpPort, SMTP_LOGIN)
})
afterAll(async () => {
  await bridge?.stop()
  await dovecot?.stop()
})

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")
const day = (n: number) => new Date(Date.now() + n * 86_400_000)
const vevent = (uid: string, summary: string, start: Date) => [
  "BEGIN:VEVENT",
  `UID:${uid}`,
  `DTSTAMP:${stamp(new Date())}`,
  `DTSTART:${stamp(start)}`,
  `DTEND:${stamp(new Date(start.getTime() + 3_600_000))}`,
  `SUMMARY:${summary}`,
  `ORGANIZER;CN=Maria Muster:mailto:${MARIA}`,
  "END:VEVENT"
]

const withClient = <A>(user: string, f: (client: ImapFlow) => Promise<A>) => withImapClient(dovecot, user, PASSWORD, f)

const inboxOf = (user: string) =>
  withClient(user, async (client) => {
    await client.mailboxOpen("INBOX")
    const messages = await client.fetchAll("1:*", { uid: true, source: true, flags: true })
    return Promise.all(messages.map(async (m) => ({ seen: m.flags?.has("\\Seen") ?? false, mail: await simpleParser(m.source ?? Buffer.alloc(0)) })))
  })

type Request = { readonly messageId: string; readonly subject: string; readonly text: string; readonly date: string }

const gmail = (request: Request) =>
  [
    `From: Maria Muster <${MARIA}>`,
    `To: Lead Insights <${PRODUCT}>`,
    `Subject: Re: ${request.subject}`,
    `Message-ID: <CAGm${Date.now()}q@mail.gmail.com>`,
    `In-Reply-To: ${request.messageId}`,
    `References: ${request.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=\"UTF-8\"",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Hallo,",
    "",
    "Firma: Acme Robotics GmbH",
    "Domain: acme-robotics.de",
    "",
    "Viele Grüße",
    "Maria",
    "",
    `Am ${request.date} schrieb Lead Insights <${PRODUCT}>:`,
    "",
    ...request.text.split(/\r?\n/).map((l) => `> ${l}`),
    ""
  ].join("\r\n")

const outlook = (request: Request) => {
  const boundary = "_000_DB9PR01MB5678_"
  return [
    `From: "Muster, Maria" <${MARIA}>`,
    `To: Lead Insights <${PRODUCT}>`,
    `Subject: AW: ${request.subject}`,
    `Thread-Topic: ${request.subject}`,
    `Message-ID: <DB9PR01MB${Date.now()}@DB9PR01MB5678.eurprd01.prod.outlook.com>`,
    `In-Reply-To: ${request.messageId}`,
    `References: ${request.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=\"utf-8\"",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Company: Beta Systems AG",
    "Domain: beta-systems.de",
    "",
    "Gruß",
    "Maria",
    "",
    "Von: Lead Insights <li@ourco.test>",
    `Gesendet: ${request.date}`,
    "An: Muster, Maria <maria@ourco.test>",
    `Betreff: ${request.subject}`,
    "",
    ...request.text.split(/\r?\n/),
    "",
    `--${boundary}`,
    "Content-Type: text/html; charset=\"utf-8\"",
    "Content-Transfer-Encoding: 8bit",
    "",
    "<html><body><div>Company: Beta Systems AG<br>Domain: beta-systems.de</div><div>Gruß<br>Maria</div>",
    `<hr><div><b>Von:</b> Lead Insights<br><b>Betreff:</b> ${request.subject}</div><div>${request.text.replace(/\n/g, "<br>")}</div></body></html>`,
    "",
    `--${boundary}--`,
    ""
  ].join("\r\n")
}

describe("real mail both ways (SMTP out, IMAP in) with once", () => {
  it("requests reach the organiser over SMTP; her Gmail and Outlook replies, read over IMAP, deliver both meetings, once", async () => {
    const logDir = tempDir("li-imap-mail-")
    const ics = path.join(tempDir(), "calendar.ics")
    writeFileSync(ics, ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//mail//EN",
      ...vevent("kickoff-gmail", "Kickoff prep", day(2)), ...vevent("kickoff-outlook", "Customer meeting prep", day(3)),
      "END:VCALENDAR", ""].join("\r\n"))
    const env = {
      LOG_STORAGE_DIR: logDir,
      ICAL_URL: ics,
      OWN_DOMAINS: "ourco.test",
      MAIL_FROM: PRODUCT,
      RESEARCH_WEBSITE: "false",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(bridge.port),
      SMTP_SECURE: "false",
      SMTP_USERNAME: SMTP_LOGIN.user,
      SMTP_PASSWORD: SMTP_LOGIN.pass,
      IMAP_HOST: "127.0.0.1",
      IMAP_PORT: String(dovecot.imapPort),
      IMAP_SECURE: "false",
      IMAP_USERNAME: PRODUCT,
      IMAP_PASSWORD: PASSWORD
    }
    const once = async () => {
      const p = runCli(["once"], env)
      const exit = await p.exited
      expect(exit.code, p.stderr()).toBe(0)
      expect(p.stderr()).not.toMatch(/cannot read the inbox|IMAP/)
      return summaries(logDir).at(-1)
    }

    const first = await once()
    expect(Object.fromEntries(first?.events.map((e) => [e.event_id, e.status]) ?? [])).toEqual({
      "kickoff-gmail": "awaiting_missing_info",
      "kickoff-outlook": "awaiting_missing_info"
    })
    // Both requests are in Maria's mailbox, delivered by SMTP.
    const received = await inboxOf(MARIA)
    expect(received).toHaveLength(2)
    const requestFor = (eventId: string): Request => {
      const auditId = first?.events.find((e) => e.event_id === eventId)?.hitl?.audit_id ?? "?"
      const found = received.find((r) => (r.mail.subject ?? "").includes(`[LI-${auditId}]`))?.mail
      if (found === undefined) throw new Error(`the request for ${eventId} is not in Maria's mailbox`)
      expect(found.headers.get("received")).toBeDefined()
      return { messageId: found.messageId ?? "", subject: found.subject ?? "", text: found.text ?? "", date: (found.date ?? new Date()).toUTCString() }
    }
    const gmailRequest = requestFor("kickoff-gmail")
    const outlookRequest = requestFor("kickoff-outlook")

    await withClient(PRODUCT, async (c) => {
      await c.append("INBOX", gmail(gmailRequest), [])
      await c.append("INBOX", outlook(outlookRequest), [])
    })
    const second = await once()
    expect(Object.fromEntries(second?.events.map((e) => [e.event_id, [e.status, e.company?.domain]]) ?? [])).toEqual({
      "kickoff-gmail": ["delivered", "acme-robotics.de"],
      "kickoff-outlook": ["delivered", "beta-systems.de"]
    })
    expect((await inboxOf(PRODUCT)).map((m) => m.seen)).toEqual([true, true])

    const third = await once()
    expect(third?.events.map((e) => e.status)).toEqual(["unchanged", "unchanged"])
    // No "please answer", no second request: Maria was asked twice, once per meeting.
    const ids = (await inboxOf(MARIA)).map((m) => m.mail.messageId ?? "")
    expect(ids.filter((id) => id.includes(".request@"))).toHaveLength(2)
    expect(ids.filter((id) => id.includes(".please-answer"))).toEqual([])
  }, 120_000)
})
