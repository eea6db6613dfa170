/**
 * What a company's and a person's name look like on German and English sites: legal forms
 * (GmbH & Co. KG, AG, Ltd, Inc …), titles (Dr., Dipl.-Ing.), and the test whether a few words are a
 * person's name rather than a role, a heading or a sentence. Pure.
 */

const FORMS = [
  "GmbH & Co\\. KGaA", "GmbH & Co\\.? KG", "GmbH & Co\\.? OHG", "AG & Co\\.? KGaA", "AG & Co\\.? KG", "SE & Co\\.? KGaA",
  "SE & Co\\.? KG", "UG \\(haftungsbeschränkt\\) & Co\\.? KG", "UG \\(haftungsbeschränkt\\)", "gGmbH", "GmbH",
  "Ges\\.m\\.b\\.H\\.", "GesmbH", "mbH", "mbB", "KGaA", "AG", "SE", "KG", "OHG", "oHG", "GbR", "PartG mbB", "PartGmbB",
  "PartG", "e\\. ?K\\.", "e\\. ?Kfm\\.", "e\\. ?Kfr\\.", "eG", "e\\. ?V\\.", "Co\\., Ltd\\.", "Pty\\.? Ltd\\.?",
  "Ltd\\.?", "Limited", "L\\.L\\.C\\.", "LLC", "LLP", "L\\.P\\.", "Inc\\.?", "Incorporated", "Corp\\.?",
  "Corporation", "PLC", "plc", "S\\.A\\.S\\.", "SAS", "SARL", "S\\.à r\\.l\\.", "S\\.A\\.", "SA", "B\\.V\\.", "BV",
  "N\\.V\\.", "NV", "AB", "Oy", "A/S", "ApS", "S\\.r\\.l\\.", "S\\.p\\.A\\.", "Sp\\. z o\\.o\\.", "s\\.r\\.o\\.",
  "S\\.L\\."
].map((form) => form.replace(/ /g, "\\s*"))

/** A legal form, as the end of a company name. */
export const LEGAL_FORM = `(?:${FORMS.join("|")})`

const ENDS_WITH_FORM = new RegExp(`(?:^|[\\s,])${LEGAL_FORM}$`, "u")
export const hasLegalForm = (name: string): boolean => ENDS_WITH_FORM.test(name.trim())

// Words that start a sentence or a label, not a name: "Die Brenner GmbH ist …", "Anbieter: …".
const NOT_A_NAME_START = /^(?:die|der|das|den|dem|des|ein|eine|einer|the|a|an|our|unsere?|wir|we|bei|by|für|for|mit|with|von|from|über|about|alle|all|copyright|impressum|imprint|kontakt|contact)\b/iu
const SENTENCE_WORD = /\s(?:ist|sind|war|wird|werden|wurde|hat|haben|is|are|was|were|has|have|will|bietet|offers|provides|entwickelt|develops|gemäß|according|nach|wie|as|our|unser\w*|ihr\w*|your|sie|you|wir|we)\s/iu

/** A company name ending in a legal form, taken from the start of `text`; undefined if `text` is not one. */
export const companyNameAt = (text: string): string | undefined => {
  const cleaned = text
    .replace(/^(?:©|\(c\)|copyright|&copy;)\s*/iu, "")
    .replace(/^(?:©\s*)?(?:\d{4}\s*(?:[-–]\s*\d{4})?)\s*(?:by\s+)?/u, "")
    .replace(/^(?:©|\(c\))\s*/iu, "")
    .trim()
  const match = new RegExp(`^(\\p{Lu}|\\d)[^:|·•]{0,90}?(?:^|[\\s,])${LEGAL_FORM}(?=$|[\\s,.;|·•)–-])`, "u").exec(cleaned)
  if (match === null) return undefined
  const name = match[0].trim().replace(/,$/, "")
  if (NOT_A_NAME_START.test(name) || SENTENCE_WORD.test(` ${name} `)) return undefined
  if (name.split(/\s+/).length > 10) return undefined
  return name
}

