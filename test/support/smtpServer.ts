/**
 * A real SMTP server in the test (npm smtp-server) on a free loopback port: it keeps every mail
 * it accepted (envelope and bytes) and answers each attempt as the test says — accept, a 4xx "try
 * later", a 5xx refusal, or a dropped connection. Optionally with a login, and with TLS from the
 * first byte on a throw-away self-signed certificate (made with openssl).
 * Scoped: the server is closed when the test's scope ends.
 */
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server"

export interface Attempt {
  readonly from: string
  readonly to: ReadonlyArray<string>
  /** The Message-ID header of the mail, angle brackets included. */
  readonly messageId: string
  /** How many times a mail with this Message-ID reached DATA, this one included. */
  readonly n: number
}

/** What the server answers an attempt: accept, a reply code with its text, a dropped connection, or nothing ever. */
export type Answer = "accept" | "drop" | "stall" | { readonly code: number; readonly text: string }

export interface Received {
  readonly from: string
  readonly to: ReadonlyArray<string>
  readonly messageId: string
  readonly raw: Buffer
}

export interface TestSmtpServer {
  readonly host: "127.0.0.1"
  readonly port: number
  /** Accepted mails, in order. */
  readonly received: ReadonlyArray<Received>
  /** Every mail that reached DATA, accepted or not. */
  readonly attempts: ReadonlyArray<Attempt>
  /** Connections open now. */
  readonly openConnections: () => number
}

export interface SmtpServerOptions {
  /** Default: accept everything. */
  readonly answer?: (attempt: Attempt) => Answer
  /** Per recipient at RCPT TO, where servers refuse unknown users; default: every recipient is taken. */
  readonly recipient?: (address: string) => { readonly code: number; readonly text: string } | undefined
  /** A login the server requires. */
  readonly login?: { readonly username: string; readonly password: string }
  /** TLS from the first byte, on a self-signed certificate no client trusts. */
  readonly tls?: boolean
}

const selfSigned = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "smtp-tls-"))
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")
    ], { stdio: "ignore" })
    return { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const headerValue = (raw: Buffer, name: string) => {
  const head = raw.toString("latin1").split(/\r?\n\r?\n/)[0] ?? ""
  return new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, " ").trim() ?? ""
}

const addressOf = (a: SMTPServerSession["envelope"]["mailFrom"]) => (a === false ? "" : a.address)

export const startSmtpServer = (options: SmtpServerOptions = {}) =>
  Effect.acquireRelease(
    Effect.async<{ server: SMTPServer; state: TestSmtpServer }>((resume) => {
      const received: Array<Received> = []
      const attempts: Array<Attempt> = []
      const seen = new Map<string, number>()
      const login = options.login
      const server = new SMTPServer({
        logger: false,
        closeTimeout: 1000,
        secure: options.tls === true,
        ...(options.tls === true ? selfSigned() : {}),
        disabledCommands: ["STARTTLS", ...(login ? [] : ["AUTH"])],
        authOptional: login === undefined,
        allowInsecureAuth: true,
        onAuth(auth, _session, callback) {
          if (login && auth.username === login.username && auth.password === login.password) return callback(null, { user: auth.username })
          callback(Object.assign(new Error("5.7.8 Error: authentication failed"), { responseCode: 535 }))
        },
        onRcptTo(address, _session, callback) {
          const refusal = options.recipient?.(address.address)
          callback(refusal ? Object.assign(new Error(refusal.text), { responseCode: refusal.code }) : null)
        },
        onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
          const chunks: Array<Buffer> = []
          stream.on("data", (c: Buffer) => chunks.push(c))
          stream.on("end", () => {
            const raw = Buffer.concat(chunks)
            const messageId = headerValue(raw, "Message-ID")
            const n = (seen.get(messageId) ?? 0) + 1
            seen.set(messageId, n)
            const attempt: Attempt = {
              from: addressOf(session.envelope.mailFrom),
              to: session.envelope.rcptTo.map((r) => r.address),
              messageId,
              n
            }
            attempts.push(attempt)
            const answer = options.answer?.(attempt) ?? "accept"
            if (answer === "accept") {
              received.push({ from: attempt.from, to: attempt.to, messageId, raw })
              return callback(null, "OK: queued")
            }
            // The client's time-out has to end this one; closing the server ends the connection.
            if (answer === "stall") return
            if (answer === "drop") {
              // Gone before the reply: the client cannot know whether the mail was taken.
              return server.connections.forEach((c) => c.close())
            }
            callback(Object.assign(new Error(answer.text), { responseCode: answer.code }))
          })
        }
      })
      // A client that gives up during the TLS handshake (a doctor check of an untrusted certificate) is no error here.
      server.on("error", () => {})
      server.listen(0, "127.0.0.1", () => {
        const port = (server.server.address() as AddressInfo).port
        resume(Effect.succeed({
          server,
          state: { host: "127.0.0.1", port, received, attempts, openConnections: () => server.connections.size }
        }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
  ).pipe(Effect.map(({ state }) => state))
