/**
 * The run summary written in pieces is the same text as written whole: whatever its events hold
 * (nested objects, arrays, odd characters, undefined and null), with or without events.
 */
import { describe, expect, it } from "vitest"
import { prettyJsonChunks } from "../../src/Storage/PrettyJson.js"

const whole = (value: unknown) => JSON.stringify(value, null, 2) + "\n"
const pieces = (value: { events: ReadonlyArray<unknown> }) => [...prettyJsonChunks(value, "events")].join("")

describe("pretty JSON in pieces", () => {
  it("writes the same text as JSON.stringify, events in the middle of other fields", () => {
    const summary = {
      run_id: "run-1",
      status: "partial",
      error: { type: "X", message: "line\nbreak \"quoted\" \u2028 ü 😀" },
      events: [
        { event_id: "a", status: "delivered", company: { name: "Müller", domain: "mueller.de" }, tags: [1, [2, { x: null }]] },
        { event_id: "b", status: "no_trigger", skipped: undefined, nothing: null, empty: {}, none: [] },
        "a plain string",
        42,
        null
      ],
      skipped_occurrences: 3,
      skipped_series: [{ series_id: "s", kept: 1 }]
    }
    expect(pieces(summary)).toBe(whole(summary))
  })

  it("with no events, one event, and events last", () => {
    for (const summary of [{ run_id: "r", events: [] }, { run_id: "r", events: [{ a: 1 }] }, { events: [{ a: [] }, { b: {} }] }]) {
      expect(pieces(summary)).toBe(whole(summary))
    }
  })

  it("a class instance's own fields, as JSON.stringify takes them", () => {
    class Outcome {
      constructor(readonly event_id: string, readonly status: string) {}
    }
    const summary = { run_id: "r", events: [new Outcome("e1", "delivered"), new Outcome("e2", "failed")] }
    expect(pieces(summary)).toBe(whole(summary))
  })
})
