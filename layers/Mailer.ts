/**
 * Outgoing mail as configured: over SMTP when SMTP_HOST is set (SMTP_* variables), otherwise
 * `.eml` files in outbox/ under LOG_STORAGE_DIR (the default). The SMTP adapter, and nodemailer's
 * transport under it, is loaded only then.
 */
import { Effect, Layer, Option } from "effect"
import { MailDirMailerLive } from "../src/Integrations/MailDir.js"
import { smtpConfig } from "../src/Integrations/Smtp/SmtpConfig.js"

export const MailerFromConfig = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* smtpConfig
  if (Option.isNone(config)) return MailDirMailerLive
  const { SmtpMailerLive } = yield* Effect.promise(() => import("../src/Integrations/Smtp/SmtpMailer.js"))
  return SmtpMailerLive(config.value)
}))
