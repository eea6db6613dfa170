/**
 * The process edge, used only by entry points (src/main.ts and test programs): run an Effect as
 * the whole process, with the signal contract of the README.
 *
 * - The first SIGINT/SIGTERM interrupts the program (NodeRuntime does this): fibers and finalizers
 *   unwind, exit code 0.
 * - A second signal during that shutdown exits at once with 130.
 * - A backstop: if shutdown takes far longer than SHUTDOWN_TIMEOUT_SECONDS (a finalizer that hangs
 *   in code we do not own), the process exits with 1 rather than hang.
 * - A signal that arrives before the program has started exits 0 at once: nothing was acquired yet.
 */
import type { Effect } from "effect"

const signals = ["SIGINT", "SIGTERM"] as const
let received = 0
let started = false

const shutdownBudgetMs = (): number => {
  // Read directly: the backstop must work even when configuration could not be loaded.
  const seconds = Number(process.env["SHUTDOWN_TIMEOUT_SECONDS"] ?? "5")
  const grace = Number.isFinite(seconds) && seconds >= 0 ? seconds : 5
  // Event work may take the whole grace period, then finalizers (telemetry flush) take up to as long again.
  return (2 * grace + 3) * 1000
}

const onSignal = (signal: NodeJS.Signals) => {
  received++
  if (!started) process.exit(0)
  if (received === 1) {
    setTimeout(() => {
      process.stderr.write(`lead-insights: shutdown did not finish in time after ${signal}; exiting\n`)
      process.exit(1)
    }, shutdownBudgetMs()).unref()
    return
  }
  process.stderr.write(`lead-insights: second ${signal} during shutdown; exiting now\n`)
  process.exit(130)
}

// Installed as soon as the entry module is evaluated; everything heavy is loaded after this.
for (const signal of signals) process.on(signal, onSignal)

/** Loads the program, then runs it as the process. */
export const runMain = async <E, A>(load: () => Promise<Effect.Effect<A, E>>): Promise<void> => {
  const [NodeRuntime, program] = await Promise.all([import("@effect/platform-node/NodeRuntime"), load()])
  // From here on NodeRuntime interrupts the program on a signal; nothing in between can miss one.
  started = true
  NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
}
