/**
 * The SMTP mailer and doctor's mail line against a real SMTP server in the test (smtp-server on a
 * loopback port, optionally with a login or TLS on a self-signed certificate): retries of transient
 * failures inside one send, refusals with the server's words, one delivery per Message-ID, the
 * pool closed with its scope, and one doctor line per problem.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { ConfigProvider, Duration, Effect, Either, Layer, Logger, LogLevel, Option } from "effect"
import { existsSync, readdirSync } from "node:fs"
import { createServer } from "node:net"
import * as path from "node:path"
import { Mailer } from "../../src/Agents/Mailer.js"
import { AppConfig } from "../../src/Config.js"
import { errorInfo } from "../../src/Domain/ErrorInfo.js"
import { messageIdFor, OutgoingMail } from "../../src/Domain/Mail.js"
import { mailProbes } from "../../src/Doctor/Mail.js"
import { Off } from "../../src/Doctor/Probe.js"
import type { SmtpConfig } from "../../src/Integrations/Smtp/SmtpConfig.js"
import { SmtpMailerLive } from "../../src/Integrations/Smtp/SmtpMailer.js"
import { MailerFromConfig } from "../../layers/Mailer.js"
import { tempDir } from "../support/spawn.js"
import { startSmtpServer, type TestSmtpServer } from "../support/smtpServer.js"

const mail = (purpose = "request") =>
  new OutgoingMail({
    messageId: messageIdFor("abc123def", purpose, "ourco.de"),
    auditId: "abc123def",
    from: "Lead Insights <li@ourco.de>",
    to: ["maria@ourco.de"],
    cc: ["ops@ourco.de"],
    subject: "[LI-abc123def] Approve research for Acme?",
    text: "Reply approve or decline.",
    html: "<p>Reply approve or decline.</p>",
    references: []
  })

const smtpOf = (server: TestSmtpServer, overrides: Partial<SmtpConfig> = {}): SmtpConfig => ({
  host: server.host,
  port: server.port,
  security: "plain",
  auth: Option.none(),
  timeout: Duration.seconds(5),
  attempts: 4,
  retryDelay: Duration.millis(20),
  ...overrides
})

const mailerLayer = (smtp: SmtpConfig, logStorageDir = tempDir("li-smtp-")) =>
  SmtpMailerLive(smtp).pipe(
    Layer.provide(Layer.mergeAll(AppConfig.layerWith({ logStorageDir }), NodeContext.layer)),
    Layer.provide(Logger.minimumLogLevel(LogLevel.None))
  )

const send = (m: OutgoingMail) => Effect.flatMap(Mailer, (mailer) => mailer.send(m))

describe("SMTP mailer", () => {
  it.scopedLive("451 three times, then accepted: one send delivers the mail once, to To and Cc", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ answer: (a) => (a.n <= 3 ? { code: 451, text: "4.7.1 Greylisted, try again" } : "accept") })
      yield* send(mail()).pipe(Effect.provide(mailerLayer(smtpOf(server))))
      expect(server.attempts).toHaveLength(4)
      expect(server.received.map((m) => [m.messageId, m.to])).toEqual([[mail().messageId, ["maria@ourco.de", "ops@ourco.de"]]])
      expect(server.received[0]?.from).toBe("li@ourco.de")
    }))

  it.scopedLive("a connection dropped before the server's answer is tried again", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ answer: (a) => (a.n === 1 ? "drop" : "accept") })
      yield* send(mail()).pipe(Effect.provide(mailerLayer(smtpOf(server))))
      expect(server.attempts.map((a) => a.n)).toEqual([1, 2])
      expect(server.received).toHaveLength(1)
    }))

  it.scopedLive("a server that stops answering is given up on after SMTP_TIMEOUT_SECONDS and tried again", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ answer: (a) => (a.n === 1 ? "stall" : "accept") })
      yield* send(mail()).pipe(Effect.provide(mailerLayer(smtpOf(server, { timeout: Duration.millis(300) }))))
      expect(server.attempts.map((a) => a.n)).toEqual([1, 2])
      expect(server.received).toHaveLength(1)
    }))

  it.scopedLive("still 4xx after the last try: a MailError with the server's words, worth trying later", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ answer: () => ({ code: 452, text: "4.3.1 Insufficient system storage" }) })
      const error = yield* Effect.flip(send(mail()).pipe(Effect.provide(mailerLayer(smtpOf(server)))))
      expect(error._tag).toBe("MailError")
      expect(error.message).toContain("452 4.3.1 Insufficient system storage")
      expect(server.attempts).toHaveLength(4)
      expect(server.received).toEqual([])
    }))

  it.scopedLive("550: refused for good at the first try, with the server's words", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ answer: () => ({ code: 550, text: "5.7.1 Message rejected as spam" }) })
      const error = yield* Effect.flip(send(mail()).pipe(Effect.provide(mailerLayer(smtpOf(server)))))
      expect(error._tag).toBe("MailRejected")
      expect(error.message).toBe(
        "the mail server refused the mail to maria@ourco.de, ops@ourco.de: 550 5.7.1 Message rejected as spam"
      )
      expect(server.attempts).toHaveLength(1)
    }))

  it.scopedLive("a Message-ID the server took is not sent again, also not after a restart", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer()
      const dir = tempDir("li-smtp-")
      yield* Effect.all([send(mail()), send(mail())]).pipe(Effect.provide(mailerLayer(smtpOf(server), dir)))
      // a new process on the same LOG_STORAGE_DIR
      yield* Effect.all([send(mail()), send(mail("remind-1"))]).pipe(Effect.provide(mailerLayer(smtpOf(server), dir)))
      expect(server.received.map((m) => m.messageId)).toEqual([mail().messageId, mail("remind-1").messageId])
    }))

  it.scopedLive("the pooled connection stays open between mails and is closed with the app", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer()
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(mailerLayer(smtpOf(server)))
        yield* Effect.all([send(mail()), send(mail("remind-1"))]).pipe(Effect.provide(context))
        expect(server.openConnections()).toBe(1)
      }))
      const closed = yield* Effect.gen(function*() {
        for (let i = 0; i < 100 && server.openConnections() > 0; i++) yield* Effect.sleep("10 millis")
        return server.openConnections()
      })
      expect(closed).toBe(0)
    }))
})

describe("the mailer as configured (layers/Mailer.ts)", () => {
  const configured = (env: Record<string, string>, logStorageDir: string) =>
    (effect: Effect.Effect<void, unknown, Mailer>) =>
      effect.pipe(
        Effect.provide(MailerFromConfig.pipe(Layer.provide(Layer.mergeAll(AppConfig.layerWith({ logStorageDir }), NodeContext.layer)))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
      )

  it.scopedLive("SMTP_HOST set: over SMTP (a copy in sent/, nothing in outbox/); not set: a file in outbox/", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer()
      const overSmtp = tempDir("li-smtp-")
      yield* send(mail()).pipe(configured({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(server.port), SMTP_SECURE: "false" }, overSmtp))
      expect(server.received.map((m) => m.messageId)).toEqual([mail().messageId])
      expect(readdirSync(path.join(overSmtp, "sent"))).toEqual(["li.abc123def.request@ourco.de.eml"])
      expect(existsSync(path.join(overSmtp, "outbox"))).toBe(false)

      const asFiles = tempDir("li-smtp-")
      yield* send(mail()).pipe(configured({}, asFiles))
      expect(readdirSync(path.join(asFiles, "outbox"))).toEqual(["li.abc123def.request@ourco.de.eml"])
      expect(server.received).toHaveLength(1)
    }))
})

// ---------------------------------------------------------------------------------------------
// doctor

/** doctor's mail line for these SMTP_* variables: `ok <detail>` or `FAIL <reason>`. */
const doctorLine = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const config = yield* AppConfig
    const env = Layer.mergeAll(Layer.succeed(AppConfig, config), NodeContext.layer, FetchHttpClient.layer)
    const [probe] = mailProbes({ config, env })
    const result = yield* Effect.either(probe?.check ?? Effect.succeed("no probe"))
    return Either.match(result, {
      onLeft: (e) => `FAIL ${errorInfo(e).message}`,
      onRight: (d) => (d instanceof Off ? `off ${d.detail}` : `ok ${d}`)
    })
  }).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(AppConfig.layerWith({ logStorageDir: "/tmp/li-doctor", mailFrom: "li@mail.ourco.de" }))
  )

