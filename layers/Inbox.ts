/**
 * Incoming mail as configured: the IMAP mailbox when IMAP_HOST is set (the adapter, and imapflow
 * under it, loaded only then), otherwise `.eml` files dropped into inbox/ under LOG_STORAGE_DIR.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as SqlClient from "@effect/sql/SqlClient"
import { type ConfigError, Effect, Layer, Option } from "effect"
import type { Inbox } from "../src/Agents/Inbox.js"
import type { AppConfig } from "../src/Config.js"
import { imapConfig } from "../src/Integrations/Imap/ImapConfig.js"
import { MailDirInboxLive } from "../src/Integrations/MailDir.js"

type InboxLayer = Layer.Layer<Inbox, never, AppConfig | FileSystem.FileSystem | SqlClient.SqlClient>

export const InboxFromConfig = Layer.unwrapEffect(Effect.gen(function*(): Effect.fn.Return<InboxLayer, ConfigError.ConfigError> {
  const imap = yield* imapConfig
  if (Option.isNone(imap)) return MailDirInboxLive
  const { ImapInboxLive } = yield* Effect.promise(() => import("../src/Integrations/Imap/ImapInbox.js"))
  return ImapInboxLive(imap.value)
}))
