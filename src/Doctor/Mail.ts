/** `doctor`'s mail line: where requests go. */
import { Effect } from "effect"
import * as path from "node:path"
import type { Probe, ProbeContext } from "./Probe.js"

export const mailProbes = ({ config }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "mail",
  check: Effect.succeed(`mail as files: ${path.resolve(config.logStorageDir, "outbox")}`)
}]
