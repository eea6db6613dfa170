import { describe, expect, it } from "@effect/vitest"
import { ownText, parseDecision, parseFields, readReply } from "../../src/Agents/ReplyParser.js"

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

// ---------------------------------------------------------------------------------------------
// Issue 6: reading replies like a person does

const reply = (text: string, more: { from?: string; subject?: string; automatic?: string } = {}) =>
  readReply(
    { from: more.from ?? "anna.berger@lead-insights.app", subject: more.subject ?? "Re: [LI-abc123def] Approve?", text, automatic: more.automatic },
    { ownDomains: ["lead-insights.app"] }
  )
const decisionOf = (text: string) => {
  const r = reply(text)
  return r._tag === "Reply" ? r.decision : "automatic"
}
const fieldsOf = (text: string, from?: string) => {
  const r = reply(text, from === undefined ? {} : { from })
  return r._tag === "Reply" ? r.fields : { automatic: r.reason }
}

describe("readReply: a decision only when a person clearly made one", () => {
  it.each([
    "👍", "👍🏽", "✅", "+1", "Freigegeben.", "Approved.", "klar, mach ruhig", "Leg los!", "Passt schon.", "Gerne doch!",
    "Do it.", "Yes please", "Absolutely!", "Ja bitte", "Nur zu.", "Von mir aus.", "Go!", "Why not?", "Geht klar 👍",
    "Sounds good, thanks!", "That works, thanks.", "Ja klar", "Keine Einwände."
  ])("approves: %j", (text) => {
    expect(decisionOf(text)).toBe("approve")
  })

  it.each([
    "👎", "lass mal", "Lieber nicht.", "we can skip that one", "Skip.", "Pass.", "Not needed.", "Nicht nötig.",
    "Brauchen wir nicht.", "No, thanks.", "Nö.", "The answer is no.", "No, but thanks for asking!", "Auf keinen Fall.",
    "I don't think that's necessary.", "Ich glaube nicht, dass das nötig ist.", "Nein danke, vielleicht nächstes Mal."
  ])("declines: %j", (text) => {
    expect(decisionOf(text)).toBe("decline")
  })

  it.each([
    // conditions and deferrals
    "sure — once legal has signed off", "ja, sobald der Vertrag da ist", "Yes if they sign the NDA", "Wenn der Kunde zustimmt, gerne.",
    "Falls das Budget da ist: ja", "Ja, nachdem der Vertrag unterschrieben ist", "Sure, after the board meeting.", "Later", "Später.",
    "Next week maybe", "Hold off for now please", "Yes, provided legal agrees.", "Noch nicht.", "Not yet.",
    // hedges
    "Maybe", "Vielleicht", "Eventuell ja", "Probably yes", "I think so", "Grundsätzlich ja", "Vermutlich ja.",
    // "let me check"
    "Let me check with legal.", "Ich kläre das.", "Muss noch mit dem Chef sprechen.", "Need to ask my boss",
    "I'll get back to you.", "Ich melde mich.",
    // a reservation after a yes
    "Ok, but only after the contract is signed", "Yes.\n\nBut only once their CFO confirms.", "Ja, aber erst nächste Woche.",
    // a bare "no" inside a sentence, questions, acknowledgements, both signals
    "No budget info yet, let me ask finance", "Can we revisit this next week?", "Thanks!", "Yes. Actually no, wait."
  ])("is unclear: %j", (text) => {
    expect(decisionOf(text)).toBe("unclear")
  })

  it("courtesy conditions are not conditions", () => {
    expect(decisionOf("Yes, go ahead. Let me know if you need anything else.")).toBe("approve")
    expect(decisionOf("Ja, gerne. Falls ihr noch was braucht, meldet euch.")).toBe("approve")
    expect(decisionOf("Ja, gerne freigeben. Bei Rückfragen einfach melden.")).toBe("approve")
  })

  it("a \"but\" before the yes does not qualify it; a bare \"but\" with an instruction neither; a restriction does", () => {
    expect(decisionOf("I'm travelling, but yes – go ahead.")).toBe("approve")
    expect(decisionOf("OK, but keep it short.")).toBe("approve")
    expect(decisionOf("Ok, but not for this client.")).toBe("unclear")
    expect(decisionOf("Ja, aber nicht vor Montag.")).toBe("unclear")
  })

  it("a condition qualifies the answer where it stands with it, not in a remark", () => {
    expect(decisionOf("Yes please. We're meeting them next week, so Monday would be great.")).toBe("approve")
    expect(decisionOf("Ja, gerne. Der Termin ist nächste Woche.")).toBe("approve")
    expect(decisionOf("Decline – we met them after the fair already.")).toBe("decline")
    expect(decisionOf("It's our first meeting with them, so yes please.")).toBe("approve")
    expect(decisionOf("Yes. Once legal has signed off.")).toBe("unclear")
    expect(decisionOf("Ok. Could we do it after the call?")).toBe("unclear")
    expect(decisionOf("Sure. Legal needs to sign off first though.")).toBe("unclear")
    expect(decisionOf("No, not until the contract is signed.")).toBe("unclear")
  })

  it("parseDecision and parseFields read what readReply reads", () => {
    const text = "Firma ist Nordwind Logistik GmbH, Webseite nordwind-logistik.de\n\nOn Tue, Lead Insights <li@lead-insights.app> wrote:\n> Decline?"
    const r = reply(text)
    expect(r._tag).toBe("Reply")
    if (r._tag !== "Reply") return
    expect(parseDecision(text)).toBe(r.decision)
    expect(parseFields(text, { from: "anna.berger@lead-insights.app", ownDomains: ["lead-insights.app"] })).toEqual(r.fields)
    expect(r.text).toBe(ownText(text))
  })
})

