/** The CRM port. Adapters: LocalCrm (SQLite, seeded from a CSV), later HubSpot. */
import { Context, type Effect, type Option, Schema } from "effect"
import type { CrmCompany, CrmDelivery, CrmNote } from "../Domain/Crm.js"

export class CrmError extends Schema.TaggedError<CrmError>()("CrmError", {
  reason: Schema.String
}) {
  override get message() {
    return `CRM: ${this.reason}`
  }
}

export class Crm extends Context.Tag("Agents/Crm")<Crm, {
  readonly provider: string
  /** By normalised web domain. */
  readonly findByDomain: (domain: string) => Effect.Effect<Option.Option<CrmCompany>, CrmError>
  /** Creates the company when the CRM does not know it yet. Idempotent on `note.key`. */
  readonly deliver: (note: CrmNote) => Effect.Effect<CrmDelivery, CrmError>
}>() {}
