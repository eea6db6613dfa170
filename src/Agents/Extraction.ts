/**
 * Which company a meeting is with. The domain comes from the event's text first (what the
 * organiser wrote on purpose), then its links, then people's e-mail addresses; the name from
 * the text (a labelled name, then one the domain confirms, then other explicit phrases), then
 * the attendees' contacts, then the domain itself.
 */
import { Effect } from "effect"
import { domainToUnicode } from "node:url"
import { AppConfig } from "../Config.js"
import type { CalendarEvent, Person } from "../Domain/CalendarEvent.js"
import type { Extraction as CompanyExtraction, ExtractionSource } from "../Domain/Company.js"
import { normalizeText } from "../Domain/Text.js"
import {
  classifyDomain,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinDomain,
  normalizeDomain
} from "../Domain/WebDomain.js"

export interface ExtractionOptions {
  readonly ownDomains: ReadonlyArray<string>
}

// ---------------------------------------------------------------------------------------------
// Domain

interface Candidate {
  readonly domain: string
  readonly source: ExtractionSource
}

const emailDomains = (people: ReadonlyArray<Person | undefined>): Array<string> =>
  people.flatMap((person) => (person?.email?.includes("@") ? [normalizeDomain(person.email)] : []))

const candidates = (event: CalendarEvent): Array<Candidate> => {
  const from = (source: ExtractionSource, domains: ReadonlyArray<string>) =>
    domains.map((domain): Candidate => ({ domain, source }))
  return [
    ...from("summary", findDomainsInText(event.summary)),
    ...from("description", findDomainsInText(event.description)),
    ...from("location", findDomainsInText(event.location)),
    ...from("url", event.urls.map(normalizeDomain)),
    ...from("attendee_email", emailDomains(event.attendees)),
    ...from("organizer_email", emailDomains([event.organizer]))
  ]
}

const isOwn = (domain: string, own: ReadonlyArray<string>) => own.some((parent) => isWithinDomain(domain, parent))

// A Zoom or Teams link says where a meeting happens; a person's @zoom.us address does say who it is with.
const isExcluded = ({ domain, source }: Candidate, own: ReadonlyArray<string>) =>
  domain.length === 0 || isFreeMail(domain) || isOwn(domain, own) ||
  (source !== "attendee_email" && source !== "organizer_email" && isSharedPlatform(domain))

