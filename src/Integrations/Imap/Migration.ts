/** IMAP: the mailbox's UIDVALIDITY and the last UID handled. */
import { Effect } from "effect"

export const mailCursorMigration = Effect.void
