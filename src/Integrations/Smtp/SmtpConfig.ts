/**
 * Sending over SMTP: configured when SMTP_HOST is set, otherwise `smtpConfig` is `Option.none()`
 * and every mail is written to outbox/. Variables, with their defaults:
 * - SMTP_HOST; SMTP_PORT (465 with SMTP_SECURE=true, 25 with false, else 587)
 * - SMTP_SECURE: `true` TLS from the first byte, `starttls` (the default; 465 means `true`) the
 *   server must upgrade the connection, `false` plaintext — refused with a password to anything but
 *   this machine unless SMTP_ALLOW_INSECURE=true
 * - SMTP_USERNAME, SMTP_PASSWORD (both or neither: a relay may take mail without a login)
 * - SMTP_TIMEOUT_SECONDS (30): connecting, the greeting, and any wait for the server's reply
 * The sender is MAIL_FROM (AppConfig), whose domain our Message-IDs carry.
 */
import { Config, ConfigError, Duration, Either, Option, Redacted } from "effect"
import { optionalText } from "../../Config.js"

export type SmtpSecurity = "tls" | "starttls" | "plain"

export interface SmtpConfig {
  readonly host: string
  readonly port: number
  readonly security: SmtpSecurity
  readonly auth: Option.Option<{ readonly username: string; readonly password: Redacted.Redacted<string> }>
  readonly timeout: Duration.Duration
  /** Tries of one mail within its workflow step (transient failures only), and the first wait between them. */
  readonly attempts: number
  readonly retryDelay: Duration.Duration
}

/** Within the step: 4 tries, about 1 s, 2 s and 4 s apart (jittered). The step's own durable retries come after. */
export const SEND_ATTEMPTS = 4
export const RETRY_DELAY = Duration.seconds(1)

const blank = (s: string) => s.trim().length === 0


const SECURITY: Record<string, SmtpSecurity> = { true: "tls", starttls: "starttls", false: "plain" }

const security = Config.string("SMTP_SECURE").pipe(
  Config.validate({
    message: "must be true (TLS from the start), starttls or false (plaintext)",
    validation: (s) => blank(s) || SECURITY[s.trim().toLowerCase()] !== undefined
  }),
  Config.option,
  Config.map(Option.flatMap((s) => Option.fromNullable(SECURITY[s.trim().toLowerCase()])))
)

const port = Config.integer("SMTP_PORT").pipe(
  Config.validate({ message: "must be a port number from 1 to 65535", validation: (n) => n >= 1 && n <= 65535 }),
  Config.option
)

const timeout = Config.number("SMTP_TIMEOUT_SECONDS").pipe(
  Config.validate({ message: "must be a number greater than zero", validation: (n) => Number.isFinite(n) && n > 0 }),
  Config.withDefault(30),
  Config.map(Duration.seconds)
)

/** This machine: a password sent in plaintext to it never crosses a network. */
export const isLoopback = (host: string): boolean => {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "")
  return h === "localhost" || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) || h === "::1" ||
    h === "0:0:0:0:0:0:0:1" || h === "::ffff:127.0.0.1"
}

const defaultPort = (security: SmtpSecurity) => (security === "tls" ? 465 : security === "plain" ? 25 : 587)

const invalid = (name: string, message: string) => ConfigError.InvalidData([name], message)

/**
 * `Option.none()` without SMTP_HOST (an empty value counts as not set). The other variables are
 * read either way, so a bad SMTP_PORT fails the start even then.
 */
export const smtpConfig: Config.Config<Option.Option<SmtpConfig>> = Config.all({
  host: optionalText("SMTP_HOST"),
  port,
  security,
  username: optionalText("SMTP_USERNAME"),
  password: Config.redacted("SMTP_PASSWORD").pipe(Config.option),
  allowInsecure: Config.boolean("SMTP_ALLOW_INSECURE").pipe(Config.withDefault(false)),
  timeout
}).pipe(Config.mapOrFail((c): Either.Either<Option.Option<SmtpConfig>, ConfigError.ConfigError> => {
  if (Option.isNone(c.host)) return Either.right(Option.none())
  const host = c.host.value
  const password = Option.filter(c.password, (p) => Redacted.value(p).length > 0)
  if (Option.isSome(c.username) !== Option.isSome(password)) {
    return Either.left(Option.isSome(c.username)
      ? ConfigError.MissingData(["SMTP_PASSWORD"], "required when SMTP_USERNAME is set")
      : ConfigError.MissingData(["SMTP_USERNAME"], "required when SMTP_PASSWORD is set"))
  }
  const chosen = Option.getOrElse(c.security, (): SmtpSecurity => Option.getOrUndefined(c.port) === 465 ? "tls" : "starttls")
  if (chosen === "plain" && Option.isSome(password) && !isLoopback(host) && !c.allowInsecure) {
    return Either.left(invalid(
      "SMTP_SECURE",
      `false would send the password unencrypted to ${host}; use starttls or true, or set SMTP_ALLOW_INSECURE=true`
    ))
  }
  return Either.right(Option.some<SmtpConfig>({
    host,
    port: Option.getOrElse(c.port, () => defaultPort(chosen)),
    security: chosen,
    auth: Option.all({ username: c.username, password }),
    timeout: c.timeout,
    attempts: SEND_ATTEMPTS,
    retryDelay: RETRY_DELAY
  }))
}))

const SECURITY_TEXT: Record<SmtpSecurity, string> = { tls: "TLS", starttls: "STARTTLS", plain: "plaintext" }

/** `maria@acme.io@smtp.acme.io:587 (STARTTLS)`: for `doctor` and logs, no secrets. */
export const describeSmtpConfig = (config: SmtpConfig): string =>
  `${Option.match(config.auth, { onNone: () => "", onSome: (a) => `${a.username}@` })}${config.host}:${config.port} ` +
  `(${SECURITY_TEXT[config.security]})`
