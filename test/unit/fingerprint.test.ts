import { describe, expect, it } from "@effect/vitest"
import { Person } from "../../src/Domain/CalendarEvent.js"
import { eventFingerprint } from "../../src/Domain/Fingerprint.js"
import { makeEvent } from "../fixtures/events.js"

describe("event fingerprint", () => {
  const base = makeEvent({
    summary: "Discovery call with Acme",
    attendees: [new Person({ email: "a@acme.io" }), new Person({ email: "b@acme.io" })]
  })

  it("is the same for the same content, whatever the attendee order or address case", () => {
    const reordered = makeEvent({
      summary: "Discovery call with Acme",
      attendees: [new Person({ email: "B@acme.io" }), new Person({ email: "a@acme.io" })]
    })
    expect(eventFingerprint(reordered)).toBe(eventFingerprint(base))
  })

  it("changes when the meeting is edited or moved", () => {
    const fp = eventFingerprint(base)
    expect(eventFingerprint(makeEvent({ ...base, summary: "Discovery call with Acme Inc" }))).not.toBe(fp)
    expect(eventFingerprint(makeEvent({ ...base, description: "new agenda" }))).not.toBe(fp)
    expect(eventFingerprint(makeEvent({ ...base, start: "2030-01-01T10:00:00.000Z" }))).not.toBe(fp)
    expect(eventFingerprint(makeEvent({ ...base, location: "Berlin" }))).not.toBe(fp)
    expect(eventFingerprint(makeEvent({ ...base, attendees: [new Person({ email: "c@acme.io" })] }))).not.toBe(fp)
  })
})
