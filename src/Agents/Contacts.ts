/**
 * The contacts port: who a person is, by e-mail address. Adapter: `Integrations/VCardContacts`.
 */
import { Context, type Effect, type Option } from "effect"

export interface Contact {
  readonly email: string
  readonly name: string | undefined
  readonly company: string | undefined
}

export class Contacts extends Context.Tag("Agents/Contacts")<Contacts, {
  /** Case-insensitive on the address. */
  readonly lookup: (email: string) => Effect.Effect<Option.Option<Contact>>
}>() {}
