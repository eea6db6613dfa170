import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Either, Layer, Option } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Inbox, UnreadableMail } from "../../src/Agents/Inbox.js"
import { Mailer } from "../../src/Agents/Mailer.js"
import { parseDecision, parseFields } from "../../src/Agents/ReplyParser.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import { auditIdOf, messageIdFor, OutgoingMail, subjectToken } from "../../src/Domain/Mail.js"
import { formatBytes } from "../../src/Integrations/BoundedRead.js"
import { composeMail } from "../../src/Integrations/MailCompose.js"
import { MailDirInboxLive, MailDirMailerLive, outboxFileName } from "../../src/Integrations/MailDir.js"
import { parseMail } from "../../src/Integrations/MailParse.js"

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../fixtures/mail", name))
const utf8 = (s: string) => new TextEncoder().encode(s)

const request = (overrides: Partial<ConstructorParameters<typeof OutgoingMail>[0]> = {}) =>
  new OutgoingMail({
    messageId: messageIdFor("abc123def", "request", "lead-insights.app"),
    auditId: "abc123def",
    from: "lead-insights@lead-insights.app",
    to: ["anna.berger@mueller-maschinenbau.de"],
    cc: ["sales-ops@lead-insights.app"],
    subject: `${subjectToken("abc123def")} Freigabe für „Kickoff Müller“ 🚀`,
    text: "Hallo Anna,\n\nsollen wir ein Dossier für Müller vorbereiten? Bitte antworte mit Ja oder Nein.",
    html: "<p>Hallo Anna,</p><p>sollen wir ein Dossier für <b>Müller</b> vorbereiten?</p>",
    inReplyTo: "<CAE7xG5qR2vX9mW@mail.gmail.com>",
    references: ["<li.abc123def.missing-info@lead-insights.invalid>", "<CAE7xG5qR2vX9mW@mail.gmail.com>"],
    ...overrides
  })

const tempDir = () => mkdtempSync(path.join(tmpdir(), "mail-files-"))

const mailDirLayer = (logStorageDir: string, config: Partial<AppConfigShape> = {}) =>
  Layer.mergeAll(MailDirMailerLive, MailDirInboxLive).pipe(
    Layer.provide(Layer.mergeAll(AppConfig.layerWith({ logStorageDir, ...config }), NodeContext.layer))
  )

describe("composeMail → parseMail", () => {
  it.effect("keeps what a reply is matched by: ids, subject with umlauts and emoji, audit header", () =>
    Effect.gen(function*() {
      const mail = request()
      const bytes = yield* composeMail(mail)
      const raw = new TextDecoder().decode(bytes)
      expect(raw).toMatch(/^X-Lead-Insights-Audit-Id: abc123def\r$/im)
      expect(raw).toMatch(/^Auto-Submitted: auto-generated\r$/m)
      expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m)
      // Headers are 7-bit: the subject travels as UTF-8 encoded words.
      expect(raw.slice(0, raw.indexOf("\r\n\r\n"))).toMatch(/^[\x00-\x7f]*$/)
      expect(raw).toMatch(/=\?UTF-8\?Q\?/)

      const parsed = yield* parseMail(bytes, "request.eml")
      expect(parsed.messageId).toBe(mail.messageId)
      expect(parsed.from).toBe("lead-insights@lead-insights.app")
      expect(parsed.subject).toBe(mail.subject)
      expect(parsed.inReplyTo).toBe(mail.inReplyTo)
      expect(parsed.references).toEqual(mail.references)
      expect(parsed.text).toContain("Dossier für Müller vorbereiten")
      expect(parsed.date).toBe("1970-01-01T00:00:00.000Z") // the test clock
    }))

  it.effect("a reply whose subject was rewritten is still matched through References", () =>
    Effect.gen(function*() {
      const reply = yield* composeMail(request({
        messageId: "<reply-1@mueller-maschinenbau.de>",
        subject: "AW: something else",
        inReplyTo: "<CAE7xG5qR2vX9mW@mail.gmail.com>",
        references: [messageIdFor("abc123def", "request", "lead-insights.app"), "<CAE7xG5qR2vX9mW@mail.gmail.com>"]
      }))
      const parsed = yield* parseMail(reply, "reply.eml")
      expect(parsed.subject).toBe("AW: something else")
      expect(auditIdOf(parsed)).toBe("abc123def")
    }))

  it.effect("no In-Reply-To and no References when none are given", () =>
    Effect.gen(function*() {
      const { inReplyTo: _, ...fields } = request()
      const raw = new TextDecoder().decode(yield* composeMail(new OutgoingMail({ ...fields, references: [] })))
      expect(raw).not.toMatch(/^(In-Reply-To|References):/im)
      const parsed = yield* parseMail(utf8(raw), "x.eml")
      expect(parsed.inReplyTo).toBeUndefined()
      expect(parsed.references).toEqual([])
    }))
})

