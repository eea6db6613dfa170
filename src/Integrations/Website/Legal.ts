/**
 * What an Impressum / legal notice states, read from a page's lines: the company's legal name,
 * its commercial register entry (HRB/HRA and the Amtsgericht; Austrian FN; Swiss CHE; UK company
 * number), VAT id, managing directors, address and founding year. German, Austrian, Swiss, UK and
 * US wording. Pure.
 */
import { cleanPersonName, companyNameAt, isPersonName } from "./Names.js"

// A value ends where the next "Label:" of a one-line footer begins, or at a separator.
const cutAtNextLabel = (value: string): string =>
  (value.split(/\s+[|·•]\s+|\s*\t\s*|\s+(?=\p{Lu}[\p{L}.\-]+(?:\s[\p{L}.\-]+)?\s?:\s)/u)[0] ?? "").trim()

/**
 * Values following a label: on the same line after it ("Geschäftsführer: Max Muster"), or on the
 * next line when the label stands alone — and on the lines after that while `more` accepts them
 * (a list of names, one per line). `label` is a regex source, matched case-insensitively.
 */
export const labeledValues = (
  lines: ReadonlyArray<string>,
  label: string,
  inline = false,
  more: (line: string) => boolean = () => false
): Array<string> => {
  const separator = inline ? "(?:\\s*[:：]|\\s+[-–]|\\s*\\t|\\s)" : "(?:\\s*[:：]|\\s+[-–]\\s|\\s*\\t)"
  const pattern = new RegExp(`(?:^|[\\s,;|·•(])(?:${label})${separator}\\s*(.*)$`, "iu")
  const alone = new RegExp(`^(?:${label})\\s*[:：]?$`, "iu")
  const values: Array<string> = []
  lines.forEach((line, i) => {
    if (alone.test(line.trim())) {
      const next = lines[i + 1]
      if (next === undefined || /^[^:]{1,40}:/.test(next)) return
      values.push(cutAtNextLabel(next))
      for (let j = i + 2; j < i + 6 && lines[j] !== undefined && more(lines[j] ?? ""); j++) values.push(lines[j] ?? "")
      return
    }
    const rest = pattern.exec(line)?.[1]
    if (rest !== undefined && rest.trim() !== "") values.push(cutAtNextLabel(rest))
  })
  return values.filter((v) => v !== "")
}

// ---- commercial register

const COURT_WORDS =
  "Amtsgerichts?|Registergerichts?|Handelsgerichts?|Landesgerichts?|Landgerichts?|Firmenbuchgerichts?|Local Court|District Court|Regist(?:er|ry|ration) Court"
// Within a line only: "Biberach an der Riß", "Freiburg i. Br.", "Charlottenburg (Berlin)".
const PLACE = "\\p{Lu}[\\p{L}.\\-]*(?: (?:an der|am|im|in der|bei|i\\.|\\(|\\p{Lu})[\\p{L}.\\-)]*){0,3}"

const GENERAL_PARTNER = /persönlich haftende|komplementär|general partner|managing partner company|haftende gesellschafterin/iu

/**
 * The lines as far as they speak of the company itself: what a GmbH & Co. KG says about its
 * general partner (the Komplementär-GmbH, with a register entry of its own) is cut off.
 */
export const withoutGeneralPartner = (lines: ReadonlyArray<string>): Array<string> =>
  lines.flatMap((line, i) => {
    // "Persönlich haftende Gesellschafterin:" as a label: the next line is about the partner.
    const previous = lines[i - 1] ?? ""
    if (GENERAL_PARTNER.test(previous) && (/:\s*$/.test(previous) || (previous.length <= 60 && !/\d/.test(previous)))) return []
    const at = line.search(GENERAL_PARTNER)
    return at < 0 ? [line] : at === 0 ? [] : [line.slice(0, at)]
  })

