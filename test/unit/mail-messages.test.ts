/**
 * The mails people read, as they read them: the meeting time on their clock and written as people
 * write it, plurals, the same words in the text and the HTML part, ids on the sender's domain, who
 * hears of a delivered dossier; and the SMTP settings a user can get wrong.
 */
import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { ConfigProvider, Effect, Either, Layer, Option } from "effect"
import { simpleParser } from "mailparser"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Mailer } from "../../src/Agents/Mailer.js"
import { AppConfig, describeConfigError } from "../../src/Config.js"
import { auditIdOf, mailDomainOf, OutgoingMail } from "../../src/Domain/Mail.js"
import * as Messages from "../../src/Hitl/Messages.js"
import { MailDirMailerLive } from "../../src/Integrations/MailDir.js"
import { smtpConfig } from "../../src/Integrations/Smtp/SmtpConfig.js"
import { makeEvent, person } from "../fixtures/events.js"

const berlin: Messages.Sender = { from: "Lead Insights <li@mail.ourco.de>", domain: "mail.ourco.de", displayTimeZone: undefined }

const meeting = makeEvent({
  summary: "Kickoff Müller & Söhne <GmbH>",
  start: "2026-12-09T09:00:00.000Z",
  end: "2026-12-09T10:00:00.000Z",
  timeZone: "Europe/Berlin",
  location: "Raum 3",
  organizer: person("maria@ourco.de", { name: "Maria Roth" }),
  attendees: ["Anna", "Ben", "Carla", "Dirk", "Eva", "Femi"].map((n) => person(`${n.toLowerCase()}@acme.io`, { name: n }))
})

const approval: Messages.RequestContext = {
  auditId: "abc123def456",
  kind: "approval",
  reason: `the CRM already holds ${Messages.count(2, "attachment")} on Müller`,
  event: meeting,
  company: { name: "Müller & Söhne", domain: "mueller.de" }
}

