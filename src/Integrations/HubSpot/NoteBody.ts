/**
 * What a delivered note says (`hs_note_body`, HTML as HubSpot's editor writes it) and the marker
 * it carries: `Lead Insights ref li-<16 hex>`, derived from the delivery key alone, so the same
 * delivery always writes the same marker and the same file name, and a re-run can recognise what
 * an earlier try made. Pure.
 */
import { createHash } from "node:crypto"

const MARKER_PREFIX = "Lead Insights ref li-"

/** The delivery's reference: 16 hex digits of the key's SHA-256. */
export const deliveryRef = (key: string): string => `li-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`

export const markerOf = (key: string): string => `Lead Insights ref ${deliveryRef(key)}`

export const isOurNote = (body: string): boolean => body.includes(MARKER_PREFIX)

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** The note's text without its markup, one line per paragraph. */
export const noteText = (html: string): string =>
  html
    .replace(/<(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, "\"")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("\n")

/** A dossier summary longer than this is cut in the note; the PDF has all of it. */
const SUMMARY_CHARS = 3000

export interface NoteContent {
  readonly key: string
  readonly title: string
  /** The dossier's summary, when the dossier could be read. */
  readonly summary?: string | undefined
  /** The port's plain-text body (company, meeting, where the dossier is). */
  readonly body: string
  readonly attached: boolean
}

export const noteBody = (content: NoteContent): string => {
  const summary = content.summary === undefined || content.summary.trim() === ""
    ? []
    : [content.summary.length > SUMMARY_CHARS ? `${content.summary.slice(0, SUMMARY_CHARS)}…` : content.summary]
  return [
    `<p><strong>${escapeHtml(content.title)}</strong></p>`,
    ...summary.map((s) => `<p>${escapeHtml(s).replace(/\n/g, "<br>")}</p>`),
    `<p>${content.body.split("\n").map(escapeHtml).join("<br>")}</p>`,
    content.attached ? "<p>The dossier is attached as a PDF.</p>" : "",
    `<p>${markerOf(content.key)}</p>`
  ].filter((p) => p !== "").join("")
}
