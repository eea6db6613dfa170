import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either } from "effect"
import { AppConfig, describeConfigError, parseByteSize } from "../../src/Config.js"

const load = (env: Record<string, string>) =>
  Effect.withConfigProvider(AppConfig.load, ConfigProvider.fromMap(new Map(Object.entries(env)))).pipe(Effect.either)

describe("input limits in the configuration", () => {
  it("reads sizes with or without a unit, in binary multiples", () => {
    expect(parseByteSize("20MB")).toBe(20 * 1024 * 1024)
    expect(parseByteSize("25 mb")).toBe(25 * 1024 * 1024)
    expect(parseByteSize("512K")).toBe(512 * 1024)
    expect(parseByteSize("1.5GB")).toBe(1.5 * 1024 ** 3)
    expect(parseByteSize("1048576")).toBe(1048576)
    expect(parseByteSize("100B")).toBe(100)
    for (const bad of ["", "0", "lots", "-1MB", "20 TB", "MB"]) expect(parseByteSize(bad)).toBeUndefined()
  })

  it.effect("defaults: 20 MB per feed, 50 occurrences per series, 25 MB per mail", () =>
    Effect.gen(function*() {
      const config = Either.getOrThrow(yield* load({}))
      expect(config.icalMaxBytes).toBe(20 * 1024 * 1024)
      expect(config.maxOccurrencesPerSeries).toBe(50)
      expect(config.inboxMaxBytes).toBe(25 * 1024 * 1024)
    }))

  it.effect("a bad value is named in one line", () =>
    Effect.gen(function*() {
      const line = (env: Record<string, string>) => Either.match(Effect.runSync(load(env)), { onLeft: describeConfigError, onRight: () => "" })
      expect(line({ INBOX_MAX_BYTES: "huge" })).toBe(
        "invalid configuration: INBOX_MAX_BYTES: must be a size like 20MB, 512KB or a number of bytes"
      )
      expect(line({ MAX_OCCURRENCES_PER_SERIES: "0" })).toBe(
        "invalid configuration: MAX_OCCURRENCES_PER_SERIES: must be a whole number greater than zero"
      )
      const config = Either.getOrThrow(yield* load({ MAX_OCCURRENCES_PER_SERIES: "7", ICAL_MAX_BYTES: "1MB" }))
      expect([config.maxOccurrencesPerSeries, config.icalMaxBytes]).toEqual([7, 1024 * 1024])
    }))
})
