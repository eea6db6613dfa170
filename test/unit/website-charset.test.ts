import { describe, expect, it } from "@effect/vitest"
import { charsetOfContentType, charsetOfMeta, decodePage, decodeWindows1252 } from "../../src/Integrations/Website/Charset.js"
import { parseHtml } from "../../src/Integrations/Website/Html.js"
import { windows1252 } from "../fixtures/websites/sites.js"

const text = "Müller & Söhne GmbH – Größe „XL“ für 12 €"

describe("decoding a page", () => {
  it("UTF-8 as declared", () => {
    expect(decodePage(Buffer.from(text, "utf8"), "text/html; charset=utf-8")).toEqual({ text, encoding: "utf-8" })
  })

  it("windows-1252 bytes declared UTF-8 (header or meta) are read as windows-1252, typographic marks included", () => {
    const bytes = windows1252(`<meta charset="utf-8"><p>${text}</p>`)
    const decoded = decodePage(bytes, "text/html; charset=UTF-8")
    expect(decoded.encoding).toBe("windows-1252")
    expect(decoded.text).toContain(text)
    expect(decoded.text).not.toContain("\ufffd")
    expect(decodePage(bytes, "text/html").text).toContain(text)
  })

  it("with nothing declared, UTF-8 is assumed and Latin-1 bytes still come out right", () => {
    expect(decodePage(Buffer.from(text, "utf8"), undefined).text).toBe(text)
    expect(decodePage(windows1252(text), undefined).text).toBe(text)
  })

  it("UTF-8 bytes declared ISO-8859-1 are UTF-8 (no 'MÃ¼ller')", () => {
    expect(decodePage(Buffer.from(text, "utf8"), "text/html; charset=iso-8859-1").text).toBe(text)
  })

  it("ISO-8859-1 and windows-1252 as declared, from the header or a meta tag", () => {
    expect(decodePage(windows1252(text), "text/html; charset=ISO-8859-1").text).toBe(text)
    const html = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body>${text}</body></html>`
    expect(decodePage(windows1252(html), undefined).text).toContain(text)
  })

  it("other declared charsets, a BOM, an unknown label", () => {
    const latin9 = Buffer.from([0x50, 0x72, 0x65, 0x69, 0x73, 0x20, 0xa4])
    expect(decodePage(latin9, "text/html; charset=iso-8859-15").text).toBe("Preis €")
    expect(decodePage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), "text/html; charset=iso-8859-1").text).toBe(text)
    expect(decodePage(Buffer.from(text), "text/html; charset=x-klingon").text).toBe(text)
  })

  it("the whole windows-1252 upper half", () => {
    expect(decodeWindows1252(Buffer.from([0x80, 0x84, 0x93, 0x94, 0x96, 0x97, 0x9f, 0xe4, 0xdf]))).toBe("€„“”–—Ÿäß")
  })

  it("finds the charset in the header and in the first bytes", () => {
    expect(charsetOfContentType(`text/html;charset="ISO-8859-1"`)).toBe("iso-8859-1")
    expect(charsetOfContentType("text/html")).toBeUndefined()
    expect(charsetOfMeta(Buffer.from(`<!doctype html><html><head><meta charset='Windows-1252'>`))).toBe("windows-1252")
  })
})

describe("parsing HTML", () => {
  it("lines break at blocks and <br>, a table row is one line, scripts, styles and cookie banners are not text", () => {
    const doc = parseHtml(`<html lang="de"><head><title>T &amp; T</title><style>p{}</style></head><body>
      <div class="cookie-notice">Wir nutzen Cookies</div>
      <p>Firma<br>Straße 1</p><table><tr><td>Geschäftsführer</td><td>Max Muster</td></tr></table>
      <script>var x = "<p>nicht</p>"</script><p>A&nbsp;&amp;&nbsp;B</p></body></html>`)
    expect(doc.title).toBe("T & T")
    expect(doc.lang).toBe("de")
    expect(doc.lines.map((l) => l.text)).toEqual(["Firma", "Straße 1", "Geschäftsführer\tMax Muster", "A & B"])
  })

  it("links keep their anchor text, or the image's alt, or an aria-label", () => {
    const doc = parseHtml(`<a href="/a">Über <b>uns</b></a><a href="/b"><img src="x.png" alt="Impressum"></a><a href="/c" aria-label="LinkedIn"><svg/></a>`)
    expect(doc.links.map((l) => [l.href, l.text])).toEqual([["/a", "Über uns"], ["/b", "Impressum"], ["/c", "LinkedIn"]])
  })
})
