/**
 * OpenTelemetry: traces, metrics and logs over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set, nothing at all otherwise. The exporters flush when their scope closes, bounded by the
 * shutdown timeout. Exported log records are masked like the console under MASK_PII_IN_LOGS.
 */
import * as OtlpLogger from "@effect/opentelemetry/OtlpLogger"
import * as OtlpMetrics from "@effect/opentelemetry/OtlpMetrics"
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Layer, Logger, Option, Redacted } from "effect"
import { AppConfig } from "../Config.js"
import { maskingLogger } from "./PiiMasking.js"

const parseHeaders = (raw: string): Record<string, string> =>
  Object.fromEntries(
    raw.split(",").flatMap((pair) => {
      const at = pair.indexOf("=")
      return at > 0 ? [[decodeURIComponent(pair.slice(0, at).trim()), decodeURIComponent(pair.slice(at + 1).trim())]] : []
    })
  )

export const TelemetryLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  if (Option.isNone(config.otlpEndpoint)) return Layer.setTracerEnabled(false)
  const base = config.otlpEndpoint.value.replace(/\/+$/, "")
  const common = {
    resource: { serviceName: config.serviceName, serviceVersion: "0.1.0" },
    headers: Option.match(config.otlpHeaders, { onNone: () => ({}), onSome: (h) => parseHeaders(Redacted.value(h)) }),
    shutdownTimeout: config.shutdownTimeout
  }
  const logs = Logger.addScoped(
    Effect.map(
      OtlpLogger.make({ ...common, url: `${base}/v1/logs` }),
      (logger) => (config.maskPiiInLogs ? maskingLogger(logger) : logger)
    )
  )
  return Layer.mergeAll(
    OtlpTracer.layer({ ...common, url: `${base}/v1/traces` }),
    OtlpMetrics.layer({ ...common, url: `${base}/v1/metrics` }),
    logs
  ).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer))
}))
