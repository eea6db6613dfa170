/** Incoming mail as configured: `.eml` files dropped into inbox/ under LOG_STORAGE_DIR (the default). */
import { MailDirInboxLive } from "../src/Integrations/MailDir.js"

export const InboxFromConfig = MailDirInboxLive
