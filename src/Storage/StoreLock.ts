/**
 * One process at a time on a SQLite store: a second `run` or `once` on the same LOG_STORAGE_DIR
 * would compete for the same workflows and wait on each other's locks. The lock file names the
 * holder; a lock left by a process that no longer exists (a crash, SIGKILL) is taken over.
 */
import { Data, Effect } from "effect"
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs"
import * as path from "node:path"

export class StoreBusy extends Data.TaggedError("StoreBusy")<{ readonly dir: string; readonly pid: number }> {
  override get message() {
    return `another lead-insights (pid ${this.pid}) is already running on ${path.resolve(this.dir)}; stop it first, or use another LOG_STORAGE_DIR`
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal.
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const tryCreate = (file: string): boolean => {
  try {
    const fd = openSync(file, "wx")
    writeSync(fd, `${process.pid}\n`)
    closeSync(fd)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false
    throw e
  }
}

const holderOf = (file: string): number => {
  try {
    return Number.parseInt(readFileSync(file, "utf8").trim(), 10)
  } catch {
    return Number.NaN
  }
}

export const acquireStoreLock = (dir: string) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      mkdirSync(dir, { recursive: true })
      const file = path.join(dir, "workflows.lock")
      for (let attempt = 0; attempt < 3; attempt++) {
        if (tryCreate(file)) return file
        const holder = holderOf(file)
        if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
          return yield* new StoreBusy({ dir, pid: holder })
        }
        // Stale: its process is gone. Remove and try again (another starter may win the race).
        rmSync(file, { force: true })
      }
      return yield* new StoreBusy({ dir, pid: holderOf(file) })
    }).pipe(Effect.withSpan("StoreLock.acquire")),
    (file) => Effect.sync(() => holderOf(file) === process.pid && rmSync(file, { force: true }))
  )