/** The words of an HTML part, the way a reader sees them. */
const visible = (html: string) =>
  html.replace(/<br>/g, "\n").replace(/<[^>]+>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
    .replace(/&amp;/g, "&").replace(/\s+/g, " ").trim()

describe("mail wording", () => {
  it("the meeting time on the event's own clock, as people write it; else DISPLAY_TIMEZONE, else UTC", () => {
    expect(Messages.meetingWhen(meeting, undefined)).toBe("Wed 9 Dec 2026, 10:00–11:00 CET")
    const floating = makeEvent({ start: "2026-12-09T09:00:00.000Z", end: undefined })
    expect(Messages.meetingWhen(floating, "Europe/Berlin")).toBe("Wed 9 Dec 2026, 10:00 CET")
    expect(Messages.meetingWhen(floating, undefined)).toBe("Wed 9 Dec 2026, 09:00 UTC")
    expect(Messages.meetingWhen(makeEvent({ start: "2026-12-09", end: "2026-12-10", allDay: true }), undefined))
      .toBe("Wed 9 Dec 2026 (all day)")
  })

  it("plurals and lists", () => {
    expect([Messages.count(1, "attachment"), Messages.count(3, "attachment"), Messages.count(2, "person", "people")])
      .toEqual(["1 attachment", "3 attachments", "2 people"])
    expect(Messages.listOf(["Anna"])).toBe("Anna")
    expect(Messages.listOf(["Anna", "Ben"])).toBe("Anna and Ben")
    expect(Messages.listOf(["Anna", "Ben", "Carla", "Dirk", "Eva"])).toBe("Anna, Ben, Carla, Dirk and Eva")
    expect(Messages.listOf(["Anna", "Ben", "Carla", "Dirk", "Eva", "Femi"])).toBe("Anna, Ben, Carla, Dirk and 2 others")
    expect(Messages.listOf(["Anna", "Ben", "Carla", "Dirk", "Eva", "Femi", "Gil"])).toBe("Anna, Ben, Carla, Dirk and 3 others")
    expect(Messages.waitedFor(86_400_000)).toBe("1 day")
    expect(Messages.waitedFor(2 * 86_400_000)).toBe("2 days")
  })

  it("the request: the meeting at a glance, the reply format, the same words in text and HTML", () => {
    const mail = Messages.requestMail(berlin, approval, "maria@ourco.de")
    expect(mail.subject).toBe("[LI-abc123def456] Approve research for Müller & Söhne?")
    expect(mail.text).toContain("When:      Wed 9 Dec 2026, 10:00–11:00 CET")
    expect(mail.text).toContain("Attendees: Anna, Ben, Carla, Dirk and 2 others")
    expect(mail.text).toContain("Why it asks first: the CRM already holds 2 attachments on Müller")
    expect(mail.text).toContain("Reply \"approve\" to go ahead or \"decline\" to skip it.")
    expect(mail.text).toContain("Reference: abc123def456")
    expect(mail.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/)
    // every line of the text says the same in the HTML, which escapes what it shows
    const html = visible(mail.html)
    for (const line of mail.text.split("\n").filter((l) => l.trim() !== "" && l !== "-- ")) {
      for (const part of line.split(/:\s+/)) expect(html).toContain(part.replace(/\s+/g, " ").trim())
    }
    expect(mail.html).toContain("Kickoff Müller &amp; Söhne &lt;GmbH&gt;")
    expect(mail.html).not.toContain("<GmbH>")
  })

  it("the missing-info request shows the lines to reply with, unindented", () => {
    const mail = Messages.requestMail(berlin, { ...approval, kind: "missing_info", reason: "", company: {} }, "ops@ourco.de")
    expect(mail.subject).toBe("[LI-abc123def456] Which company is \"Kickoff Müller & Söhne <GmbH>\" with?")
    expect(mail.text).toMatch(/\ncompany: <company name>\ndomain: <web domain, e\.g\. acme\.com>\n/)
    expect(mail.html).toContain("<pre")
  })

  it("every mail of a request has its own stable Message-ID on the sender's domain and replies to the request", () => {
    const request = Messages.requestMail(berlin, approval, "maria@ourco.de")
    const reminder = Messages.reminderMail(berlin, approval, "maria@ourco.de", 2)
    const escalation = Messages.escalationMail(berlin, approval, { to: "lead@ourco.de", originalRecipient: "maria@ourco.de", n: 1, waited: "2 days" })
    const again = Messages.reminderMail(berlin, approval, "maria@ourco.de", 2)
    expect([request.messageId, reminder.messageId, escalation.messageId]).toEqual([
      "<li.abc123def456.request@mail.ourco.de>",
      "<li.abc123def456.remind-2@mail.ourco.de>",
      "<li.abc123def456.escalate-1@mail.ourco.de>"
    ])
    expect(again.messageId).toBe(reminder.messageId)
    expect(reminder.inReplyTo).toBe(request.messageId)
    expect(escalation.references).toEqual([request.messageId])
    expect(escalation.cc).toEqual(["maria@ourco.de"])
    expect(escalation.text).toContain("Nobody has answered this request to maria@ourco.de for 2 days.")
    expect(reminder.text).toContain("Reminder 2: we are still waiting for your answer.")
    // a reply to any of them finds its request
    expect(auditIdOf({ inReplyTo: reminder.messageId, references: [], subject: "Re: hello" })).toBe("abc123def456")
  })

  it("the withdrawal says the meeting and when it was", () => {
    const mail = Messages.withdrawnMail({ ...berlin, displayTimeZone: "Europe/Berlin" }, {
      audit_id: "abc123def456",
      recipient: "maria@ourco.de",
      event_summary: "Kickoff",
      event_start: "2026-12-09T09:00:00.000Z"
    }, "the meeting was cancelled")
    expect(mail.subject).toBe("[LI-abc123def456] No need to answer: Kickoff")
    expect(mail.text).toContain("No need to answer our earlier question any more: the meeting was cancelled.")
    expect(mail.text).toContain("When:    Wed 9 Dec 2026, 10:00 CET")
  })

  it("the Message-ID domain is MAIL_FROM's", () => {
    expect(mailDomainOf("li@Mail.OurCo.de")).toBe("mail.ourco.de")
    expect(mailDomainOf("Lead Insights <li@acme.io>")).toBe("acme.io")
    expect(mailDomainOf("not an address")).toBe("lead-insights.invalid")
    // replies to mails sent under the old domain are still matched
    expect(auditIdOf({ inReplyTo: "<li.abc123def456.request@lead-insights.invalid>", references: [], subject: "" }))
      .toBe("abc123def456")
  })
})

describe("the delivery notice", () => {
  const ours = ["ourco.de"]
  it("goes to our organiser; for a customer's invitation to our own attendees; else to nobody", () => {
    expect(Messages.noticeRecipients(meeting, ours)).toEqual(["maria@ourco.de"])
    const invited = makeEvent({
      organizer: person("anna@acme.io"),
      attendees: [person("anna@acme.io"), person("tom@ourco.de"), person("Tom@ourco.de"), person("eva@sales.ourco.de")]
    })
    expect(Messages.noticeRecipients(invited, ours)).toEqual(["tom@ourco.de", "eva@sales.ourco.de"])
    expect(Messages.noticeRecipients(makeEvent({ organizer: person("anna@acme.io") }), ours)).toEqual([])
  })

  it("a short readable summary, the brief attached under a clean name", () => {
    const mail = Messages.deliveryNoticeMail(berlin, {
      noticeId: Messages.noticeIdFor("exec-1"),
      event: meeting,
      company: { name: "Müller & Söhne", domain: "mueller.de" },
      dossier: { json_path: "/data/dossiers/mueller.de/x/dossier.json", pdf_path: "/data/dossiers/mueller.de/x/dossier.pdf" },
      summary: "Müller & Söhne builds presses [1]. Founded in 1950 [2, 3].",
      reused: false
    }, ["maria@ourco.de"])
    expect(mail.messageId).toBe(`<li.${Messages.noticeIdFor("exec-1")}.delivered@mail.ourco.de>`)
    expect(mail.subject).toBe(`[LI-${Messages.noticeIdFor("exec-1")}] Dossier ready: Müller & Söhne for "Kickoff Müller & Söhne <GmbH>"`)
    expect(mail.text).toContain("Müller & Söhne builds presses. Founded in 1950.")
    expect(mail.text).toContain("The brief is attached as a PDF.")
    expect(mail.attachments.map((a) => [a.filename, a.path])).toEqual([["Brief Müller Söhne.pdf", "/data/dossiers/mueller.de/x/dossier.pdf"]])
  })
})

describe("the notice as a file in outbox/", () => {
  it.effect("the .eml carries the PDF; a PDF gone missing is a MailError naming it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mail-notice-"))
    const pdf = path.join(dir, "dossier.pdf")
    writeFileSync(pdf, "%PDF-1.7\n% a brief\n%%EOF\n")
    const notice = (pdfPath: string) =>
      Messages.deliveryNoticeMail(berlin, {
        noticeId: Messages.noticeIdFor("exec-2"),
        event: meeting,
        company: { name: "Acme", domain: "acme.io" },
        dossier: { json_path: path.join(dir, "dossier.json"), pdf_path: pdfPath },
        reused: true
      }, ["maria@ourco.de"])
    return Effect.gen(function*() {
      const mailer = yield* Mailer
      yield* mailer.send(notice(pdf))
      const [file] = readdirSync(path.join(dir, "outbox"))
      expect(file).toBe(`li.${Messages.noticeIdFor("exec-2")}.delivered@mail.ourco.de.eml`)
      const parsed = yield* Effect.promise(() => simpleParser(readFileSync(path.join(dir, "outbox", file ?? ""))))
      expect(parsed.text).toContain("(a recent one, made for an earlier meeting)")
      expect(parsed.attachments.map((a) => [a.filename, a.content.toString("latin1")])).toEqual([
        ["Brief Acme.pdf", "%PDF-1.7\n% a brief\n%%EOF\n"]
      ])
      const gone = yield* Effect.flip(mailer.send(new OutgoingMail({ ...notice(path.join(dir, "gone.pdf")), messageId: "<other@mail.ourco.de>" })))
      expect(gone.message).toContain(`cannot read the attachment ${path.join(dir, "gone.pdf")}`)
    }).pipe(Effect.provide(MailDirMailerLive.pipe(Layer.provide(Layer.mergeAll(AppConfig.layerWith({ logStorageDir: dir }), NodeContext.layer)))))
  })
})

