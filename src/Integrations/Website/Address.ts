/**
 * Postal addresses in page text: German, Austrian and Swiss (street and number, then postcode and
 * town, on one line or two), UK (lines up to the postcode) and US (… City, ST 12345). Pure.
 */
import { hasLegalForm } from "./Names.js"

const COUNTRY = /^(?:Deutschland|Germany|Österreich|Austria|Schweiz|Switzerland|Suisse|Liechtenstein|United Kingdom|UK|England|Scotland|Wales|Ireland|USA|United States(?: of America)?|Niederlande|Netherlands|Frankreich|France|Italien|Italy|Spanien|Spain|Luxemburg|Luxembourg|Belgien|Belgium|Dänemark|Denmark|Polen|Poland|Tschechien|Czech Republic)$/iu

const LABEL = /^(?:anschrift|adresse|address|postanschrift|hausanschrift|besucheradresse|lieferadresse|sitz(?: der gesellschaft)?|hauptsitz|firmensitz|registered office|head office|headquarters|office|hq|standort|location)\s*:?\s*/iu

const STREET = /^(?:\p{L}[\p{L}.'’\- ]{1,48}?\s\d{1,4}\s?[a-zA-Z]?(?:\s?[-–/]\s?\d{1,4}\s?[a-zA-Z]?)?|Postfach\s\d[\d ]{1,8}|P\.?\s?O\.?\s?Box\s\d+)$/u
const STREET_EN = /^(?:(?:Unit|Suite|Flat|Floor|Building)\s[\w-]+,?\s)?\d{1,5}[a-zA-Z]?(?:-\d{1,5})?\s+\p{L}[\p{L}.'’\- ]{2,48}$/u
const DACH_TOWN = /^(?:(?:D|DE|A|AT|CH|FL)\s?-\s?)?(\d{4,5})\s+(\p{Lu}[\p{L}.'’()/\- ]{1,48})$/u
const UK_POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$/u
const US_STATES = new Set(
  ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR " +
    "PA RI SC SD TN TX UT VT VA WA WV WI WY").split(" ")
)
const US_TOWN = /^(\p{Lu}[\p{L}.'’\- ]{1,40}),?\s+([A-Z]{2})\s+(\d{5}(?:-\d{4})?)$/u

const segmentsOf = (line: string): Array<string> =>
  line
    .split(/\s*[|·•]\s*|\s*\t\s*|\s*,\s*|\s+[-–]\s+|\.\s+(?=\p{Lu})/u)
    .map((segment) => segment.replace(LABEL, "").trim())
    .filter((segment) => segment !== "")

const isStreet = (s: string) => (STREET.test(s) || STREET_EN.test(s)) && !/\b(?:tel|fax|phone|hrb|hra)\b/iu.test(s)

/** Address parts before `at` (a town or postcode part) that belong to the address. */
const streetBefore = (segments: ReadonlyArray<string>, at: number, previousLine: ReadonlyArray<string>): Array<string> => {
  const before = segments.slice(0, at)
  const own = before.at(-1)
  if (own !== undefined && isStreet(own)) {
    const extra = before.at(-2)
    return extra !== undefined && /^(?:Unit|Suite|Flat|Floor|Building|c\/o|Gebäude|Haus)\b/iu.test(extra) ? [extra, own] : [own]
  }
  if (before.length > 0) return []
  const last = previousLine.at(-1)
  return last !== undefined && isStreet(last) ? [last] : []
}

const countryAfter = (segments: ReadonlyArray<string>, at: number, nextLine: ReadonlyArray<string>): Array<string> => {
  const next = at + 1 < segments.length ? segments[at + 1] : nextLine.length === 1 ? nextLine[0] : undefined
  return next !== undefined && COUNTRY.test(next) ? [next] : []
}

/** Every address found, in order: "Industriestraße 14, 88400 Biberach an der Riß, Deutschland". */
export const addresses = (lines: ReadonlyArray<string>): Array<string> => {
  const segmented = lines.map(segmentsOf)
  const found: Array<string> = []
  segmented.forEach((segments, i) => {
    const previous = segmented[i - 1] ?? []
    const next = segmented[i + 1] ?? []
    segments.forEach((segment, at) => {
      const dach = DACH_TOWN.exec(segment)
      if (dach !== null) {
        const street = streetBefore(segments, at, previous)
        if (street.length > 0) found.push([...street, segment, ...countryAfter(segments, at, next)].join(", "))
        return
      }
      const us = US_TOWN.exec(segment)
      if (us !== null && US_STATES.has(us[2] ?? "")) {
        const street = streetBefore(segments, at, previous)
        if (street.length > 0) found.push([...street, segment, ...countryAfter(segments, at, next)].join(", "))
        return
      }
      // "…, Los Angeles, CA 90012": town and state are separate segments.
      const state = /^([A-Z]{2})\s+(\d{5}(?:-\d{4})?)$/u.exec(segment)
      if (state !== null && US_STATES.has(state[1] ?? "") && at >= 2) {
        const street = streetBefore(segments, at - 1, previous)
        if (street.length > 0) {
          found.push([...street, `${segments[at - 1]}, ${segment}`, ...countryAfter(segments, at, next)].join(", "))
        }
        return
      }
      if (UK_POSTCODE.test(segment) && segment.length <= 40) {
        const parts = ukLines(segmented, i, at)
        if (parts.length > 0) found.push([...parts, segment, ...countryAfter(segments, at, next)].join(", "))
      }
    })
  })
  return found
}

// UK addresses are written a line per part: take the short lines above the postcode up to a name or label.
const ukLines = (segmented: ReadonlyArray<ReadonlyArray<string>>, line: number, at: number): Array<string> => {
  const own = (segmented[line] ?? []).slice(0, at)
  const parts: Array<string> = [...own]
  for (let i = line - 1; i >= 0 && parts.length < 4 && own.length === 0; i--) {
    const above = segmented[i] ?? []
    if (above.length !== 1) break
    const text = above[0] ?? ""
    if (text.length > 48 || /[:@]|\d{5,}/u.test(text) || hasLegalForm(text)) break
    parts.unshift(text)
  }
  const streetAt = parts.findIndex(isStreet)
  return streetAt < 0 ? [] : parts.slice(streetAt)
}
