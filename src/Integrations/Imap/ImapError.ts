/**
 * What went wrong with the IMAP server, in one line a user can act on: a wrong password, a TLS
 * problem, a mailbox that does not exist, a server that cannot be reached — never a stack trace.
 */
import { Data } from "effect"
import type { ImapConfig } from "./ImapConfig.js"

export type ImapProblemKind = "login" | "tls" | "mailbox" | "connect" | "other"

export class ImapProblem extends Data.TaggedError("ImapProblem")<{
  readonly kind: ImapProblemKind
  readonly reason: string
}> {
  override get message() {
    return this.reason
  }
}

const field = (error: unknown, name: string): unknown =>
  typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined

const text = (error: unknown, name: string): string => {
  const value = field(error, name)
  return typeof value === "string" ? value : ""
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_CERT)/

/** What a TLS failure means for the user, without OpenSSL's internals. */
const tlsDetail = (code: string, said: string) => {
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return "it does not speak TLS on this port (IMAP_SECURE=false for STARTTLS or a plain connection, or the TLS port, usually 993)"
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_|DEPTH_ZERO/.test(code)) {
    return `its certificate is not trusted: ${said} (${code}; NODE_EXTRA_CA_CERTS adds a CA)`
  }
  const plain = said.replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:/, "").replace(/:[^:]*\.c:\d+:.*$/, "")
  return `${plain}${code ? ` (${code})` : ""}`
}

/** An error from imapflow or the socket under it, as one line naming the server. */
export const describeImapError = (config: ImapConfig, error: unknown, mailbox = config.mailbox): ImapProblem => {
  if (error instanceof ImapProblem) return error
  const server = `${config.host}:${config.port}`
  const code = text(error, "code")
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? ""
  const said = text(error, "responseText") || message
  if (field(error, "authenticationFailed") === true || text(error, "serverResponseCode") === "AUTHENTICATIONFAILED") {
    return new ImapProblem({
      kind: "login",
      reason: `IMAP login to ${server} as ${config.username} refused: wrong user name or password (IMAP_USERNAME, IMAP_PASSWORD)`
    })
  }
  if (field(error, "tlsFailed") === true || TLS_CODES.test(code) || /\b(TLS|SSL|certificate)\b/i.test(message)) {
    return new ImapProblem({ kind: "tls", reason: `TLS problem with the IMAP server ${server}: ${tlsDetail(code, said)}` })
  }
  if (field(error, "mailboxMissing") === true || code === "NotFound" || /NONEXISTENT/.test(text(error, "serverResponseCode"))) {
    return new ImapProblem({ kind: "mailbox", reason: `the IMAP mailbox "${mailbox}" does not exist on ${server} (IMAP_MAILBOX)` })
  }
  switch (code) {
    case "ECONNREFUSED":
      return new ImapProblem({ kind: "connect", reason: `cannot connect to the IMAP server ${server}: connection refused` })
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ImapProblem({ kind: "connect", reason: `cannot connect to the IMAP server ${server}: unknown host` })
    case "CONNECT_TIMEOUT":
    case "GREETING_TIMEOUT":
    case "UPGRADE_TIMEOUT":
    case "ETIMEOUT":
    case "ETIMEDOUT":
      return new ImapProblem({ kind: "connect", reason: `the IMAP server ${server} did not answer in time` })
    case "NoConnection":
    case "EConnectionClosed":
    case "ECONNRESET":
    case "EPIPE":
    case "ClosedAfterConnectText":
      return new ImapProblem({ kind: "connect", reason: `the connection to the IMAP server ${server} was closed` })
    case "ClosedAfterConnectTLS":
      return new ImapProblem({ kind: "tls", reason: `TLS problem with the IMAP server ${server}: it closed the connection during the handshake` })
  }
  return new ImapProblem({ kind: "other", reason: `IMAP server ${server}: ${said}${code ? ` (${code})` : ""}` })
}