const findDomain = (event: CalendarEvent, own: ReadonlyArray<string>) => {
  const invalid: Array<{ readonly domain: string; readonly reason: string }> = []
  let found: Candidate | undefined
  for (const candidate of candidates(event)) {
    if (isExcluded(candidate, own)) continue
    const check = classifyDomain(candidate.domain)
    if (check.valid) found ??= candidate
    else if (!invalid.some((entry) => entry.domain === check.domain)) {
      invalid.push({ domain: check.domain, reason: check.reason })
    }
  }
  return { found, invalid }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (compared normalised: case, accents and ß/ss do not matter)

const wordSet = (words: string) => new Set(words.split(/\s+/).map(normalizeText))
const CACHE_SIZE = 4096

/**
 * `f`, remembering its last few thousand answers: the same words come back clause after clause and
 * event after event. Cleared when full, which keeps memory bounded without bookkeeping.
 */
const cached = <A>(f: (word: string) => A): (word: string) => A => {
  const answers = new Map<string, A>()
  return (word) => {
    let answer = answers.get(word)
    if (answer === undefined) {
      if (answers.size >= CACHE_SIZE) answers.clear()
      answer = f(word)
      answers.set(word, answer)
    }
    return answer
  }
}

// Every word is looked up in several word sets. Plain ASCII only needs lower-casing; the Unicode
// normalisation of the others is costly.
const PLAIN_ASCII = /^[\x20-\x7e]*$/
const normalizeUnicode = cached(normalizeText)
const norm = (word: string): string => (PLAIN_ASCII.test(word) ? word.toLowerCase() : normalizeUnicode(word))

const PERSONAL_SALUTATIONS = wordSet("herr herrn frau hr. hr fr. mr mr. mrs mrs. ms ms. dr dr. prof prof. sir")
const COMPANY_PREFIXES = wordSet("firma fa fa.")
const ARTICLES = wordSet("der die das dem den des ein eine einem einen einer the a an")
const CONNECTORS = wordSet("& + und and of")
const PREPOSITIONS = wordSet("with mit bei für fuer for")
const LABELS = wordSet("company firma kunde customer client unternehmen account organisation organization")
const ABBREVIATIONS = wordSet("z.b. e.g. i.e. bzw. ca. usw. etc. vs. u.a. d.h. evtl. ggf. inkl. incl. nr. no.")
const STOP_WORDS = wordSet(`
  we us our you your me my them their him her it team teams everyone all everybody
  wir uns unser unsere unserem unseren unserer euch ihnen ihm ihr mir dir sich alle allen
  kollegen kollegin kunden kunde customer customers client clients interessent interessenten
  about on re regarding to from in at by via über wegen zum zur zu im am an auf vom von nach vor per
  leadership management marketing sales vertrieb geschäftsführung einkauf hr legal finance board
  engineering support product operations next steps new neue neuer neuen neuem potential internal intern
  today tomorrow heute morgen uhr pm cet cest utc
  january february march april may june july august september october november december
  jan feb mar apr jun jul aug sep sept oct nov dec januar februar märz maerz mai juni juli oktober dezember
  monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag freitag
  samstag sonntag mon tue tues wed thu thur thurs fri sat sun mo di mi do so kw cw`)
const MEETING_WORDS = wordSet(`
  meeting call termin kickoff kick-off prep vorbereitung besprechung gespräch workshop demo review sync
  briefing pitch präsentation presentation abstimmung jour fixe intro introduction follow-up followup telko
  telefonat video zoom discovery onboarding recherche research proposal angebot update status planning
  planung lunch dinner session visit besuch touchpoint strategy strategie conversation discussion
  standup stand-up retro retrospective anruf rückruf treffen kennenlernen erstkontakt webinar interview
  check-in checkin catch-up catchup qbr offsite akquise diligence preparation nachbereitung schulung einführung`)
// German compounds: "Kundentermin", "Jahresgespräch", "Messevorbereitung", "Angebotspräsentation".
const MEETING_SUFFIX = /(?:termin|gesprach|besprechung|meeting|vorbereitung|abstimmung|prasentation|workshop)$/

const LEGAL_FORMS = new Set([
  "GmbH", "gGmbH", "mbH", "AG", "KG", "KGaA", "OHG", "SE", "UG", "GbR", "eG", "e.K.", "e.V.", "Ltd", "Ltd.",
  "Limited", "LLC", "L.L.C.", "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Incorporated", "PLC", "plc", "LLP",
  "S.A.", "SA", "SAS", "SARL", "B.V.", "BV", "N.V.", "NV", "AB", "ASA", "Oy", "S.p.A.", "SpA", "S.r.l.", "Srl",
  "Pty", "Co.", "Co"
])
// Short forms ("AG", "SE", "AB") are also ordinary words in lower case; only these long ones are safe to fold.
const FOLDED_LEGAL_FORMS = wordSet(
  "gmbh ggmbh mbh kgaa ohg gbr ltd ltd. limited llc inc inc. corp corp. corporation plc llp"
)

const isLegalForm = (word: string) => LEGAL_FORMS.has(word) || FOLDED_LEGAL_FORMS.has(norm(word))
const isSalutation = (word: string) => PERSONAL_SALUTATIONS.has(norm(word)) || COMPANY_PREFIXES.has(norm(word))
const isConnector = (word: string) => CONNECTORS.has(norm(word))
// A hyphenated compound is what its last part is: "Messe-Vorbereitung", "Sales-Call", "Q3-Review".
const isMeetingWord = (word: string) => {
  const normalized = norm(word)
  return MEETING_WORDS.has(normalized) || MEETING_WORDS.has(normalized.slice(normalized.lastIndexOf("-") + 1)) ||
    MEETING_SUFFIX.test(normalized)
}
const isDateLike = (word: string) =>
  /^\d+(?:[./:-]\d+)*\.?$/.test(word) || /^\d{1,2}(?:[.:]\d{2})?(?:am|pm|h|uhr)$/i.test(word) ||
  /^(?:q[1-4]|h[12]|kw\d{1,2}|cw\d{1,2})$/i.test(word)
const looksLikeAddress = (word: string) => word.includes("@") || word.includes("://") || /\.\p{L}/u.test(word)

const isNameWordIn = (word: string, lowerCase: boolean): boolean => {
  if (isLegalForm(word) || isSalutation(word) || isConnector(word)) return true
  if (STOP_WORDS.has(norm(word)) || isMeetingWord(word) || isDateLike(word) || looksLikeAddress(word)) return false
  return lowerCase || /^[\p{Lu}\p{N}]/u.test(word)
}
// Asked for every word, often several times over: remembered.
const isNameWordInText = cached((word: string) => isNameWordIn(word, false))
const isNameWordInLowerCase = cached((word: string) => isNameWordIn(word, true))
const isNameWord = (word: string, lowerCase: boolean): boolean =>
  lowerCase ? isNameWordInLowerCase(word) : isNameWordInText(word)

// ---------------------------------------------------------------------------------------------
// Names

/**
 * "Firma Condata" → "Condata", "Herr Milonas Condata" → "Milonas Condata". Kept as is when only a
 * legal form follows ("Herr GmbH"), or a personal salutation leads a legal name ("Mr. Smith LLC").
 */
export const stripSalutation = (name: string): string => {
  const words = name.trim().split(/\s+/)
  const count = words.findIndex((word) => !isSalutation(word))
  if (count <= 0) return words.join(" ")
  const rest = words.slice(count)
  const personal = words.slice(0, count).some((word) => PERSONAL_SALUTATIONS.has(norm(word)))
  const last = rest[rest.length - 1] ?? ""
  if (rest.every(isLegalForm) || (personal && isLegalForm(last))) return words.join(" ")
  return rest.join(" ")
}

const titleCase = (name: string) =>
  name.split(" ").map((word) => (isConnector(word) ? word : word.charAt(0).toUpperCase() + word.slice(1))).join(" ")

const MAX_NAME_WORDS = 8

/** A name found in the text. `personal`: it followed "Herr"/"Mr." and is probably a person's. */
interface Name {
  readonly text: string
  readonly personal: boolean
}

/** The name at the start of `words`: capitalised words (any words in an all-lower-case text). */
const takeName = (words: ReadonlyArray<string>, lowerCase: boolean): Name | undefined => {
  const start = words.findIndex((word) => !ARTICLES.has(norm(word)))
  const picked: Array<string> = []
  for (const word of start < 0 ? [] : words.slice(start)) {
    if (picked.length === MAX_NAME_WORDS || !isNameWord(word, lowerCase)) break
    picked.push(word)
  }
  while (picked.length > 0 && isConnector(picked[picked.length - 1] ?? "")) picked.pop()
  while (picked.length > 0 && isConnector(picked[0] ?? "")) picked.shift()
  if (!picked.some((word) => !isSalutation(word) && !isConnector(word))) return undefined
  const whole = picked.join(" ")
  const name = stripSalutation(whole)
  const personal = name !== whole && PERSONAL_SALUTATIONS.has(norm(picked[0] ?? ""))
  return { text: lowerCase ? titleCase(name) : name, personal }
}

/** A clause of the text, and what ended it: ":", "-" (a dash between spaces), "," or ".". */
interface Segment {
  readonly words: ReadonlyArray<string>
  readonly end: string
}

const keepsDot = (word: string) => isLegalForm(word) || isSalutation(word) || ABBREVIATIONS.has(norm(word))

const cleanWord = (raw: string): string => {
  const word = raw.replace(/^[^\p{L}\p{N}&+]+/u, "").replace(/[^\p{L}\p{N}&+.]+$/u, "")
  return keepsDot(word) ? word : word.replace(/\.+$/, "")
}

const segmentEnd = (raw: string, word: string): string | undefined => {
  const last = raw.replace(/["'“”’»)\]]+$/, "").slice(-1)
  if (last === ":") return ":"
  if (",;!?".includes(last) && last !== "") return ","
  return last === "." && !word.endsWith(".") ? "." : undefined
}

const splitSegments = (text: string): Array<Segment> => {
  const segments: Array<Segment> = []
  let words: Array<string> = []
  const close = (end: string) => {
    if (words.length > 0) segments.push({ words, end })
    words = []
  }
  // "(…)" parts are asides (dates, cities, notes): they end the clause and are dropped.
  // Brackets end a segment but keep their content: "(Müller & Söhne KG)" can name the company.
  const prepared = text.replace(/[()[\]]/g, " , ").replace(/:(?=\p{L})/gu, ": ")
  for (const line of prepared.split(/\r?\n/)) {
    for (const raw of line.split(/\s+/)) {
      // "Acme <> OurCo", "Acme x OurCo" ("x" is lower case, so no name word): two parties, two clauses.
      if (/^(?:[-–—|•/=~]+|<+-*>+|↔)$/.test(raw)) {
        close("-")
        continue
      }
      const word = cleanWord(raw)
      if (word.length > 0) words.push(word)
      const end = segmentEnd(raw, word)
      if (end !== undefined) close(end)
    }
    close("\n")
  }
  return segments
}

/** Every name a rule finds, in the order of the text; lazily, as usually the first one is taken. */
type NameRule = (segments: ReadonlyArray<Segment>, lowerCase: boolean) => Iterable<Name>

const defined = <A>(value: A | undefined): Array<A> => (value === undefined ? [] : [value])

const isLabel = (words: ReadonlyArray<string>) => {
  const last = norm(words[words.length - 1] ?? "")
  const previous = norm(words[words.length - 2] ?? "")
  return LABELS.has(last) || last === "firmenname" || (last === "name" && LABELS.has(previous))
}

/** "Company: X", "Kunde: X", "Firma X". */
const labelRule: NameRule = function*(segments, lowerCase) {
  for (const [i, segment] of segments.entries()) {
    const next = segments[i + 1]
    if (segment.end === ":" && next !== undefined && isLabel(segment.words)) {
      yield* defined(takeName(next.words, lowerCase))
    }
    const prefix = segment.words.findIndex((word) => COMPANY_PREFIXES.has(norm(word)))
    if (prefix >= 0) yield* defined(takeName(segment.words.slice(prefix), lowerCase))
  }
}

/** "… Nordwind Logistik GmbH & Co. KG …": the name words before a legal form, and the form. */
const legalFormRule: NameRule = function*(segments, lowerCase) {
  for (const { words } of segments) {
    for (const [i, word] of words.entries()) {
      // "GmbH & Co. KG" is one legal form: its name was found at its first part.
      const previous = words[i - 1]
      if (!isLegalForm(word) || previous === undefined || previous === "&" || isLegalForm(previous)) continue
      let start = i
      while (start > 0 && i - start < 5 && isNameWord(words[start - 1] ?? "", lowerCase)) start--
      let end = i + 1
      while (
        end < words.length && end - start < MAX_NAME_WORDS && (isLegalForm(words[end] ?? "") || words[end] === "&")
      ) end++
      yield* defined(takeName(words.slice(start, end), lowerCase))
    }
  }
}

/** "with X", "mit X", "bei X", "für X". */
const prepositionRule: NameRule = function*(segments, lowerCase) {
  for (const { words } of segments) {
    for (const [i, word] of words.entries()) {
      if (PREPOSITIONS.has(norm(word))) yield* defined(takeName(words.slice(i + 1), lowerCase))
    }
  }
}

/** "Kickoff – Brightwave", "Prep: Brightwave", and "Brightwave – Kickoff". */
const dashRule: NameRule = (segments, lowerCase) => {
  const [first, second] = segments
  if (first === undefined || second === undefined || (first.end !== "-" && first.end !== ":")) return []
  const after = first.words.length <= 4 ? takeName(second.words, lowerCase) : undefined
  return defined(after ?? (second.words.every(isMeetingWord) ? takeName(first.words, lowerCase) : undefined))
}

// Most explicit first. A dash in a description is too often just punctuation.
const DESCRIPTION_RULES: ReadonlyArray<NameRule> = [legalFormRule, prepositionRule]
const SUMMARY_RULES: ReadonlyArray<NameRule> = [...DESCRIPTION_RULES, dashRule]

// ---------------------------------------------------------------------------------------------
// Does a name match a domain? "Bäckerei Groß" ~ baeckerei-gross.de, "Müller & Söhne KG" ~
// mueller-soehne.de, "Northwind Traders" ~ northwindtraders.com, "Bayerische Motoren Werke" ~ bmw.de.

// German domains spell umlauts out ("mueller"); some drop the dots ("muller"): both count.
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ä: "ae",
  ö: "oe",
  ü: "ue",
  æ: "ae",
  œ: "oe",
  ø: "oe",
  å: "aa"
}
const TRANSLITERABLE = /[äöüæœøå]/g
const NOT_ALPHANUMERIC = /[^\p{L}\p{N}]+/gu

const squash = (text: string) => norm(text).replace(NOT_ALPHANUMERIC, "")

/** "Müller" → ["mueller", "muller"], "Groß" → ["gross"], "Co." → ["co"]. */
const spellings = (text: string): ReadonlyArray<string> => {
  if (PLAIN_ASCII.test(text)) return [squash(text)]
  const lower = text.normalize("NFC").toLowerCase()
  const plain = squash(lower)
  const transliterated = squash(lower.replace(TRANSLITERABLE, (letter) => TRANSLITERATIONS[letter] ?? letter))
  return transliterated === plain ? [plain] : [transliterated, plain]
}

/** A domain label (or a company name) as letters only, and the offsets where its words end. */
interface NameKey {
  readonly letters: string
  readonly wordEnds: ReadonlySet<number>
}

// Words a domain or name may spell out or leave out: "mueller-und-soehne", "acme-gmbh".
const FILLERS = new Set([...LEGAL_FORMS].map(squash).concat(["und", "and", "u", "n", "of"]))
// Cut off the end of a label written as one word ("acmegmbh", "globexgroup") when enough is left.
const LABEL_SUFFIXES = ["gmbh", "ag", "kg", "inc", "ltd", "llc", "plc", "corp", "group", "gruppe", "holding"]
const MIN_KEY_LETTERS = 3

const keysOf = (words: ReadonlyArray<string>): Array<NameKey> => {
  const keys = new Map<string, NameKey>()
  const add = (parts: ReadonlyArray<string>) => {
    let letters = ""
    const wordEnds = new Set<number>()
    for (const part of parts) {
      letters += part
      wordEnds.add(letters.length)
    }
    if (letters.length > 0 && !keys.has(letters)) keys.set(letters, { letters, wordEnds })
  }
  const spelled = words.map(spellings).filter((options) => (options[0] ?? "").length > 0)
  const core = spelled.filter((options) => !FILLERS.has(options[0] ?? ""))
  for (const variant of [0, 1]) {
    for (const parts of [spelled, core]) {
      const letters = parts.map((options) => options[Math.min(variant, options.length - 1)] ?? "")
      add(letters)
      const [only] = letters
      if (letters.length !== 1 || only === undefined) continue
      for (const suffix of LABEL_SUFFIXES) {
        const rest = only.length - suffix.length
        if (only.endsWith(suffix) && rest >= MIN_KEY_LETTERS) add([only.slice(0, rest)])
      }
    }
  }
  return [...keys.values()]
}

const SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov", "ltd", "plc", "or", "ne", "gv"])

/** The label that names the owner: "acme" of "eu.acme.co.uk", "müller" of "xn--mller-kva.de". */
const ownerLabel = (domain: string): string | undefined => {
  const labels = domainToUnicode(domain).split(".")
  labels.pop()
  let label = labels.pop()
  if (label !== undefined && SECOND_LEVEL.has(label) && labels.length > 0) label = labels.pop()
  return label
}

const domainKeys = (domain: string): Array<NameKey> => keysOf((ownerLabel(domain) ?? "").split("-"))

/** A word of a name as the matcher sees it. */
interface Spelled {
  readonly spellings: ReadonlyArray<string>
  /** A legal form or connector: a domain may leave it out. */
  readonly filler: boolean
  readonly initial: string
}

const AMPERSAND = /[&+]/g
const AMPERSAND_WORDS = ["und", "and"]

// "&" is spelled out in domains as often as it is left out: "Müller & Söhne" ~ muellerundsoehne.de,
// "1&1" ~ 1und1.de.
const spell = cached((word: string): Spelled => {
  const options = spellings(word)
  const spelledOut = word.includes("&") || word.includes("+")
    ? AMPERSAND_WORDS.flatMap((spelling) => spellings(word.replace(AMPERSAND, spelling)))
    : []
  return {
    spellings: [...spelledOut, ...options],
    filler: isConnector(word) || isLegalForm(word),
    initial: (options[options.length - 1] ?? "").charAt(0)
  }
})

/**
 * Words a name may be in: `start`–`end` are name words; the spelling may run on past `end` into the
 * clause's other words ("Brauerei Zum Löwen" ~ brauerei-zum-loewen.de, though "zum" is a stop word).
 */
interface Stretch {
  readonly words: ReadonlyArray<string>
  readonly spelled: ReadonlyArray<Spelled>
  readonly start: number
  readonly end: number
}

const stretchOf = (words: ReadonlyArray<string>): Stretch => ({
  words,
  spelled: words.map(spell),
  start: 0,
  end: words.length
})

/**
 * Stretches of name words in each clause, where a name without a phrase around it can be:
 * "Messe-Vorbereitung Northwind Traders" → "Northwind Traders". Meeting words, dates and stop
 * words end a stretch; the words after "Herr"/"Mr." are a person's name and left out.
 */
const nameStretches = (segments: ReadonlyArray<Segment>, lowerCase: boolean): Array<Stretch> =>
  segments.flatMap(({ words }) => {
    const spelled = words.map(spell)
    const stretches: Array<Stretch> = []
    let start = 0
    let person = false
    for (const [i, word] of [...words, ""].entries()) {
      const normalized = norm(word)
      const salutation = PERSONAL_SALUTATIONS.has(normalized)
      const breaks = i === words.length || salutation || COMPANY_PREFIXES.has(normalized) ||
        ARTICLES.has(normalized) || !isNameWord(word, lowerCase)
      if (!breaks) continue
      if (i > start && !person) stretches.push({ words, spelled, start, end: i })
      start = i + 1
      person = salutation
    }
    return stretches
  })

// A shorter name still counts when it ends where a word of the label ends ("Acme" of
// "acme-robotics") or covers at least half of it ("Northwind" of "northwindtraders").
const isCredibleStart = (key: NameKey, length: number) =>
  length >= MIN_KEY_LETTERS && (key.wordEnds.has(length) || 2 * length >= key.letters.length)

/**
 * Where the words from `start` stop spelling `key`: after the word that completes it, or at the
 * stretch's end when the name words spell a credible start of it. Fillers may be skipped. The
 * state is the set of offsets reached in the key (at most its length): linear, no backtracking.
 */
const spelledUntil = ({ end, spelled }: Stretch, start: number, key: NameKey): number | undefined => {
  const { letters } = key
  // Most words start no name: say so before setting anything up.
  if (!(spelled[start]?.spellings.some((spelling) => spelling.length > 0 && letters.startsWith(spelling)) ?? false)) {
    return undefined
  }
  // A name has at most MAX_NAME_WORDS words: this bounds the work on a long run of fillers too.
  const stop = Math.min(spelled.length, start + MAX_NAME_WORDS)
  let reached: ReadonlyArray<number> = [0]
  let atEnd: ReadonlyArray<number> = []
  for (let i = start; i < stop; i++) {
    const word = spelled[i]
    if (word === undefined) break
    const next = new Set<number>()
    for (const at of reached) {
      if (word.filler && i > start) next.add(at)
      for (const spelling of word.spellings) {
        if (spelling.length > 0 && letters.startsWith(spelling, at)) next.add(at + spelling.length)
      }
    }
    if (next.has(letters.length)) return i + 1
    if (next.size === 0) break
    reached = [...next]
    if (i + 1 === end) atEnd = reached
  }
  return atEnd.some((at) => isCredibleStart(key, at)) ? end : undefined
}

const MIN_INITIALS = 2

/**
 * "Bayerische Motoren Werke" for "bmw", "Procter & Gamble" for "pg": a name word per letter. Only
 * a whole stretch counts: any few capitalised words have some initials.
 */
const initialsUntil = ({ end, spelled, start: first }: Stretch, start: number, key: NameKey): number | undefined => {
  const { letters } = key
  if (start !== first || letters.length < MIN_INITIALS || key.wordEnds.size !== 1) return undefined
  const initials = spelled.slice(start, end).filter((word) => !word.filler).map((word) => word.initial).join("")
  return initials === letters ? end : undefined
}

interface Match {
  readonly start: number
  readonly end: number
}

/** The first words, starting among the stretch's name words, that spell one of `keys`. */
const findMatch = (stretch: Stretch, keys: ReadonlyArray<NameKey>): Match | undefined => {
  for (let start = stretch.start; start < stretch.end && keys.length > 0; start++) {
    if (stretch.spelled[start]?.filler !== false) continue
    for (const key of keys) {
      const end = spelledUntil(stretch, start, key) ?? initialsUntil(stretch, start, key)
      if (end !== undefined) return { start, end }
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Which names are credible

/** What, besides the text, tells a company's name from anything else. */
interface Clues {
  /** The found domain's label, spelled out; empty when no domain was found. */
  readonly domain: ReadonlyArray<NameKey>
  /** Our own domains and our people's company: a meeting is never "with" us. */
  readonly own: ReadonlyArray<NameKey>
  /** The words of the attendees' and organiser's names and mailbox names. */
  readonly people: ReadonlySet<string>
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
  const match = findMatch(stretch, clues.own)
  return match !== undefined &&
    stretch.spelled.every((word, i) => (i >= match.start && i < match.end) || word.filler)
}

/** Every word is a word of someone's name: "Anna", "Anna Schmidt", "Weber". */
const isPeople = (words: ReadonlyArray<string>, clues: Clues) => {
  const core = coreWords(words)
  return core.length > 0 && !words.some(isLegalForm) && core.every((word) => clues.people.has(norm(word)))
}

const NAME_SEPARATORS = /[\s,;()"]+/
const MAILBOX_SEPARATORS = /[._-]+/
const LETTERS_ONLY = /^\p{L}{2,}$/u

const everyone = (event: CalendarEvent): ReadonlyArray<Person> =>
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

const peopleWords = (event: CalendarEvent): Set<string> =>
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

const namesFromText = (event: CalendarEvent, clues: Clues): TextNames => {
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

const contactCompany = (event: CalendarEvent, own: ReadonlyArray<string>): string | undefined =>
  everyone(event)
    .filter((person) => person.email === undefined || !isOwn(normalizeDomain(person.email), own))
    .map((person) => person.company?.trim() ?? "")
    .find((company) => company.length > 0)

const ownCompanies = (event: CalendarEvent, own: ReadonlyArray<string>): Array<string> =>
  everyone(event)
    .filter((person) => person.email !== undefined && isOwn(normalizeDomain(person.email), own))
    .flatMap((person) => defined(person.company?.trim()))

/** "brightwave.io" → "Brightwave", "nordwind-logistik.de" → "Nordwind Logistik", "acme.co.uk" → "Acme". */
export const nameFromDomain = (domain: string): string | undefined => {
  const words = (ownerLabel(domain) ?? "").split("-").filter((word) => word.length > 0)
  return words.length === 0 ? undefined : words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(" ")
}

// ---------------------------------------------------------------------------------------------

export const extractCompany = (event: CalendarEvent, options: ExtractionOptions): CompanyExtraction => {
  const own = options.ownDomains.map(normalizeDomain).filter((domain) => domain.length > 0)
  const { found, invalid } = findDomain(event, own)
  const clues: Clues = {
    domain: found === undefined ? [] : domainKeys(found.domain),
    own: [...own.flatMap(domainKeys), ...ownCompanies(event, own).flatMap((company) => keysOf(company.split(/\s+/)))],
    people: peopleWords(event)
  }
  const text = namesFromText(event, clues)
  // A name after "Herr"/"Mr." is most likely a person's: the last resort, not a guess over the domain.
  const companyName = text.strong ?? contactCompany(event, own) ??
    (found === undefined ? undefined : nameFromDomain(found.domain)) ?? text.weak
  return { companyName, domain: found?.domain, domainSource: found?.source, invalidDomains: invalid }
}

export class Extraction extends Effect.Service<Extraction>()("Agents/Extraction", {
  effect: Effect.gen(function*() {
    const { ownDomains } = yield* AppConfig
    const extract = Effect.fn("Extraction.extract")(function*(event: CalendarEvent) {
      const result = extractCompany(event, { ownDomains })
      yield* Effect.annotateCurrentSpan({
        "event.id": event.eventId,
        "extraction.domain_source": result.domainSource ?? "none",
        "extraction.invalid_domains": result.invalidDomains.length
      })
      return result
    })
    return { extract } as const
  }),
  dependencies: []
}) {}
