import { createHash } from "node:crypto"
import type { CalendarEvent } from "./CalendarEvent.js"

/**
 * The content that makes an event "the same meeting": editing any of it, or moving the meeting,
 * makes it a new version that is handled again.
 */
export const eventFingerprint = (event: CalendarEvent): string =>
  createHash("sha256").update(JSON.stringify([
    event.summary,
    event.description,
    event.location,
    event.start,
    event.end ?? null,
    event.allDay,
    [...event.urls].sort(),
    event.organizer?.email?.toLowerCase() ?? null,
    event.attendees.map((a) => a.email?.toLowerCase() ?? a.name ?? "").sort()
  ])).digest("hex")
