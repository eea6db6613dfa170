/**
 * Which name in an event's text is the company's: a labelled one, then one the domain confirms,
 * then other explicit phrases; never a place, us, or the people at the meeting.
 */
import type { CalendarEvent, Person } from "../../Domain/CalendarEvent.js"
import { normalizeText } from "../../Domain/Text.js"
import { findMatch, type Match, type NameKey, nameStretches, type Stretch, stretchOf } from "./DomainMatch.js"
import {
  DESCRIPTION_RULES,
  labelRule,
  MAX_NAME_WORDS,
  type Name,
  type NameRule,
  SUMMARY_RULES,
  titleCase
} from "./NameRules.js"
import { type Segment, splitSegments } from "./Segments.js"
import { isConnector, isLegalForm, isSalutation, norm, wordSet } from "./Vocabulary.js"

/**
 * What, besides the text, tells a company's name from anything else. `own` and `people` are only
 * asked about the names found, which most events have few of or none: worked out on first use.
 */
export interface Clues {
  /** The found domain's label, spelled out; empty when no domain was found. */
  readonly domain: ReadonlyArray<NameKey>
  /** Our own domains and our people's company: a meeting is never "with" us. */
  readonly own: () => ReadonlyArray<NameKey>
  /** The words of the attendees' and organiser's names and mailbox names. */
  readonly people: () => ReadonlySet<string>
}

/** `f`'s answer, worked out on the first call and kept. */
export const lazy = <A>(f: () => A): (() => A) => {
  let cell: { readonly value: A } | undefined
  return () => (cell ??= { value: f() }).value
}

// A city or "Online" alone says where, not with whom ("Kundentermin – Hamburg").
const PLACES = wordSet(`
  berlin hamburg münchen munich köln cologne frankfurt stuttgart düsseldorf leipzig dortmund essen bremen dresden
  hannover nürnberg nuremberg duisburg bochum wuppertal bielefeld bonn münster mannheim karlsruhe augsburg
  wiesbaden aachen kiel lübeck rostock freiburg heidelberg potsdam mainz erfurt magdeburg regensburg wien vienna
  zürich zurich genf geneva basel bern graz linz salzburg innsbruck luzern lucerne london paris amsterdam rotterdam
  brüssel brussels madrid barcelona mailand milan rom rome prag prague warschau warsaw kopenhagen copenhagen
  stockholm oslo helsinki dublin lissabon lisbon boston chicago seattle austin toronto sydney singapur singapore
  tokyo online remote office büro zentrale hq headquarters homeoffice`)
const MULTI_WORD_PLACES = new Set(
  ["frankfurt am main", "new york", "san francisco", "los angeles", "home office", "vor ort"].map(normalizeText)
)

const coreWords = (words: ReadonlyArray<string>) =>
  words.filter((word) => !isConnector(word) && !isLegalForm(word) && !isSalutation(word))

const isPlace = (words: ReadonlyArray<string>) => {
  const core = coreWords(words).map(norm)
  return (core.length === 1 && PLACES.has(core[0] ?? "")) || MULTI_WORD_PLACES.has(core.join(" "))
}

const isOurs = (words: ReadonlyArray<string>, clues: Clues) => {
  const stretch = stretchOf(words)
  const match = findMatch(stretch, clues.own())
  return match !== undefined &&
    stretch.spelled.every((word, i) => (i >= match.start && i < match.end) || word.filler)
}

/** Every word is a word of someone's name: "Anna", "Anna Schmidt", "Weber". */
const isPeople = (words: ReadonlyArray<string>, clues: Clues) => {
  const core = coreWords(words)
  return core.length > 0 && !words.some(isLegalForm) && core.every((word) => clues.people().has(norm(word)))
}

