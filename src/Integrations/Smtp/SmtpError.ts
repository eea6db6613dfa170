/**
 * What went wrong with the SMTP server, in one line a user can act on — a wrong password, a TLS
 * problem, a server that cannot be reached, a mail refused — and whether sending the same mail
 * again may work: a 4xx reply, a dropped connection or a time-out may; a 5xx refusal never does.
 */
import { Data } from "effect"
import type { SmtpConfig } from "./SmtpConfig.js"

export type SmtpProblemKind = "login" | "tls" | "connect" | "rejected" | "transient" | "other"

export class SmtpProblem extends Data.TaggedError("SmtpProblem")<{
  readonly kind: SmtpProblemKind
  readonly reason: string
  /** The server's own reply ("550 5.1.1 … User unknown"), when it gave one. */
  readonly response?: string | undefined
  /** Recipients the server refused, when it said which. */
  readonly rejected?: ReadonlyArray<string> | undefined
}> {
  override get message() {
    return this.reason
  }
  /** Worth another try with the same mail. */
  get transient() {
    return this.kind === "transient" || this.kind === "connect"
  }
}

const field = (error: unknown, name: string): unknown =>
  typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined

const text = (error: unknown, name: string): string => {
  const value = field(error, name)
  return typeof value === "string" ? value : ""
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_CERT)/

/** "550 5.1.1 <x@acme.io>: Recipient address rejected" — one line, whatever the server sent. */
const oneLine = (s: string) => s.replace(/\s*\r?\n\s*/g, " ").trim()

/** An error from nodemailer or the socket under it, as one line naming the server. */
export const describeSmtpError = (config: Pick<SmtpConfig, "host" | "port">, error: unknown, login?: string): SmtpProblem => {
  if (error instanceof SmtpProblem) return error
  const server = `${config.host}:${config.port}`
  const code = text(error, "code")
  const original = text(error, "originalCode")
  const responseCode = field(error, "responseCode")
  const response = oneLine(text(error, "response"))
  const message = oneLine((error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "")
  const said = response || message
  const rejected = field(error, "rejected")
  const requireTls = code === "ETLS"
  const recipients = Array.isArray(rejected) ? rejected.filter((r): r is string => typeof r === "string") : undefined

  if (code === "EAUTH" || code === "ENOAUTH") {
    return new SmtpProblem({
      kind: "login",
      reason: code === "ENOAUTH"
        ? `the SMTP server ${server} wants a login: set SMTP_USERNAME and SMTP_PASSWORD`
        : `SMTP login to ${server}${login ? ` as ${login}` : ""} refused: wrong user name or password (SMTP_USERNAME, SMTP_PASSWORD): ${said}`,
      response: response || undefined
    })
  }
  if (/^STARTTLS/i.test(text(error, "command")) || (requireTls && /STARTTLS/.test(message))) {
    return new SmtpProblem({
      kind: "tls",
      reason: `TLS problem with the SMTP server ${server}: it does not offer STARTTLS (${said}); ` +
        "SMTP_SECURE=true if it speaks TLS from the first byte"
    })
  }
  if (code === "ETLS" || TLS_CODES.test(code) || TLS_CODES.test(original) || /\b(TLS|SSL|certificate)\b/i.test(message)) {
    const detail = TLS_CODES.test(original) ? ` (${original})` : TLS_CODES.test(code) ? ` (${code})` : ""
    return new SmtpProblem({ kind: "tls", reason: `TLS problem with the SMTP server ${server}: ${said}${detail}` })
  }
  if (typeof responseCode === "number") {
    // RFC 5321: 5yz refuses for good; 503 only says the session was out of step, a new one may do.
    const permanent = field(error, "permanent") === true || (responseCode >= 500 && responseCode < 600 && responseCode !== 503)
    return new SmtpProblem({
      kind: permanent ? "rejected" : "transient",
      reason: `the SMTP server ${server} ${permanent ? "refused" : "did not take"} the mail: ${said}`,
      response: response || `${responseCode}`,
      ...(recipients && recipients.length > 0 ? { rejected: recipients } : {})
    })
  }
  switch (original || code) {
    case "ECONNREFUSED":
      return new SmtpProblem({ kind: "connect", reason: `cannot connect to the SMTP server ${server}: connection refused` })
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EDNS":
      return new SmtpProblem({ kind: "connect", reason: `cannot connect to the SMTP server ${server}: unknown host` })
    case "ETIMEDOUT":
      return new SmtpProblem({ kind: "connect", reason: `the SMTP server ${server} did not answer in time` })
    case "ECONNECTION":
    case "ECONNRESET":
    case "EPIPE":
    case "ESOCKET":
      return new SmtpProblem({ kind: "connect", reason: `the connection to the SMTP server ${server} was lost: ${message}` })
  }
  return new SmtpProblem({ kind: "other", reason: `SMTP server ${server}: ${said}${code ? ` (${code})` : ""}` })
}
