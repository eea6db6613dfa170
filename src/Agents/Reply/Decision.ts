/**
 * approve / decline / unclear: what a reply's own text decides, read clause by clause with the
 * phrase tables of Rules.
 */
import { fieldOf } from "./Fields.js"
import { ownText } from "./OwnText.js"
import * as Rules from "./Rules.js"
import { NEGATION_REACH, tokenize, wordSet } from "./Words.js"

export type Decision = "approve" | "decline" | "unclear"

interface Rule {
  readonly words: ReadonlyArray<string>
  readonly key: string
  readonly cue: Rules.Cue
  readonly position: Rules.Position
}

/** Every phrase of the tables, by its first word, longest first (so "lass mal sehen" beats "lass mal"). */
const RULES: ReadonlyMap<string, ReadonlyArray<Rule>> = (() => {
  const byFirst = new Map<string, Array<Rule>>()
  const add = (phrases: ReadonlyArray<string> | undefined, cue: Rules.Cue, position: Rules.Position) => {
    for (const phrase of phrases ?? []) {
      const words = tokenize(phrase)
      const first = words[0]
      if (first === undefined) continue
      byFirst.set(first, [...(byFirst.get(first) ?? []), { words, key: words.join(" "), cue, position }])
    }
  }
  for (const t of Rules.TABLES) {
    add(t.approve, "approve", "any")
    add(t.approveLead, "approve", "lead")
    add(t.approveEdge, "approve", "edge")
    add(t.approveAnswer, "approve", "answer")
    add(t.approveAlone, "approve", "alone")
    add(t.decline, "decline", "any")
    add(t.declineEdge, "decline", "edge")
    add(t.declineAnswer, "decline", "answer")
    add(t.declineAlone, "decline", "alone")
    add(t.hedge, "hedge", "any")
    add(t.hedgeEnd, "hedge", "end")
    add(t.condition, "condition", "any")
    add(t.but, "but", "any")
    add(t.polite, "polite", "any")
    add(t.neutral, "neutral", "any")
    add(t.need, "need", "any")
  }
  for (const rules of byFirst.values()) rules.sort((a, b) => b.words.length - a.words.length)
  return byFirst
})()

const NEGATORS = wordSet(Rules.NEGATORS)
const NEGATED_AFTER = wordSet(Rules.NEGATED_AFTER)
const CERTAINTY = wordSet(Rules.CERTAINTY)
const FILLERS = wordSet(Rules.FILLERS)
const AFTER_NO = wordSet(Rules.AFTER_NO)
const ANSWERING_QUESTIONS = wordSet(Rules.ANSWERING_QUESTIONS)

/** A clause's words, and where its first and last words that are not fillers stand. */
interface Clause {
  readonly tokens: ReadonlyArray<string>
  readonly first: number
  readonly last: number
}

const clauseOf = (tokens: ReadonlyArray<string>): Clause => {
  let first = 0
  while (first < tokens.length && FILLERS.has(tokens[first] ?? "")) first++
  let last = tokens.length - 1
  while (last >= 0 && FILLERS.has(tokens[last] ?? "")) last--
  return { tokens, first, last }
}

const stands = (rule: Rule, clause: Clause, at: number, end: number): boolean => {
  const lead = at <= clause.first
  const trail = end > clause.last
  switch (rule.position) {
    case "any":
      return true
    case "lead":
      return lead
    case "edge":
      return lead || trail
    case "answer":
      return trail || (lead && AFTER_NO.has(clause.tokens[end] ?? ""))
    case "alone":
      return lead && trail
    case "end":
      return trail
  }
}

const ruleAt = (clause: Clause, at: number): Rule | undefined =>
  RULES.get(clause.tokens[at] ?? "")?.find((rule) =>
    rule.words.every((w, k) => clause.tokens[at + k] === w) && stands(rule, clause, at, at + rule.words.length)
  )

interface Cue {
  readonly cue: Rules.Cue
  readonly key: string
  /** The first word of the clause it opens, if it does. */
  readonly opens: boolean
}

/**
 * What one clause says. A negation before a word ("not ok", "kein OK") or, in German, after it
 * ("das passt mir nicht") turns a yes into a no, or into doubt for words of certainty ("not so
 * sure"); it turns a no into nothing ("don't cancel": the person should say what they want).
 */
const clauseCues = (tokens: ReadonlyArray<string>): ReadonlyArray<Cue> => {
  const clause = clauseOf(tokens)
  const cues: Array<Cue> = []
  let free = 0 // words before this belong to a phrase already read and negate nothing
  for (let i = 0; i < tokens.length; i++) {
    const rule = ruleAt(clause, i)
    if (rule === undefined) continue
    const end = i + rule.words.length
    const negated = tokens.slice(Math.max(free, i - NEGATION_REACH), i).some((t) => NEGATORS.has(t)) ||
      ((NEGATED_AFTER.has(rule.key) || NEGATED_AFTER.has(rule.words[0] ?? "")) &&
        tokens.slice(end, end + NEGATION_REACH).includes("nicht"))
    const cue: Rules.Cue = !negated
      ? (rule.cue === "need" ? "neutral" : rule.cue)
      : rule.cue === "need"
      ? "decline"
      : rule.cue === "approve"
      ? (CERTAINTY.has(rule.key) ? "hedge" : "decline")
      : rule.cue === "decline"
      ? "neutral"
      : rule.cue
    cues.push({ cue, key: rule.key, opens: i <= clause.first })
    free = end
    i = end - 1
  }
  return cues
}

