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
  const temp = `${target}.${randomUUID()}.tmp`
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
  // The folder is made only when it is missing: most writes go to one that exists.
  const open = fs.open(temp, { flag: "w" })
  yield* Effect.scoped(Effect.gen(function*() {
    const file = yield* open.pipe(Effect.catchIf(
      (error) => error._tag === "SystemError" && error.reason === "NotFound",
      () => Effect.zipRight(fs.makeDirectory(path.dirname(target), { recursive: true }), open)
    ))
    yield* file.writeAll(bytes)
    yield* file.sync
  })).pipe(
    Effect.zipRight(fs.rename(temp, target)),
    Effect.tapError(() => fs.remove(temp).pipe(Effect.ignore))
  )
}, (effect): Effect.Effect<void, PlatformError> => effect)

export const writeJsonAtomic = (fs: FileSystem.FileSystem, target: string, value: unknown) =>
  writeFileAtomic(fs, target, JSON.stringify(value, null, 2) + "\n")
