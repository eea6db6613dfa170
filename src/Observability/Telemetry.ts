/**
 * OpenTelemetry: traces, metrics and logs over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set, nothing at all otherwise. The exporter flushes when its scope closes, bounded by the shutdown timeout.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Otlp from "@effect/opentelemetry/Otlp"
import { Effect, Layer, Option, Redacted } from "effect"
import { AppConfig } from "../Config.js"

const parseHeaders = (raw: string): Record<string, string> =>
  Object.fromEntries(
    raw.split(",").flatMap((pair) => {
      const at = pair.indexOf("=")
      return at > 0 ? [[decodeURIComponent(pair.slice(0, at).trim()), decodeURIComponent(pair.slice(at + 1).trim())]] : []
    })
  )

export const TelemetryLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  if (Option.isNone(config.otlpEndpoint)) return Layer.empty
  return Otlp.layerJson({
    baseUrl: config.otlpEndpoint.value,
    resource: { serviceName: config.serviceName, serviceVersion: "0.1.0" },
    headers: Option.match(config.otlpHeaders, { onNone: () => ({}), onSome: (h) => parseHeaders(Redacted.value(h)) }),
    shutdownTimeout: config.shutdownTimeout
  }).pipe(Layer.provide(FetchHttpClient.layer))
}))
