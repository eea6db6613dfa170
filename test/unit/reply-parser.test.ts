import { describe, expect, it } from "@effect/vitest"
import { ownText, parseDecision, parseFields } from "../../src/Agents/ReplyParser.js"

const lines = (...ls: ReadonlyArray<string>) => ls.join("\n")

describe("parseDecision: upstream vectors, with upstream's bugs fixed", () => {
  it.each([
    ["\n\nYes, approved", "approve"],
    ["Ok!", "approve"],
    ["JA bitte", "approve"],
    ["Nein, leider nicht", "decline"],
    ["We must decline this", "decline"],
    ["", "unclear"],
    ["Maybe later", "unclear"],
    ["Not sure", "unclear"],
    ["no, not ok", "decline"],
    ["DISAPPROVE", "decline"]
  ] as const)("%j → %s", (text, expected) => {
    expect(parseDecision(text)).toBe(expected)
  })
})

describe("parseDecision: English and German words, negation, conflicts", () => {
  it.each([
    ["Sure, go ahead.", "approve"],
    ["Confirmed", "approve"],
    ["Jawohl!", "approve"],
    ["Gerne, bitte freigeben.", "approve"],
    ["Ist genehmigt.", "approve"],
    ["Passt so", "approve"],
    ["Einverstanden", "approve"],
    ["Nope", "decline"],
    ["Rejected.", "decline"],
    ["Please cancel this.", "decline"],
    ["Abgelehnt", "decline"],
    ["Bitte nicht.", "decline"],
    ["Nicht freigeben!", "decline"],
    ["Das ist nicht genehmigt.", "decline"],
    ["stop", "decline"]
  ] as const)("%j → %s", (text, expected) => {
    expect(parseDecision(text)).toBe(expected)
  })

  it.each([
    ["not ok", "decline"],
    ["Nicht OK", "decline"],
    ["kein OK von mir", "decline"],
    ["I don't approve this", "decline"],
    ["I don’t approve", "decline"],
    ["not approved", "decline"],
    ["Das passt mir nicht", "decline"],
    ["Ich bin damit nicht einverstanden", "decline"],
    ["Not sure yet, I'll ask my boss", "unclear"],
    ["Bin mir nicht sicher", "unclear"]
  ] as const)("negation: %j → %s", (text, expected) => {
    expect(parseDecision(text)).toBe(expected)
  })

  it("a reply that says both yes and no is unclear, never an approval", () => {
    expect(parseDecision("Yes and no")).toBe("unclear")
    expect(parseDecision("Ja. Nein, doch nicht.")).toBe("unclear")
    expect(parseDecision("Approve\nActually, decline")).toBe("unclear")
  })

  it("a reply without a decision is unclear", () => {
    expect(parseDecision("Thanks for the note, I'll get back to you.")).toBe("unclear")
    expect(parseDecision("Company: Acme Corp\nDomain: acme.io")).toBe("unclear")
    expect(parseDecision("Is this ok?")).toBe("unclear")
  })

  it("words inside other words do not count", () => {
    expect(parseDecision("Nobody told me about this")).toBe("unclear")
    expect(parseDecision("Okayish timing, unknown agenda")).toBe("unclear")
  })

  it("reads the decision at the top, not in the text further down", () => {
    const text = lines(
      "Hi,",
      "",
      "yes, go ahead.",
      "",
      "Background: we met them in spring, the",
      "deal was on hold, no budget back then,",
      "and they said no to the first offer."
    )
    expect(parseDecision(text)).toBe("approve")
  })

  it("a company or domain value does not decide; \"Decision: approve\" does", () => {
    expect(parseDecision("Ja\nFirma: Nein GmbH")).toBe("approve")
    expect(parseDecision("Decision: approve")).toBe("approve")
    expect(parseDecision("Freigabe: nein")).toBe("decline")
  })
})

