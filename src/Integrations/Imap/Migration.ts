/**
 * IMAP: the mailbox's UIDVALIDITY and the last UID handled (`li_mail_cursor`), and one claim per
 * message (`li_mail_claims`) that only one reader can win before it decides on the message.
 * Portable SQL (SQLite and PostgreSQL); UIDs reach 2^32 - 1, so BIGINT.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

export const mailCursorMigration: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // `mailbox` is the account and folder (user@host:port/INBOX): one row per mailbox read.
  yield* sql`CREATE TABLE IF NOT EXISTS li_mail_cursor (
    mailbox TEXT PRIMARY KEY, uid_validity TEXT NOT NULL, last_uid BIGINT NOT NULL, updated_at TEXT NOT NULL)`
  // `mail_key` is mailbox + UIDVALIDITY + UID; `outcome` stays NULL until the message is decided on.
  yield* sql`CREATE TABLE IF NOT EXISTS li_mail_claims (
    mail_key TEXT PRIMARY KEY, mailbox TEXT NOT NULL, uid_validity TEXT NOT NULL, uid BIGINT NOT NULL,
    owner TEXT NOT NULL, claimed_at TEXT NOT NULL, outcome TEXT)`
  yield* sql`CREATE INDEX IF NOT EXISTS li_mail_claims_mailbox ON li_mail_claims (mailbox, uid_validity, uid)`
})