/** "HRB 721234", "HRA 5012 B", "FN 123456a", "CHE-123.456.789", or a UK company number. */
export const registerNumber = (text: string): string | undefined => {
  // "HRB 5012 B" (Berlin), "HRB 1234 HB" (Bremen); not the "AG" of "HRB 1234 AG Ulm".
  const number = "\\s*(?:-?\\s*(?:Nr\\.?|No\\.?|Nummer))?\\s*[:.]?\\s*(\\d{1,7}(?:\\s?(?!AG\\b)[A-Z]{1,2}\\b)?)"
  const german = new RegExp(`\\b(HR\\s?[AB])${number}`, "u").exec(text) ??
    // Cooperative, association and partnership registers, named as such nearby ("PR" alone is too common).
    new RegExp(`(?:register|gericht)[^\\n]{0,60}?\\b(GnR|VR|PartR|PR)${number}`, "iu").exec(text)
  if (german?.[1] !== undefined && german[2] !== undefined) {
    return `${german[1].replace(/\s/g, "")} ${german[2].trim()}`
  }
  const austrian = /\b(?:FN|Firmenbuchnummer:?)\s*(\d{1,6}\s?[a-z])\b/u.exec(text)
  if (austrian?.[1] !== undefined) return `FN ${austrian[1].replace(/\s/g, "")}`
  const swiss = /\bCHE[-\s]?(\d{3})[.\s]?(\d{3})[.\s]?(\d{3})\b/u.exec(text)
  if (swiss !== null) return `CHE-${swiss[1]}.${swiss[2]}.${swiss[3]}`
  const uk = /\b(?:company|registration|registered|reg\.?)\s*(?:number|no\.?|nr\.?)\s*[:.]?\s*([A-Z]{0,2}\d{6,8})\b/iu.exec(text) ??
    /\bregistered in (?:england(?: (?:and|&) wales)?|scotland|wales|northern ireland)[^.\d]{0,40}?(?:no\.?|number)?\s*[:.]?\s*([A-Z]{0,2}\d{6,8})\b/iu
      .exec(text)
  if (uk?.[1] !== undefined) return uk[1]
  const plain = /\bRegisternummer\s*:?\s*([A-Z]{0,3}\s?\d{2,7}\s?[A-Za-z]?)\b/u.exec(text)
  return plain?.[1]?.trim()
}

