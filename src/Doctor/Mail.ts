/**
 * `doctor`'s mail line: where requests go. With SMTP_HOST set it connects, says EHLO, upgrades to
 * TLS as SMTP_SECURE says and logs in (nodemailer's verify) — one line for a wrong password, a TLS
 * problem or a server that cannot be reached.
 */
import { Data, Effect, Option } from "effect"
import * as path from "node:path"
import { describeConfigError } from "../Config.js"
import { mailDomainOf } from "../Domain/Mail.js"
import { describeSmtpConfig, type SmtpConfig, smtpConfig } from "../Integrations/Smtp/SmtpConfig.js"
import { describeSmtpError } from "../Integrations/Smtp/SmtpError.js"
import { transportOptions } from "../Integrations/Smtp/SmtpMailer.js"
import type { Probe, ProbeContext } from "./Probe.js"

class MailConfigProblem extends Data.TaggedError("MailConfigProblem")<{ readonly message: string }> {}

const verify = Effect.fn("Doctor.mail")(function*(config: SmtpConfig) {
  const { default: nodemailer } = yield* Effect.promise(() => import("nodemailer"))
  const login = Option.getOrUndefined(Option.map(config.auth, (a) => a.username))
  yield* Effect.acquireUseRelease(
    Effect.sync(() => nodemailer.createTransport(transportOptions(config))),
    (transport) => Effect.tryPromise({ try: () => transport.verify(), catch: (e) => describeSmtpError(config, e, login) }),
    (transport) => Effect.sync(() => transport.close())
  )
})

export const mailProbes = ({ config }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "mail",
  check: Effect.gen(function*() {
    const smtp = yield* Effect.mapError(smtpConfig, (e) => new MailConfigProblem({ message: describeConfigError(e) }))
    if (Option.isNone(smtp)) return `mail as files: ${path.resolve(config.logStorageDir, "outbox")}`
    yield* verify(smtp.value)
    const login = Option.isSome(smtp.value.auth) ? "logged in" : "no login"
    return `SMTP ${describeSmtpConfig(smtp.value)}: connected, ${login}; sending as ${config.mailFrom} ` +
      `(Message-IDs @${mailDomainOf(config.mailFrom)})`
  })
}]
