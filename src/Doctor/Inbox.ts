/** `doctor`'s inbox line: where replies come from (the IMAP mailbox, or inbox/ files), and how many wait. */
import { Effect, Layer, Option } from "effect"
import * as path from "node:path"
import { Inbox } from "../Agents/Inbox.js"
import { imapConfig } from "../Integrations/Imap/ImapConfig.js"
import { MailDirInboxLive } from "../Integrations/MailDir.js"
import type { Probe, ProbeContext } from "./Probe.js"

const mailDirLine = ({ config, env }: ProbeContext) =>
  Effect.gen(function*() {
    const inbox = yield* Inbox
    const waiting = yield* inbox.list
    return `mail as files: ${path.resolve(config.logStorageDir, "inbox")}; ${waiting.length} mail(s) waiting`
  }).pipe(Effect.provide(MailDirInboxLive.pipe(Layer.provide(env))))

export const inboxProbes = (context: ProbeContext): ReadonlyArray<Probe> => [{
  name: "inbox",
  check: Effect.gen(function*() {
    const imap = yield* imapConfig
    if (Option.isNone(imap)) return yield* mailDirLine(context)
    const { probeImap } = yield* Effect.promise(() => import("../Integrations/Imap/Probe.js"))
    return yield* probeImap(imap.value)
  })
}]