describe("SMTP settings", () => {
  const read = (env: Record<string, string>) =>
    Effect.either(Effect.withConfigProvider(smtpConfig, ConfigProvider.fromMap(new Map(Object.entries(env))))).pipe(
      Effect.map(Either.mapLeft(describeConfigError))
    )

  it.effect("off without SMTP_HOST; ports follow SMTP_SECURE", () =>
    Effect.gen(function*() {
      expect(yield* read({})).toEqual(Either.right(Option.none()))
      const port = (env: Record<string, string>) =>
        Effect.map(read({ SMTP_HOST: "smtp.ourco.de", ...env }), Either.map(Option.map((c) => [c.security, c.port])))
      expect(yield* port({})).toEqual(Either.right(Option.some(["starttls", 587])))
      expect(yield* port({ SMTP_SECURE: "true" })).toEqual(Either.right(Option.some(["tls", 465])))
      expect(yield* port({ SMTP_PORT: "465" })).toEqual(Either.right(Option.some(["tls", 465])))
      expect(yield* port({ SMTP_SECURE: "false" })).toEqual(Either.right(Option.some(["plain", 25])))
      expect(yield* port({ SMTP_SECURE: "StartTLS", SMTP_PORT: "2525" })).toEqual(Either.right(Option.some(["starttls", 2525])))
    }))

  it.effect("a plaintext password only to this machine, or when SMTP_ALLOW_INSECURE=true", () =>
    Effect.gen(function*() {
      const login = { SMTP_SECURE: "false", SMTP_USERNAME: "app", SMTP_PASSWORD: "s3cret" }
      expect(yield* read({ SMTP_HOST: "smtp.ourco.de", ...login })).toEqual(Either.left(
        "invalid configuration: SMTP_SECURE: false would send the password unencrypted to smtp.ourco.de; " +
          "use starttls or true, or set SMTP_ALLOW_INSECURE=true"
      ))
      for (const host of ["localhost", "127.0.0.1", "::1", "[::1]"]) {
        expect(Either.isRight(yield* read({ SMTP_HOST: host, ...login }))).toBe(true)
      }
      expect(Either.isRight(yield* read({ SMTP_HOST: "smtp.ourco.de", ...login, SMTP_ALLOW_INSECURE: "true" }))).toBe(true)
      // without a password there is nothing to give away
      expect(Either.isRight(yield* read({ SMTP_HOST: "smtp.ourco.de", SMTP_SECURE: "false" }))).toBe(true)
    }))

  it.effect("bad values name the variable", () =>
    Effect.gen(function*() {
      expect(yield* read({ SMTP_HOST: "smtp.ourco.de", SMTP_SECURE: "yes" })).toEqual(Either.left(
        "invalid configuration: SMTP_SECURE: must be true (TLS from the start), starttls or false (plaintext)"
      ))
      expect(yield* read({ SMTP_HOST: "smtp.ourco.de", SMTP_USERNAME: "app" })).toEqual(Either.left(
        "invalid configuration: SMTP_PASSWORD: required when SMTP_USERNAME is set"
      ))
      expect(yield* read({ SMTP_PORT: "70000" })).toEqual(Either.left(
        "invalid configuration: SMTP_PORT: must be a port number from 1 to 65535"
      ))
    }))
})
