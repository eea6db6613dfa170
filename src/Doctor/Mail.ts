/** `doctor`'s mail line: where requests go and replies come from. */
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { Inbox } from "../Agents/Inbox.js"
import { MailDirInboxLive } from "../Integrations/MailDir.js"
import type { Probe, ProbeContext } from "./Probe.js"

export const mailProbes = ({ config, env }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "mail",
  check: Effect.gen(function*() {
    const inbox = yield* Inbox
    const waiting = yield* inbox.list
    return `mail as files: ${path.resolve(config.logStorageDir, "outbox")}; ${waiting.length} mail(s) waiting in inbox/`
  }).pipe(Effect.provide(MailDirInboxLive.pipe(Layer.provide(env))))
}]
