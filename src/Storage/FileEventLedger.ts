/**
 * The event ledger as one JSON file (`state/processed_events.json`), kept in memory and written
 * through atomically after each change.
 */
import { FileSystem } from "@effect/platform"
import { Effect, Layer, Option, Schema } from "effect"
import * as path from "node:path"
import { EventLedger, LedgerEntry } from "../Agents/EventLedger.js"
import { AppConfig } from "../Config.js"
import { writeJsonAtomic } from "./AtomicFile.js"

const LedgerFile = Schema.parseJson(Schema.Struct({
  version: Schema.Literal(1),
  entries: Schema.Record({ key: Schema.String, value: LedgerEntry })
}))

const keyOf = (calendarId: string, eventId: string) => `${calendarId}\u0000${eventId}`

export const FileEventLedgerLive = Layer.effect(
  EventLedger,
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppConfig
    const file = path.join(config.logStorageDir, "state", "processed_events.json")
    const entries = new Map<string, LedgerEntry>()

    if (yield* fs.exists(file)) {
      const loaded = yield* fs.readFileString(file).pipe(Effect.flatMap(Schema.decodeUnknown(LedgerFile)), Effect.either)
      if (loaded._tag === "Right") {
        for (const [k, v] of Object.entries(loaded.right.entries)) entries.set(k, v)
      } else {
        // Keep the unreadable file for inspection; starting empty only means events are looked at again.
        const aside = `${file}.corrupt-${Date.now()}`
        yield* fs.rename(file, aside)
        yield* Effect.logWarning(`event ledger ${file} was unreadable; moved to ${aside} and starting afresh`)
      }
    }

    const lock = yield* Effect.makeSemaphore(1)
    const persist = Effect.suspend(() => writeJsonAtomic(fs, file, { version: 1, entries: Object.fromEntries(entries) }))

    return EventLedger.of({
      lookup: (calendarId, eventId) => Effect.sync(() => Option.fromNullable(entries.get(keyOf(calendarId, eventId)))),
      record: (calendarId, eventId, entry) =>
        lock.withPermits(1)(
          Effect.sync(() => entries.set(keyOf(calendarId, eventId), entry)).pipe(Effect.zipRight(persist))
        ).pipe(Effect.orDie, Effect.withSpan("EventLedger.record"))
    })
  })
)
