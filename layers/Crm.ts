/**
 * The CRM as configured by CRM_PROVIDER: `local` (the default: SQLite, seeded from
 * LOCAL_CRM_FILE) or `hubspot` (HUBSPOT_ACCESS_TOKEN; its delivery state lives in the workflow
 * database, so it needs the app's SqlClient).
 */
import type { FileSystem } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type ConfigError, Effect, Layer, Option } from "effect"
import type { Crm } from "../src/Agents/Crm.js"
import type { AppConfig } from "../src/Config.js"
import { crmConfig } from "../src/Integrations/HubSpot/HubSpotConfig.js"
import type * as HubSpot from "../src/Integrations/HubSpot/HubSpotCrm.js"
import { LocalCrmLive, type LocalCrmError } from "../src/Integrations/LocalCrm.js"

type CrmLayer = Layer.Layer<
  Crm,
  LocalCrmError | SqlError,
  AppConfig | FileSystem.FileSystem | SqlClient.SqlClient
>

export const CrmFromConfig: Layer.Layer<Crm, LocalCrmError | SqlError | ConfigError.ConfigError, Layer.Layer.Context<CrmLayer>> =
  Layer.unwrapEffect(Effect.gen(function*(): Effect.fn.Return<CrmLayer, ConfigError.ConfigError> {
    const config = yield* crmConfig
    if (Option.isNone(config)) return LocalCrmLive
    // HubSpot's client is loaded only when it is used.
    const hubspot: typeof HubSpot = yield* Effect.promise(() => import("../src/Integrations/HubSpot/HubSpotCrm.js"))
    return hubspot.HubSpotCrmLive(config.value)
  }))