describe("readReply: mail no person wrote is never a decision", () => {
  it("the reason from the headers makes it automatic, whatever the text says", () => {
    expect(reply("Yes, approved.", { automatic: "Auto-Submitted: auto-replied" }))
      .toEqual({ _tag: "Automatic", reason: "Auto-Submitted: auto-replied" })
  })

  it.each([
    ["MAILER-DAEMON@mx.lead-insights.app", "Undelivered Mail Returned to Sender"],
    ["postmaster@acme.io", "Re: hello"],
    ["no-reply@acme.io", "Re: hello"]
  ])("a robot sender: %s", (from, subject) => {
    expect(reply("Yes", { from, subject })._tag).toBe("Automatic")
  })

  it.each([
    "Automatic reply: [LI-abc123def] Approve?", "Automatische Antwort: [LI-abc123def] Approve?", "Out of Office: Re: x",
    "Abwesend: [LI-abc123def] Approve?", "Abwesenheitsnotiz: x", "Undeliverable: [LI-abc123def] Approve?",
    "Unzustellbar: [LI-abc123def] Approve?", "Delivery Status Notification (Failure)", "Mail delivery failed: returning message to sender",
    "Read: [LI-abc123def] Approve?", "Gelesen: [LI-abc123def] Approve?", "AutoReply: x"
  ])("a subject: %j", (subject) => {
    expect(reply("Yes, thanks", { subject })._tag).toBe("Automatic")
  })

  it.each([
    "This is an automatic reply. Yes, I received your message.",
    "Diese Nachricht wurde automatisch erstellt. Ja.",
    "Your message couldn't be delivered. The recipient wasn't found.",
    "Ihre Nachricht konnte nicht an anna@x.de zugestellt werden."
  ])("a text only machines write: %j", (text) => {
    expect(reply(text)._tag).toBe("Automatic")
  })

  it("a person's note that they are away is an out-of-office reply, not a no", () => {
    expect(reply("I'm travelling, no laptop with me until Monday")).toEqual({ _tag: "Automatic", reason: "text: out of office" })
    expect(reply("Bin im Urlaub bis 12.11., melde mich danach.")._tag).toBe("Automatic")
    expect(reply("Bin diese Woche außer Haus.")._tag).toBe("Automatic")
  })

  it("…unless it also decides or names the company", () => {
    expect(decisionOf("Bin im Urlaub, aber ja, gerne.")).toBe("approve")
    expect(fieldsOf("Bin unterwegs – Firma ist Nordwind Logistik GmbH")).toEqual({ company: "Nordwind Logistik GmbH" })
  })

  it("an unclear reply is a Reply, never Automatic (only Reply may be asked again or classified)", () => {
    expect(reply("Maybe")).toEqual({ _tag: "Reply", text: "Maybe", decision: "unclear", fields: {} })
  })
})

