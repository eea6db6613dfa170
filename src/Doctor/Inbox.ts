/** `doctor`'s inbox line: where replies come from, and how many wait. */
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { Inbox } from "../Agents/Inbox.js"
import { MailDirInboxLive } from "../Integrations/MailDir.js"
import type { Probe, ProbeContext } from "./Probe.js"

export const inboxProbes = ({ config, env }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "inbox",
  check: Effect.gen(function*() {
    const inbox = yield* Inbox
    const waiting = yield* inbox.list
    return `mail as files: ${path.resolve(config.logStorageDir, "inbox")}; ${waiting.length} mail(s) waiting`
  }).pipe(Effect.provide(MailDirInboxLive.pipe(Layer.provide(env))))
}]