const freePort = Effect.async<number>((resume) => {
  const probe = createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    probe.close(() => resume(Effect.succeed(port)))
  })
})

describe("doctor: the mail line", () => {
  const LOGIN = { username: "app", password: "s3cret" }
  const at = (server: { readonly port: number }, extra: Record<string, string> = {}) => ({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(server.port),
    ...extra
  })

  it.effect("no SMTP_HOST: mail as files", () =>
    Effect.gen(function*() {
      expect(yield* doctorLine({})).toBe("ok mail as files: /tmp/li-doctor/outbox")
    }))

  it.scopedLive("connected and logged in", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ login: LOGIN })
      const line = yield* doctorLine(at(server, { SMTP_SECURE: "false", SMTP_USERNAME: "app", SMTP_PASSWORD: "s3cret" }))
      expect(line).toBe(
        `ok SMTP app@127.0.0.1:${server.port} (plaintext): connected, logged in; sending as li@mail.ourco.de (Message-IDs @mail.ourco.de)`
      )
    }))

  it.scopedLive("wrong password", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ login: LOGIN })
      const line = yield* doctorLine(at(server, { SMTP_SECURE: "false", SMTP_USERNAME: "app", SMTP_PASSWORD: "wrong" }))
      expect(line).toBe(
        `FAIL SMTP login to 127.0.0.1:${server.port} as app refused: wrong user name or password (SMTP_USERNAME, SMTP_PASSWORD): ` +
          "535 5.7.8 Error: authentication failed"
      )
    }))

  it.scopedLive("TLS problem: a certificate nobody vouches for", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ tls: true })
      const line = yield* doctorLine(at(server, { SMTP_SECURE: "true" }))
      expect(line).toBe(
        `FAIL TLS problem with the SMTP server 127.0.0.1:${server.port}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`
      )
    }))

  it.scopedLive("TLS problem: STARTTLS required, the server does not offer it", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer()
      const line = yield* doctorLine(at(server))
      expect(line).toBe(
        `FAIL TLS problem with the SMTP server 127.0.0.1:${server.port}: it does not offer STARTTLS ` +
          "(500 Error: command not recognized); SMTP_SECURE=true if it speaks TLS from the first byte"
      )
    }))

  it.live("unreachable", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      expect(yield* doctorLine(at({ port }, { SMTP_SECURE: "false" }))).toBe(
        `FAIL cannot connect to the SMTP server 127.0.0.1:${port}: connection refused`
      )
    }))

  it.effect("a password in plaintext to another machine is refused before anything is sent", () =>
    Effect.gen(function*() {
      const line = yield* doctorLine({ SMTP_HOST: "smtp.ourco.de", SMTP_SECURE: "false", SMTP_USERNAME: "app", SMTP_PASSWORD: "s3cret" })
      expect(line).toBe(
        "FAIL invalid configuration: SMTP_SECURE: false would send the password unencrypted to smtp.ourco.de; " +
          "use starttls or true, or set SMTP_ALLOW_INSECURE=true"
      )
    }))
})
