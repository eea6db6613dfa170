/** HubSpot: the ids created for each delivery, so a re-run finds them by id. */
import { Effect } from "effect"

export const hubSpotDeliveryMigration = Effect.void
