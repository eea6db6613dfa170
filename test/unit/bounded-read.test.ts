/**
 * A bounded read gives the stream's bytes whole — with its size known beforehand, also when the
 * stream brings more or fewer than that — and fails one byte past the limit.
 */
import { it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import { describe, expect } from "vitest"
import { collectAtMost } from "../../src/Integrations/BoundedRead.js"

const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) % 251)
const chunked = (all: Uint8Array, size: number) =>
  Stream.fromIterable(Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.subarray(i * size, (i + 1) * size)))
const tooLarge = () => "too large" as const

describe("collectAtMost", () => {
  const all = bytes(10_000)

  it.effect("gives the bytes whole, whatever size was expected", () =>
    Effect.gen(function*() {
      for (const expected of [undefined, 0, 10_000, 4_000, 25_000]) {
        const got = yield* collectAtMost(chunked(all, 1_024), 20_000, tooLarge, expected)
        expect([...got], `expected ${expected}`).toEqual([...all])
      }
    }))

  it.effect("fails one byte past the limit, with or without an expected size", () =>
    Effect.gen(function*() {
      for (const expected of [undefined, 9_999, 10_000]) {
        const result = yield* Effect.either(collectAtMost(chunked(all, 700), 9_999, tooLarge, expected))
        expect(result).toEqual(Either.left("too large"))
      }
      const exact = yield* collectAtMost(chunked(all, 700), 10_000, tooLarge, 10_000)
      expect(exact.length).toBe(10_000)
    }))
})
