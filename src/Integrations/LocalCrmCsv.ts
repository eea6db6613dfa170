/**
 * The local CRM's seed file: `name,domain,industry,size,country,notes,attachments` and, optional,
 * `owner` and `description`, where attachments are `;`-separated `name|url` items. Pure: the adapter reads the file and logs.
 */
import { CsvError, parse } from "csv-parse/sync"
import { Either } from "effect"
import { classifyDomain } from "../Domain/WebDomain.js"

export interface SeedAttachment {
  readonly name: string
  readonly url: string | undefined
}

export interface SeedCompany {
  readonly line: number
  readonly name: string
  readonly domain: string
  readonly industry: string | undefined
  readonly size: string | undefined
  readonly country: string | undefined
  readonly owner: string | undefined
  readonly description: string | undefined
  readonly notes: string | undefined
  readonly attachments: ReadonlyArray<SeedAttachment>
}

export interface SeedFile {
  readonly companies: ReadonlyArray<SeedCompany>
  /** Rows left out, with the reason: the user fixes them in the file. */
  readonly skipped: ReadonlyArray<{ readonly line: number; readonly reason: string }>
}

/** Why the file as a whole cannot be read. */
export interface SeedFileProblem {
  readonly line: number | undefined
  readonly reason: string
}

const REQUIRED_COLUMNS = ["name", "domain"] as const

const text = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim() ?? ""
  return trimmed.length > 0 ? trimmed : undefined
}

const parseAttachments = (value: string | undefined): ReadonlyArray<SeedAttachment> =>
  (value ?? "").split(";").flatMap((item) => {
    const bar = item.indexOf("|")
    const name = text(bar < 0 ? item : item.slice(0, bar))
    const url = bar < 0 ? undefined : text(item.slice(bar + 1))
    const shown = name ?? url
    return shown === undefined ? [] : [{ name: shown, url }]
  })

type Row = Record<string, string | undefined>

/** Excel in German or French locales saves CSV with ";" between fields. */
const delimiterOf = (content: string): string => {
  const header = content.split(/\r?\n/, 1)[0] ?? ""
  return header.split(";").length > header.split(",").length ? ";" : ","
}

/** UTF-8, or — what spreadsheet programs on Windows often write — Windows-1252. */
export const decodeCsvBytes = (
  bytes: Uint8Array
): { readonly text: string; readonly encoding: "utf-8" | "windows-1252" } => {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" }
  } catch {
    return { text: new TextDecoder("windows-1252").decode(bytes), encoding: "windows-1252" }
  }
}

const readRows = (content: string): Either.Either<ReadonlyArray<{ record: Row; line: number }>, SeedFileProblem> => {
  let lastGoodLine = 1
  try {
    const rows = parse(content, {
      columns: (header: Array<string>) => header.map((column) => column.trim().toLowerCase()),
      bom: true,
      delimiter: delimiterOf(content.replace(/^\uFEFF/, "")),
      info: true,
      trim: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastGoodLine = context.lines
        return record
      }
    }) as unknown as ReadonlyArray<{ record: Row; info: { lines: number } }>
    return Either.right(rows.map(({ info, record }) => ({ record, line: info.lines })))
  } catch (error) {
    if (!(error instanceof CsvError)) return Either.left({ line: undefined, reason: String(error) })
    // csv-parse names the end of the file for an unclosed quote; the user needs where it opened.
    if (error.code === "CSV_QUOTE_NOT_CLOSED") {
      return Either.left({ line: lastGoodLine + 1, reason: "a quoted field is opened here and never closed" })
    }
    return Either.left({ line: typeof error["lines"] === "number" ? error["lines"] : undefined, reason: error.message })
  }
}

const headerProblem = (content: string): SeedFileProblem | undefined => {
  const body = content.replace(/^\uFEFF/, "")
  const header = (body.split(/\r?\n/, 1)[0] ?? "").toLowerCase().split(delimiterOf(body)).map((c) => c.trim())
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column))
  if (missing.length === 0) return undefined
  return { line: 1, reason: `the header must name the columns ${REQUIRED_COLUMNS.join(", ")}; missing: ${missing.join(", ")}` }
}

const toCompany = (line: number, record: Row, name: string, domain: string): SeedCompany => ({
  line,
  name,
  domain,
  industry: text(record["industry"]),
  size: text(record["size"]),
  country: text(record["country"]),
  owner: text(record["owner"]),
  description: text(record["description"]),
  notes: text(record["notes"]),
  attachments: parseAttachments(record["attachments"])
})

/**
 * Rows with a missing name, an invalid domain or a domain an earlier row already has are
 * skipped; a malformed file is a problem.
 */
export const parseCompaniesCsv = (content: string): Either.Either<SeedFile, SeedFileProblem> => {
  if (content.trim().length === 0) return Either.right({ companies: [], skipped: [] })
  const problem = headerProblem(content)
  if (problem !== undefined) return Either.left(problem)
  return Either.map(readRows(content), (rows) => {
    const companies: Array<SeedCompany> = []
    const skipped: Array<{ line: number; reason: string }> = []
    const lineOf = new Map<string, number>()
    for (const { line, record } of rows) {
      const name = text(record["name"])
      const raw = record["domain"] ?? ""
      const domain = classifyDomain(raw)
      const earlier = lineOf.get(domain.domain)
      if (name === undefined) skipped.push({ line, reason: "the name is missing" })
      else if (!domain.valid) skipped.push({ line, reason: `invalid domain "${raw}": ${domain.reason}` })
      else if (earlier !== undefined) skipped.push({ line, reason: `${domain.domain} is already on line ${earlier}` })
      else {
        lineOf.set(domain.domain, line)
        companies.push(toCompany(line, record, name, domain.domain))
      }
    }
    return { companies, skipped }
  })
}
