/**
 * What the LLM adds to reading a meeting, when one is configured: a soft trigger for a meeting no
 * trigger word matched ("first call with the new logistics customer"), and the company when the
 * rules find none. Both only believe what the meeting text backs up (Agents/Llm checks every
 * answer): a soft trigger needs evidence quoted from the text; a company name must be written in
 * it, and its domain too (a domain the model only guessed is left for a person to give).
 * The trigger and extraction services call these only when the rules found nothing, so a meeting
 * the rules handle, and every meeting when no LLM is configured, costs nothing more.
 */
import { Effect, Option } from "effect"
import type { CalendarEvent } from "../Domain/CalendarEvent.js"
import type { Extraction as CompanyExtraction } from "../Domain/Company.js"
import { eventFingerprint } from "../Domain/Fingerprint.js"
import { Trigger } from "../Domain/Trigger.js"
import { isWithinAny, normalizeDomain } from "../Domain/WebDomain.js"
import { type Llm, LlmCompany, LlmSoftTrigger, occursIn } from "./Llm.js"

type LlmService = Llm["Type"]

/** The LLM when one is configured (`Llm.Disabled` says "none"). */
export const configuredLlm = (llm: Option.Option<LlmService>): Option.Option<LlmService> =>
  Option.filter(llm, (l) => l.description !== "none")

/** The key the LLM's per-event token budget is counted under: the event's version. */
export const llmEventKey = (event: CalendarEvent): string =>
  `${event.calendarId}|${event.eventId}|${eventFingerprint(event)}`

const meetingText = (event: CalendarEvent) => [event.summary, event.description].filter((t) => t.trim() !== "").join("\n\n")

/** A meeting among ourselves needs no preparation: someone from outside must be invited (or nobody listed). */
export const hasOutsiders = (event: CalendarEvent, ownDomains: ReadonlyArray<string>): boolean => {
  const emails = [event.organizer, ...event.attendees].flatMap((p) => (p?.email?.includes("@") ? [p.email] : []))
  return emails.length === 0 || emails.some((email) => !isWithinAny(normalizeDomain(email), ownDomains))
}

/**
 * The soft trigger of a meeting without a hard one: `matched_word` is the evidence quoted from the
 * text, `matched_field` where it stands. None when the model saw none, could not be asked (budget,
 * errors: logged by the adapter), or the meeting is among ourselves.
 */
export const makeSoftTrigger = (
  llm: LlmService,
  options: { readonly words: ReadonlyArray<string>; readonly ownDomains: ReadonlyArray<string> }
) =>
(event: CalendarEvent): Effect.Effect<Option.Option<Trigger>> => {
  const text = meetingText(event)
  if (text === "" || !hasOutsiders(event, options.ownDomains)) return Effect.succeed(Option.none())
  return llm.softTrigger({ eventKey: llmEventKey(event), text, triggerWords: options.words }).pipe(
    Effect.map((result) => {
      if (!(result instanceof LlmSoftTrigger) || !result.matched) return Option.none()
      const field = occursIn(result.evidence, event.summary) ? "summary" : "description"
      return Option.some(new Trigger({ type: "soft", matched_word: result.evidence, matched_field: field }))
    }),
    Effect.withSpan("SoftTrigger.detect")
  )
}

/** Which field of the event a domain the model found is written in. */
const fieldOf = (event: CalendarEvent, domain: string): CompanyExtraction["domainSource"] =>
  occursIn(domain, event.summary) ? "summary" : occursIn(domain, event.location) ? "location" : "description"

/**
 * The rules' extraction completed by the model: its name when the rules have none, its domain
 * when the rules have none and the domain is written in the meeting text.
 */
export const makeCompanyFallback = (llm: LlmService) =>
(event: CalendarEvent, found: CompanyExtraction): Effect.Effect<CompanyExtraction> => {
  const text = [event.summary, event.description, event.location].filter((t) => t.trim() !== "").join("\n\n")
  if (text === "") return Effect.succeed(found)
  return llm.extractCompany({ eventKey: llmEventKey(event), text }).pipe(
    Effect.map((result): CompanyExtraction => {
      if (!(result instanceof LlmCompany)) return found
      const domain = found.domain === undefined && result.domain !== undefined && result.domainInText === true
        ? result.domain
        : undefined
      return {
        ...found,
        companyName: found.companyName ?? result.name,
        ...(domain === undefined ? {} : { domain, domainSource: fieldOf(event, domain) })
      }
    }),
    Effect.withSpan("SoftTrigger.extractCompany")
  )
}
