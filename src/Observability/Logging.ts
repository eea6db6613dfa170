/**
 * Logs go to stderr as logfmt (stdout is for command output), at LOG_LEVEL (default Info).
 * Lines written during a cycle carry its `run_id` through log annotations.
 */
import { Effect, Layer, Logger, LogLevel } from "effect"
import { AppConfig } from "../Config.js"

export const stderrLogger = Logger.withConsoleError(Logger.logfmtLogger)

export const LoggingLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  return Layer.merge(
    Logger.replace(Logger.defaultLogger, stderrLogger),
    Logger.minimumLogLevel(config.logLevel ?? LogLevel.Info)
  )
}))