describe("quoted originals never count", () => {
  it("top-posted \"Approve\" above a Gmail quote that says decline → approve", () => {
    const text = lines(
      "Approve",
      "",
      "On Mon, 3 Nov 2026 at 10:00, Anna <a@x.de> wrote:",
      "> Reply APPROVE or DECLINE.",
      "> decline"
    )
    expect(ownText(text)).toBe("Approve")
    expect(parseDecision(text)).toBe("approve")
  })

  it("top-posted \"Nein\" above a quoted \"Ja, freigeben\" → decline", () => {
    const text = lines(
      "Nein",
      "",
      "Am 03.11.2026 um 10:00 schrieb Anna Berger <a@x.de>:",
      "> Ja, freigeben"
    )
    expect(ownText(text)).toBe("Nein")
    expect(parseDecision(text)).toBe("decline")
  })

  it("a Gmail attribution wrapped over two lines", () => {
    const text = lines(
      "Yes",
      "",
      "On Mon, 3 Nov 2026 at 10:00, Anna Berger",
      "<a@x.de> wrote:",
      "",
      "> No idea. Decline?"
    )
    expect(ownText(text)).toBe("Yes")
    expect(parseDecision(text)).toBe("approve")
    const german = lines(
      "Ja, bitte.",
      "",
      "Am Di., 3. Nov. 2026 um 10:00 Uhr schrieb Lead Insights <",
      "lead-insights@lead-insights.app>:",
      "",
      "> Bitte mit Ja oder Nein antworten."
    )
    expect(ownText(german)).toBe("Ja, bitte.")
  })

  it("a German Outlook header block (no \">\" marks) cuts off the original", () => {
    const text = lines(
      "Nein, bitte nicht.",
      "",
      "________________________________",
      "Von: Lead Insights <lead-insights@lead-insights.app>",
      "Gesendet: Dienstag, 3. November 2026 10:00",
      "An: Anna Berger <a@x.de>",
      "Betreff: [LI-abc123def] Freigabe für Kickoff Müller",
      "",
      "Bitte antworten Sie mit Ja oder Nein.",
      "Firma: ?"
    )
    expect(ownText(text)).toBe("Nein, bitte nicht.")
    expect(parseDecision(text)).toBe("decline")
    expect(parseFields(text)).toEqual({})
  })

  it("an English Outlook block and \"-----Original Message-----\"", () => {
    const outlook = lines(
      "OK, approved.",
      "",
      "From: Lead Insights <lead-insights@lead-insights.app>",
      "Sent: Tuesday, November 3, 2026 10:00 AM",
      "To: John <john@acme.io>",
      "Subject: Approval needed",
      "",
      "Reply yes or no."
    )
    expect(ownText(outlook)).toBe("OK, approved.")
    const oneLine = lines(
      "OK, approved.",
      "",
      "From: Lead Insights Sent: Tuesday, November 3, 2026 To: John Subject: x",
      "Decline?"
    )
    expect(ownText(oneLine)).toBe("OK, approved.")
    const original = lines("Decline please", "", "-----Original Message-----", "From: x@y.de", "Yes or no?")
    expect(ownText(original)).toBe("Decline please")
    const german = lines("Ja", "", "-----Ursprüngliche Nachricht-----", "Von: x@y.de", "Nein?")
    expect(ownText(german)).toBe("Ja")
  })

  it("a bottom-posted answer below the quote is the own text", () => {
    const text = lines(
      "On 3 Nov 2026, at 10:00, Lead Insights <lead-insights@lead-insights.app> wrote:",
      "",
      "> Should we prepare a dossier? Reply yes or no.",
      "> Company: ?",
      "",
      "No, thanks.",
      "",
      "Sent from my iPhone"
    )
    expect(ownText(text)).toBe("No, thanks.")
    expect(parseDecision(text)).toBe("decline")
  })

  it("an inline answer between quoted lines", () => {
    const text = lines(
      "> Should we prepare a dossier?",
      "Yes.",
      "> Which company is it?",
      "Company: Keller Logistik GmbH",
      "> And the web domain?",
      "Domain: keller-logistik.de"
    )
    expect(ownText(text)).toBe("Yes.\nCompany: Keller Logistik GmbH\nDomain: keller-logistik.de")
    expect(parseDecision(text)).toBe("approve")
    expect(parseFields(text)).toEqual({ company: "Keller Logistik GmbH", domain: "keller-logistik.de" })
  })
})

describe("signatures are not part of the own text", () => {
  it.each([
    ["-- ", "Yes\n\n-- \nAnna Berger\nNo-Reply Department"],
    ["Best regards", "Yes\n\nBest regards,\nAnna"],
    ["Mit freundlichen Grüßen", "Yes\n\nMit freundlichen Grüßen\nAnna Berger\nNein & Partner"],
    ["Viele Grüße", "Yes\n\nViele Grüße, Anna\nNope GmbH"],
    ["Sent from my iPhone", "Yes\n\nSent from my iPhone"],
    ["Von meinem iPhone gesendet", "Yes\n\nVon meinem iPhone gesendet"]
  ])("%s", (_, text) => {
    expect(ownText(text)).toBe("Yes")
    expect(parseDecision(text)).toBe("approve")
  })
})

