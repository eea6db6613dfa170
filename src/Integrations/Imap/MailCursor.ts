/**
 * What has been read of one IMAP mailbox, in the workflow database (tables of Migration.ts), so a
 * restart, a reconnect or a second runner never decides on a message twice:
 * - the cursor: the mailbox's UIDVALIDITY and the UID below which every message is decided;
 * - a claim per message, won by one reader only (an insert on its key), and its outcome once decided.
 * A claim whose reader died undecided is taken over after `lease`.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Duration, Effect, Option } from "effect"

export interface Cursor {
  readonly uidValidity: string
  readonly lastUid: number
}

export const makeMailCursor = (sql: SqlClient.SqlClient, mailbox: string, owner: string, lease: Duration.Duration) => {
  const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())
  const keyOf = (uidValidity: string, uid: number) => `${mailbox}/${uidValidity}/${uid}`

  const get = sql<{ uid_validity: string; last_uid: number | string }>`SELECT uid_validity, last_uid FROM li_mail_cursor
    WHERE mailbox = ${mailbox}`.pipe(
    Effect.map((rows) =>
      Option.map(Option.fromNullable(rows[0]), (row): Cursor => ({ uidValidity: String(row.uid_validity), lastUid: Number(row.last_uid) }))
    )
  )

  /** Moves the cursor on; never back within the same UIDVALIDITY (another runner may be ahead). */
  const advance = (cursor: Cursor) =>
    Effect.flatMap(now, (at) =>
      sql`INSERT INTO li_mail_cursor ${
        sql.insert({ mailbox, uid_validity: cursor.uidValidity, last_uid: cursor.lastUid, updated_at: at })
      } ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
        updated_at = excluded.updated_at
        WHERE li_mail_cursor.uid_validity <> excluded.uid_validity OR li_mail_cursor.last_uid < excluded.last_uid`)

  /** true: this reader may decide on the message (its own earlier claim counts, a stale one is taken over). */
  const claim = (uidValidity: string, uid: number) =>
    Effect.gen(function*() {
      const at = yield* now
      const staleBefore = new Date(Date.parse(at) - Duration.toMillis(lease)).toISOString()
      const won = yield* sql<{ mail_key: string }>`INSERT INTO li_mail_claims ${
        sql.insert({ mail_key: keyOf(uidValidity, uid), mailbox, uid_validity: uidValidity, uid, owner, claimed_at: at })
      } ON CONFLICT (mail_key) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at
        WHERE li_mail_claims.outcome IS NULL
        AND (li_mail_claims.owner = excluded.owner OR li_mail_claims.claimed_at < ${staleBefore})
        RETURNING mail_key`
      return won.length > 0
    })

  /** The message is decided: `processed`, `rejected: …`, or `gone` (no longer in the mailbox). */
  const finish = (uidValidity: string, uid: number, outcome: string) =>
    sql`UPDATE li_mail_claims SET outcome = ${outcome.slice(0, 500)} WHERE mail_key = ${keyOf(uidValidity, uid)}`

  /** The decided messages above `after`: listed no more, and the cursor moves past them. */
  const decidedAfter = (uidValidity: string, after: number) =>
    sql<{ uid: number | string }>`SELECT uid FROM li_mail_claims WHERE mailbox = ${mailbox}
      AND uid_validity = ${uidValidity} AND uid > ${after} AND outcome IS NOT NULL`.pipe(
      Effect.map((rows) => new Set(rows.map((row) => Number(row.uid))))
    )

  return { get, advance, claim, finish, decidedAfter } as const
}
