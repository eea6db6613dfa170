/**
 * Files under LOG_STORAGE_DIR are never half-written: write a temporary file beside the target,
 * flush it to disk, then rename it over the target (rename is atomic on one file system).
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"
import * as path from "node:path"
import { randomUUID } from "node:crypto"

export const writeFileAtomic = Effect.fn("AtomicFile.write")(function*(
  fs: FileSystem.FileSystem,
  target: string,
  content: string | Uint8Array
) {
  yield* fs.makeDirectory(path.dirname(target), { recursive: true })
  const temp = `${target}.${randomUUID()}.tmp`
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
  yield* Effect.scoped(Effect.gen(function*() {
    const file = yield* fs.open(temp, { flag: "w" })
    yield* file.writeAll(bytes)
    yield* file.sync
  })).pipe(
    Effect.zipRight(fs.rename(temp, target)),
    Effect.tapError(() => fs.remove(temp).pipe(Effect.ignore))
  )
}, (effect): Effect.Effect<void, PlatformError> => effect)

export const writeJsonAtomic = (fs: FileSystem.FileSystem, target: string, value: unknown) =>
  writeFileAtomic(fs, target, JSON.stringify(value, null, 2) + "\n")
