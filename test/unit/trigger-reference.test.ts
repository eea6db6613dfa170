/**
 * The fast paths of normalizeText (word by word, ASCII only lower-cased) and of trigger detection
 * (a loose pre-scan, then one exact pattern) against the straightforward definitions: normalise
 * the whole text, try every word's pattern, keep the earliest (on a tie, the longest) match.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import { readFileSync } from "node:fs"
import { generateCalendar, prng } from "../../bench/generate.js"
import { compileTriggers, dedupeWords, parseTriggerWordsFile } from "../../src/Agents/TriggerDetection.js"
import type { CalendarEvent } from "../../src/Domain/CalendarEvent.js"
import { normalizeText } from "../../src/Domain/Text.js"
import { parseCalendar } from "../../src/Integrations/ICalParse.js"
import { makeEvent } from "../fixtures/events.js"

const stripMarks = (text: string) => text.normalize("NFKD").replace(/\p{M}+/gu, "").normalize("NFKC")
const referenceNormalize = (text: string) => stripMarks(stripMarks(text).toLowerCase().replace(/ß/g, "ss"))

const referenceMatch = (words: ReadonlyArray<string>) => {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  const patterns = dedupeWords(words).map((word) => {
    const body = referenceNormalize(word).trim().replace(/\s+/g, " ").split(" ")
      .map((token) => token.split(/[-\u2010-\u2014]/).map(escape).join("(?:[-\\u2010-\\u2014]|\\s+)?"))
      .join("\\s+")
    return { word, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, "gu") }
  })
  return (event: Pick<CalendarEvent, "summary" | "description">) => {
    for (const field of ["summary", "description"] as const) {
      const text = referenceNormalize(event[field])
      let best: { word: string; index: number; length: number } | undefined
      for (const { pattern, word } of patterns) {
        pattern.lastIndex = 0
        const found = pattern.exec(text)
        if (found === null) continue
        const hit = { word, index: found.index, length: found[0].length }
        if (best === undefined || hit.index < best.index || (hit.index === best.index && hit.length > best.length)) {
          best = hit
        }
      }
      if (best !== undefined) return { word: best.word, field }
    }
    return undefined
  }
}

const fastMatch = (words: ReadonlyArray<string>) => {
  const match = compileTriggers(words)
  return (event: Pick<CalendarEvent, "summary" | "description">) =>
    Option.getOrUndefined(Option.map(match(event), (t) => ({ word: t.matched_word, field: t.matched_field })))
}

const exampleWords = parseTriggerWordsFile(readFileSync(new URL("../../examples/trigger_words.txt", import.meta.url), "utf8"))

// Characters that normalising changes in surprising ways: marks, ligatures, compatibility forms,
// final sigma, dotted İ, ß/ẞ, Unicode spaces and dashes, astral letters, digits of other scripts.
const TRICKY = [
  "ä", "Ä", "ö", "Ü", "ß", "ẞ", "é", "e\u0301", "A\u030a", "\u0301", "\u0308", "İ", "ı", "Σ", "ς", "σ", "ΟΔΟΣ",
  "ﬁ", "ﬀ", "㎒", "①", "²", "ｋ", "Ｋ", "\u212a", "ſ", "\u00a0", "\u2003", "\u3000", "\u2028", "\u200b", "\ufeff",
  "\u2010", "\u2013", "\u2014", "\u2212", "-", "–", "𝐀", "𝔨", "٣", "ǅ", "ŉ", "ΐ", "ﬆ", "Å", "ø", "Œ", "ı\u0307"
]
const PLAIN = [" ", " ", "\t", "\n", "\r\n", ".", ",", ":", "(", ")", "a", "e", "k", "o", "s", "S", "1", "_", "'", "\""]

const randomText = (rng: ReturnType<typeof prng>, words: ReadonlyArray<string>) => {
  let text = ""
  const parts = 1 + rng.int(12)
  for (let i = 0; i < parts; i++) {
    const roll = rng.next()
    if (roll < 0.35) {
      // A trigger word, bent: case, accents, separators.
      let word = rng.pick(words)
      if (rng.chance(0.3)) word = word.toUpperCase()
      if (rng.chance(0.2)) word = word.replace(/-/g, rng.pick(["", " ", "\u2011", "\u2013", "  ", "-"]))
      if (rng.chance(0.2)) word = word.replace(/ /g, rng.pick(["\n", "\u00a0", "-", "", "\t "]))
      if (rng.chance(0.2)) word = word.replace(/a/g, "ä").replace(/o/g, "ó")
      if (rng.chance(0.1)) word = word.slice(0, 1 + rng.int(word.length))
      text += word
    } else if (roll < 0.6) {
      text += rng.pick(TRICKY)
    } else {
      text += rng.pick(PLAIN)
    }
  }
  return text
}

describe("normalizeText, word by word", () => {
  it("equals normalising the whole text, on tricky and random strings", () => {
    const fixed = [
      "", " ", "ΟΔΟΣ ΟΔΟΣ.", "ΑΣ\u00a0Β", "ΑΣ Β", "Σ", "a Σ b", "İstanbul İ\u0307", "e\u0301 \u0301x", " \u0301",
      "Kick\u2011off ㎒ ﬁle", "STRAẞE Straße", "x\u00a0\u0301", "\t\u0308\n", "𝐀𝐁 𝐂", "ǅ ǆ Ǆ"
    ]
    for (const text of fixed) expect(normalizeText(text)).toBe(referenceNormalize(text))
    const rng = prng(11)
    for (let i = 0; i < 5000; i++) {
      const text = randomText(rng, exampleWords)
      expect(normalizeText(text)).toBe(referenceNormalize(text))
    }
  })

  // Texts of ASCII and Latin letters, punctuation and spaces are normalised character by character;
  // any other character sends the text word by word. Every character of those blocks, in company.
  it("equals normalising the whole text, character by character too", () => {
    const blocks = [[0x80, 0x24f], [0x1e00, 0x1eff], [0x2000, 0x206f], [0x20a0, 0x20cf], [0x300, 0x36f], [0x370, 0x3ff]]
    const rng = prng(12)
    const pickChar = () => {
      if (rng.chance(0.4)) return rng.pick(PLAIN)
      const [from = 0, to = 0] = rng.pick(blocks)
      return String.fromCharCode(from + rng.int(to - from + 1))
    }
    for (const [from = 0, to = 0] of blocks) {
      for (let code = from; code <= to; code++) {
        const char = String.fromCharCode(code)
        for (const text of [char, `A${char}`, `${char}a`, `Σ${char}`, `ΑΣ${char} x`, `a${char}\u0301 ${char}ΣΑ`]) {
          expect(normalizeText(text)).toBe(referenceNormalize(text))
        }
      }
    }
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: 1 + rng.int(8) }, pickChar).join("")
      expect(normalizeText(text)).toBe(referenceNormalize(text))
    }
  })
})

describe("compileTriggers, against trying every word", () => {
  // Shorter words first too: at one start the longest match wins, not the first listed.
  const words = ["customer", "kick", "due", ...exampleWords, "kick off", "C#", "a-b", "Straße", "Σ", "ø", "-prep", "–"]
  const fast = fastMatch(words)
  const reference = referenceMatch(words)

  it("agrees on tricky strings", () => {
    const texts = [
      "Kick-off", "kick\u2013 off", "Kick\u00a0off", "KICKOFF!", "kick-offs", "xkickoff", "prep-research", "prep_x",
      "Customer   Meeting", "customer meetingx", "Meeting Preparation\nnext", "Kundengespräch", "KUNDENGESPRAECH",
      "Angebotspräsentation", "ANGEBOTSPRA\u0308SENTATION", "Due\u2003diligence", "Résumé prep", "c# C#x", "a - b",
      "Strasse", "STRAẞE", "ὈΔΟΣ σ", "Ø ø", "²prep", "prep²", "𝐩𝐫𝐞𝐩", "ｐｒｅｐ", "prep\u0301", "\u0301prep", "pre\u00adp"
    ]
    for (const summary of texts) {
      for (const description of ["", "and then research", summary]) {
        expect(fast({ summary, description })).toEqual(reference({ summary, description }))
      }
    }
  })

  it("agrees on random strings", () => {
    const rng = prng(5)
    const fields = new Set<string>()
    for (let i = 0; i < 3000; i++) {
      const event = { summary: randomText(rng, words), description: randomText(rng, words) }
      const found = fast(event)
      expect(found).toEqual(reference(event))
      fields.add(found?.field ?? "none")
    }
    expect(fields).toEqual(new Set(["summary", "description", "none"]))
  })

  it("agrees on generated calendars at several seeds", () => {
    const firstDay = new Date("2030-01-07T00:00:00Z")
    for (const seed of [1, 7, 42]) {
      const calendar = generateCalendar({ events: 800, seed, firstDay })
      const window = { from: firstDay, to: new Date(firstDay.getTime() + calendar.days * 86_400_000) }
      const parsed = parseCalendar(new TextEncoder().encode(calendar.ics), "test", window)
      const events = Either.getOrThrow(parsed).events
      expect(events.length).toBeGreaterThan(700)
      let triggered = 0
      for (const event of events) {
        const found = fast(event)
        expect(found).toEqual(reference(event))
        if (found !== undefined) triggered++
      }
      expect(triggered).toBeGreaterThan(40)
      // The words of the example file, applied to generated events, all agree too.
      const exampleFast = fastMatch(exampleWords)
      const exampleReference = referenceMatch(exampleWords)
      for (const event of events.slice(0, 200)) expect(exampleFast(event)).toEqual(exampleReference(event))
    }
  })

  it("finds the same in a long hostile text", () => {
    const long = `${"ab-".repeat(20_000)} kick\u2013 off ${"\u0301".repeat(5000)} research`
    const event = makeEvent({ summary: "x".repeat(10_000), description: long })
    expect(fast(event)).toEqual(reference(event))
  })
})
