import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import {
  dedupeWords,
  matchHardTrigger,
  parseTriggerWordsFile,
  rulesHash,
  TriggerConfigError,
  TriggerDetection
} from "../../src/Agents/TriggerDetection.js"
import { AppConfig, type AppConfigShape } from "../../src/Config.js"
import { normalizeText } from "../../src/Domain/Text.js"
import { makeEvent } from "../fixtures/events.js"

const match = (words: ReadonlyArray<string>, summary: string, description = "") =>
  Option.getOrUndefined(matchHardTrigger(words, makeEvent({ summary, description })))

const matchedWord = (words: ReadonlyArray<string>, summary: string, description = "") =>
  match(words, summary, description)?.matched_word

describe("normalizeText", () => {
  it("folds case, accents and ß", () => {
    expect(normalizeText("Müller")).toBe("muller")
    expect(normalizeText("Straße")).toBe("strasse")
    expect(normalizeText("STRAẞE")).toBe("strasse")
    expect(normalizeText("KÜCHE")).toBe("kuche")
    expect(normalizeText("Café")).toBe("cafe")
  })
})

describe("matchHardTrigger", () => {
  it("ignores umlauts, case and accents on both sides", () => {
    expect(matchedWord(["Küche"], "KUCHE aufräumen")).toBe("Küche")
    expect(matchedWord(["kuche"], "Neue Küche")).toBe("kuche")
    expect(matchedWord(["Angebotspräsentation"], "ANGEBOTSPRASENTATION Nordwind")).toBe("Angebotspräsentation")
    expect(matchedWord(["resume review"], "Résumé Review")).toBe("resume review")
  })

  it("treats ß and ss as the same, in both directions", () => {
    expect(matchedWord(["Straße"], "Termin Hauptstrasse")).toBeUndefined() // a word, not a substring
    expect(matchedWord(["Straße"], "Treffen Strasse 5")).toBe("Straße")
    expect(matchedWord(["Strasse"], "Treffen Straße 5")).toBe("Strasse")
  })

  it("matches whole words only", () => {
    expect(match(["research"], "Meet the researcher")).toBeUndefined()
    expect(match(["prep"], "Sales preparation")).toBeUndefined()
    expect(match(["pitch"], "Pitchdeck review")).toBeUndefined()
    expect(matchedWord(["prep"], "Demo prep")).toBe("prep")
    expect(matchedWord(["prep"], "prep: Nordwind")).toBe("prep")
    expect(matchedWord(["prep"], "(prep) Nordwind")).toBe("prep")
    expect(matchedWord(["research"], "Acme-research, Q3")).toBe("research")
  })

  it("matches multi-word triggers across any whitespace", () => {
    expect(matchedWord(["discovery call"], "Discovery   call\twith Acme")).toBe("discovery call")
    expect(matchedWord(["discovery call"], "Discovery\ncall")).toBe("discovery call")
    expect(match(["discovery call"], "Discovery calls")).toBeUndefined()
  })

  it("lets a hyphen match a hyphen, a space or nothing", () => {
    expect(matchedWord(["kick-off"], "Kick-off Nordwind")).toBe("kick-off")
    expect(matchedWord(["kick-off"], "Kick off Nordwind")).toBe("kick-off")
    expect(matchedWord(["kick-off"], "Kickoff Nordwind")).toBe("kick-off")
    expect(match(["kickoff"], "Kick off Nordwind")).toBeUndefined()
  })

  it("looks at the summary before the description", () => {
    const trigger = match(["briefing", "pitch"], "Pitch Nordwind", "Briefing first")
    expect(trigger?.matched_word).toBe("pitch")
    expect(trigger?.matched_field).toBe("summary")
    expect(match(["briefing"], "Nordwind", "Bitte Briefing lesen")?.matched_field).toBe("description")
  })

  it("reports the word found earliest in the field, not the first in the list", () => {
    expect(matchedWord(["proposal", "kickoff"], "Kickoff and proposal")).toBe("kickoff")
    // same start: the longer match wins
    expect(matchedWord(["customer", "customer meeting"], "Customer meeting Acme")).toBe("customer meeting")
  })

  it("upstream scenario 1: duplicate spellings count once, the first spelling is reported", () => {
    const words = dedupeWords(["  KücHe  ", "KÜCHE"])
    expect(words).toEqual(["KücHe"])
    const trigger = match(words, "Die KUCHE ist bereit")
    expect(trigger).toMatchObject({ type: "hard", matched_word: "KücHe", matched_field: "summary" })
  })

  it("upstream scenario 2: a word only in the description", () => {
    const trigger = match(["briefing"], "", "Bitte bereite das Briefing vor.")
    expect(trigger).toMatchObject({ type: "hard", matched_word: "briefing", matched_field: "description" })
  })

  it("finds nothing in an empty event", () => {
    expect(match(["briefing"], "", "")).toBeUndefined()
  })
})