describe("parseMail on real replies", () => {
  it.effect("Gmail, German, top-posted: decision and fields from the own text only", () =>
    Effect.gen(function*() {
      const mail = yield* parseMail(fixture("gmail-de-reply.eml"), "gmail-de-reply.eml")
      expect(mail.from).toBe("anna.berger@mueller-maschinenbau.de")
      expect(mail.subject).toBe("Re: [LI-abc123def] Fehlende Angaben für „Kickoff Müller“")
      expect(mail.date).toBe("2026-11-03T10:14:02.000Z")
      expect(auditIdOf(mail)).toBe("abc123def")
      expect(parseDecision(mail.text)).toBe("approve")
      expect(parseFields(mail.text)).toEqual({ company: "Müller Maschinenbau AG", domain: "www.mueller-maschinenbau.de" })
    }))

  it.effect("Outlook, English, header block below the answer; the subject lost its token", () =>
    Effect.gen(function*() {
      const mail = yield* parseMail(fixture("outlook-en-reply.eml"), "outlook-en-reply.eml")
      expect(mail.from).toBe("john.smith@acme.io")
      expect(auditIdOf(mail)).toBe("abc123def")
      expect(parseDecision(mail.text)).toBe("approve")
      expect(parseFields(mail.text)).toEqual({ company: "Acme Corp", domain: "acme.io" })
    }))

  it.effect("Apple Mail, bottom-posted below the quote", () =>
    Effect.gen(function*() {
      const mail = yield* parseMail(fixture("apple-bottom-posted.eml"), "apple-bottom-posted.eml")
      expect(mail.messageId).toBe("<7F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F@keller-logistik.de>")
      expect(auditIdOf(mail)).toBe("k3ll3r2026")
      expect(parseDecision(mail.text)).toBe("approve")
      expect(parseFields(mail.text)).toEqual({ company: "Keller Logistik GmbH", domain: "keller-logistik.de" })
    }))

  it.effect("an HTML-only mail gives readable text", () =>
    Effect.gen(function*() {
      const raw = [
        "From: John Smith <john.smith@acme.io>",
        "Message-ID: <html-only@acme.io>",
        "Subject: RE: Approval needed",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<html><head><style>p{margin:0}</style></head><body>",
        "<div>Declined &ndash; sorry.</div><div>Firma: M&uuml;ller &amp; S&ouml;hne</div>",
        "<hr><div><b>From:</b> Lead Insights<br><b>Sent:</b> Tuesday<br><b>Subject:</b> Approval needed</div>",
        "<div>Reply APPROVE or DECLINE</div></body></html>"
      ].join("\r\n")
      const mail = yield* parseMail(utf8(raw), "html.eml")
      expect(mail.text).toContain("Declined – sorry.")
      expect(mail.text).not.toMatch(/<div|&amp;|margin/)
      expect(parseDecision(mail.text)).toBe("decline")
      expect(parseFields(mail.text)).toEqual({ company: "Müller & Söhne" })
    }))

  it.effect("HTML too deeply nested for mailparser's converter is still read", () =>
    Effect.gen(function*() {
      const html = "<div>Yes, approved.</div><div>Domain: <a href=\"https://acme.io\">acme.io</a></div>" +
        "<div>".repeat(1100) + "layout" + "</div>".repeat(1100) +
        "<div>On Mon, Lead Insights &lt;li@lead-insights.app&gt; wrote:</div><blockquote>Decline?<br>Domain: ?</blockquote>"
      const raw = `From: a@acme.io\r\nMessage-ID: <deep@acme.io>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`
      const mail = yield* parseMail(utf8(raw), "deep.eml")
      expect(mail.text).toMatch(/^Yes, approved\.\nDomain: acme\.io\n/)
      expect(mail.text).toContain("> Decline?")
      expect(parseDecision(mail.text)).toBe("approve")
      expect(parseFields(mail.text)).toEqual({ domain: "acme.io" })
    }))

  it.effect("what is not a mail fails with a reason", () =>
    Effect.gen(function*() {
      const garbage = yield* Effect.either(parseMail(fixture("garbage.eml"), "garbage.eml"))
      expect(garbage).toEqual(Either.left("not a mail: no headers"))
      const noFrom = yield* Effect.either(parseMail(utf8("Subject: hi\r\nMessage-ID: <a@b>\r\n\r\nYes"), "x.eml"))
      expect(Either.isLeft(noFrom)).toBe(true)
      const empty = yield* Effect.either(parseMail(utf8("From: a@b.de\r\nSubject: hi\r\n\r\n"), "x.eml"))
      expect(empty).toEqual(Either.left("no Message-ID and no body"))
    }))
})

