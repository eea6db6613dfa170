/**
 * One pass of htmlparser2 over a page: the visible text as lines (block elements and <br> break
 * lines, a table row is one line with its cells apart), headings, links with their anchor text,
 * meta tags, JSON-LD blocks, microdata (itemprop) values, <html lang> and <base href>. Scripts,
 * styles, SVG and cookie banners are not text. Pure.
 */
import { Parser } from "htmlparser2"

export type Region = "main" | "nav" | "header" | "footer" | "aside"

export interface Line {
  readonly text: string
  /** The innermost block element it sits in (`p`, `li`, `h2`, `td`, `address`, `div` …). */
  readonly tag: string
  readonly region: Region
}

export interface Link {
  readonly href: string
  /** Anchor text, else the image's alt, title or aria-label. */
  readonly text: string
  readonly region: Region
}

export interface PageDoc {
  readonly lang: string | undefined
  readonly title: string
  readonly base: string | undefined
  /** `name`/`property`/`http-equiv` (lower-cased) → content, in document order. */
  readonly metas: ReadonlyArray<readonly [string, string]>
  readonly jsonLd: ReadonlyArray<string>
  /** Cloudflare's e-mail protection: the `data-cfemail` hex strings. */
  readonly cfEmails: ReadonlyArray<string>
  /** Microdata: `itemprop` → text (or `content`/`href`). */
  readonly microdata: ReadonlyArray<readonly [string, string]>
  readonly lines: ReadonlyArray<Line>
  readonly headings: ReadonlyArray<{ readonly level: number; readonly text: string }>
  readonly links: ReadonlyArray<Link>
}