const TITLE = /^(?:Dr\.|DDr\.|Prof\.|Dipl\.-?[\p{L}.]*|Ing\.|DI|Mag\.|Mag\.\s?\(FH\)|Dkfm\.|Bakk\.|MSc|BSc|MA|MBA|M\.\s?Sc\.|B\.\s?Sc\.|M\.\s?A\.|LL\.\s?M\.|h\.\s?c\.|rer\.|nat\.|med\.|phil\.|oec\.|pol\.|jur\.|techn\.|habil\.|PhD|Ph\.D\.|Dr\.-Ing\.|Betriebswirt|StB|RA|RAin|WP|vBP|CPA|FCA|ACA|Esq\.)$/u
const SALUTATION = /^(?:Herr|Herrn|Frau|Mr\.?|Mrs\.?|Ms\.?|Miss|Sir|Dame)$/u
const PARTICLE = /^(?:von|vom|van|der|den|de|da|di|du|del|zu|zur|la|le|ten|ter|bin|al)$/u
const NAME_WORD = /^\p{Lu}(?:[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?|\.|\p{Ll}*\p{Lu}\p{Ll}+|['’]\p{Lu}\p{Ll}+)$/u
const NOT_NAME_WORD = new RegExp(
  "^(?:" + [
    "Geschäftsführ\\w*", "Geschaeftsfuehr\\w*", "Vorstand\\w*", "Vorsitzende\\w*", "Aufsichtsrat\\w*", "Inhaber\\w*",
    "Gesellschaft\\w*", "Team", "Kontakt", "Contact", "Impressum", "Imprint", "Telefon", "Phone", "Fax", "Sitz", "Amtsgericht",
    "Registergericht", "Handelsregister", "Straße", "Strasse", "Ihre?s?", "Unsere?s?", "Wir", "Sie", "Die", "Der", "Das",
    "Dem", "Den", "Des", "Und", "The", "Our", "Your", "Management", "Board", "Directors?", "Managing", "Chief", "Officer",
    "Executive", "Head", "Leitung", "Vertrieb", "Sales", "Marketing", "Technik", "Finanzen", "Prokurist\\w*", "Prokura",
    "Company", "Limited", "Registered", "Office", "Germany", "Deutschland", "Österreich", "Schweiz", "Mehr", "More",
    "Read", "Lesen", "News", "Home", "Startseite", "Über", "About", "Partner", "Founder", "Gründer\\w*", "President",
    "Owner", "Chairman", "Seit", "Since", "Email", "E-Mail", "Mail", "Web", "Info", "Service", "Support", "Jobs",
    "Karriere", "Careers", "Presse", "Press", "Verantwortlich\\w*", "Datenschutz\\w*", "Redaktion", "Angaben", "Anschrift",
    "Adresse", "Address", "Berlin", "München", "Hamburg", "London", "Wien", "Zürich", "Abteilung", "Bereich", "Vorsitz",
    "Stellvertret\\w*", "Mitglied\\w*", "Member", "Vice", "Senior", "Junior", "Assistant", "Assistenz", "Mitarbeiter\\w*"
  ].join("|") + ")$",
  "u"
)
// Long words with these endings are nouns ("Buchhaltung", "Partnerschaft"); short ones can be names (Jung, Hornung).
const NOUN_ENDING = /^.{5,}(?:ung|keit|heit|schaft|tion|ship)$/u

/** "Dr. Sabine Vogt", "Martin Brenner", "Anna-Lena von der Heide": 2–4 name words, titles and particles allowed. */
export const isPersonName = (text: string): boolean => {
  const tokens = text.trim().split(/\s+/)
  if (tokens.length < 2 || tokens.length > 8) return false
  let names = 0
  for (const token of tokens) {
    if (TITLE.test(token) || SALUTATION.test(token)) continue
    if (PARTICLE.test(token) && names > 0) continue
    if (!NAME_WORD.test(token) || NOT_NAME_WORD.test(token) || NOUN_ENDING.test(token)) return false
    names++
  }
  return names >= 2 && names <= 4 && !/\.$/.test(tokens.at(-1) ?? "")
}

/** The name as written, salutation and role in brackets removed ("Herr Dr. Max Muster (CEO)" → "Dr. Max Muster"). */
export const cleanPersonName = (text: string): string =>
  text
    .replace(/\([^)]*\)/g, " ")
    .replace(/[„“"”«»]/g, "")
    .trim()
    .split(/\s+/)
    .filter((token) => !SALUTATION.test(token))
    .join(" ")
    .replace(/[,.;:]+$/, (end) => (/\b(?:Jr|Sr)\.$/.test(text) ? end : ""))

/** For telling two spellings of one person apart from two people: no titles, lower case. */
export const personKey = (name: string): string =>
  name
    .split(/\s+/)
    .filter((token) => !TITLE.test(token) && !SALUTATION.test(token))
    .join(" ")
    .toLowerCase()
