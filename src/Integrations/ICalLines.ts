/**
 * Content lines of one VEVENT block, read without ical.js (pure).
 *
 * The block text is latin1 (one char per byte, folds removed): names, parameters and time values
 * are ASCII and read as they are; text that is kept is decoded as UTF-8 when it is taken (`utf8`).
 * Only plain lines are read here: an upper-case name, well-formed parameters without escapes, a
 * value. A block with any other line is left to ical.js, which then decides what it means.
 */
export interface FastLine {
  /** As written: A–Z, 0–9 and "-". */
  readonly name: string
  /** Parameter text from the first ";" ("" when there is none). */
  readonly params: string
  readonly value: string
  /** 0 for a property of the VEVENT itself, 1 inside a VALARM … */
  readonly depth: number
}

const COLON = 58
const SEMI = 59
const QUOTE = 34
const EQUALS = 61
const BACKSLASH = 92
const CARET = 94

const isNameChar = (c: number) => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45
const isParamNameChar = (c: number) => isNameChar(c) || (c >= 97 && c <= 122)

/**
 * Where the value starts (the ":" after the parameters), or -1 when the head of the line is not
 * plain. Escapes (\ and RFC 6868 ^) in parameter values are not plain: ical.js rewrites them.
 */
const valueColon = (text: string, from: number, end: number): number => {
  let i = from
  while (i < end && text.charCodeAt(i) === SEMI) {
    const nameStart = ++i
    while (i < end && isParamNameChar(text.charCodeAt(i))) i++
    if (i === nameStart || text.charCodeAt(i) !== EQUALS) return -1
    i++
    if (text.charCodeAt(i) === QUOTE) {
      const close = text.indexOf("\"", i + 1)
      if (close < 0 || close >= end) return -1
      for (let k = i + 1; k < close; k++) {
        const c = text.charCodeAt(k)
        if (c === BACKSLASH || c === CARET) return -1
      }
      i = close + 1
      const next = text.charCodeAt(i)
      if (next !== SEMI && next !== COLON) return -1
    } else {
      for (; i < end; i++) {
        const c = text.charCodeAt(i)
        if (c === SEMI || c === COLON) break
        if (c === QUOTE || c === BACKSLASH || c === CARET) return -1
      }
    }
  }
  return i < end && text.charCodeAt(i) === COLON ? i : -1
}

/**
 * The property lines of a block's latin1 text (its lines end with line breaks), or undefined when
 * one line is not plain or BEGIN/END do not nest. Trailing blanks are cut, as splitComponents does.
 */
export const readLines = (text: string): ReadonlyArray<FastLine> | undefined => {
  const lines: Array<FastLine> = []
  let depth = 0
  for (let p = 0; p < text.length;) {
    let nl = text.indexOf("\n", p)
    if (nl < 0) nl = text.length
    let end = nl > p && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
    for (let c = text.charCodeAt(end - 1); end > p && (c === 32 || c === 9); c = text.charCodeAt(end - 1)) end--
    const start = p
    p = nl + 1
    if (end === start) continue
    let i = start
    while (i < end && isNameChar(text.charCodeAt(i))) i++
    if (i === start) return undefined
    const colon = valueColon(text, i, end)
    if (colon < 0) return undefined
    const name = text.slice(start, i)
    const params = text.slice(i, colon)
    const value = text.slice(colon + 1, end)
    if (name === "BEGIN" || name === "END") {
      // Components nest as ical.js will nest them, or the block is not plain.
      if (params !== "" || !/^[A-Z0-9-]+$/.test(value)) return undefined
      depth += name === "BEGIN" ? 1 : -1
      if (depth < 0) return undefined
      continue
    }
    lines.push({ name, params, value, depth })
  }
  return depth === 0 ? lines : undefined
}

/** Decoded text of latin1 chars, not sharing memory with the block it was cut from. */
export const utf8 = (latin1: string): string => (isAscii(latin1) ? own(latin1) : decodeLatin1(latin1))

/** Decoded text of latin1 chars; plain ASCII is the very string given (a slice: copy what is kept). */
export const decoded = (latin1: string): string => (isAscii(latin1) ? latin1 : decodeLatin1(latin1))

const isAscii = (s: string) => !/[\x80-\xff]/.test(s)

const decodeLatin1 = (latin1: string) => Buffer.from(latin1, "latin1").toString("utf8")

/**
 * The same text, not sharing memory with the string it was cut from: a slice keeps its whole
 * parent alive. The concatenation is copied flat, and only it is kept; V8 copies short slices.
 */
export const own = (s: string): string => (s.length < 13 ? s : (" " + s).slice(1))

const paramPatterns = new Map<string, RegExp>()

/** The last value of a parameter (names in any case, as ical.js reads them), quotes removed. */
export const lastParam = (params: string, name: string): string | undefined => {
  let pattern = paramPatterns.get(name)
  if (pattern === undefined) {
    pattern = new RegExp(`;${name}=`, "i")
    paramPatterns.set(name, pattern)
  }
  if (!pattern.test(params)) return undefined
  // Walked, not searched: a quoted value may itself hold ";CN=".
  const wanted = name.toUpperCase()
  let found: string | undefined
  for (let i = 0; i < params.length;) {
    const eq = params.indexOf("=", i)
    const quoted = params.charCodeAt(eq + 1) === QUOTE
    const close = quoted ? params.indexOf("\"", eq + 2) : params.indexOf(";", eq + 1)
    const end = close < 0 ? params.length : close
    if (eq - i - 1 === wanted.length && params.slice(i + 1, eq).toUpperCase() === wanted) {
      found = params.slice(eq + (quoted ? 2 : 1), end)
    }
    i = quoted ? end + 1 : end
  }
  return found
}

/**
 * ical.js's TEXT decoding: \\ \; \, \n \N (any other backslash stays). Pieces are joined, not
 * concatenated: the result is one flat string, not a chain of slices of the value.
 */
export const unescapeText = (s: string): string => {
  let at = s.indexOf("\\")
  if (at < 0) return s
  const parts: Array<string> = []
  let from = 0
  for (; at >= 0 && at < s.length - 1; at = s.indexOf("\\", at)) {
    const c = s.charCodeAt(at + 1)
    const plain = c === BACKSLASH ? "\\" : c === SEMI ? ";" : c === 44 ? "," : c === 110 || c === 78 ? "\n" : undefined
    if (plain === undefined) {
      at++
      continue
    }
    parts.push(s.slice(from, at), plain)
    from = at += 2
  }
  parts.push(s.slice(from))
  return parts.join("")
}

/** ical.js's split of a multi-valued TEXT property: at commas without a backslash before them. */
export const splitUnescaped = (s: string): Array<string> => {
  const parts: Array<string> = []
  let last = 0
  for (let pos = s.indexOf(",");; pos = s.indexOf(",", pos + 1)) {
    if (pos < 0) break
    if (pos > 0 && s.charCodeAt(pos - 1) === BACKSLASH) continue
    parts.push(s.slice(last, pos))
    last = pos + 1
  }
  parts.push(s.slice(last))
  return parts
}
