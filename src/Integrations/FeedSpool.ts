/**
 * A large feed's copy on disk, for the events it defers (ICalDeferred): the cycle holds a file
 * handle instead of the feed. The file's name is removed as soon as it is written, so the copy
 * lasts exactly as long as the handle: closed with the cycle's scope, or by the system when the
 * process dies — nothing is left behind either way.
 */
import { Data, Effect, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from "node:fs"
import * as path from "node:path"
import type { BlockSource } from "./ICalDeferred.js"

/** Feeds up to this size are built at once and kept in memory: deferring their events would save little. */
export const SPOOL_ABOVE = 1024 * 1024

const writeAll = (fd: number, bytes: Uint8Array) => {
  for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done)
}

const copyToDisk = (dir: string, bytes: Uint8Array): number => {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `feed-${randomUUID()}.ics`)
  const fd = openSync(file, "w+", 0o600)
  try {
    unlinkSync(file)
    writeAll(fd, bytes)
    return fd
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

/** The copy could not be made (the feed is then kept in memory). */
export class SpoolError extends Data.TaggedError("SpoolError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

interface Copy {
  readonly fd: number
  open: boolean
}

// Both made apart from `spool`: a closure made there would keep its `bytes`, the feed itself, alive
// (the finalizer until the cycle ends, the reader as long as an event is listed).
const close = (copy: Copy) =>
  Effect.sync(() => {
    copy.open = false
    closeSync(copy.fd)
  })

const readBack = (copy: Copy): BlockSource => (range) => {
  if (!copy.open) throw new Error("the feed's copy was closed with its cycle")
  const block = Buffer.allocUnsafe(range.end - range.start)
  for (let done = 0; done < block.byteLength;) {
    const n = readSync(copy.fd, block, done, block.byteLength - done, range.start + done)
    if (n === 0) throw new Error("the feed's copy on disk is shorter than the feed")
    done += n
  }
  return block
}

/**
 * The feed's blocks read back from a copy in `dir` (synchronously: an event is built when it is
 * taken). A block asked for after the scope closed fails, never reads what another file now holds.
 */
export const spool = (dir: string, bytes: Uint8Array): Effect.Effect<BlockSource, SpoolError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: (): Copy => ({ fd: copyToDisk(dir, bytes), open: true }),
      catch: (e) => new SpoolError({ reason: e instanceof Error ? e.message : String(e) })
    }),
    close
  ).pipe(Effect.map(readBack))