/** "Amtsgericht Ulm", "Handelsgericht Wien", "Handelsregister des Kantons Zürich", UK registrars. */
export const registerCourt = (input: string): string | undefined => {
  // "Local Court (Amtsgericht) Munich": the gloss in brackets goes.
  const text = input.replace(/\s*\((?:Amtsgericht|Registergericht|local court|district court)\)/giu, "")
  const court = new RegExp(`\\b(${COURT_WORDS})[ \\t]*[:,]?\\s*(${PLACE})`, "u").exec(text)
  if (court?.[1] !== undefined && court[2] !== undefined) {
    const kind = court[1].replace(/s$/, "")
    const place = court[2]
      .replace(/\s(?:HR\s?[AB]|GnR|VR|PR|PartR|Nr|No|unter|under|FN|Firmenbuch\w*)\b.*$/u, "")
      .replace(/\s*\($/, "")
      .replace(/[.,]$/, "")
      .trim()
    if (new RegExp(`^(?:${COURT_WORDS})\\s`, "u").test(place)) return place.replace(/^(\p{L}+gericht)s\b/u, "$1")
    if (/^AG\s/u.test(place)) return `Amtsgericht ${place.slice(3)}`
    if (!/^(?:HR\s?[AB]|Nr|No|unter|under)\b/u.test(place) && place !== "") return `${kind} ${place}`
  }
  // "AG Ulm, HRB 1234" or "HRB 1234 AG Ulm": AG is the Amtsgericht next to a register number.
  const short = /\bAG\s+(\p{Lu}[\p{L}\-]+)\s*,?\s*HR\s?[AB]\b/u.exec(text) ??
    /\bHR\s?[AB]\s*\d{1,7}\s*,?\s*AG\s+(\p{Lu}[\p{L}\-]+)/u.exec(text)
  if (short?.[1] !== undefined) return `Amtsgericht ${short[1]}`
  const canton = /\bHandelsregister(?:amt)?\s+des\s+Kantons\s+(\p{Lu}[\p{L}\-]+)/u.exec(text)
  if (canton?.[1] !== undefined) return `Handelsregister des Kantons ${canton[1]}`
  const uk = /\bregistered in (england(?: (?:and|&) wales)?|scotland|wales|northern ireland)\b/iu.exec(text)
  if (uk?.[1] !== undefined) {
    const where = uk[1].toLowerCase().replace("&", "and")
    const title = where.replace(/\b\w/g, (c) => c.toUpperCase()).replace(" And ", " and ")
    return `Registrar of Companies for ${title}`
  }
  return undefined
}

/** "DE812345678", "ATU12345678", "CHE-123.456.789 MWST", "GB123456789". */
export const vatId = (text: string): string | undefined => {
  const label = /(?:USt\.?[-\s]?Id(?:ent)?(?:\.|ifikations)?[-\s]?(?:Nr\.?|nummer)?|Umsatzsteuer[-\s]?(?:Identifikationsnummer|ID)|VAT(?:\s(?:Reg(?:istration)?\.?|ID|No\.?|number))*|UID(?:[-\s]?Nr\.?)?|MWST[-\s]?Nr\.?|Mehrwertsteuernummer)/giu
  // A heading ("Umsatzsteuer-ID") may come before the line that gives the number: try every label.
  for (const labelled of text.matchAll(label)) {
    const after = text.slice((labelled.index ?? 0) + labelled[0].length)
    const scope = /^[^\n]{0,90}(?:\n[^\n]{0,90})?/u.exec(after)?.[0] ?? ""
    const id = /\b(DE\s?\d{3}\s?\d{3}\s?\d{3}|ATU\s?\d{8}|CHE[-\s]?\d{3}[.\s]?\d{3}[.\s]?\d{3}(?:\s?(?:MWST|TVA|IVA))?|GB\s?\d{3}\s?\d{4}\s?\d{2}(?:\d{3})?|[A-Z]{2}\s?[0-9A-Z]{8,12})\b/u.exec(scope)
    const value = id?.[1]?.replace(/\s(?=\d)|(?<=\d)\s(?=\d)/g, "")
    if (value !== undefined && (value.match(/\d/g)?.length ?? 0) >= 6) return value
  }
  return undefined
}

// ---- people

const DIRECTOR_LABEL = [
  "(?:vertretungsberechtigte[rn]?\\s+)?gesch(?:ä|ae)ftsf(?:ü|ue)hr(?:er|erin|erinnen|ung|ende[rn]?\\s+gesellschafter(?:in)?)",
  "gesch(?:ä|ae)ftsleitung",
  "vorstand(?:svorsitzende[rn]?)?",
  "vorstände",
  "vertreten\\s+durch(?:\\s+(?:den|die|das|seinen|ihren|ihre))?(?:\\s+(?:gesch(?:ä|ae)ftsf(?:ü|ue)hr(?:er|erin|ung)|vorstand|inhaber(?:in)?))?",
  "inhaber(?:in)?",
  "managing\\s+directors?",
  "directors?",
  "represented\\s+by(?:\\s+(?:its|the))?(?:\\s+(?:managing\\s+)?directors?)?",
  "authori[sz]ed\\s+representatives?",
  "chief\\s+executive\\s+officer",
  "ceo",
  "management\\s+board",
  "executive\\s+board",
  "board\\s+of\\s+directors",
  "owner"
].join("|")

// "Geschäftsführer der Komplementärin:", "Directors of the Company:"
const LABEL_QUALIFIER = "(?:\\s+(?:der|des|of\\s+the)\\s+[\\p{L}-]+(?:\\s+[\\p{L}-]+)?(?=\\s*(?::|$)))?"

/** The people named as managing directors / board / owner. */
const namesIn = (value: string): Array<string> =>
  value
    .replace(/\([^)]*\)/g, " ")
    .split(/\s*(?:,|;|\/|\s&\s|\bund\b|\band\b|\bsowie\b|\bas well as\b)\s*/u)
    .map((part) => cleanPersonName(part.replace(/^(?:den|die|der|the|herrn?|frau)\s+/iu, "")))
    .filter(isPersonName)

export const managingDirectors = (lines: ReadonlyArray<string>): Array<string> =>
  labeledValues(lines, `(?:${DIRECTOR_LABEL})${LABEL_QUALIFIER}`, true, (line) => line.length <= 80 && namesIn(line).length > 0)
    .flatMap(namesIn)