const BLOCK = new Set([
  "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "address", "section",
  "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "table", "tr", "thead", "tbody",
  "tfoot", "caption", "form", "fieldset", "figure", "figcaption", "hr", "body", "option", "details", "summary"
])
const CELL = new Set(["td", "th"])
const SKIP = new Set(["script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "head", "select"])
const REGIONS: ReadonlyArray<Region> = ["nav", "header", "footer", "aside", "main"]
const regionOf = (name: string): Region | undefined => REGIONS.find((region) => region === name)
// Consent managers' containers (Cookiebot, OneTrust, Usercentrics, Borlabs, home-made "cookie-notice" …).
const BANNER = /cookie|consent|gdpr|(?:^|[\s_-])cmp(?:$|[\s_-])|usercentrics|onetrust|borlabs/i

export const collapse = (text: string): string => text.replace(/[\s\u00a0\u200b\u00ad]+/g, " ").trim()

interface Open {
  readonly name: string
  readonly skip: boolean
  readonly region: Region | undefined
}

export const parseHtml = (html: string): PageDoc => {
  const lines: Array<Line> = []
  const headings: Array<{ level: number; text: string }> = []
  const links: Array<Link> = []
  const metas: Array<readonly [string, string]> = []
  const jsonLd: Array<string> = []
  const microdata: Array<readonly [string, string]> = []
  const cfEmails: Array<string> = []
  const stack: Array<Open> = []
  let lang: string | undefined
  let base: string | undefined
  let title = ""
  let buffer = ""
  let skipping = 0
  let script: string | undefined
  let inTitle = false
  let anchor: { href: string; text: string; alt: string } | undefined
  let heading: { level: number; text: string } | undefined
  const props: Array<{ prop: string; text: string; depth: number }> = []

  const region = (): Region => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const r = stack[i]?.region
      if (r !== undefined) return r
    }
    return "main"
  }
  const blockTag = (): string => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const name = stack[i]?.name ?? ""
      if (BLOCK.has(name) || CELL.has(name)) return name
    }
    return "body"
  }
  const flush = () => {
    // Table cells stay apart by a tab: "Geschäftsführer\tMax Muster".
    const text = buffer.split("\t").map(collapse).filter((cell) => cell !== "").join("\t")
    buffer = ""
    if (text !== "") lines.push({ text, tag: blockTag(), region: region() })
  }
  const addText = (text: string) => {
    buffer += text.replace(/\t/g, " ")
    if (anchor !== undefined) anchor.text += text
    if (heading !== undefined) heading.text += text
    for (const p of props) p.text += text
  }

  const parser = new Parser({
    onopentag(name, attribs) {
      const skipHere = SKIP.has(name) ||
        (name !== "html" && name !== "body" && BANNER.test(`${attribs["id"] ?? ""} ${attribs["class"] ?? ""}`))
      if (attribs["data-cfemail"] !== undefined) cfEmails.push(attribs["data-cfemail"])
      if (name === "script" && /ld\+json/i.test(attribs["type"] ?? "")) script = ""
      if (name === "html") lang = attribs["lang"] ?? attribs["xml:lang"]
      if (name === "base" && base === undefined && attribs["href"] !== undefined) base = attribs["href"]
      if (name === "title" && !stack.some((open) => open.name === "svg")) inTitle = true
      if (name === "meta") {
        const key = attribs["name"] ?? attribs["property"] ?? attribs["http-equiv"] ?? attribs["itemprop"]
        if (key !== undefined && attribs["content"] !== undefined) metas.push([key.toLowerCase(), attribs["content"]])
      }
      if (skipping === 0 && !skipHere) {
        if (BLOCK.has(name) || name === "br" || name === "tr") flush()
        else if (CELL.has(name) && collapse(buffer) !== "") buffer += "\t"
        if (name === "a" && attribs["href"] !== undefined) {
          anchor = { href: attribs["href"], text: "", alt: attribs["title"] ?? attribs["aria-label"] ?? "" }
        }
        if (name === "img" && anchor !== undefined && attribs["alt"] !== undefined) anchor.alt ||= attribs["alt"]
        const level = /^h([1-6])$/.exec(name)?.[1]
        if (level !== undefined) heading = { level: Number(level), text: "" }
        const value = attribs["content"] ?? (name === "a" || name === "link" ? attribs["href"] : undefined)
        if (attribs["itemprop"] !== undefined) {
          if (value !== undefined) microdata.push([attribs["itemprop"], value])
          else props.push({ prop: attribs["itemprop"], text: "", depth: stack.length })
        }
      }
      const isVoid = name === "br" || name === "img" || name === "meta" || name === "link" || name === "input" ||
        name === "hr" || name === "base" || name === "wbr" || name === "source" || name === "area"
      if (!isVoid) {
        stack.push({ name, skip: skipHere, region: regionOf(name) })
        if (skipHere) skipping++
      }
    },
    ontext(text) {
      if (script !== undefined) script += text
      else if (inTitle) title += text
      else if (skipping === 0) addText(text)
    },
    onclosetag(name) {
      const top = stack.at(-1)
      if (top === undefined || top.name !== name) return
      // The line ends while its element is still open, so it knows its tag and region.
      if (skipping === 0 && (BLOCK.has(name) || name === "tr")) flush()
      stack.pop()
      if (top.skip) skipping--
      if (name === "script" && script !== undefined) {
        jsonLd.push(script)
        script = undefined
      }
      if (name === "title") inTitle = false
      if (skipping > 0) return
      if (name === "a" && anchor !== undefined) {
        links.push({ href: anchor.href, text: collapse(anchor.text) || collapse(anchor.alt), region: region() })
        anchor = undefined
      }
      if (heading !== undefined && /^h[1-6]$/.test(name)) {
        const text = collapse(heading.text)
        if (text !== "") headings.push({ level: heading.level, text })
        heading = undefined
      }
      while (props.length > 0 && (props.at(-1)?.depth ?? -1) >= stack.length) {
        const done = props.pop()
        if (done !== undefined && collapse(done.text) !== "") microdata.push([done.prop, collapse(done.text)])
      }
    }
  }, { decodeEntities: true })
  parser.write(html)
  parser.end()
  flush()
  return { lang, title: collapse(title), base, metas, jsonLd, cfEmails, microdata, lines, headings, links }
}
