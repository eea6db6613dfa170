/** The CRM port. Adapters: LocalCrm (SQLite, seeded from a CSV) and HubSpot (Integrations/HubSpot). */
import { Context, type Effect, type Option, Schema } from "effect"
import type { CrmCompany, CrmCompanyProfile, CrmDelivery, CrmNote, SimilarTarget } from "../Domain/Crm.js"

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
  /**
   * Up to `limit` of the CRM's companies, for finding similar ones. A CRM adapter that cannot list
   * its companies leaves it out; research then reports no similar companies, saying why.
   */
  readonly listCompanies?: (limit: number) => Effect.Effect<ReadonlyArray<CrmCompanyProfile>, CrmError>
  /**
   * Up to `limit` companies that may be like `target`, chosen by the CRM (by industry, size and
   * country): for a CRM too large to list, or whose API limits make listing it dear. Research
   * uses it instead of `listCompanies` when an adapter has it, and scores what comes back.
   */
  readonly similarCandidates?: (
    target: SimilarTarget,
    limit: number
  ) => Effect.Effect<ReadonlyArray<CrmCompanyProfile>, CrmError>
  /** Creates the company when the CRM does not know it yet. Idempotent on `note.key`. */
  readonly deliver: (note: CrmNote) => Effect.Effect<CrmDelivery, CrmError>
}>() {}