describe("trigger word lists", () => {
  it("upstream scenario 6: file comments and blank lines skipped, duplicates folded", () => {
    const text = "# header\nTrigger\n\ndemo   # trailing comment\n  TRIGGER\nküche\n# meeting\nmeeting\nC#\n"
    expect(dedupeWords(parseTriggerWordsFile(text))).toEqual(["Trigger", "demo", "küche", "meeting", "C#"])
  })

  it("dedupe drops empty entries and keeps the first spelling", () => {
    expect(dedupeWords(["Alpha", " ", "", "alpha", "ÄLPHA", "Beta "])).toEqual(["Alpha", "Beta"])
  })

  it("rulesHash ignores order and spelling, and changes with the words", () => {
    expect(rulesHash(["Prep", "Küche"])).toBe(rulesHash(["kuche", "PREP"]))
    expect(rulesHash(["prep"])).not.toBe(rulesHash(["prep", "pitch"]))
    expect(rulesHash(["prep"])).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe("TriggerDetection service", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "triggers-"))
  const file = (name: string, text: string) => {
    const p = path.join(dir, name)
    writeFileSync(p, text)
    return p
  }
  const layer = (overrides: Partial<AppConfigShape>) =>
    TriggerDetection.Default.pipe(Layer.provide(AppConfig.layerWith(overrides)), Layer.provide(NodeContext.layer))
  const load = (overrides: Partial<AppConfigShape>) =>
    Effect.provide(TriggerDetection, layer(overrides))

  it.effect("reads the file when TRIGGER_WORDS is not set", () =>
    Effect.gen(function*() {
      const detection = yield* load({ triggerWordsFile: file("a.txt", "# words\nBriefing\nbriefing\nPitch\n") })
      expect(detection.words).toEqual(["Briefing", "Pitch"])
      const trigger = yield* detection.detect(makeEvent({ summary: "Pitch bei Nordwind" }))
      expect(Option.getOrThrow(trigger).matched_word).toBe("Pitch")
    }))

  it.effect("upstream scenario 6: TRIGGER_WORDS replaces the file", () =>
    Effect.gen(function*() {
      const detection = yield* load({
        triggerWords: Option.some(["Alpha", "Beta", "Gamma"]),
        triggerWordsFile: file("b.txt", "briefing\n")
      })
      expect(detection.words).toEqual(["Alpha", "Beta", "Gamma"])
      expect(Option.isNone(yield* detection.detect(makeEvent({ summary: "Briefing" })))).toBe(true)
      expect(detection.rulesHash).toBe(rulesHash(["alpha", "beta", "gamma"]))
    }))

  it.effect("the example file loads", () =>
    Effect.gen(function*() {
      const detection = yield* load({})
      expect(detection.words).toContain("Vorbereitung")
      expect(detection.words).toContain("kick-off")
    }))

  it.effect("a missing file fails with a TriggerConfigError naming the variable and path", () =>
    Effect.gen(function*() {
      const missing = path.join(dir, "nope.txt")
      const error = yield* Effect.flip(load({ triggerWordsFile: missing }))
      expect(error).toBeInstanceOf(TriggerConfigError)
      expect(error.message).toBe(`TRIGGER_WORDS_FILE: cannot read ${missing}: no such file`)
    }))

  it.effect("a file with only comments fails: no trigger words configured", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(load({ triggerWordsFile: file("c.txt", "# nothing\n\n   \n") }))
      expect(error._tag).toBe("TriggerConfigError")
      expect(error.message).toMatch(/^no trigger words configured: set TRIGGER_WORDS or TRIGGER_WORDS_FILE/)
    }))
})
