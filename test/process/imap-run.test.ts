/**
 * The real program reading replies over IMAP from a real Dovecot:
 * - `run` with hour-long poll intervals takes a reply up through IDLE within seconds; after Dovecot
 *   is restarted it connects again and takes the next one up; SIGTERM logs out of the mailbox;
 * - a wrong IMAP password is one line (in `once`, `run` and `doctor`), no stack trace, no hang.
 */
import { describe, expect, it } from "@effect/vitest"
import { simpleParser } from "mailparser"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { ImapFlow } from "imapflow"
import { type Dovecot, startDovecot } from "../support/dovecot.js"
import { runCli, tempDir } from "../support/spawn.js"

const PRODUCT = "li@ourco.test"
const MARIA = "maria@ourco.test"
const PASSWORD = "secret-1"

let dovecot: Dovecot
beforeAll(async () => {
  dovecot = await startDovecot({ [PRODUCT]: PASSWORD })
})
afterAll(async () => {
  await dovecot?.stop()
})

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")
const day = (n: number) => new Date(Date.now() + n * 86_400_000)
const vevent = (uid: string, summary: string, start: Date) => [
  "BEGIN:VEVENT",
  `UID:${uid}`,
  `DTSTAMP:${stamp(new Date())}`,
  `DTSTART:${stamp(start)}`,
  `DTEND:${stamp(new Date(start.getTime() + 3_600_000))}`,
  `SUMMARY:${summary}`,
  `ORGANIZER;CN=Maria:mailto:${MARIA}`,
  "END:VEVENT"
]
const calendar = (events: ReadonlyArray<ReadonlyArray<string>>) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//imap//EN", ...events.flat(), "END:VCALENDAR", ""].join("\r\n")

const setup = (imapPassword = PASSWORD) => {
  const logDir = tempDir("li-imap-run-")
  const ics = path.join(tempDir(), "calendar.ics")
  writeFileSync(ics, calendar([vevent("kickoff-a", "Kickoff prep", day(2)), vevent("kickoff-b", "Customer meeting prep", day(3))]))
  const env = {
    LOG_STORAGE_DIR: logDir,
    ICAL_URL: ics,
    OWN_DOMAINS: "ourco.test",
    MAIL_FROM: PRODUCT,
    RESEARCH_WEBSITE: "false",
    POLL_INTERVAL_SECONDS: "3600",
    INBOX_POLL_SECONDS: "3600",
    IMAP_HOST: "127.0.0.1",
    IMAP_PORT: String(dovecot.imapPort),
    IMAP_SECURE: "false",
    IMAP_USERNAME: PRODUCT,
    IMAP_PASSWORD: imapPassword
  }
  return { logDir, env }
}

const until = async (what: string, check: () => boolean, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The request mails the program wrote (no SMTP configured: outbox/), by subject. */
const requests = async (logDir: string) => {
  const dir = path.join(logDir, "outbox")
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(".request@")) : []
  return Promise.all(files.map(async (f) => {
    const parsed = await simpleParser(readFileSync(path.join(dir, f)))
    return { messageId: parsed.messageId ?? "", subject: parsed.subject ?? "", text: parsed.text ?? "" }
  }))
}

const appendReply = async (request: { messageId: string; subject: string; text: string }, company: string, domain: string) => {
  const raw = [
    `From: Maria Muster <${MARIA}>`,
    `To: ${PRODUCT}`,
    `Subject: AW: ${request.subject}`,
    `Message-ID: <reply-${Date.now()}-${Math.random().toString(36).slice(2)}@mail.gmail.com>`,
    `In-Reply-To: ${request.messageId}`,
    `References: ${request.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Firma: ${company}`,
    `Domain: ${domain}`,
    "",
    "Grüße, Maria",
    "",
    `Am ${new Date().toUTCString()} schrieb Lead Insights <${PRODUCT}>:`,
    ...request.text.split(/\r?\n/).map((l) => `> ${l}`),
    ""
  ].join("\r\n")
  const client = new ImapFlow({ host: "127.0.0.1", port: dovecot.imapPort, secure: false, logger: false, auth: { user: PRODUCT, pass: PASSWORD } })
  await client.connect()
  await client.append("INBOX", raw, [])
  await client.logout()
}

const dossierFor = (logDir: string, domain: string) => existsSync(path.join(logDir, "dossiers", domain))

const loggedOut = () =>
  readFileSync(path.join(dovecot.dir, "dovecot.log"), "utf8").split("\n").filter((l) => l.includes(`imap(${PRODUCT})`) && l.includes("Logged out")).length

describe("the program reads replies over IMAP (Dovecot)", () => {
  it("run: IDLE takes a reply up within seconds though the intervals are an hour; after a Dovecot restart the next one too; SIGTERM logs out", async () => {
    const { env, logDir } = setup()
    const run = runCli(["run"], env)
    try {
      await run.waitFor(/run manifest/, 60_000)
      await run.waitFor(/reading replies from li@ourco\.test@127\.0\.0\.1:\d+\/INBOX .* with IDLE/)
      const asked = await requests(logDir)
      expect(asked).toHaveLength(2)
      const [first, second] = asked
      if (first === undefined || second === undefined) throw new Error("two requests expected")

      await appendReply(first, "Acme Robotics GmbH", "acme-robotics.de")
      await until("the first reply is delivered", () => dossierFor(logDir, "acme-robotics.de"))

      await dovecot.kill()
      await run.waitFor(/connection to the IMAP server 127\.0\.0\.1:\d+ was (lost|closed)/)
      await dovecot.start()
      await appendReply(second, "Beta Systems AG", "beta-systems.de")
      await until("the second reply is delivered after the restart", () => dossierFor(logDir, "beta-systems.de"), 90_000)
      expect(run.stdout() + run.stderr()).toMatch(/reconnected to li@ourco\.test@127\.0\.0\.1/)

      const before = loggedOut()
      run.kill("SIGTERM")
      const exit = await run.exited
      expect(exit.code, run.stderr()).toBe(0)
      await until("Dovecot logs the logout", () => loggedOut() > before, 5_000)
      expect(run.stderr()).not.toMatch(/^\s+at /m)
    } finally {
      run.kill("SIGKILL")
    }
  }, 180_000)

  it("a wrong IMAP password: one line in once, run and doctor; no stack trace, no hang", async () => {
    const { env } = setup("wrong-password")
    const line = new RegExp(`IMAP login to 127\\.0\\.0\\.1:${dovecot.imapPort} as li@ourco\\.test refused: wrong user name or password \\(IMAP_USERNAME, IMAP_PASSWORD\\)`)

    const once = runCli(["once"], env)
    const onceExit = await once.exited
    expect(onceExit.code, once.stderr()).toBe(0)
    expect(once.stderr().split("\n").filter((l) => line.test(l))).toHaveLength(1)
    expect(once.stderr()).not.toMatch(/^\s+at /m)

    const doctor = runCli(["doctor"], env)
    const doctorExit = await doctor.exited
    expect(doctorExit.code).toBe(1)
    const inboxLine = doctor.stdout().split("\n").find((l) => l.startsWith("inbox"))
    expect(inboxLine).toMatch(/^inbox\s+FAIL IMAP login to /)
    expect(inboxLine).toMatch(line)

    const run = runCli(["run"], env)
    try {
      await run.waitFor(line, 60_000)
      await run.waitFor(/run manifest/)
      run.kill("SIGTERM")
      const exit = await run.exited
      expect(exit.code).toBe(0)
      expect(run.stderr()).not.toMatch(/^\s+at /m)
    } finally {
      run.kill("SIGKILL")
    }
  }, 120_000)
})
