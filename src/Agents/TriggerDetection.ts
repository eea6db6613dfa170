/**
 * Hard triggers: does an event's summary or description contain one of the configured words?
 * Matching is case-, accent- and ß/ss-insensitive and on word boundaries ("research" does not
 * match "researcher"); the summary is looked at before the description. Soft triggers: when an
 * LLM is configured, a meeting without a hard trigger is asked about (Agents/SoftTrigger.ts).
 */
import { FileSystem } from "@effect/platform"
import { createHash } from "node:crypto"
import { Effect, Option, Schema } from "effect"
import { AppConfig } from "../Config.js"
import type { CalendarEvent } from "../Domain/CalendarEvent.js"
import { normalizeText, normalizeWord } from "../Domain/Text.js"
import { Trigger, type TriggerField } from "../Domain/Trigger.js"
import { Llm } from "./Llm.js"
import { configuredLlm, makeSoftTrigger } from "./SoftTrigger.js"

export class TriggerConfigError extends Schema.TaggedError<TriggerConfigError>()("TriggerConfigError", {
  variable: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return this.variable === undefined ? this.reason : `${this.variable}: ${this.reason}`
  }
}

/** One word per line; `#` starts a comment (whole line, or after whitespace so "C#" survives). */
export const parseTriggerWordsFile = (text: string): Array<string> =>
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
    .filter((line) => line.length > 0)

/** Drops empty words and words equal after normalisation; the first spelling is kept, trimmed. */
export const dedupeWords = (words: ReadonlyArray<string>): Array<string> => {
  const seen = new Set<string>()
  const kept: Array<string> = []
  for (const word of words) {
    const key = normalizeWord(word)
    if (key.length === 0 || seen.has(key)) continue
    seen.add(key)
    kept.push(word.trim())
  }
  return kept
}

