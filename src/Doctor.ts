/**
 * `doctor`: one line per integration — is it configured, can it be reached, does it answer sensibly.
 * Each adapter is built on its own, so one that cannot even start is reported and the rest still checked.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import { Console, Duration, Effect, Layer, Option } from "effect"
import * as path from "node:path"
import { TriggerDetection } from "./Agents/TriggerDetection.js"
import { AppConfig } from "./Config.js"
import { errorInfo } from "./Domain/ErrorInfo.js"
import { calendarProbes } from "./Doctor/Calendar.js"
import { contactsProbes } from "./Doctor/Contacts.js"
import { crmProbes } from "./Doctor/Crm.js"
import { inboxProbes } from "./Doctor/Inbox.js"
import { mailProbes } from "./Doctor/Mail.js"
import { Off, type Probe } from "./Doctor/Probe.js"
import { describeLlmConfig, llmConfig } from "./Integrations/Llm/LlmConfig.js"
import { writeFileAtomic } from "./Storage/AtomicFile.js"

const line = (name: string, ok: boolean | "off", detail: string) =>
  Console.log(`${name.padEnd(10)} ${ok === "off" ? "off " : ok ? "ok  " : "FAIL"} ${detail}`).pipe(
    Effect.as(ok !== false)
  )


/** A proxy URL without its user and password. */
const withoutCredentials = (url: string) => url.replace(/\/\/[^/@]*@/, "//…@")

/** Website research: on or off, its limits, and whether it goes through a proxy. */
export const describeWebsite = (config: AppConfig["Type"]): { readonly on: boolean; readonly detail: string } => {
  if (!config.researchWebsite) return { on: false, detail: "RESEARCH_WEBSITE=false: dossiers have no website facts" }
  const proxies = [
    ...Option.toArray(Option.map(config.httpsProxy, (p) => `HTTPS_PROXY ${withoutCredentials(p)}`)),
    ...Option.toArray(Option.map(config.httpProxy, (p) => `HTTP_PROXY ${withoutCredentials(p)}`))
  ]
  const through = proxies.length === 0
    ? "direct (no HTTP_PROXY/HTTPS_PROXY set)"
    : `through the proxy: ${proxies.join(", ")}${Option.match(config.noProxy, { onNone: () => "", onSome: (n) => `; NO_PROXY ${n}` })}`
  return {
    on: true,
    detail: `${through}; at most ${config.researchMaxPages} pages, ${config.researchMaxRequests} requests, ` +
      `${Duration.format(config.researchBudget)} per company, ${config.maxConcurrentResearch} companies at once`
  }
}

export class Doctor extends Effect.Service<Doctor>()("Doctor", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const fs = yield* FileSystem.FileSystem
    const http = yield* HttpClient.HttpClient
    const env = Layer.mergeAll(
      Layer.succeed(AppConfig, config),
      Layer.succeed(FileSystem.FileSystem, fs),
      Layer.succeed(HttpClient.HttpClient, http)
    )

    const probeContext = { config, env }
    const triggers = Effect.gen(function*() {
      const detection = yield* TriggerDetection
      return `${detection.words.length} trigger words from ${detection.source}`
    }).pipe(Effect.provide(TriggerDetection.Default.pipe(Layer.provide(env))))

    const storage = writeFileAtomic(path.join(config.logStorageDir, "state", ".doctor"), "ok\n").pipe(
      Effect.zipRight(fs.remove(path.join(config.logStorageDir, "state", ".doctor"))),
      Effect.as(`${path.resolve(config.logStorageDir)} is writable`)
    )

    const website = describeWebsite(config)

    const check = Effect.gen(function*() {
      const results = [
        yield* line("config", true, `CALENDAR_PROVIDER=${config.calendarProvider}`),
        ...(yield* Effect.forEach(
          [
            ...calendarProbes(probeContext),
            ...contactsProbes(probeContext),
            { name: "triggers", check: triggers },
            ...crmProbes(probeContext),
            ...mailProbes(probeContext),
            ...inboxProbes(probeContext),
            { name: "storage", check: storage }
          ] satisfies ReadonlyArray<Probe>,
          ({ check, name }) =>
            check.pipe(Effect.matchEffect({
              onFailure: (e) => line(name, false, errorInfo(e).message),
              onSuccess: (d) => d instanceof Off ? line(name, "off", d.detail) : line(name, true, d)
            }))
        )),
        yield* Effect.matchEffect(llmConfig, {
          onFailure: (error) => line("llm", false, error.message),
          onSuccess: (llm) =>
            Option.match(llm, {
              onNone: () => line("llm", "off", "OPENAI_API_KEY / OPENAI_BASE_URL not set: summaries by rules, no soft triggers"),
              onSome: (c) => line("llm", true, describeLlmConfig(c))
            })
        }),
        yield* line("website", website.on ? true : "off", website.detail),
        yield* line(
          "telemetry",
          Option.isSome(config.otlpEndpoint) ? true : "off",
          Option.getOrElse(config.otlpEndpoint, () => "OTEL_EXPORTER_OTLP_ENDPOINT not set")
        )
      ]
      return results.every(Boolean)
    }).pipe(Effect.withSpan("Doctor.check"))

    return { check } as const
  })
}) {}