interface Reading {
  readonly approve: boolean
  readonly decline: boolean
  /** Doubt, a condition or a deferral that qualifies the answer: it is unclear. */
  readonly hedge: boolean
  /**
   * "but …" after a yes: a yes with a reservation is unclear ("ok, but only …"); a no stays a no
   * ("no, but thanks"), and a yes after the "but" is the answer ("I'm travelling, but yes").
   */
  readonly but: "after-yes" | "alone" | undefined
}

/**
 * One sentence. A question decides nothing ("Ok?", "Why decline?") unless it is one that answers
 * ("Why not?"), but its doubts and conditions count ("Can we do it after the call?"). A condition
 * counts in the clause that decides ("Yes if they sign the NDA") or opening a clause ("sure —
 * once legal has signed off", "No, not until …"), not inside a remark ("Decline – we met them
 * after the fair"). In a courteous sentence ("let me know if you need anything") conditions are
 * no conditions.
 */
const readSentence = (sentence: string): Reading => {
  const question = /\?[\s!?]*$/.test(sentence)
  const clauses = sentence.split(/[,;:]|\s[-–—]+\s|[–—]/).map((clause) => clauseCues(tokenize(clause)))
  const cues = clauses.flat()
  const has = (cue: Rules.Cue) => cues.some((c) => c.cue === cue)
  const answers = question && cues.some((c) => ANSWERING_QUESTIONS.has(c.key))
  const polite = has("polite")
  const approve = (answers || !question) && has("approve")
  const decline = !question && has("decline")
  const conditional = clauses.some((clause) =>
    clause.some((c) => c.cue === "condition") &&
    (question || clause.some((c) => c.cue === "approve" || c.cue === "decline") ||
      (clause[0]?.cue === "condition" && clause[0].opens))
  )
  const yes = cues.findIndex((c) => c.cue === "approve")
  const but = polite || !has("but")
    ? undefined
    : !approve
    ? "alone"
    : cues.some((c, k) => c.cue === "but" && k > yes)
    ? "after-yes"
    : undefined
  return { approve, decline, hedge: !polite && (has("hedge") || conditional), but }
}

// "Firma: Nein GmbH" names a company; "Decision: approve" still decides.
const isDataField = (line: string) => {
  const key = fieldOf(line)?.[0]
  return key === "company" || key === "domain"
}

const readLine = (line: string): ReadonlyArray<Reading> =>
  isDataField(line) ? [] : line.split(/(?<=[.!?…])\s+/).filter((s) => s.trim().length > 0).map(readSentence)

/** The answer to a yes/no question sits at the top: paragraphs starting after these lines are not read. */
const DECISION_LINES = 4
/** …and within this many characters: a wall of text is not an answer. */
const DECISION_CHARS = 2000
/** "Yes.\n\nBut only once legal has signed off.": a short paragraph right below still belongs to the answer. */
const FOLLOW_UP_LINES = 2

const paragraphsOf = (text: string) =>
  text.split(/\n\s*\n/).map((p) => p.split("\n").filter((l) => l.trim().length > 0)).filter((p) => p.length > 0)

/**
 * Plain-text mail is wrapped at about 76 characters: a line that goes on in lower case after no
 * closing mark continues the sentence ("… let me" / "check with legal first").
 */
const unwrapLines = (lines: ReadonlyArray<string>): ReadonlyArray<string> => {
  const joined: Array<string> = []
  for (const line of lines) {
    const last = joined.at(-1)
    const wrapped = last !== undefined && !/[.!?:;]\s*$/.test(last) && /^\s*\p{Ll}/u.test(line) &&
      fieldOf(line) === undefined && fieldOf(last) === undefined
    if (wrapped) joined[joined.length - 1] = `${last.trimEnd()} ${line.trim()}`
    else joined.push(line)
  }
  return joined
}

/**
 * approve / decline / unclear, from the reply's own text (already without quotes and signature).
 * The answer is the first paragraph that says anything either way (later paragraphs are
 * background, "no budget back then …"); both signals make it unclear, and so does any hedge,
 * condition or deferral in it or above it. A "but" only qualifies a yes.
 */
export const decide = (own: string): Decision => {
  const paragraphs = paragraphsOf(own.length > DECISION_CHARS ? own.slice(0, DECISION_CHARS) : own)
  const readings: Array<Reading> = []
  let seen = 0
  for (const [p, paragraph] of paragraphs.entries()) {
    if (seen >= DECISION_LINES) break
    seen += paragraph.length
    readings.push(...unwrapLines(paragraph).flatMap(readLine))
    if (!readings.some((r) => r.approve || r.decline)) continue
    const next = paragraphs[p + 1]
    if (next !== undefined && paragraph.length <= FOLLOW_UP_LINES && next.length <= FOLLOW_UP_LINES) {
      readings.push(...unwrapLines(next).flatMap(readLine))
    }
    const approve = readings.some((r) => r.approve)
    const decline = readings.some((r) => r.decline)
    if ((approve && decline) || readings.some((r) => r.hedge)) return "unclear"
    const yes = readings.findIndex((r) => r.approve)
    const reserved = readings.some((r, k) => r.but === "after-yes" || (r.but === "alone" && k > yes))
    if (approve) return reserved ? "unclear" : "approve"
    return "decline"
  }
  return "unclear"
}

/** approve / decline / unclear for a whole reply body (quoted parts and signature are ignored). */
export const parseDecision = (text: string): Decision => decide(ownText(text))
