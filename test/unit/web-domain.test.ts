import { describe, expect, it } from "@effect/vitest"
import {
  classifyDomain,
  findDomainsInText,
  isFreeMail,
  isSharedPlatform,
  isWithinDomain,
  normalizeDomain
} from "../../src/Domain/WebDomain.js"

const reason = (input: string) => {
  const check = classifyDomain(input)
  return check.valid ? undefined : check.reason
}

describe("normalizeDomain", () => {
  it("upstream scenarios 10/11: scheme, case, path and query go", () => {
    expect(normalizeDomain("HTTPS://Example.com/")).toBe("example.com")
    expect(normalizeDomain("HTTPS://Acme.IO/path?q")).toBe("acme.io")
  })

  it("drops www., port, userinfo, fragment and the trailing dot", () => {
    expect(normalizeDomain("www.Acme.io")).toBe("acme.io")
    expect(normalizeDomain("http://user:secret@acme.io:8443/x#top")).toBe("acme.io")
    expect(normalizeDomain("acme.io.")).toBe("acme.io")
    expect(normalizeDomain("  ACME.IO  ")).toBe("acme.io")
    expect(normalizeDomain("ceo@Contoso.io")).toBe("contoso.io")
    expect(normalizeDomain("mailto:ceo@contoso.io")).toBe("contoso.io")
  })

  it("keeps subdomains other than www", () => {
    expect(normalizeDomain("https://shop.acme.io")).toBe("shop.acme.io")
  })

  it("writes international names as punycode A-labels", () => {
    expect(normalizeDomain("müller-maschinenbau.de")).toBe("xn--mller-maschinenbau-m6b.de")
    expect(normalizeDomain("https://www.MÜLLER-maschinenbau.de/kontakt")).toBe("xn--mller-maschinenbau-m6b.de")
    expect(normalizeDomain("xn--mller-maschinenbau-m6b.de")).toBe("xn--mller-maschinenbau-m6b.de")
  })
})

describe("classifyDomain", () => {
  it("accepts ordinary company domains, normalising first", () => {
    expect(classifyDomain("acme.io")).toEqual({ valid: true, domain: "acme.io" })
    expect(classifyDomain("HTTPS://Acme.IO/path?q")).toEqual({ valid: true, domain: "acme.io" })
    expect(classifyDomain("nordwind-logistik.de").valid).toBe(true)
    expect(classifyDomain("acme.co.uk").valid).toBe(true)
    expect(classifyDomain("müller-maschinenbau.de").valid).toBe(true)
  })

  it("upstream scenario 10: example.com after normalisation is invalid", () => {
    expect(classifyDomain("HTTPS://Example.com/")).toEqual({
      valid: false,
      domain: "example.com",
      reason: "a placeholder/reserved domain (RFC 2606)"
    })
  })

  it("rejects placeholder and reserved names", () => {
    const placeholders = [
      "example.com", "example.org", "example.net", "example.de", "hidden.example", "acme.test", "x.invalid"
    ]
    for (const d of placeholders) {
      expect(reason(d), d).toBe("a placeholder/reserved domain (RFC 2606)")
    }
    expect(reason("localhost")).toBe("localhost is not a company domain")
    expect(reason("app.localhost")).toBe("localhost is not a company domain")
  })

  it("rejects private network names", () => {
    for (const d of ["printer.local", "nas.lan", "wiki.internal", "router.home.arpa", "mail.corp", "portal.intranet"]) {
      expect(reason(d), d).toBe("a private network name, not reachable on the internet")
    }
  })

  it("rejects IP addresses, v4 and v6", () => {
    expect(reason("192.168.0.10")).toBe("an IP address, not a domain")
    expect(reason("http://10.0.0.1:8080/")).toBe("an IP address, not a domain")
    expect(reason("::1")).toBe("an IP address, not a domain")
    expect(reason("http://[2001:db8::1]:443/")).toBe("an IP address, not a domain")
  })

  it("rejects malformed names", () => {
    expect(reason("acme")).toBe("not a domain: no dot")
    expect(reason("")).toBe("empty")
    expect(reason("foo_bar.com")).toMatch(/^bad label or characters/)
    expect(reason("-acme.io")).toMatch(/^bad label or characters/)
    expect(reason("acme..io")).toMatch(/^bad label or characters/)
    expect(reason("acme.123")).toBe("the top-level domain is a number")
    expect(reason("acme.c")).toBe("the top-level domain does not look real")
  })
})

