/**
 * The words a company's name is told apart by, compared normalised: case, accents and ß/ss do not
 * matter.
 */
import { cached, normalizeText } from "../../Domain/Text.js"

export const wordSet = (words: string) => new Set(words.split(/\s+/).map(normalizeText))

export const PLAIN_ASCII = /^[\x20-\x7e]*$/
// Every word is looked up in several word sets, many times over: normalised once.
export const norm = cached(normalizeText)

export const PERSONAL_SALUTATIONS = wordSet("herr herrn frau hr. hr fr. mr mr. mrs mrs. ms ms. dr dr. prof prof. sir")
export const COMPANY_PREFIXES = wordSet("firma fa fa.")
export const ARTICLES = wordSet("der die das dem den des ein eine einem einen einer the a an")
const CONNECTORS = wordSet("& + und and of")
export const PREPOSITIONS = wordSet("with mit bei für fuer for")
export const LABELS = wordSet("company firma kunde customer client unternehmen account organisation organization")
export const ABBREVIATIONS = wordSet("z.b. e.g. i.e. bzw. ca. usw. etc. vs. u.a. d.h. evtl. ggf. inkl. incl. nr. no.")
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

export const LEGAL_FORMS = new Set([
  "GmbH", "gGmbH", "mbH", "AG", "KG", "KGaA", "OHG", "SE", "UG", "GbR", "eG", "e.K.", "e.V.", "Ltd", "Ltd.",
  "Limited", "LLC", "L.L.C.", "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Incorporated", "PLC", "plc", "LLP",
  "S.A.", "SA", "SAS", "SARL", "B.V.", "BV", "N.V.", "NV", "AB", "ASA", "Oy", "S.p.A.", "SpA", "S.r.l.", "Srl",
  "Pty", "Co.", "Co"
])
// Short forms ("AG", "SE", "AB") are also ordinary words in lower case; only these long ones are safe to fold.
const FOLDED_LEGAL_FORMS = wordSet(
  "gmbh ggmbh mbh kgaa ohg gbr ltd ltd. limited llc inc inc. corp corp. corporation plc llp"
)

// Asked for every word of every rule: remembered.
export const isLegalForm = cached((word: string) => LEGAL_FORMS.has(word) || FOLDED_LEGAL_FORMS.has(norm(word)))
export const isSalutation = cached((word: string) =>
  PERSONAL_SALUTATIONS.has(norm(word)) || COMPANY_PREFIXES.has(norm(word))
)
export const isConnector = cached((word: string) => CONNECTORS.has(norm(word)))
// A hyphenated compound is what its last part is: "Messe-Vorbereitung", "Sales-Call", "Q3-Review".
export const isMeetingWord = cached((word: string) => {
  const normalized = norm(word)
  return MEETING_WORDS.has(normalized) || MEETING_WORDS.has(normalized.slice(normalized.lastIndexOf("-") + 1)) ||
    MEETING_SUFFIX.test(normalized)
})
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
export const isNameWord = (word: string, lowerCase: boolean): boolean =>
  lowerCase ? isNameWordInLowerCase(word) : isNameWordInText(word)
