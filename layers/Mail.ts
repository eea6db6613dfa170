/**
 * Mail as configured: `.eml` files in outbox/ and inbox/ under LOG_STORAGE_DIR (the default).
 */
import { MailDirInboxLive, MailDirMailerLive } from "../src/Integrations/MailDir.js"

/** The outgoing mail adapter. */
export const MailerFromConfig = MailDirMailerLive

/** The incoming mail adapter. */
export const InboxFromConfig = MailDirInboxLive
