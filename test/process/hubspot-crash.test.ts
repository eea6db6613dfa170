/**
 * Exactly once into HubSpot, on the real program (`dist/app/main.js run`, CRM_PROVIDER=hubspot)
 * against the local fake HubSpot: the fake holds the note create, the test SIGKILLs the process
 * right then — once before HubSpot made the note, once after (the answer never came back) — and
 * starts it again on the same LOG_STORAGE_DIR. HubSpot must end with one company, one file and one
 * note, and the run summary must name them.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { type FakeHubSpot, startFakeHubSpot } from "../support/fakeHubSpot.js"
import { mainJs, run, type Spawned, summaries, tempDir } from "../support/spawn.js"

const DOMAIN = "acme-robotics.com"
const EVENT_ID = "hubspot-crash@test"

const icsTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")

const calendar = () => {
  const now = Date.now()
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Lead Insights tests//hubspot//EN",
    "BEGIN:VEVENT",
    `UID:${EVENT_ID}`,
    "DTSTAMP:20250101T000000Z",
    `DTSTART:${icsTime(now + 3_600_000)}`,
    `DTEND:${icsTime(now + 7_200_000)}`,
    "SUMMARY:Discovery call with Acme Robotics",
    "DESCRIPTION:Agenda: automation roadmap.",
    "ORGANIZER;CN=Anna Berger:mailto:anna.berger@lead-insights.app",
    `ATTENDEE;CN=Jana Novak:mailto:jana.novak@${DOMAIN}`,
    "END:VEVENT",
    "END:VCALENDAR",
    ""
  ].join("\r\n")
}

const live: Array<Spawned> = []
const fakes: Array<FakeHubSpot> = []

afterEach(async () => {
  for (const p of live.splice(0)) p.kill("SIGKILL")
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

const bounded = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))
  ]).finally(() => clearTimeout(timer))
}

const until = async <A>(what: string, probe: () => A | undefined, ms: number, p: Spawned): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstderr: ${p.stderr().slice(-4000)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const setup = async () => {
  const fake = await startFakeHubSpot({ searchLagMs: 2_000 })
  fakes.push(fake)
  const contact = fake.add("contacts", { email: `jana.novak@${DOMAIN}`, firstname: "Jana", lastname: "Novak" })
  const dir = tempDir("li-hubspot-crash-")
  writeFileSync(path.join(dir, "calendar.ics"), calendar())
  const env = {
    LOG_STORAGE_DIR: path.join(dir, "log"),
    ICAL_URL: path.join(dir, "calendar.ics"),
    OWN_DOMAINS: "lead-insights.app",
    TRIGGER_WORDS: "discovery call",
    POLL_INTERVAL_SECONDS: "0.5",
    SHUTDOWN_TIMEOUT_SECONDS: "2",
    RESEARCH_WEBSITE: "false",
    CRM_PROVIDER: "hubspot",
    HUBSPOT_ACCESS_TOKEN: fake.token,
    HUBSPOT_API_BASE_URL: fake.url,
    HUBSPOT_TIMEOUT_SECONDS: "5",
    HUBSPOT_SEARCH_LAG_SECONDS: "3"
  }
  const start = () => {
    const p = run(mainJs, ["run"], env)
    live.push(p)
    return p
  }
  const delivered = () =>
    summaries(env.LOG_STORAGE_DIR).flatMap((s) => s.events).find((e) => e.event_id === EVENT_ID && e.status === "delivered") as
      | { readonly crm?: { readonly company_id: string; readonly note_id: string; readonly file_id?: string; readonly created: boolean } }
      | undefined
  return { fake, contact, env, start, delivered }
}

const killWhenHeld = async (fake: FakeHubSpot, mode: "before" | "after", p: Spawned) => {
  await bounded(fake.holdNotes(mode), 60_000, `the note create (stderr: ${p.stderr().slice(-2000)})`)
  p.kill("SIGKILL")
  const exit = await bounded(p.exited, 5_000, "the SIGKILLed process to exit")
  expect(exit.signal).toBe("SIGKILL")
}

describe("HubSpot delivery across a SIGKILL between the upload and the note", () => {
  for (const mode of ["before", "after"] as const) {
    it(`killed while the note create is held (${mode} HubSpot made it): one company, one file, one note after the restart`, async () => {
      const s = await setup()

      const first = s.start()
      await killWhenHeld(s.fake, mode, first)
      expect(s.fake.objects("companies")).toHaveLength(1)
      expect(s.fake.files()).toHaveLength(1)
      expect(s.fake.objects("notes")).toHaveLength(mode === "after" ? 1 : 0)

      const second = s.start()
      const outcome = await until("the event to be delivered", s.delivered, 60_000, second)
      second.kill("SIGTERM")
      await bounded(second.exited, 10_000, "the process to stop")

      const [company] = s.fake.objects("companies")
      const [file] = s.fake.files()
      const [note] = s.fake.objects("notes")
      expect(s.fake.objects("companies")).toHaveLength(1)
      expect(s.fake.files()).toHaveLength(1)
      expect(s.fake.objects("notes")).toHaveLength(1)
      expect(company?.properties["domain"]).toBe(DOMAIN)
      expect(file?.access).toBe("PRIVATE")
      expect(note?.properties["hs_attachment_ids"]).toBe(file?.id)
      expect(s.fake.associations("notes", note?.id ?? "", "companies")).toEqual([{ id: company?.id, typeId: 190 }])
      expect(s.fake.associations("notes", note?.id ?? "", "contacts")).toEqual([{ id: s.contact, typeId: 202 }])
      // The run summary names what HubSpot holds; a note found again after the kill was not created by the restart.
      expect(outcome.crm).toEqual({
        provider: "hubspot",
        company_id: company?.id,
        note_id: note?.id,
        file_id: file?.id,
        created: mode === "before"
      })
      // Nothing was made twice, whatever was tried again.
      expect(s.fake.requests.filter((r) => r.method === "POST" && r.path === "/crm/v3/objects/companies")).toHaveLength(1)
      expect(s.fake.requests.filter((r) => r.method === "POST" && r.path === "/files/v3/files")).toHaveLength(1)
    }, 120_000)
  }
})