describe("readReply: company and domain from free text", () => {
  it.each([
    ["their site is acme.io", { domain: "acme.io" }],
    ["Website wäre www.acme.de", { domain: "acme.de" }],
    ["https://www.nordwind-logistik.de/en/contact", { domain: "nordwind-logistik.de" }],
    ["Domain: acme.de – die .com gehört jemand anderem", { domain: "acme.de" }],
    ["Domain: acme.de, die .com ist geparkt", { domain: "acme.de" }],
    ["Not acme.com but acme-robotics.com", { domain: "acme-robotics.com" }],
    ["acme.com is wrong, it's acme-industries.com", { domain: "acme-industries.com" }],
    ["rather acme-robotics.de than acme.com", { domain: "acme-robotics.de" }],
    ["The company is Keller Logistik GmbH, website keller-logistik.de.", { company: "Keller Logistik GmbH", domain: "keller-logistik.de" }],
    ["das ist die Nordwind Logistik GmbH (nordwind-logistik.de)", { company: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" }],
    ["firma ist keller logistik gmbh, webseite keller-logistik.de", { company: "Keller Logistik GmbH", domain: "keller-logistik.de" }],
    ["Kunde: Nordwind Logistik GmbH, nordwind-logistik.de", { company: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" }],
    ["It's Jane Doe from Brightwave, jane.doe@brightwave.io", { domain: "brightwave.io" }]
  ] as const)("%j", (text, expected) => {
    expect(fieldsOf(text)).toEqual(expected)
  })

  it("never the replier's own company, our domains, free mail or meeting hosts", () => {
    expect(fieldsOf("Please cc anna.berger@lead-insights.app and see www.lead-insights.app")).toEqual({})
    expect(fieldsOf("Ping me at p.kraemer@kraemer-consulting.de, Krämer Consulting GmbH", "p.kraemer@kraemer-consulting.de")).toEqual({})
    expect(fieldsOf("Write to lead.ops.team@gmail.com, call via zoom.us/j/123")).toEqual({})
  })

  it("never the signature", () => {
    const text = lines(
      "wir treffen die Brightwave GmbH.",
      "",
      "Petra Krämer",
      "Krämer Consulting GmbH",
      "Tel. +49 89 7654321",
      "www.kraemer-consulting.de"
    )
    expect(ownText(text)).toBe("wir treffen die Brightwave GmbH.")
    expect(fieldsOf(text, "p.kraemer@kraemer-consulting.de")).toEqual({ company: "Brightwave GmbH" })
  })

  it("never the quoted request", () => {
    const text = lines("Yes", "", "On Tue, Lead Insights <li@lead-insights.app> wrote:", "> domain: <web domain, e.g. acme.com>", "> on Acme Corp (acme.io)")
    expect(fieldsOf(text)).toEqual({})
  })

  it("answers typed below the quoted questions", () => {
    const text = lines("> company: <company name>", "Nordwind", "> domain: <web domain, e.g. acme.com>", "nordwind-logistik.de")
    expect(fieldsOf(text)).toEqual({ company: "Nordwind", domain: "nordwind-logistik.de" })
  })

  it("a `key: value` line wins over free text, and other keys stay as they are", () => {
    expect(fieldsOf("Domain: acme.io\nsee also acme-robotics.com\nContact: Jane Doe")).toEqual({ domain: "acme.io", contact: "Jane Doe" })
  })

  it("reads a megabyte-long body (only its start)", () => {
    const text = `Yes, go ahead.\n\n${"> quoted history, no and decline\n".repeat(40_000)}`
    expect(text.length).toBeGreaterThan(1_000_000)
    expect(reply(text)).toMatchObject({ _tag: "Reply", decision: "approve" })
  })
})