const EXECUTIVE_ROLE = /\b(?:gesch(?:ä|ae)ftsf(?:ü|ue)hr(?:er|erin|ende[rn]?\s+gesellschafter(?:in)?)|vorstand(?:svorsitzende[rn]?)?|vorsitzende[rn]? des vorstands|(?:co-)?ceo|chief executive(?: officer)?|managing (?:director|partner)|president|inhaber(?:in)?|owner)\b/iu
const NOT_EXECUTIVE = /\b(?:assist\w*|sekretariat|office of|büro|referent\w*|aufsichtsrat\w*|supervisory|advisory|beirat|vice|deputy assistant)\b/iu
const ROLE_NAME_SEPARATOR = /\s*(?:[,|–—:]|\s-\s)\s*/u

/** Team pages: a name next to an executive role (same line, or the line before/after). */
export const executivesOnTeamPage = (lines: ReadonlyArray<string>): Array<string> => {
  const found: Array<string> = []
  lines.forEach((line, i) => {
    if (line.length > 120 || !EXECUTIVE_ROLE.test(line) || NOT_EXECUTIVE.test(line)) return
    const parts = line.split(ROLE_NAME_SEPARATOR).map(cleanPersonName)
    const sameLine = parts.find(isPersonName)
    if (sameLine !== undefined) return found.push(sameLine)
    const before = cleanPersonName(lines[i - 1] ?? "")
    if (isPersonName(before)) return found.push(before)
    const after = cleanPersonName(lines[i + 1] ?? "")
    if (isPersonName(after)) found.push(after)
  })
  return found
}

// ---- names and places

/** The legal name: a line that is a name ending in a legal form, or a copyright line's holder. */
export const legalNames = (lines: ReadonlyArray<string>): Array<{ readonly name: string; readonly copyright: boolean }> =>
  lines.flatMap((line): Array<{ readonly name: string; readonly copyright: boolean }> => {
    const copyright = /(?:©|\(c\)|copyright)/iu.exec(line)
    if (copyright !== null) {
      const name = companyNameAt(line.slice(copyright.index))
      return name === undefined ? [] : [{ name, copyright: true }]
    }
    // A label before the name, after a colon or in a table cell of its own ("Firma\tMuster GmbH").
    for (const cell of line.split("\t")) {
      const name = companyNameAt(cell.replace(NAME_LABEL, ""))
      if (name !== undefined) return [{ name, copyright: false }]
    }
    return []
  })

const NAME_LABEL =
  /^(?:anbieter|betreiber|herausgeber|diensteanbieter|firma|firmenname|unternehmen|name|company(?: name)?|legal name|provider|operator|publisher)\s*:\s*/iu

const YEAR = "(1[6-9]\\d\\d|20\\d\\d)"
const FOUNDED = [
  new RegExp(`(?:gegründet|gründung(?:sjahr)?|founded|established|est\\.|incorporated)(?!\\p{L})[^.!?\\d]{0,40}?\\b${YEAR}\\b`, "iu"),
  new RegExp(`\\b${YEAR}\\b[^.!?]{0,60}?\\b(?:gegründet|founded|established)\\b`, "iu"),
  new RegExp(`\\b(?:seit|since)\\s+(?:der\\s+)?(?:gründung|founding)\\s+(?:im\\s+jahr(?:e)?\\s+|in\\s+)?${YEAR}\\b`, "iu"),
  // "Familienunternehmen seit 1952", "family-owned since 1921": the weakest sign, tried last.
  new RegExp(`(?:familienunternehmen|familienbetrieb|traditionsunternehmen|family[- ]owned|family business)[^.!?\\d]{0,20}?\\b(?:seit|since)\\s+${YEAR}\\b`, "iu")
]

/** The year the company was founded, from "gegründet 1952", "founded in 2011", "1952 gegründet". */
export const foundingYear = (lines: ReadonlyArray<string>, thisYear: number): string | undefined => {
  for (const pattern of FOUNDED) {
    for (const line of lines) {
      const year = pattern.exec(line)?.[1]
      if (year !== undefined && Number(year) <= thisYear) return year
    }
  }
  return undefined
}
