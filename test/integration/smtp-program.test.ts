/**
 * The real program (the compiled `dist/`, test/support/spawn.ts) with SMTP_* set, against a real
 * SMTP server in the test: `once` on the example calendar sends its mail there and not into
 * outbox/, the organiser's delivery notices carry the rendered PDF, a second run sends nothing
 * again; a plaintext password to another machine stops the start; `doctor` reports the server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { simpleParser } from "mailparser"
import { existsSync, readdirSync } from "node:fs"
import * as path from "node:path"
import { runCli, summaries, tempDir } from "../support/spawn.js"
import { startSmtpServer } from "../support/smtpServer.js"

const exited = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.promise(async () => {
    const p = runCli(args, env)
    const exit = await p.exited
    return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() }
  })

describe("the program over SMTP", () => {
  it.scopedLive("once: requests and delivery notices go to the SMTP server, each once; outbox/ stays empty", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer()
      const logDir = tempDir()
      const env = {
        LOG_STORAGE_DIR: logDir,
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(server.port),
        SMTP_SECURE: "false",
        MAIL_FROM: "li@mail.lead-insights.app"
      }
      const first = yield* exited(["once"], env)
      expect(first.code, first.stderr).toBe(0)

      const [summary] = summaries(logDir)
      const asked = new Set(summary?.events.flatMap((e) => (e.hitl ? [e.hitl.audit_id] : [])))
      const delivered = summary?.events.filter((e) => e.status === "delivered" || e.status === "dossier_reused") ?? []
      expect(asked.size).toBeGreaterThan(0)
      expect(delivered.length).toBeGreaterThan(0)

      const ids = server.received.map((m) => m.messageId)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.every((id) => id.endsWith("@mail.lead-insights.app>"))).toBe(true)
      for (const auditId of asked) expect(ids).toContain(`<li.${auditId}.request@mail.lead-insights.app>`)
      expect(existsSync(path.join(logDir, "outbox"))).toBe(false)
      expect(readdirSync(path.join(logDir, "sent"))).toHaveLength(ids.length)

      // the example meetings are organised by our own people: each dossier delivered (or reused) is announced to them with its PDF
      const notices = server.received.filter((m) => m.messageId.includes(".delivered@"))
      expect(notices).toHaveLength(delivered.length)
      for (const notice of notices) {
        expect(notice.to.every((to) => to.toLowerCase().endsWith("@lead-insights.app"))).toBe(true)
        const parsed = yield* Effect.promise(() => simpleParser(notice.raw))
        expect(parsed.attachments).toHaveLength(1)
        expect(parsed.attachments[0]?.contentType).toBe("application/pdf")
        expect(parsed.attachments[0]?.content.subarray(0, 5).toString("latin1")).toBe("%PDF-")
      }

      const second = yield* exited(["once"], env)
      expect(second.code, second.stderr).toBe(0)
      expect(server.received.map((m) => m.messageId)).toEqual(ids)
    }), 120_000)

  it.live("a password in plaintext to another machine stops the start with one line", () =>
    Effect.gen(function*() {
      const result = yield* exited(["once"], {
        LOG_STORAGE_DIR: tempDir(),
        SMTP_HOST: "smtp.lead-insights.app",
        SMTP_SECURE: "false",
        SMTP_USERNAME: "li",
        SMTP_PASSWORD: "s3cret"
      })
      expect(result.code).toBe(1)
      expect(result.stderr.trim()).toBe(
        "lead-insights: invalid configuration: SMTP_SECURE: false would send the password unencrypted to " +
          "smtp.lead-insights.app; use starttls or true, or set SMTP_ALLOW_INSECURE=true"
      )
      expect(result.stderr).not.toContain("s3cret")
    }), 60_000)

  it.scopedLive("doctor: the mail line names the server, or what is wrong with it", () =>
    Effect.gen(function*() {
      const server = yield* startSmtpServer({ login: { username: "li", password: "s3cret" } })
      const env = (password: string) => ({
        LOG_STORAGE_DIR: tempDir(),
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(server.port),
        SMTP_SECURE: "false",
        SMTP_USERNAME: "li",
        SMTP_PASSWORD: password
      })
      const good = yield* exited(["doctor"], env("s3cret"))
      expect(good.code, good.stdout).toBe(0)
      expect(good.stdout).toMatch(new RegExp(`^mail\\s+ok\\s+SMTP li@127\\.0\\.0\\.1:${server.port} \\(plaintext\\): connected, logged in;`, "m"))
      const bad = yield* exited(["doctor"], env("wrong"))
      expect(bad.code).toBe(1)
      expect(bad.stdout).toMatch(/^mail\s+FAIL\s+SMTP login to 127\.0\.0\.1:\d+ as li refused: wrong user name or password/m)
      expect(bad.stdout).not.toContain("wrong\n")
    }), 60_000)
})
