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
import { HubSpotCrmLive } from "../src/Integrations/HubSpot/HubSpotCrm.js"
import { LocalCrmLive, type LocalCrmError } from "../src/Integrations/LocalCrm.js"

type CrmLayer = Layer.Layer<
  Crm,
  LocalCrmError | SqlError,
  AppConfig | FileSystem.FileSystem | SqlClient.SqlClient
>

export const CrmFromConfig: Layer.Layer<Crm, LocalCrmError | SqlError | ConfigError.ConfigError, Layer.Layer.Context<CrmLayer>> =
  Layer.unwrapEffect(Effect.map(crmConfig, Option.match({
    onNone: (): CrmLayer => LocalCrmLive,
    onSome: (config): CrmLayer => HubSpotCrmLive(config)
  })))
