/**
 * Logs go to stderr as logfmt (stdout is for command output), at LOG_LEVEL (default Info).
 * Lines written during a cycle carry its `run_id` through log annotations. MASK_PII_IN_LOGS=true
 * removes e-mail addresses from every line.
 */
import { Effect, Layer, Logger, LogLevel } from "effect"
import { AppConfig } from "../Config.js"
import { maskingLogger } from "./PiiMasking.js"

export const stderrLogger = Logger.withConsoleError(Logger.logfmtLogger)

export const LoggingLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  return Layer.merge(
    Logger.replace(Logger.defaultLogger, config.maskPiiInLogs ? maskingLogger(stderrLogger) : stderrLogger),
    Logger.minimumLogLevel(config.logLevel ?? LogLevel.Info)
  )
}))
