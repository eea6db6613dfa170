/**
 * Replies as the mail programs people use send them: Gmail, Outlook (desktop, classic, mobile,
 * HTML only, English and German), Apple Mail, iPhone and Thunderbird, top- and bottom-posted,
 * with signatures and our quoted request; and the auto-replies, out-of-office notes, bounces and
 * read receipts that come back instead. Each fixture in test/fixtures/replies/ has one row here.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { type Decision, readReply } from "../../src/Agents/ReplyParser.js"
import { automaticReason, parseMail } from "../../src/Integrations/MailParse.js"

const DIR = path.join(import.meta.dirname, "../fixtures/replies")
const OWN_DOMAINS = ["lead-insights.app"]

type Expected =
  | { readonly decision: Decision; readonly fields?: Record<string, string> }
  /** A part of the reason: which header, "sender", "subject" or "text" gave it away. */
  | { readonly automatic: string }

const CORPUS: ReadonlyArray<readonly [file: string, expected: Expected, note: string]> = [
  ["gmail-en-top-yes-go-ahead", { decision: "approve" }, "plain yes"],
  ["gmail-de-top-klar-mach-ruhig", { decision: "approve" }, "idiom"],
  ["gmail-en-top-thumbs-up", { decision: "approve" }, "emoji only"],
  ["iphone-en-top-thumbs-skin-tone", { decision: "approve" }, "emoji with skin tone"],
  ["outlook-de-top-freigegeben-signature", { decision: "approve" }, "participle above a long signature"],
  ["outlook-en-top-approved-contact-block", { decision: "approve" }, "signature without closing line"],
  ["apple-de-top-leg-los", { decision: "approve" }, "idiom"],
  ["thunderbird-de-bottom-passt-schon", { decision: "approve" }, "bottom-posted idiom"],
  ["outlook-mobile-en-sure-go-for-it", { decision: "approve" }, "mobile footer"],
  ["outlook-mobile-de-ja-bitte", { decision: "approve" }, "mobile footer, German"],
  ["gmail-en-top-check-mark", { decision: "approve" }, "check mark"],
  ["apple-en-top-absolutely", { decision: "approve" }, "idiom"],
  ["iphone-de-top-nur-zu", { decision: "approve" }, "idiom and emoji"],
  ["gmail-de-top-von-mir-aus", { decision: "approve" }, "idiom"],
  ["outlook-en-top-yes-please-let-me-know", { decision: "approve" }, "courtesy condition"],
  ["outlook-de-top-ja-bei-rueckfragen", { decision: "approve" }, "courtesy condition, German"],
  ["thunderbird-en-bottom-ok-approved", { decision: "approve" }, "bottom-posted"],
  ["gmail-de-top-gerne-doch", { decision: "approve" }, "idiom"],
  ["apple-en-top-lgtm", { decision: "approve" }, "abbreviation"],
  ["outlook-en-top-approve-background", { decision: "approve" }, "background below the answer"],
  ["iphone-en-top-on-the-road-but-yes", { decision: "approve" }, "'but' before the yes"],
  ["gmail-en-top-why-not", { decision: "approve" }, "answering question"],
  ["outlook-classic-de-top-geht-klar", { decision: "approve" }, "classic Outlook header block"],
  ["gmail-en-bottom-sounds-good", { decision: "approve" }, "bottom-posted Gmail"],
  ["apple-de-bottom-einverstanden", { decision: "approve" }, "bottom-posted Apple Mail"],
  ["gmail-de-top-lass-mal", { decision: "decline" }, "idiom"],
  ["outlook-en-top-skip-that-one", { decision: "decline" }, "idiom"],
  ["iphone-en-top-no-thanks", { decision: "decline" }, "plain no"],
  ["apple-de-top-lieber-nicht", { decision: "decline" }, "idiom"],
  ["thunderbird-de-bottom-nicht-noetig", { decision: "decline" }, "bottom-posted idiom"],
  ["outlook-mobile-en-decline-please", { decision: "decline" }, "mobile"],
  ["gmail-en-top-thumbs-down", { decision: "decline" }, "emoji only"],
  ["outlook-de-top-brauchen-wir-nicht", { decision: "decline" }, "idiom with signature"],
  ["gmail-en-top-pass", { decision: "decline" }, "idiom"],
  ["apple-en-top-no-but-thanks", { decision: "decline" }, "'but' after a no"],
  ["outlook-classic-de-top-nein", { decision: "decline" }, "plain no"],
  ["iphone-de-top-noe-lass-mal", { decision: "decline" }, "colloquial"],
  ["thunderbird-en-top-not-interested", { decision: "decline" }, "top-posted Thunderbird"],
  ["gmail-de-top-nein-danke-naechstes-mal", { decision: "decline" }, "polite no"],
  ["outlook-en-top-please-dont", { decision: "decline" }, "idiom"],
  ["outlook-html-de-top-abgelehnt", { decision: "decline" }, "HTML only"],
  ["gmail-en-top-sure-once-legal", { decision: "unclear" }, "conditional yes"],
  ["outlook-de-top-ja-sobald-vertrag", { decision: "unclear" }, "conditional yes, German"],
  ["apple-en-top-let-me-check", { decision: "unclear" }, "deferral"],
  ["outlook-de-top-ich-klaere-das", { decision: "unclear" }, "deferral, German"],
  ["iphone-en-top-probably-need-to-ask", { decision: "unclear" }, "hedged yes"],
  ["gmail-de-top-vielleicht-muss-noch", { decision: "unclear" }, "hedge"],
  ["outlook-mobile-en-yes-if-nda", { decision: "unclear" }, "condition"],
  ["thunderbird-de-bottom-wenn-kunde-zustimmt", { decision: "unclear" }, "condition before the yes"],
  ["gmail-en-top-i-think-so", { decision: "unclear" }, "hedge"],
  ["outlook-en-top-ok-but-only-after", { decision: "unclear" }, "ok, but …"],
  ["apple-de-top-ja-nachdem", { decision: "unclear" }, "deferral"],
  ["gmail-en-top-revisit-next-week", { decision: "unclear" }, "question with deferral"],
  ["outlook-classic-de-top-eventuell", { decision: "unclear" }, "hedge, German"],
  ["iphone-en-top-no-budget-info-yet", { decision: "unclear" }, "'no' inside a sentence"],
  ["gmail-en-top-yes-actually-no", { decision: "unclear" }, "both"],
  ["outlook-en-top-thanks-only", { decision: "unclear" }, "no answer"],
  ["apple-en-top-hold-off", { decision: "unclear" }, "deferral"],
  ["gmail-de-top-falls-budget", { decision: "unclear" }, "condition with an approving word"],
  ["outlook-mobile-de-noch-nicht", { decision: "unclear" }, "not yet"],
  ["thunderbird-en-top-yes-next-paragraph-but", { decision: "unclear" }, "reservation in the next paragraph"],
  ["gmail-en-top-their-site-is", { decision: "unclear", fields: { domain: "nordwind-logistik.de" } }, "domain in a sentence"],
  ["outlook-de-top-website-waere", { decision: "unclear", fields: { company: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" } }, "company and domain in a sentence"],
  ["gmail-de-top-domain-remark", { decision: "unclear", fields: { company: "Nordwind Logistik GmbH", domain: "nordwind.de" } }, "keyed domain with a remark"],
  ["thunderbird-en-bottom-keyed", { decision: "unclear", fields: { company: "Brightwave Solutions Ltd", domain: "brightwave.io" } }, "bottom-posted key lines"],
  ["apple-en-top-bare-url", { decision: "unclear", fields: { domain: "nordwind-logistik.de" } }, "bare URL"],
  ["iphone-de-top-bare-domain", { decision: "unclear", fields: { domain: "nordwind-logistik.de" } }, "bare domain"],
  ["outlook-en-top-company-is", { decision: "unclear", fields: { company: "Keller Logistik GmbH", domain: "keller-logistik.de" } }, "company phrase"],
  ["outlook-de-top-kunde-ist-signature", { decision: "unclear", fields: { company: "Müller Maschinenbau AG", domain: "mueller-maschinenbau.de" } }, "own company only in the signature"],
  ["gmail-en-top-not-this-but-that", { decision: "unclear", fields: { company: "Acme Robotics Inc.", domain: "acme-robotics.com" } }, "refuted domain"],
  ["outlook-mobile-en-email-address-only", { decision: "unclear", fields: { domain: "brightwave.io" } }, "domain from an address"],
  ["gmail-de-top-free-mail-sender", { decision: "unclear", fields: { company: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" } }, "sender on free mail"],
  ["outlook-html-de-top-keyed", { decision: "unclear", fields: { company: "Müller & Söhne KG", domain: "www.mueller-soehne.de" } }, "HTML only, key lines"],
  ["thunderbird-de-top-lowercase", { decision: "unclear", fields: { company: "Keller Logistik GmbH", domain: "keller-logistik.de" } }, "all lower case"],
  ["apple-de-bottom-keyed-co-kg", { decision: "unclear", fields: { company: "Nordwind Logistik GmbH & Co. KG", domain: "nordwind-logistik.de" } }, "bottom-posted below the quoted example"],
  ["outlook-en-top-domain-wrong", { decision: "unclear", fields: { domain: "acme-industries.com" } }, "refuted after"],
  ["gmail-de-top-agency-sender", { decision: "unclear", fields: { company: "Brightwave GmbH", domain: "brightwave.de" } }, "sender's own company in a signature without closing"],
  ["iphone-en-top-approve-with-domain", { decision: "approve", fields: { domain: "acme.io" } }, "approval with a domain note"],
  ["outlook-classic-en-top-keyed-and-notes", { decision: "unclear", fields: { company: "Brightwave Solutions Ltd", domain: "https://brightwave.io/", contact: "Jane Doe (CFO)" } }, "other keys kept"],
  ["outlook-de-top-kunde-keyed-with-domain", { decision: "unclear", fields: { company: "Nordwind Logistik GmbH", domain: "nordwind-logistik.de" } }, "'Kunde' as key, domain after the name"],
  ["gmail-en-top-dont-think-necessary", { decision: "decline" }, "negated need"],
  ["apple-de-top-glaube-nicht-noetig", { decision: "decline" }, "negated need, German"],
  ["iphone-de-top-ja-aber-erst", { decision: "unclear" }, "yes, but later"],
  ["outlook-classic-en-top-yes-provided", { decision: "unclear" }, "condition"],
  ["gmail-de-top-grundsaetzlich-ja", { decision: "unclear" }, "in principle"],
  ["thunderbird-de-top-danke-then-ja", { decision: "approve" }, "thanks above the answer"],
  ["outlook-mobile-de-passt-emoji", { decision: "approve" }, "word and emoji"],
  ["apple-en-top-that-works", { decision: "approve" }, "idiom"],
  ["gmail-en-top-meeting-cancelled-no-need", { decision: "decline" }, "no need"],
  ["thunderbird-en-inline-answers", { decision: "unclear", fields: { company: "Nordwind", domain: "nordwind-logistik.de" } }, "answers typed below the quoted questions"],
  ["auto-exchange-ooo-en", { automatic: "Auto-Submitted" }, "Exchange out-of-office, English"],
  ["auto-exchange-ooo-de", { automatic: "Auto-Submitted" }, "Exchange Abwesenheitsnotiz, German"],
  ["auto-gmail-vacation", { automatic: "Auto-Submitted" }, "Gmail vacation responder (Re: subject, 'no' in the text)"],
  ["auto-sieve-vacation", { automatic: "Auto-Submitted" }, "Dovecot Sieve vacation"],
  ["auto-x-autoreply", { automatic: "X-Autoreply" }, "responder that only sets X-Autoreply"],
  ["auto-x-autorespond", { automatic: "X-Autorespond" }, "cPanel autoresponder"],
  ["auto-precedence-junk", { automatic: "Precedence" }, "old responder with Precedence: junk"],
  ["auto-postfix-bounce", { automatic: "Content-Type: multipart/report" }, "Postfix bounce"],
  ["auto-exchange-ndr-en", { automatic: "Content-Type: multipart/report" }, "Exchange Online NDR, English"],
  ["auto-exchange-ndr-de", { automatic: "Content-Type: multipart/report" }, "Exchange NDR, German"],
  ["auto-gmail-dsn", { automatic: "Content-Type: multipart/report" }, "Gmail delivery status notification"],
  ["auto-exim-bounce-no-report", { automatic: "X-Failed-Recipients" }, "exim bounce without report part (sender and X-Failed-Recipients)"],
  ["auto-outlook-read-receipt", { automatic: "Content-Type: multipart/report" }, "Outlook read receipt"],
  ["auto-subject-abwesenheitsnotiz-no-headers", { automatic: "subject" }, "out-of-office without headers, known by its subject"],
  ["auto-outlook-en-out-of-office-subject", { automatic: "subject" }, "out-of-office without headers, English subject"],
  ["auto-body-urlaub-no-headers", { automatic: "text" }, "out-of-office known only by its text, German"],
  ["auto-iphone-travelling-no-laptop", { automatic: "text" }, "a person's note that they are away ('no' must not decline)"],
  ["auto-thunderbird-de-ausser-haus", { automatic: "text" }, "a person's German away note, bottom-posted"],
]

const read = (file: string) =>
  parseMail(readFileSync(path.join(DIR, `${file}.eml`)), `${file}.eml`).pipe(
    Effect.map((mail) => ({ mail, reply: readReply(mail, { ownDomains: OWN_DOMAINS }) }))
  )

describe("reply corpus", () => {
  it("every fixture has a row and every row a fixture", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".eml")).map((f) => f.replace(/\.eml$/, "")).sort()
    expect(files).toEqual(CORPUS.map(([file]) => file).sort())
    expect(CORPUS.length).toBeGreaterThanOrEqual(60)
  })

  it.effect.each(CORPUS)("%s → %j (%s)", ([file, expected]) =>
    Effect.gen(function*() {
      const { reply } = yield* read(file)
      if ("automatic" in expected) {
        expect(reply._tag).toBe("Automatic")
        if (reply._tag === "Automatic") expect(reply.reason).toContain(expected.automatic)
        return
      }
      expect(reply._tag).toBe("Reply")
      if (reply._tag !== "Reply") return
      expect(reply.decision).toBe(expected.decision)
      expect(reply.fields).toEqual(expected.fields ?? {})
    }))

  it.effect("only machine-sent mails carry a header reason; people's replies never do", () =>
    Effect.gen(function*() {
      for (const [file, expected] of CORPUS) {
        const { mail } = yield* read(file)
        const byHeader = "automatic" in expected && !["sender", "subject", "text"].includes(expected.automatic)
        expect(mail.automatic !== undefined, file).toBe(byHeader)
      }
    }))
})

describe("automatic mail by its headers", () => {
  const headers = (entries: ReadonlyArray<readonly [string, unknown]>) => new Map(entries)
  const person = [["from", { value: [{ address: "anna@x.de", name: "Anna" }] }], ["subject", "Re: hi"]] as const

  it("a person's mail has no reason", () => {
    expect(automaticReason(headers(person))).toBeUndefined()
    expect(automaticReason(headers([...person, ["auto-submitted", "no"]]))).toBeUndefined()
    expect(automaticReason(headers([...person, ["precedence", "list"]]))).toBeUndefined()
    expect(automaticReason(headers([...person, ["x-autoreply", "no"]]))).toBeUndefined()
    expect(automaticReason(headers([...person, ["return-path", { value: [{ address: "anna@x.de", name: "" }] }]]))).toBeUndefined()
  })

  it.each([
    [["auto-submitted", "auto-replied"], "Auto-Submitted: auto-replied"],
    [["Auto-Submitted", "auto-generated"], "Auto-Submitted: auto-generated"],
    [["x-autoreply", "yes"], "X-Autoreply: yes"],
    [["x-autorespond", "Re: hi"], "X-Autorespond: Re: hi"],
    [["precedence", "bulk"], "Precedence: bulk"],
    [["precedence", "auto_reply"], "Precedence: auto_reply"],
    [["precedence", "junk"], "Precedence: junk"],
    [["content-type", { value: "multipart/report", params: { "report-type": "delivery-status" } }], "Content-Type: multipart/report; report-type=delivery-status"],
    [["x-failed-recipients", "a@b.de"], "X-Failed-Recipients: a@b.de"],
    [["return-path", { value: [{ address: "", name: "" }] }], "Return-Path: <>"]
  ] as const)("%j", (header, reason) => {
    expect(automaticReason(headers([...person, header]))).toBe(reason)
  })
})