/** Changes exactly when the set of normalised words changes: order, case and accents do not count. */
export const rulesHash = (words: ReadonlyArray<string>): string => {
  const normalized = [...new Set(words.map(normalizeWord).filter((w) => w.length > 0))].sort()
  return createHash("sha256").update(normalized.join("\n")).digest("hex")
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

// A hyphen in a word also matches a space or nothing, so "kick-off" finds "kick off" and "kickoff".
const wordBody = (normalized: string): string =>
  normalized
    .split(" ")
    .map((token) => token.split(/[-\u2010-\u2014]/).map(escapeRegExp).join("(?:[-\\u2010-\\u2014]|\\s+)?"))
    .join("\\s+")

const onWordBoundaries = (body: string) => `(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`

interface CompiledWord {
  readonly word: string
  /** Sticky: matches at `lastIndex` or not at all. */
  readonly at: RegExp
}

// Alternatives that start with the same letter are tried together: at each place in the text the
// scan then tells most of them out by one comparison.
const byFirstLetter = (bodies: ReadonlyArray<string>): string => {
  const groups = new Map<string, Array<string>>()
  for (const body of bodies) {
    const first = /^[a-z0-9]/.test(body) ? body.charAt(0) : body
    groups.set(first, [...(groups.get(first) ?? []), first === body ? "" : body.slice(1)])
  }
  return [...groups]
    .map(([first, rests]) => (rests.length === 1 ? first + rests.join("") : `${first}(?:${rests.join("|")})`))
    .join("|")
}

const ASCII = /^[\x00-\x7f]*$/

/** Compiles the words once; the returned function finds the hard trigger of an event. */
export const compileTriggers = (words: ReadonlyArray<string>) => {
  const bodies = dedupeWords(words).map((word) => ({ word, body: wordBody(normalizeWord(word)) }))
  const compiled: ReadonlyArray<CompiledWord> = bodies.map(({ body, word }) => ({
    word,
    at: new RegExp(onWordBoundaries(body), "uy")
  }))
  // A word can match only where the text has its first character (the text is normalised as the
  // words are), unless it starts with a hyphen, which may match nothing: the words to try, in
  // their order, by the character a match starts with.
  const firstOf = (word: string) => {
    const first = normalizeWord(word).charAt(0)
    return /[-\u2010-\u2014]/.test(first) ? undefined : first
  }
  const firsts = compiled.map(({ word }) => firstOf(word))
  const startingWith = new Map(
    firsts.flatMap((first) => (first === undefined ? [] : [first])).map((first) =>
      [first, compiled.filter((_, i) => firsts[i] === first || firsts[i] === undefined)] as const
    )
  )
  const anyStart = compiled.filter((_, i) => firsts[i] === undefined)
  // Most texts hold no word at all. The words without their boundaries, case-insensitive and
  // without Unicode mode (several times faster), match wherever the words do and ASCII text needs
  // no normalising for them: this looks for where the earliest word could start, on the text as
  // written when it is ASCII. Only past there is the exact pattern run, and at its match the words
  // one by one, for the longest (on a tie, the first listed).
  const couldStart = new RegExp(byFirstLetter(bodies.map(({ body }) => body)), "i")
  const anyWord = new RegExp(onWordBoundaries(bodies.map(({ body }) => body).join("|")), "gu")
  const firstHit = (raw: string): string | undefined => {
    const ascii = ASCII.test(raw)
    const folded = ascii ? raw : normalizeText(raw)
    const from = couldStart.exec(folded)?.index
    if (from === undefined) return undefined
    const text = ascii ? raw.toLowerCase() : folded
    anyWord.lastIndex = from
    const found = anyWord.exec(text)
    if (found === null) return undefined
    let best: { readonly word: string; readonly length: number } | undefined
    for (const { at, word } of startingWith.get(text.charAt(found.index)) ?? anyStart) {
      at.lastIndex = found.index
      const length = at.exec(text)?.[0].length
      if (length !== undefined && (best === undefined || length > best.length)) best = { word, length }
    }
    return best?.word
  }
  // Built from known values: not validated again.
  const hit = (word: string, field: TriggerField) =>
    Option.some(new Trigger({ type: "hard", matched_word: word, matched_field: field }, true))
  return (event: Pick<CalendarEvent, "summary" | "description">): Option.Option<Trigger> => {
    const inSummary = firstHit(event.summary)
    if (inSummary !== undefined) return hit(inSummary, "summary")
    const inDescription = firstHit(event.description)
    return inDescription === undefined ? Option.none() : hit(inDescription, "description")
  }
}

/** In one field the word found earliest in the text wins (on a tie, the longest match). */
export const matchHardTrigger = (
  words: ReadonlyArray<string>,
  event: Pick<CalendarEvent, "summary" | "description">
): Option.Option<Trigger> => compileTriggers(words)(event)

const describeReadError = (error: { readonly _tag: string; readonly message: string }): string => {
  if (error._tag !== "SystemError" || !("reason" in error)) return error.message
  switch (error.reason) {
    case "NotFound":
      return "no such file"
    case "PermissionDenied":
      return "permission denied"
    default:
      return error.message
  }
}

const loadWords = Effect.fnUntraced(function*() {
  const config = yield* AppConfig
  const fs = yield* FileSystem.FileSystem
  // An empty TRIGGER_WORDS (e.g. `TRIGGER_WORDS=` in a .env template) counts as unset.
  if (Option.isSome(config.triggerWords) && config.triggerWords.value.length > 0) {
    return { words: dedupeWords(config.triggerWords.value), source: "TRIGGER_WORDS" }
  }
  const file = config.triggerWordsFile
  const text = yield* fs.readFileString(file).pipe(
    Effect.mapError((error) =>
      new TriggerConfigError({
        variable: "TRIGGER_WORDS_FILE",
        reason: `cannot read ${file}: ${describeReadError(error)}`
      })
    )
  )
  return { words: dedupeWords(parseTriggerWordsFile(text)), source: file }
})

export class TriggerDetection extends Effect.Service<TriggerDetection>()("Agents/TriggerDetection", {
  effect: Effect.gen(function*() {
    const appConfig = yield* AppConfig
    const { source, words } = yield* loadWords()
    if (words.length === 0) {
      return yield* new TriggerConfigError({
        reason: `no trigger words configured: set TRIGGER_WORDS or TRIGGER_WORDS_FILE (${source} has none)`
      })
    }
    const match = compileTriggers(words)
    // Asked for every event of every cycle, and cheaper than a span of its own would be: the
    // event's span (EventProcessor.process) and its step log carry the outcome.
    const hard = (event: CalendarEvent): Effect.Effect<Option.Option<Trigger>> => Effect.sync(() => match(event))
    // Only with an LLM: the model is asked about the events no word matched.
    const soft = Option.map(
      configuredLlm(yield* Effect.serviceOption(Llm)),
      (llm) => makeSoftTrigger(llm, { words, ownDomains: appConfig.ownDomains })
    )
    const detect = Option.match(soft, {
      onNone: () => hard,
      onSome: (softly) => (event: CalendarEvent): Effect.Effect<Option.Option<Trigger>> => {
        const found = match(event)
        return Option.isSome(found) ? Effect.succeed(found) : softly(event)
      }
    })
    const list: ReadonlyArray<string> = words
    // With soft triggers on, events recorded without a trigger by the words alone are looked at again.
    const hash = Option.isNone(soft) ? rulesHash(words) : createHash("sha256").update(`${rulesHash(words)}\nsoft`).digest("hex")
    /** `source` is "TRIGGER_WORDS" or the path of the file the words came from. */
    return { detect, words: list, source, rulesHash: hash } as const
  }),
  dependencies: []
}) {}
