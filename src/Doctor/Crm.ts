/** `doctor`'s CRM line: the configured CRM answers a look-up. */
import { Effect, Layer } from "effect"
import { Crm } from "../Agents/Crm.js"
import { LocalCrmLive } from "../Integrations/LocalCrm.js"
import type { Probe, ProbeContext } from "./Probe.js"

export const crmProbes = ({ config, env }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "crm",
  check: Effect.gen(function*() {
    const crm = yield* Crm
    yield* crm.findByDomain("doctor-check.invalid")
    return `${crm.provider} CRM (${config.localCrmFile})`
  }).pipe(Effect.provide(LocalCrmLive.pipe(Layer.provide(env))), Effect.scoped)
}]
