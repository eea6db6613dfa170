/**
 * An SMTP server for one test (npm smtp-server) that delivers every message it accepts into
 * Dovecot over LMTP, so a mail sent to it really lands in the recipient's mailbox; a delivery
 * Dovecot refuses is refused to the sender too. With `auth`, senders must log in.
 */
import nodemailer from "nodemailer"
import { SMTPServer } from "smtp-server"
import { freePort } from "./dovecot.js"

export interface MailBridge {
  readonly port: number
  /** What was accepted: envelope and raw bytes, in order. */
  readonly accepted: ReadonlyArray<{ readonly from: string; readonly to: ReadonlyArray<string>; readonly raw: Buffer }>
  readonly stop: () => Promise<void>
}

export const startMailBridge = async (
  lmtpPort: number,
  auth?: { readonly user: string; readonly pass: string }
): Promise<MailBridge> => {
  const lmtp = nodemailer.createTransport({ host: "127.0.0.1", port: lmtpPort, lmtp: true, ignoreTLS: true })
  const accepted: Array<{ from: string; to: ReadonlyArray<string>; raw: Buffer }> = []
  const server = new SMTPServer({
    secure: false,
    disabledCommands: auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) callback(null, { user: auth.user })
      else callback(new Error("Invalid username or password"))
    },
    onData(stream, session, callback) {
      const chunks: Array<Buffer> = []
      stream.on("data", (chunk: Buffer) => chunks.push(chunk))
      stream.on("end", () => {
        const raw = Buffer.concat(chunks)
        const from = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address
        const to = session.envelope.rcptTo.map((r) => r.address)
        lmtp.sendMail({ envelope: { from, to }, raw }).then(
          () => {
            accepted.push({ from, to, raw })
            callback()
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)))
        )
      })
    }
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return {
    port,
    accepted,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** Sends raw RFC 5322 bytes through the bridge, as a mail program would. */
export const sendThrough = async (bridge: MailBridge, envelope: { readonly from: string; readonly to: ReadonlyArray<string> }, raw: string | Buffer) => {
  const smtp = nodemailer.createTransport({ host: "127.0.0.1", port: bridge.port, secure: false, ignoreTLS: true })
  try {
    await smtp.sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw })
  } finally {
    smtp.close()
  }
}
