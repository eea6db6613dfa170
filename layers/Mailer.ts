/** Outgoing mail as configured: `.eml` files in outbox/ under LOG_STORAGE_DIR (the default). */
import { MailDirMailerLive } from "../src/Integrations/MailDir.js"

export const MailerFromConfig = MailDirMailerLive
