/** Spawning the real program (the compiled `dist/`, built by `pretest`) and watching what it does. */
import { spawn } from "node:child_process"
import { mkdtempSync, existsSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"

export const root = path.resolve(import.meta.dirname, "..", "..")
export const mainJs = path.join(root, "dist", "app", "main.js")
export const programJs = (name: string) => path.join(root, "dist", "test-programs", `${name}.js`)

export const tempDir = (prefix = "li-") => mkdtempSync(path.join(tmpdir(), prefix))

export interface Spawned {
  readonly pid: number
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly ms: number }>
  /** Resolves when stdout+stderr match; rejects if the process exits first or after `timeoutMs`. */
  readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  readonly kill: (signal: NodeJS.Signals) => void
}

export const run = (script: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Spawned => {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: env["CWD"] ?? root,
    env: { PATH: process.env["PATH"] ?? "", TZ: "UTC", LOG_LEVEL: "Info", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  let err = ""
  const listeners = new Set<() => void>()
  const notify = () => listeners.forEach((l) => l())
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString()
    notify()
  })
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString()
    notify()
  })
  let signalledAt = 0
  const startedAt = Date.now()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.on("exit", (code, signal) => {
      notify()
      resolve({ code, signal, ms: Date.now() - (signalledAt || startedAt) })
    })
  )
  let done = false
  void exited.then(() => (done = true))
  return {
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal) => {
      signalledAt ||= Date.now()
      child.kill(signal)
    },
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out + err)) {
            cleanup()
            resolve()
          } else if (done) {
            cleanup()
            reject(new Error(`process exited before ${pattern}\nstdout: ${out}\nstderr: ${err}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out waiting for ${pattern}\nstdout: ${out}\nstderr: ${err}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        check()
      })
  }
}

export const runCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => run(mainJs, args, env)

export interface SummaryFile {
  readonly run_id: string
  readonly started_at: string
  readonly finished_at: string
  readonly status: string
  readonly error?: { readonly type: string; readonly message: string }
  readonly events: ReadonlyArray<{
    readonly event_id: string
    readonly status: string
    readonly summary: string
    readonly start: string
    readonly trigger?: { readonly type: string; readonly matched_word: string; readonly matched_field: string }
    readonly company?: { readonly name?: string; readonly domain?: string }
    readonly dossier?: { readonly json_path: string; readonly pdf_path?: string }
    readonly hitl?: { readonly audit_id: string; readonly kind: string; readonly state: string }
    readonly reason?: string
    readonly error?: { readonly type: string; readonly message: string }
  }>
}

/** Every summary.json written under a LOG_STORAGE_DIR, oldest first. */
export const summaries = (logDir: string): Array<SummaryFile> => {
  const dir = path.join(logDir, "run_history", "workflows")
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((id) => path.join(dir, id, "summary.json"))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, "utf8")) as SummaryFile)
    .sort((a, b) => a.started_at.localeCompare(b.started_at))
}
