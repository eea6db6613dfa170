/**
 * MASK_PII_IN_LOGS: e-mail addresses never reach the logs — not in messages, not in annotations.
 * The run history and the audit trail keep them (people need to know who answered); logs are what
 * ends up in shared log systems.
 */
import { HashMap, Logger } from "effect"

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu

export const maskEmails = (text: string): string => text.replace(EMAIL, "<redacted-email>")

const maskValue = (value: unknown): unknown =>
  typeof value === "string"
    ? maskEmails(value)
    : Array.isArray(value)
    ? value.map(maskValue)
    : value instanceof Error
    ? maskEmails(value.message)
    : typeof value === "object" && value !== null
    ? JSON.parse(maskEmails(JSON.stringify(value)))
    : value

export const maskingLogger = <Output>(logger: Logger.Logger<unknown, Output>): Logger.Logger<unknown, Output> =>
  Logger.mapInputOptions(logger, (options) => ({
    ...options,
    message: maskValue(options.message),
    annotations: HashMap.map(options.annotations, maskValue)
  }))
