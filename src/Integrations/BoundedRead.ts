/**
 * Reading input whose size we do not control (a calendar feed, a dropped-in mail) with a ceiling:
 * past the limit the read fails without holding more than the limit in memory.
 */
import { Effect, Stream } from "effect"

const MB = 1024 * 1024

/** For messages: `20 MB`, `512 KB`, `900 bytes`. */
export const formatBytes = (n: number): string =>
  n >= MB ? `${Number((n / MB).toFixed(1))} MB` : n >= 1024 ? `${Number((n / 1024).toFixed(1))} KB` : `${n} bytes`

/**
 * The bytes of `stream`; one byte past `max` it fails with `tooLarge()` and the stream is closed.
 * With `expected` (a file's size, a declared Content-Length) the chunks are copied into one buffer
 * as they come, so a large feed is never held twice (its chunks and their concatenation).
 */
export const collectAtMost = <E, E2>(
  stream: Stream.Stream<Uint8Array, E>,
  max: number,
  tooLarge: () => E2,
  expected?: number
): Effect.Effect<Uint8Array, E | E2> =>
  Effect.suspend(() => {
    let whole = expected !== undefined && expected > 0 && expected <= max ? Buffer.allocUnsafe(expected) : undefined
    const chunks: Array<Uint8Array> = []
    let size = 0
    return stream.pipe(
      Stream.runForEach((chunk) => {
        if (size + chunk.length > max) return Effect.fail(tooLarge())
        if (whole !== undefined && size + chunk.length <= whole.length) whole.set(chunk, size)
        else {
          // More than was expected (a file that grew, a wrong Content-Length): chunks from here on.
          if (whole !== undefined) chunks.push(whole.subarray(0, size))
          whole = undefined
          chunks.push(chunk)
        }
        size += chunk.length
        return Effect.void
      }),
      Effect.map((): Uint8Array => (whole !== undefined ? whole.subarray(0, size) : Buffer.concat(chunks, size)))
    )
  })
