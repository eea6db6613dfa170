/**
 * The adapters as configured; by default everything on this machine. The calendar, the CRM and
 * mail are chosen in layers/Calendar.ts, layers/Crm.ts, layers/Mailer.ts and layers/Inbox.ts (by default the
 * example iCalendar file or ICAL_URL, the local CRM on SQLite seeded from a CSV, mail as files in
 * outbox/ and inbox/); contacts (layers/Contacts.ts) from a vCard file; durable workflows on SQLite under
 * LOG_STORAGE_DIR. Research reads the company's website (RESEARCH_*, through HTTP(S)_PROXY when
 * set) and uses an LLM when OPENAI_API_KEY or OPENAI_BASE_URL is set.
 */
import { Effect, Layer, Option } from "effect"
import { Llm } from "../src/Agents/Llm.js"
import { WebsiteResearchOff } from "../src/Agents/Research/WebsiteOff.js"
import { AppConfig, type AppConfigShape } from "../src/Config.js"
import { llmConfig } from "../src/Integrations/Llm/LlmConfig.js"
import { WebsiteResearchLive } from "../src/Integrations/Website/Live.js"
import { SqlEventLedgerLive } from "../src/Storage/SqlEventLedger.js"
import { makeApp } from "./App.js"
import { CalendarFromConfig } from "./Calendar.js"
import { ContactsFromConfig } from "./Contacts.js"
import { CrmFromConfig } from "./Crm.js"
import { SqliteEngineLive } from "./Engine.js"
import { InboxFromConfig } from "./Inbox.js"
import { MailerFromConfig } from "./Mailer.js"

/** The proxy settings from the configuration (which reads a .env file too); none set: the agent reads the environment. */
export const proxyOptions = (config: AppConfigShape) => {
  const proxy = {
    ...Option.match(config.httpProxy, { onNone: () => ({}), onSome: (httpProxy) => ({ httpProxy }) }),
    ...Option.match(config.httpsProxy, { onNone: () => ({}), onSome: (httpsProxy) => ({ httpsProxy }) }),
    ...Option.match(config.noProxy, { onNone: () => ({}), onSome: (noProxy) => ({ noProxy }) })
  }
  return Object.keys(proxy).length === 0 ? {} : { proxy }
}

/** Website research with the RESEARCH_* limits, or none when RESEARCH_WEBSITE=false. */
export const WebsiteFromConfig = Layer.unwrapEffect(Effect.map(AppConfig, (config) =>
  config.researchWebsite
    ? WebsiteResearchLive({
      maxPages: config.researchMaxPages,
      maxRequests: config.researchMaxRequests,
      timeout: config.researchTimeout,
      maxPageBytes: config.researchMaxPageBytes,
      delay: config.researchDelay,
      budget: config.researchBudget,
      ...proxyOptions(config)
    })
    : WebsiteResearchOff("website research is turned off (RESEARCH_WEBSITE=false)")))

/**
 * The LLM when OPENAI_API_KEY or OPENAI_BASE_URL is set, else none. The adapter (and the OpenAI
 * client it is built on, a large module) is loaded only then.
 */
export const LlmFromConfig = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* llmConfig
  if (Option.isNone(config)) return Llm.Disabled
  const { layer, ProxyAwareHttpClient } = yield* Effect.promise(() => import("../src/Integrations/OpenAiLlm.js"))
  return layer(config.value).pipe(Layer.provide(ProxyAwareHttpClient))
}))

export const EmbeddedAdapters = Layer.mergeAll(
  CalendarFromConfig,
  ContactsFromConfig,
  SqlEventLedgerLive,
  CrmFromConfig,
  MailerFromConfig,
  InboxFromConfig,
  WebsiteFromConfig,
  LlmFromConfig
)

export const EmbeddedLive = makeApp(EmbeddedAdapters, SqliteEngineLive)
