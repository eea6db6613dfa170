/**
 * One `doctor` line: a name and a check that either succeeds with what it found (`ok`), says the
 * integration is not in use (`off`), or fails with the reason (`FAIL`).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import { Data, type Effect, type Layer } from "effect"
import type { AppConfig } from "../Config.js"

/** The integration is not configured; `detail` says how to turn it on. */
export class Off extends Data.TaggedClass("Off")<{ readonly detail: string }> {}

export interface Probe {
  readonly name: string
  readonly check: Effect.Effect<string | Off, unknown>
}

/** What each probe may build its adapter on. */
export type ProbeEnv = Layer.Layer<AppConfig | FileSystem.FileSystem | HttpClient.HttpClient>

export type ProbeContext = { readonly config: AppConfig["Type"]; readonly env: ProbeEnv }