const NAME_SEPARATORS = /[\s,;()"]+/
const MAILBOX_SEPARATORS = /[._-]+/
const LETTERS_ONLY = /^\p{L}{2,}$/u

export const everyone = (event: CalendarEvent): ReadonlyArray<Person> =>
  event.organizer === undefined ? event.attendees : [...event.attendees, event.organizer]

/**
 * A person's name in words. A mailbox counts only when the calendar gives no name and it reads
 * like one ("anna.schmidt"): "northwind@gmail.com" is a company's mailbox as often as a person's.
 */
const nameWordsOf = (person: Person): ReadonlyArray<string> => {
  if (person.name !== undefined && !person.name.includes("@")) return person.name.split(NAME_SEPARATORS)
  const at = person.email?.lastIndexOf("@") ?? -1
  const mailbox = at > 0 ? (person.email ?? "").slice(0, at).split(MAILBOX_SEPARATORS) : []
  return mailbox.length >= 2 && mailbox.every((part) => LETTERS_ONLY.test(part)) ? mailbox : []
}

export const peopleWords = (event: CalendarEvent): Set<string> =>
  new Set(everyone(event).flatMap(nameWordsOf).filter((word) => word.length >= 2).map(norm))

/** What the text says, from best to worst; `weak` only when nothing else is known. */
interface TextNames {
  readonly strong: string | undefined
  readonly weak: string | undefined
}

interface Text {
  readonly segments: ReadonlyArray<Segment>
  readonly lowerCase: boolean
  readonly rules: ReadonlyArray<NameRule>
  /** A summary is a title: a name in it runs to the end of its stretch of name words. */
  readonly isTitle: boolean
}

// What a meeting is about, after the company's name: "Kickoff Acme Rahmenvertrag". German
// capitalises these nouns, so only their meaning tells them from a name's further words.
const TOPIC_WORDS = wordSet(`
  projekt project vertrag contract renewal verlängerung roadmap rollout migration integration audit pricing
  preise budget lizenz lizenzen license licenses produkt product pilot poc`)
const TOPIC_SUFFIX = /(?:vertrag|verhandlung|verlangerung|projekt|planung)$/
const endsExtension = (word: string) =>
  isPlace([word]) || TOPIC_WORDS.has(norm(word)) || TOPIC_SUFFIX.test(norm(word))

// A domain that spells one word is often the short form of a longer name: brightwave.io for
// "Brightwave Analytics". That is only safe in a capitalised title: in prose (German capitalises
// every noun) and in all-lower-case text the next words are as likely not part of it. A city
// ("Acme Hamburg": Acme's office there) or a topic ends it. A longer match is the whole name.
// A legal form after the match belongs to it.
const nameAround = ({ end: runEnd, words }: Stretch, { end, start }: Match, extend: boolean): ReadonlyArray<string> => {
  let last = end
  if (extend && end - start === 1) {
    while (last < Math.min(runEnd, start + MAX_NAME_WORDS) && !endsExtension(words[last] ?? "")) last++
    while (last > end && isConnector(words[last - 1] ?? "")) last--
  }
  while (
    last < words.length &&
    (isLegalForm(words[last] ?? "") || (words[last] === "&" && isLegalForm(words[last + 1] ?? "")))
  ) last++
  return words.slice(start, last)
}

export const namesFromText = (event: CalendarEvent, clues: Clues): TextNames => {
  const texts: ReadonlyArray<Text> = [event.summary, event.description].map((text, i) => ({
    segments: splitSegments(text),
    lowerCase: !/\p{Lu}/u.test(text),
    rules: i === 0 ? SUMMARY_RULES : DESCRIPTION_RULES,
    isTitle: i === 0
  }))
  let weak: string | undefined
  const credible = (name: Name): string | undefined => {
    const words = name.text.split(" ")
    if (isPlace(words) || isOurs(words, clues) || isPeople(words, clues)) return undefined
    if (name.personal) weak ??= name.text
    return name.personal ? undefined : name.text
  }
  const firstCredible = (names: Iterable<Name>): string | undefined => {
    for (const name of names) {
      const text = credible(name)
      if (text !== undefined) return text
    }
    return undefined
  }
  // The domain confirms a name: a company's, even when it is also a surname ("Müller" for
  // mueller.de). A whole personal name is still a person's ("Max Weber" for weber.de).
  const confirmed = (name: ReadonlyArray<string>, text: Text): string | undefined => {
    if (isPlace(name) || isOurs(name, clues) || (coreWords(name).length > 1 && isPeople(name, clues))) return undefined
    return text.lowerCase ? titleCase(name.join(" ")) : name.join(" ")
  }
  // A rule drew the name's bounds ("Österreichische Post AG" for post.at): it stands as found.
  const confirmedRuleName = (name: Name, text: Text): string | undefined => {
    const words = name.text.split(" ")
    return name.personal || findMatch(stretchOf(words), clues.domain) === undefined
      ? undefined
      : confirmed(words, text)
  }
  const confirmedStretch = (stretch: Stretch, text: Text): string | undefined => {
    const match = findMatch(stretch, clues.domain)
    return match === undefined
      ? undefined
      : confirmed(nameAround(stretch, match, text.isTitle && !text.lowerCase), text)
  }

  const strong = (() => {
    // 1. What the organiser labelled: "Kunde: X", "Firma X".
    for (const text of texts) {
      const name = firstCredible(labelRule(text.segments, text.lowerCase))
      if (name !== undefined) return name
    }
    // 2. A name the domain confirms: one the rules found, else any stretch of name words.
    if (clues.domain.length > 0) {
      for (const text of texts) {
        const stretches = nameStretches(text.segments, text.lowerCase)
        // Every name a rule finds lies in a stretch: no match there, none in the rules' names (cheap
        // to know first, as a long description can hold many).
        if (!stretches.some((stretch) => findMatch(stretch, clues.domain) !== undefined)) continue
        for (const rule of text.rules) {
          for (const name of rule(text.segments, text.lowerCase)) {
            const found = confirmedRuleName(name, text)
            if (found !== undefined) return found
          }
        }
        for (const stretch of stretches) {
          const found = confirmedStretch(stretch, text)
          if (found !== undefined) return found
        }
      }
    }
    // 3. The explicit phrases, whether or not they match the domain: a legal form, "with X", "Kickoff – X".
    for (const text of texts) {
      for (const rule of text.rules) {
        const name = firstCredible(rule(text.segments, text.lowerCase))
        if (name !== undefined) return name
      }
    }
    return undefined
  })()
  return { strong, weak }
}
