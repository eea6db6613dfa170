/**
 * Contacts as configured: with CALENDAR_PROVIDER=google, Google's contacts and directory (then
 * VCARD_FILE when set); otherwise a vCard file (VCARD_FILE, the example's by default).
 */
import { type ConfigError, Effect, Layer } from "effect"
import { AppConfig } from "../src/Config.js"
import { googleConfig } from "../src/Integrations/Google/GoogleConfig.js"
import type * as Google from "../src/Integrations/Google/Live.js"
import { VCardContactsLive } from "../src/Integrations/VCardContacts.js"

type Chosen = Layer.Layer<
  Layer.Layer.Success<typeof VCardContactsLive>,
  Layer.Layer.Error<typeof VCardContactsLive> | Layer.Layer.Error<typeof Google.GooglePeopleLive>,
  Layer.Layer.Context<typeof VCardContactsLive> | Layer.Layer.Context<typeof Google.GooglePeopleLive>
>

export const ContactsFromConfig = Layer.unwrapEffect(Effect.gen(function*(): Effect.fn.Return<Chosen, ConfigError.ConfigError, AppConfig> {
  const config = yield* AppConfig
  if (config.calendarProvider !== "google") return VCardContactsLive
  // Google's adapter is loaded only when it is used; a configuration it cannot run on fails first,
  // before the other adapters are built.
  yield* googleConfig
  const google: typeof Google = yield* Effect.promise(() => import("../src/Integrations/Google/Live.js"))
  return google.GooglePeopleLive
}))
