/**
 * The IMAP variables: nothing without IMAP_HOST, defaults that follow the port, and a bad or
 * missing value named in one line (the start fails with it).
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import { describeConfigError } from "../../src/Config.js"
import { imapConfig } from "../../src/Integrations/Imap/ImapConfig.js"

const read = (env: Record<string, string>) =>
  Effect.either(Effect.withConfigProvider(imapConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))))

describe("IMAP configuration", () => {
  it.effect("no IMAP_HOST (or an empty one): replies stay files", () =>
    Effect.gen(function*() {
      expect(yield* read({})).toEqual(Either.right(Option.none()))
      expect(yield* read({ IMAP_HOST: " ", IMAP_USERNAME: "x" })).toEqual(Either.right(Option.none()))
    }))

  it.effect("defaults: TLS on 993, INBOX, no processed mailbox; port 143 means STARTTLS", () =>
    Effect.gen(function*() {
      const tls = yield* read({ IMAP_HOST: "imap.ourco.test", IMAP_USERNAME: "li@ourco.test", IMAP_PASSWORD: "pw" })
      expect(Either.map(tls, Option.map((c) => [c.port, c.secure, c.mailbox, Option.isNone(c.processedMailbox), Redacted.value(c.password)])))
        .toEqual(Either.right(Option.some([993, true, "INBOX", true, "pw"])))
      const plain = yield* read({ IMAP_HOST: "imap.ourco.test", IMAP_PORT: "143", IMAP_USERNAME: "li", IMAP_PASSWORD: "pw", IMAP_PROCESSED_MAILBOX: "Done" })
      expect(Either.map(plain, Option.map((c) => [c.port, c.secure, c.processedMailbox])))
        .toEqual(Either.right(Option.some([143, false, Option.some("Done")])))
    }))

  it.effect("a missing password or user, a bad IMAP_SECURE or IMAP_PORT: one line naming the variable", () =>
    Effect.gen(function*() {
      const line = (env: Record<string, string>) => Effect.map(read(env), Either.match({ onLeft: describeConfigError, onRight: () => "accepted" }))
      expect(yield* line({ IMAP_HOST: "imap.ourco.test", IMAP_USERNAME: "li" })).toBe(
        "invalid configuration: IMAP_PASSWORD: required when IMAP_HOST is set"
      )
      expect(yield* line({ IMAP_HOST: "imap.ourco.test", IMAP_PASSWORD: "pw" })).toBe(
        "invalid configuration: IMAP_USERNAME: required when IMAP_HOST is set"
      )
      expect(yield* line({ IMAP_HOST: "h", IMAP_USERNAME: "li", IMAP_PASSWORD: "pw", IMAP_SECURE: "yes" })).toBe(
        "invalid configuration: IMAP_SECURE: must be true or false"
      )
      expect(yield* line({ IMAP_HOST: "h", IMAP_USERNAME: "li", IMAP_PASSWORD: "pw", IMAP_PORT: "99999" })).toBe(
        "invalid configuration: IMAP_PORT: must be a port number from 1 to 65535"
      )
    }))
})
