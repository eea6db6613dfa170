/** Google Calendar: sync tokens and the synced copy of each calendar's window. */
import { Effect } from "effect"

export const googleSyncMigration = Effect.void
