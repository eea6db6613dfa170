/**
 * The optional language model: a short summary of the facts research collected, a soft trigger
 * for meetings no trigger word matched, and the company when the rules find none. Adapters:
 * OpenAiLlm (any OpenAI-compatible server) and `Llm.Disabled`, the default.
 *
 * Nothing here fails: every method answers a result or `unavailable` with a reason (no LLM
 * configured, budget reached, rate limited, a bad answer …), and the caller goes on with its
 * rules. What a model answers is hostile input: the checks below keep only what the meeting text
 * or the facts back up — evidence quoted from the text, a name written in it, citations of facts
 * that exist — and every adapter runs its answers through them.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { normalizeText } from "../Domain/Text.js"
import { classifyDomain, isFreeMail, isSharedPlatform } from "../Domain/WebDomain.js"

// ---------------------------------------------------------------------------------------------
// Inputs

/** One fact research collected; the summary cites facts by `id`. */
export interface LlmFact {
  readonly id: number
  readonly field: string
  readonly value: string
  /** Where it comes from: "CRM", "calendar", a URL … */
  readonly source: string
}

export interface SummarizeInput {
  /** Budgets are counted per event: the workflow's key for the event. */
  readonly eventKey: string
  readonly company: { readonly name: string; readonly domain?: string | undefined }
  readonly facts: ReadonlyArray<LlmFact>
}

export interface MeetingTextInput {
  readonly eventKey: string
  /** The meeting's summary and description, as one text. */
  readonly text: string
}

export interface SoftTriggerInput extends MeetingTextInput {
  /** The configured trigger words, as examples of meetings that need preparation. */
  readonly triggerWords?: ReadonlyArray<string> | undefined
}

// ---------------------------------------------------------------------------------------------
// Results

export const UnavailableKind = Schema.Literal(
  "disabled",
  "event_budget",
  "daily_budget",
  "budget_store",
  "rate_limited",
  "server_error",
  "timeout",
  "unreachable",
  "request_refused",
  "bad_output",
  "rejected",
  "nothing_to_do"
)
export type UnavailableKind = typeof UnavailableKind.Type

/** No answer from the model: the caller uses its rules and notes `reason` (in the dossier, say). */
export class LlmUnavailable extends Schema.Class<LlmUnavailable>("LlmUnavailable")({
  status: Schema.tag("unavailable"),
  kind: UnavailableKind,
  reason: Schema.String
}) {
  /** "LLM unavailable: daily LLM budget reached" — for a dossier note or a log line. */
  get note(): string {
    return `LLM unavailable: ${this.reason}`
  }
}

/** What one answered call cost. */
const Spent = {
  model: Schema.String,
  /** Input plus output tokens of this call, as the API counted them (estimated when it did not say). */
  tokens: Schema.Int,
  costUsd: Schema.Number
}

/** A summary of the facts, written by the model: inferred, never a fact itself. */
export class LlmSummary extends Schema.Class<LlmSummary>("LlmSummary")({
  status: Schema.tag("completed"),
  text: Schema.String,
  /** Ids of the input facts the text cites, ascending; each one exists in the input. */
  citations: Schema.Array(Schema.Int),
  /** Ids the model cited that are not in the input: removed from the text. */
  droppedCitations: Schema.Array(Schema.Int),
  inferred: Schema.Literal(true).pipe(Schema.propertySignature, Schema.withConstructorDefault(() => true as const)),
  ...Spent
}) {}

/**
 * Whether the meeting needs preparation though no trigger word matched. `matched` only with
 * `evidence` quoted from the meeting text; a claim without it is turned down, with `reason`.
 */
export class LlmSoftTrigger extends Schema.Class<LlmSoftTrigger>("LlmSoftTrigger")({
  status: Schema.tag("completed"),
  matched: Schema.Boolean,
  /** The kind of meeting the model saw ("kick-off with a new customer"). */
  label: Schema.String,
  /** Words from the meeting text; "" when not matched. */
  evidence: Schema.String,
  /** Why `matched` is false. */
  reason: Schema.optional(Schema.String),
  ...Spent
}) {}

/** The company the model read from the meeting text, checked against it. */
export class LlmCompany extends Schema.Class<LlmCompany>("LlmCompany")({
  status: Schema.tag("completed"),
  /** As written in the meeting text. */
  name: Schema.optional(Schema.String),
  /** Normalised, a valid company domain (not a placeholder, free mail or meeting platform). */
  domain: Schema.optional(Schema.String),
  /** Whether `domain` is written in the meeting text; when not, the model inferred it. */
  domainInText: Schema.optional(Schema.Boolean),
  /** What the model answered and the checks turned down, and why. */
  rejected: Schema.Array(Schema.String),
  ...Spent
}) {}