describe("MailDir mailer (outbox/)", () => {
  it.effect("writes one .eml per Message-ID; sending the same one again writes nothing new", () => {
    const dir = tempDir()
    const outbox = path.join(dir, "outbox")
    return Effect.gen(function*() {
      const mailer = yield* Mailer
      yield* mailer.send(request())
      const file = path.join(outbox, outboxFileName(request().messageId))
      const first = readFileSync(file)

      yield* mailer.send(request({ text: "a retried activity with other text" }))
      expect(readdirSync(outbox)).toEqual([path.basename(file)])
      expect(readFileSync(file)).toEqual(first)

      yield* mailer.send(request({ messageId: messageIdFor("abc123def", "reminder-1", "lead-insights.app") }))
      expect(readdirSync(outbox).sort()).toEqual([
        "li.abc123def.reminder-1@lead-insights.app.eml",
        "li.abc123def.request@lead-insights.app.eml"
      ])
      const written = yield* parseMail(first, "x")
      expect(written.messageId).toBe(request().messageId)
      expect(written.subject).toBe(request().subject)
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it("file names are safe and distinct even for odd Message-IDs", () => {
    expect(outboxFileName("<li.abc.request@lead-insights.invalid>")).toBe("li.abc.request@lead-insights.invalid.eml")
    const odd = outboxFileName("<../../etc/passwd@x>")
    expect(odd).not.toContain("/")
    expect(odd.startsWith(".")).toBe(false)
    expect(outboxFileName("<a/b@x>")).not.toBe(outboxFileName("<a_b@x>"))
  })
})

describe("MailDir inbox (inbox/)", () => {
  const setUp = () => {
    const dir = tempDir()
    const inbox = path.join(dir, "inbox")
    mkdirSync(inbox, { recursive: true })
    const drop = (name: string, content: Uint8Array | string, minutesAgo: number) => {
      writeFileSync(path.join(inbox, name), content)
      const t = new Date(Date.now() - minutesAgo * 60_000)
      utimesSync(path.join(inbox, name), t, t)
    }
    return { dir, inbox, drop }
  }

  it.effect("creates the folder when it is missing", () => {
    const dir = tempDir()
    return Effect.gen(function*() {
      expect(yield* (yield* Inbox).list).toEqual([])
      expect(existsSync(path.join(dir, "inbox"))).toBe(true)
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it.effect("lists mails oldest first without reading them, skips files still being written; reads one at a time", () => {
    const { dir, drop, inbox } = setUp()
    drop("b-outlook.eml", fixture("outlook-en-reply.eml"), 30)
    drop("a-gmail.eml", fixture("gmail-de-reply.eml"), 10)
    drop("c-apple.eml", fixture("apple-bottom-posted.eml"), 30)
    drop("garbage.eml", fixture("garbage.eml"), 20)
    drop(".half-copied.eml", fixture("gmail-de-reply.eml"), 40)
    drop("reply.eml.0b9c1d.tmp", fixture("gmail-de-reply.eml"), 40)
    drop("notes.txt", "Company: not a mail", 40)
    mkdirSync(path.join(inbox, "folder.eml"))
    return Effect.gen(function*() {
      const box = yield* Inbox
      const refs = yield* box.list
      expect(refs).toEqual(["b-outlook.eml", "c-apple.eml", "garbage.eml", "a-gmail.eml"])
      const read = yield* Effect.forEach(refs, (ref) => Effect.either(box.read(ref)))
      expect(read.map(Either.map(Option.map((m) => m.ref)))).toEqual([
        Either.right(Option.some("b-outlook.eml")),
        Either.right(Option.some("c-apple.eml")),
        Either.left(new UnreadableMail({ ref: "garbage.eml", reason: "not a mail: no headers" })),
        Either.right(Option.some("a-gmail.eml"))
      ])
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it.effect("ack moves to processed/ or rejected/ (with the reason beside it) and never overwrites", () => {
    const { dir, drop, inbox } = setUp()
    drop("reply.eml", fixture("gmail-de-reply.eml"), 3)
    drop("garbage.eml", fixture("garbage.eml"), 2)
    drop("other.eml", fixture("outlook-en-reply.eml"), 1)
    mkdirSync(path.join(inbox, "processed"))
    writeFileSync(path.join(inbox, "processed", "reply.eml"), "an earlier mail of the same name")
    return Effect.gen(function*() {
      const box = yield* Inbox
      yield* box.ack("reply.eml", { _tag: "processed" })
      yield* box.ack("garbage.eml", { _tag: "rejected", reason: "not a mail: no headers" })
      yield* box.ack("other.eml", { _tag: "rejected", reason: "no pending request for this reply" })
      // A retried ack finds nothing left to move.
      yield* box.ack("reply.eml", { _tag: "processed" })

      expect(readdirSync(inbox).sort()).toEqual(["processed", "rejected"])
      expect(readdirSync(path.join(inbox, "processed")).sort()).toEqual(["reply-1.eml", "reply.eml"])
      expect(readFileSync(path.join(inbox, "processed", "reply.eml"), "utf8")).toBe("an earlier mail of the same name")
      expect(readFileSync(path.join(inbox, "processed", "reply-1.eml"))).toEqual(fixture("gmail-de-reply.eml"))
      expect(readdirSync(path.join(inbox, "rejected")).sort()).toEqual([
        "garbage.eml",
        "garbage.eml.reason.txt",
        "other.eml",
        "other.eml.reason.txt"
      ])
      expect(readFileSync(path.join(inbox, "rejected", "other.eml.reason.txt"), "utf8")).toBe(
        "no pending request for this reply\n"
      )
      expect(yield* box.list).toEqual([])
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it.effect("a second rejected mail of the same name gets its own reason file", () => {
    const { dir, drop, inbox } = setUp()
    return Effect.gen(function*() {
      const box = yield* Inbox
      drop("x.eml", "first", 2)
      yield* box.ack("x.eml", { _tag: "rejected", reason: "one" })
      drop("x.eml", "second", 1)
      yield* box.ack("x.eml", { _tag: "rejected", reason: "two" })
      const rejected = path.join(inbox, "rejected")
      expect(readFileSync(path.join(rejected, "x.eml"), "utf8")).toBe("first")
      expect(readFileSync(path.join(rejected, "x.eml.reason.txt"), "utf8")).toBe("one\n")
      expect(readFileSync(path.join(rejected, "x-1.eml"), "utf8")).toBe("second")
      expect(readFileSync(path.join(rejected, "x-1.eml.reason.txt"), "utf8")).toBe("two\n")
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it.effect("refuses a ref that is not a file of the inbox", () => {
    const { dir } = setUp()
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Inbox).ack("../outbox/x.eml", { _tag: "processed" }))
      expect(error._tag).toBe("InboxError")
      expect((yield* Effect.flip((yield* Inbox).read("../outbox/x.eml")))._tag).toBe("InboxError")
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it.effect("refuses a mail over INBOX_MAX_BYTES (25 MB by default) without reading it", () => {
    const { dir, drop, inbox } = setUp()
    drop("huge.eml", "", 2)
    // sparse: 30 MB on paper, nothing on disk (and still the older of the two)
    truncateSync(path.join(inbox, "huge.eml"), 30 * 1024 * 1024)
    utimesSync(path.join(inbox, "huge.eml"), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000))
    drop("reply.eml", fixture("gmail-de-reply.eml"), 1)
    return Effect.gen(function*() {
      const box = yield* Inbox
      expect(yield* box.list).toEqual(["huge.eml", "reply.eml"])
      expect(yield* Effect.flip(box.read("huge.eml"))).toEqual(
        new UnreadableMail({ ref: "huge.eml", reason: "too large (30 MB; INBOX_MAX_BYTES is 25 MB)" })
      )
      expect(Option.map(yield* box.read("reply.eml"), (m) => m.from)).toEqual(Option.some("anna.berger@mueller-maschinenbau.de"))
    }).pipe(Effect.provide(mailDirLayer(dir)))
  })

  it.effect("INBOX_MAX_BYTES is configurable; a mail gone since the listing reads as none", () => {
    const { dir, drop, inbox } = setUp()
    drop("reply.eml", fixture("gmail-de-reply.eml"), 2)
    drop("gone.eml", fixture("outlook-en-reply.eml"), 1)
    const size = readFileSync(path.join(inbox, "reply.eml")).length
    return Effect.gen(function*() {
      const box = yield* Inbox
      expect(yield* box.list).toEqual(["reply.eml", "gone.eml"])
      expect((yield* Effect.flip(box.read("reply.eml"))).reason).toBe(`too large (${formatBytes(size)}; INBOX_MAX_BYTES is 1 KB)`)
      yield* box.ack("gone.eml", { _tag: "processed" })
      expect(yield* box.read("gone.eml")).toEqual(Option.none())
    }).pipe(Effect.provide(mailDirLayer(dir, { inboxMaxBytes: 1024 })))
  })
})
