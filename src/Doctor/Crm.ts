/**
 * `doctor`'s CRM line: the local CRM answers a look-up; HubSpot accepts the token (which portal it
 * belongs to) and lets it read companies — or what is wrong, in one line.
 */
import { Effect, Layer, Option } from "effect"
import { Crm } from "../Agents/Crm.js"
import { describeConfigError } from "../Config.js"
import { makeApi } from "../Integrations/HubSpot/Api.js"
import { makeClient } from "../Integrations/HubSpot/Client.js"
import { crmConfig, type HubSpotConfig } from "../Integrations/HubSpot/HubSpotConfig.js"
import { LocalCrmLive } from "../Integrations/LocalCrm.js"
import type { Probe, ProbeContext } from "./Probe.js"

const hubSpot = (config: HubSpotConfig) =>
  Effect.gen(function*() {
    // One try each: doctor says what is wrong now rather than waiting it out.
    const api = makeApi(yield* makeClient({ ...config, maxAttempts: 1 }))
    // The portal's details need no scope of their own; a token that may not read them is still checked below.
    const account = yield* api.accountDetails.pipe(
      Effect.map(Option.some),
      Effect.catchIf((e) => e.kind === "scope", () => Effect.succeed(Option.none()))
    )
    yield* api.anyCompany
    const portal = Option.match(account, {
      onNone: () => "HubSpot",
      onSome: (a) => {
        const where = [a.uiDomain, a.dataHostingLocation].filter((p) => p !== undefined && p !== "").join(", ")
        return `HubSpot portal ${a.portalId}${where === "" ? "" : ` (${where})`}`
      }
    })
    return `${portal} at ${config.baseUrl}: the token is accepted and may read companies`
  })

export const crmProbes = ({ config, env }: ProbeContext): ReadonlyArray<Probe> => [{
  name: "crm",
  check: Effect.gen(function*() {
    // A bad setting reads as the start would say it: the variable, then what is wrong.
    const hubspot = yield* Effect.mapError(crmConfig, (e) => describeConfigError(e).replace(/^invalid configuration: /, ""))
    if (Option.isSome(hubspot)) return yield* hubSpot(hubspot.value)
    return yield* Effect.gen(function*() {
      const crm = yield* Crm
      yield* crm.findByDomain("doctor-check.invalid")
      return `${crm.provider} CRM (${config.localCrmFile})`
    }).pipe(Effect.provide(LocalCrmLive.pipe(Layer.provide(env))), Effect.scoped)
  }).pipe(Effect.provide(env))
}]