describe("isFreeMail", () => {
  it("knows the common providers, country variants included", () => {
    for (const d of ["gmail.com", "googlemail.com", "yahoo.com", "yahoo.de", "yahoo.co.uk", "hotmail.com", "outlook.de",
      "live.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "gmx.de", "gmx.net", "web.de",
      "t-online.de", "aol.com", "mail.ru", "yandex.ru", "zoho.com", "freenet.de"]) {
      expect(isFreeMail(d), d).toBe(true)
    }
    expect(isFreeMail("GMAIL.com")).toBe(true)
  })

  it("does not flag company domains", () => {
    for (const d of ["acme.io", "gmail-partners.com", "outlookconsulting.de", "webde.com"]) {
      expect(isFreeMail(d), d).toBe(false)
    }
  })
})

describe("helpers", () => {
  it("isWithinDomain covers subdomains but not look-alikes", () => {
    expect(isWithinDomain("sales.ourco.de", "ourco.de")).toBe(true)
    expect(isWithinDomain("OURCO.de", "ourco.de")).toBe(true)
    expect(isWithinDomain("notourco.de", "ourco.de")).toBe(false)
  })

  it("isSharedPlatform flags conference links", () => {
    expect(isSharedPlatform("https://us02web.zoom.us/j/123")).toBe(true)
    expect(isSharedPlatform("teams.microsoft.com")).toBe(true)
    expect(isSharedPlatform("microsoft.com")).toBe(false)
  })
})

describe("findDomainsInText", () => {
  it("finds bare domains, URLs and e-mail domains in order", () => {
    expect(findDomainsInText("see blueocean.com for the deck, mail anna@Nordwind.de or https://Acme.IO/x."))
      .toEqual(["blueocean.com", "nordwind.de", "acme.io"])
    expect(findDomainsInText("Website: www.müller-maschinenbau.de")).toEqual(["xn--mller-maschinenbau-m6b.de"])
    expect(findDomainsInText("Visit acme.io.")).toEqual(["acme.io"])
    expect(findDomainsInText("(https://acme.io)")).toEqual(["acme.io"])
  })

  it("skips file names, version numbers and abbreviations", () => {
    expect(findDomainsInText("Siehe report.pdf, notes.txt und Deck.pptx")).toEqual([])
    expect(findDomainsInText("Upgrade auf v1.2.3 bzw. 3.11, z.B. morgen; e.g. later, i.e. soon")).toEqual([])
    expect(findDomainsInText("Bei Dr.Smith in St.Gallen, termin.bitte bestätigen")).toEqual([])
  })

  it("finds reserved names so they can be reported", () => {
    expect(findDomainsInText("printer.local and http://localhost:3000/")).toEqual(["printer.local", "localhost"])
  })

  // It reads only the words with a dot or a scheme; reading every word finds the same.
  it("finds what reading every word finds", () => {
    const everyWord = (text: string) =>
      text.split(/[\s<>()[\]{}"'„“”‚‘’«»|,;]+/)
        .map((token) => token.replace(/^[.:!?*]+|[.:!?*]+$/g, ""))
        .filter((token) => token.length > 0)
        .flatMap((token) => findDomainsInText(`${token} `))
    const parts = [
      "acme.io", "www.Müller.de", "http://localhost", "https://a.b/c?d", "x://y", "a@b.co.uk", "@gmail.com", "v1.2",
      "z.B.", "Dr.Smith", ".", "..", ":", "://", "*", "!", "?", "(", ")", "[", "]", "{", "}", "<", ">", "\"", "'", "„",
      "“", "”", "«", "»", "|", ",", ";", " ", "\n", "\u00a0", "\u2028", "word", "Wort.", "report.pdf", "a.b.c.de",
      "mailto:x@y.de", "ftp://files.acme.io:21/x", "xn--mller-kva.de", "1.2.3.4", "[::1]"
    ]
    let seed = 1
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + next(10) }, () => parts[next(parts.length)] ?? "").join("")
      expect(findDomainsInText(text)).toEqual(everyWord(text))
    }
  })
})
