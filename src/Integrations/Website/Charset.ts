/**
 * Bytes of a page to text, by the charset it declares (Content-Type header, then <meta charset>
 * or http-equiv in the first bytes). Sites lie: Latin-1 bytes declared (or assumed) UTF-8 are
 * read as windows-1252, and valid multi-byte UTF-8 declared Latin-1 is read as UTF-8, so no
 * replacement character (U+FFFD) comes out of a mislabelled page.
 */
import { TextDecoder } from "node:util"

const SNIFF_BYTES = 4096

/** The `charset` parameter of a Content-Type value, lower-cased. */
export const charsetOfContentType = (contentType: string | undefined): string | undefined => {
  const match = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? "")
  return match?.[1]?.toLowerCase()
}

/** `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">` near the top. */
export const charsetOfMeta = (bytes: Uint8Array): string | undefined => {
  const head = Buffer.from(bytes.subarray(0, SNIFF_BYTES)).toString("latin1")
  const direct = /<meta[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)
  return direct?.[1]?.toLowerCase()
}

const bomEncoding = (bytes: Uint8Array): string | undefined => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8"
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be"
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le"
  return undefined
}

const decoderFor = (label: string | undefined): TextDecoder | undefined => {
  if (label === undefined) return undefined
  try {
    return new TextDecoder(label)
  } catch {
    return undefined
  }
}

const strictUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

// 0x80–0x9F of windows-1252 (Node's TextDecoder reads them as C1 controls, i.e. as ISO-8859-1).
const CP1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ"

/** windows-1252, which is what "iso-8859-1" and "latin1" mean on the web. */
export const decodeWindows1252 = (bytes: Uint8Array): string => {
  let text = ""
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes = Array.from(bytes.subarray(i, i + 8192), (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH.charCodeAt(b - 0x80) : b))
    text += String.fromCharCode(...codes)
  }
  return text
}

const hasNonAscii = (bytes: Uint8Array) => bytes.some((b) => b >= 0x80)

export interface Decoded {
  readonly text: string
  /** The encoding actually used (WHATWG name). */
  readonly encoding: string
}

/** Decodes a page; `contentType` is the response header. Never yields U+FFFD for Latin-1 or UTF-8 pages. */
export const decodePage = (bytes: Uint8Array, contentType: string | undefined): Decoded => {
  const bom = bomEncoding(bytes)
  if (bom !== undefined) return { text: new TextDecoder(bom).decode(bytes), encoding: bom }
  const declared = decoderFor(charsetOfContentType(contentType)) ?? decoderFor(charsetOfMeta(bytes))
  const encoding = declared?.encoding ?? "utf-8"
  if (encoding === "utf-8") {
    const text = strictUtf8(bytes)
    return text !== undefined ? { text, encoding } : { text: decodeWindows1252(bytes), encoding: "windows-1252" }
  }
  // "iso-8859-1" is windows-1252 in WHATWG; bytes that are valid UTF-8 with multi-byte sequences
  // are UTF-8 whatever the label says (Latin-1 text essentially never forms them).
  if (encoding === "windows-1252" && hasNonAscii(bytes)) {
    const text = strictUtf8(bytes)
    if (text !== undefined) return { text, encoding: "utf-8" }
  }
  return { text: encoding === "windows-1252" || declared === undefined ? decodeWindows1252(bytes) : declared.decode(bytes), encoding }
}
