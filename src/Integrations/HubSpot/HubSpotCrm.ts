/**
 * The CRM port on HubSpot (CRM_PROVIDER=hubspot): look-ups for research (Lookup.ts), similar
 * companies by search, and dossier delivery exactly once (Delivery.ts), over HubSpot's API with
 * its limits (Client.ts). What makes delivery happen once is kept in the workflow database, next
 * to the workflows themselves (the app's SqlClient: SQLite, or PostgreSQL when scaled out).
 */
import { FileSystem } from "@effect/platform"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer } from "effect"
import { Crm, CrmError } from "../../Agents/Crm.js"
import type { CrmNote, SimilarTarget } from "../../Domain/Crm.js"
import type { StorageError } from "../../Storage/StorageError.js"
import { makeApi } from "./Api.js"
import { type HubSpotError, HubSpotHttpClient, makeClient } from "./Client.js"
import { makeDelivery } from "./Delivery.js"
import { describeHubSpotConfig, type HubSpotConfig } from "./HubSpotConfig.js"
import { makeLookup } from "./Lookup.js"
import { hubSpotDeliveryMigration } from "./Migration.js"
import { makeStore } from "./Store.js"

const asCrmError = <A, R>(effect: Effect.Effect<A, HubSpotError | StorageError, R>) =>
  Effect.mapError(effect, (error) => new CrmError({ reason: error.message }))

export const make = (config: HubSpotConfig) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const fs = yield* FileSystem.FileSystem
    // Normally made by the app's migrations already; an app embedding the adapter on its own database gets them here.
    yield* hubSpotDeliveryMigration.pipe(Effect.orDie)
    const client = yield* makeClient(config)
    const api = makeApi(client)
    const store = makeStore(sql)
    const lookup = makeLookup(api, store)
    const delivery = makeDelivery({ api, store, config, fs })
    yield* Effect.logInfo(`CRM: HubSpot at ${describeHubSpotConfig(config)}`)

    const findByDomain = Effect.fn("HubSpotCrm.findByDomain")(function*(domain: string) {
      return yield* asCrmError(lookup.findByDomain(domain))
    })
    const similarCandidates = Effect.fn("HubSpotCrm.similarCandidates")(function*(target: SimilarTarget, limit: number) {
      return yield* asCrmError(lookup.similarCandidates(target, limit))
    })
    const deliver = Effect.fn("HubSpotCrm.deliver")(function*(note: CrmNote) {
      return yield* asCrmError(delivery.deliver(note))
    })

    return {
      crm: Crm.of({ provider: "hubspot", findByDomain, similarCandidates, deliver }),
      /** Requests sent so far, retries included (for the bench). */
      requestsSent: client.sent
    }
  })

/** The adapter over the given HttpClient (tests and the bench count what it sends). */
export const layerWithHttp = (config: HubSpotConfig): Layer.Layer<
  Crm,
  never,
  SqlClient.SqlClient | FileSystem.FileSystem | HttpClient.HttpClient
> => Layer.effect(Crm, Effect.map(make(config), (made) => made.crm))

/** The adapter on the proxy-aware fetch client. */
export const HubSpotCrmLive = (config: HubSpotConfig): Layer.Layer<Crm, never, SqlClient.SqlClient | FileSystem.FileSystem> =>
  layerWithHttp(config).pipe(Layer.provide(HubSpotHttpClient))
