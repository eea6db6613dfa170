/**
 * Reading input whose size we do not control (a calendar feed, a dropped-in mail) with a ceiling:
 * past the limit the read fails without holding more than the limit in memory.
 */
import { Effect, Stream } from "effect"

const MB = 1024 * 1024

/** For messages: `20 MB`, `512 KB`, `900 bytes`. */
export const formatBytes = (n: number): string =>
  n >= MB ? `${Number((n / MB).toFixed(1))} MB` : n >= 1024 ? `${Number((n / 1024).toFixed(1))} KB` : `${n} bytes`

/** The bytes of `stream`; one byte past `max` it fails with `tooLarge()` and the stream is closed. */
export const collectAtMost = <E, E2>(
  stream: Stream.Stream<Uint8Array, E>,
  max: number,
  tooLarge: () => E2
): Effect.Effect<Uint8Array, E | E2> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return stream.pipe(
      Stream.runForEach((chunk) => {
        size += chunk.length
        if (size > max) return Effect.fail(tooLarge())
        chunks.push(chunk)
        return Effect.void
      }),
      Effect.map((): Uint8Array => Buffer.concat(chunks, size))
    )
  })