describe("replies converted from HTML", () => {
  it("Gmail HTML as text: blockquote as \"> \", attribution wrapped, links in brackets", () => {
    // What mailparser's html-to-text makes of a Gmail reply without a text part.
    const text = lines(
      "Ja, gerne freigeben.",
      "",
      "",
      "Firma: Müller Maschinenbau AG",
      "Webseite: www.mueller-maschinenbau.de [http://www.mueller-maschinenbau.de]",
      "",
      "",
      "Viele Grüße",
      "Anna",
      "",
      "Am Di., 3. Nov. 2026 um 10:00 Uhr schrieb Lead Insights",
      "<lead-insights@lead-insights.app [lead-insights@lead-insights.app]>:",
      "",
      "",
      "> Sollen wir ein Dossier vorbereiten? Bitte antworte mit Ja oder Nein.",
      "> Firma: ?"
    )
    expect(ownText(text)).toBe(lines(
      "Ja, gerne freigeben.",
      "",
      "Firma: Müller Maschinenbau AG",
      "Webseite: www.mueller-maschinenbau.de [http://www.mueller-maschinenbau.de]"
    ))
    expect(parseDecision(text)).toBe("approve")
    expect(parseFields(text)).toEqual({ company: "Müller Maschinenbau AG", domain: "www.mueller-maschinenbau.de" })
  })

  it("Outlook HTML as text: a rule line, then the header block", () => {
    const text = lines(
      "Declined.\u00a0Sorry.",
      "",
      "",
      "-".repeat(80),
      "",
      "From: Lead Insights <lead-insights@lead-insights.app>",
      "Sent: Tuesday, November 3, 2026 9:00 AM",
      "To: John Smith <john.smith@acme.io>",
      "Subject: Approval needed: Acme kickoff",
      " ",
      "Please reply APPROVE or DECLINE."
    )
    expect(ownText(text)).toBe("Declined. Sorry.")
    expect(parseDecision(text)).toBe("decline")
  })
})

describe("parseFields", () => {
  it("reads key: value and key = value with odd spacing and case", () => {
    expect(parseFields("  Company :  Acme Corp\nWEBSITE=acme.io")).toEqual({ company: "Acme Corp", domain: "acme.io" })
    expect(parseFields("company name:Acme Corp  \n   Domain   =   acme.io  ")).toEqual({
      company: "Acme Corp",
      domain: "acme.io"
    })
  })

  it("maps English and German aliases to company and domain", () => {
    expect(parseFields("Firma: Müller GmbH\nWebseite: www.mueller.de")).toEqual({
      company: "Müller GmbH",
      domain: "www.mueller.de"
    })
    expect(parseFields("Unternehmen: Keller AG\nweb domain: keller.de"))
      .toEqual({ company: "Keller AG", domain: "keller.de" })
    expect(parseFields("Name: Acme\nHomepage: https://acme.io/"))
      .toEqual({ company: "Acme", domain: "https://acme.io/" })
    expect(parseFields("URL: acme.io")).toEqual({ domain: "acme.io" })
  })

  it("keeps other keys, lower-cased", () => {
    expect(parseFields("Contact Person: Anna Berger\nNOTE = call first")).toEqual({
      contact_person: "Anna Berger",
      note: "call first"
    })
  })

  it("the last non-blank value wins", () => {
    expect(parseFields("Domain: acme.com\nWebsite: acme.io\nDomain:   \nCompany: A\nFirma: B")).toEqual({
      company: "B",
      domain: "acme.io"
    })
  })

  it("quoted lines never count", () => {
    const text = lines(
      "Company: Acme Corp",
      "",
      "On Mon, 3 Nov 2026 at 10:00, Lead Insights <li@lead-insights.app> wrote:",
      "> Company: (unknown)",
      "> Domain: example.org"
    )
    expect(parseFields(text)).toEqual({ company: "Acme Corp" })
    expect(parseFields("> Domain: quoted.io")).toEqual({})
  })

  it("removes surrounding quotes and angle brackets", () => {
    expect(parseFields("Firma: „Müller & Söhne GmbH“\nDomain: <mueller.de>\nCompany name: \"Acme\"")).toEqual({
      company: "Acme",
      domain: "mueller.de"
    })
  })

  it("a URL or a time of day is not a key; a bare URL still gives the domain", () => {
    expect(parseFields("We meet at 10:00")).toEqual({})
    expect(parseFields("https://acme.io\nWe meet at 10:00")).toEqual({ domain: "acme.io" })
  })

  it("CHANGE: key=value; key=value gives every pair", () => {
    expect(parseFields("CHANGE: WEBSITE = example.io; NOTE=test")).toEqual({ domain: "example.io", note: "test" })
  })
})