export const SummaryResult = Schema.Union(LlmSummary, LlmUnavailable)
export type SummaryResult = typeof SummaryResult.Type
export const SoftTriggerResult = Schema.Union(LlmSoftTrigger, LlmUnavailable)
export type SoftTriggerResult = typeof SoftTriggerResult.Type
export const CompanyResult = Schema.Union(LlmCompany, LlmUnavailable)
export type CompanyResult = typeof CompanyResult.Type

export const unavailable = (kind: UnavailableKind, reason: string): LlmUnavailable =>
  new LlmUnavailable({ kind, reason })

// ---------------------------------------------------------------------------------------------
// The port

export class Llm extends Context.Tag("Agents/Llm")<Llm, {
  /** "gpt-4o-mini at https://api.openai.com/v1", or "none". */
  readonly description: string
  readonly summarize: (input: SummarizeInput) => Effect.Effect<SummaryResult>
  readonly softTrigger: (input: SoftTriggerInput) => Effect.Effect<SoftTriggerResult>
  readonly extractCompany: (input: MeetingTextInput) => Effect.Effect<CompanyResult>
}>() {
  /** No LLM configured: every method answers `unavailable`, at once. */
  static readonly Disabled = Layer.sync(Llm, () => {
    const none = Effect.succeed(unavailable("disabled", "no LLM configured"))
    return Llm.of({
      description: "none",
      summarize: () => none,
      softTrigger: () => none,
      extractCompany: () => none
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Cleaning what a model wrote

// C0/C1 controls (but tab and newline), zero-width characters and bidirectional overrides.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g

const cut = (text: string, max: number): string => {
  if (text.length <= max) return text
  const head = text.slice(0, max - 1)
  if (/\s/.test(text.charAt(max - 1))) return `${head.trimEnd()}…`
  const space = head.lastIndexOf(" ")
  return `${space > max / 2 ? head.slice(0, space) : head}…`
}

/** One line: controls stripped, whitespace collapsed, at most `max` characters. */
export const cleanLine = (text: string, max: number): string =>
  cut(text.replace(CONTROL, "").replace(/\s+/g, " ").trim(), max)

/** Paragraphs kept (at most one blank line between them), controls stripped, at most `max` characters. */
export const cleanParagraphs = (text: string, max: number): string =>
  cut(
    text.replace(/\r\n?/g, "\n").replace(CONTROL, "").replace(/[^\S\n]+/g, " ").replace(/ ?\n ?/g, "\n")
      .replace(/\n{3,}/g, "\n\n").trim(),
    max
  )

// ---------------------------------------------------------------------------------------------
// Checks against the meeting text and the facts

const flat = (text: string) => normalizeText(text).replace(/\s+/g, " ").trim()
const isWordChar = (char: string | undefined) => char !== undefined && /[\p{L}\p{N}]/u.test(char)
const QUOTES = /^["'„“”‚‘’«»`]+|["'„“”‚‘’«»`]+$/g

/**
 * `phrase` is written in `text`: the same words, whatever the case, accents, ß/ss and
 * whitespace, and not in the middle of a word ("Acme" is not in "Acmetrics"). At least three
 * characters with a letter or digit: "a" or "--" prove nothing.
 */
export const occursIn = (phrase: string, text: string): boolean => {
  const needle = flat(phrase)
  if (needle.length < 3 || !/[\p{L}\p{N}]/u.test(needle)) return false
  const haystack = flat(text)
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const end = at + needle.length
    const startOk = !(isWordChar(needle[0]) && isWordChar(haystack[at - 1]))
    const endOk = !(isWordChar(needle[needle.length - 1]) && isWordChar(haystack[end]))
    if (startOk && endOk) return true
  }
  return false
}

export const LIMITS = {
  summary: 1200,
  label: 80,
  evidence: 300,
  companyName: 120,
  citations: 100
} as const

export type Checked<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly reason: string }

const CITATION_GROUP = /\s?\[(\s*\d{1,9}(?:\s*[,;]\s*\d{1,9})*\s*)\]/g

/**
 * Keeps the citations of facts that exist: the ids in `citations` and those written in the text
 * as [n] or [n, m]. Unknown ids are dropped, from the text as well. A summary that cites no
 * known fact, or says nothing, is turned down.
 */
export const checkSummary = (
  answer: { readonly summary: string; readonly citations: ReadonlyArray<number> },
  facts: ReadonlyArray<LlmFact>
): Checked<{ readonly text: string; readonly citations: Array<number>; readonly dropped: Array<number> }> => {
  const known = new Set(facts.map((fact) => fact.id))
  const cited = new Set<number>()
  const dropped = new Set<number>()
  const note = (id: number) => (known.has(id) ? cited : dropped).add(id)
  answer.citations.slice(0, LIMITS.citations).filter(Number.isSafeInteger).forEach(note)
  const text = cleanParagraphs(answer.summary, LIMITS.summary * 2)
    .replace(CITATION_GROUP, (group: string, ids: string) => {
      const numbers = ids.split(/[,;]/).map((id) => Number(id.trim()))
      numbers.forEach(note)
      const kept = numbers.filter((id) => known.has(id))
      return kept.length === 0 ? "" : `${group.startsWith(" ") ? " " : ""}[${kept.join(", ")}]`
    })
  // A cut must not leave half a citation ("… [1, 2" or "[1,…").
  const bounded = cleanParagraphs(text, LIMITS.summary).replace(/\s?\[[\d,; ]*…$/, "…")
  if (bounded.replace(/\[[\d, ]*\]/g, "").trim().length === 0) return { ok: false, reason: "the summary is empty" }
  if (cited.size === 0) {
    return {
      ok: false,
      reason: dropped.size === 0
        ? "the summary cites none of the facts"
        : `the summary cites only facts that do not exist (${[...dropped].join(", ")})`
    }
  }
  return {
    ok: true,
    value: { text: bounded, citations: [...cited].sort((a, b) => a - b), dropped: [...dropped].sort((a, b) => a - b) }
  }
}

/**
 * A soft trigger counts only with evidence written in the meeting text. Returns what to report:
 * matched with its evidence, or not matched with the reason.
 */
export const checkSoftTrigger = (
  answer: { readonly matched: boolean; readonly label: string; readonly evidence: string },
  text: string
): { readonly matched: boolean; readonly label: string; readonly evidence: string; readonly reason?: string } => {
  const label = cleanLine(answer.label, LIMITS.label)
  const evidence = cleanLine(answer.evidence, LIMITS.evidence).replace(QUOTES, "").trim()
  if (!answer.matched) return { matched: false, label, evidence: "", reason: "the model saw no soft trigger" }
  if (!occursIn(evidence, text)) {
    return { matched: false, label, evidence: "", reason: "evidence not in the meeting text" }
  }
  return { matched: true, label: label.length > 0 ? label : "soft trigger", evidence }
}

/**
 * The company's name must be written in the meeting text; its domain must be one a company can
 * have (not a placeholder, a private name, free mail or a meeting platform).
 */
export const checkCompany = (
  answer: { readonly name: string | null; readonly domain: string | null },
  text: string
): {
  readonly name?: string
  readonly domain?: string
  readonly domainInText?: boolean
  readonly rejected: Array<string>
} => {
  const rejected: Array<string> = []
  const rawName = answer.name === null ? "" : cleanLine(answer.name, LIMITS.companyName).replace(QUOTES, "").trim()
  let name: string | undefined
  if (rawName.length > 0) {
    if (/[@/\\]|:\/\//.test(rawName)) rejected.push(`name "${rawName}": an address, not a company name`)
    else if (!occursIn(rawName, text)) rejected.push(`name "${rawName}": not in the meeting text`)
    else name = rawName
  }
  const rawDomain = answer.domain === null ? "" : cleanLine(answer.domain, 300)
  let domain: string | undefined
  let domainInText: boolean | undefined
  if (rawDomain.length > 0) {
    const check = classifyDomain(rawDomain)
    if (!check.valid) rejected.push(`domain "${rawDomain}": ${check.reason}`)
    else if (isFreeMail(check.domain)) rejected.push(`domain "${check.domain}": a free mail provider`)
    else if (isSharedPlatform(check.domain)) rejected.push(`domain "${check.domain}": a meeting or sharing platform`)
    else {
      domain = check.domain
      domainInText = occursIn(check.domain, text)
    }
  }
  return {
    ...(name === undefined ? {} : { name }),
    ...(domain === undefined ? {} : { domain, domainInText: domainInText ?? false }),
    rejected
  }
}
