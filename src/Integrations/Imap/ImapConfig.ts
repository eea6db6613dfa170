/**
 * Reading replies over IMAP: configured when IMAP_HOST is set, otherwise `imapConfig` is
 * `Option.none()` and replies are files dropped into inbox/. Variables, with their defaults:
 * - IMAP_HOST; IMAP_PORT (993 with TLS, 143 without); IMAP_SECURE (`true`: TLS from the first
 *   byte; `false`: STARTTLS when the server offers it; default `false` only on port 143)
 * - IMAP_USERNAME, IMAP_PASSWORD (both required with IMAP_HOST)
 * - IMAP_MAILBOX (INBOX): where replies arrive; IMAP_PROCESSED_MAILBOX (none): handled replies
 *   are moved there instead of only being marked \Seen
 */
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { optionalText } from "../../Config.js"

export interface ImapConfig {
  readonly host: string
  readonly port: number
  readonly secure: boolean
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly mailbox: string
  readonly processedMailbox: Option.Option<string>
}


const secure = Config.string("IMAP_SECURE").pipe(
  Config.validate({ message: "must be true or false", validation: (s) => /^(true|false)$/i.test(s.trim()) }),
  Config.map((s) => s.trim().toLowerCase() === "true"),
  Config.option
)

const port = Config.integer("IMAP_PORT").pipe(
  Config.validate({ message: "must be a port number from 1 to 65535", validation: (n) => n >= 1 && n <= 65535 }),
  Config.option
)

const required = (name: string, value: Option.Option<string>) =>
  Option.match(value, {
    onNone: () => Either.left(ConfigError.MissingData([name], "required when IMAP_HOST is set")),
    onSome: Either.right
  })

/**
 * `Option.none()` without IMAP_HOST (an empty value counts as not set). The other variables are
 * read either way, so a bad IMAP_PORT fails the start even then.
 */
export const imapConfig: Config.Config<Option.Option<ImapConfig>> = Config.all({
  host: optionalText("IMAP_HOST"),
  port,
  secure,
  username: optionalText("IMAP_USERNAME"),
  password: Config.redacted("IMAP_PASSWORD").pipe(Config.option),
  mailbox: optionalText("IMAP_MAILBOX"),
  processedMailbox: optionalText("IMAP_PROCESSED_MAILBOX")
}).pipe(Config.mapOrFail((c) => {
  if (Option.isNone(c.host)) return Either.right(Option.none())
  const host = c.host.value
  const password = Option.filter(c.password, (p) => Redacted.value(p).length > 0)
  return Either.all({ username: required("IMAP_USERNAME", c.username), password: required("IMAP_PASSWORD", Option.map(password, Redacted.value)) })
    .pipe(Either.map(({ password, username }) => {
      const isSecure = Option.getOrElse(c.secure, () => Option.getOrElse(c.port, () => 993) !== 143)
      return Option.some<ImapConfig>({
        host,
        port: Option.getOrElse(c.port, () => (isSecure ? 993 : 143)),
        secure: isSecure,
        username,
        password: Redacted.make(password),
        mailbox: Option.getOrElse(c.mailbox, () => "INBOX"),
        processedMailbox: c.processedMailbox
      })
    }))
}))

/** `maria@example.com@imap.example.com:993/INBOX (TLS)`: for `doctor` and logs, no secrets. */
export const describeImapConfig = (config: ImapConfig): string =>
  `${config.username}@${config.host}:${config.port}/${config.mailbox} (${config.secure ? "TLS" : "STARTTLS if offered"})`
