/**
 * OpenTelemetry on the real process: spans, metrics and logs reach an OTLP/HTTP receiver; with
 * MASK_PII_IN_LOGS no e-mail address reaches the console or the exported logs.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { runCli, tempDir } from "../support/spawn.js"

interface Received {
  readonly path: string
  readonly body: string
}

const receiver = async () => {
  const received: Array<Received> = []
  const server = createServer((req: IncomingMessage, res) => {
    let body = ""
    req.on("data", (d: Buffer) => (body += d.toString()))
    req.on("end", () => {
      received.push({ path: req.url ?? "", body })
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }
}

const once = async (env: Record<string, string>) => {
  const p = runCli(["once"], env)
  const exit = await p.exited
  return { code: exit.code, stderr: p.stderr(), stdout: p.stdout() }
}

describe("telemetry", () => {
  it("exports the run's spans, metrics and logs over OTLP, and masks e-mail addresses when asked", async () => {
    const otlp = await receiver()
    try {
      const logDir = tempDir()
      const first = await once({ LOG_STORAGE_DIR: logDir })
      expect(first.code).toBe(0)
      // answer one request by mail, so a log line names a person
      const outbox = readdirSync(path.join(logDir, "outbox"))
      const request = outbox.find((f) => f.includes(".request@"))
      const auditId = request?.split(".")[1] ?? ""
      // Only the person asked may answer: the reply comes from the request's recipient.
      const asked = /^To: .*?<?([^\s<>]+@[^\s<>]+)>?\r?$/m.exec(readFileSync(path.join(logDir, "outbox", request ?? ""), "utf8"))?.[1]
      expect(asked).toBeDefined()
      mkdirSync(path.join(logDir, "inbox"), { recursive: true })
      writeFileSync(path.join(logDir, "inbox", "reply.eml"), [
        `From: ${asked}`,
        "To: lead-insights@lead-insights.app",
        `Subject: Re: [LI-${auditId}] your request`,
        "Message-ID: <reply-otel@lead-insights.app>",
        `In-Reply-To: <li.${auditId}.request@lead-insights.invalid>`,
        "Date: Thu, 26 Nov 2026 09:00:00 +0000",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Approve",
        ""
      ].join("\r\n"))

      const second = await once({
        LOG_STORAGE_DIR: logDir,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_SERVICE_NAME: "lead-insights-test",
        MASK_PII_IN_LOGS: "true"
      })
      expect(second.code).toBe(0)
      expect(second.stderr).toMatch(/reply 1 from <redacted-email> to request/)
      expect(second.stderr).not.toContain(asked)

      const bodies = (p: string) => otlp.received.filter((r) => r.path === p).map((r) => r.body).join("\n")
      const traces = bodies("/v1/traces")
      expect(traces).toContain("Orchestrator.runCycle")
      expect(traces).toContain("EventProcessor.process")
      expect(traces).toContain("lead-insights-test")
      expect(traces).toMatch(/"run_id".*"run-[0-9a-f-]{36}"/)
      expect(bodies("/v1/metrics").length).toBeGreaterThan(0)
      const logs = bodies("/v1/logs")
      expect(logs).toContain("run manifest")
      expect(logs).toContain("<redacted-email>")
      expect(logs).not.toMatch(/jonas\.weber@/i)
      // the audit trail still says who answered
      const hitl = readdirSync(path.join(logDir, "run_history", "workflows"))
        .map((id) => path.join(logDir, "run_history", "workflows", id, "hitl.json"))
        .flatMap((f) => { try { return [readFileSync(f, "utf8")] } catch { return [] } })
        .join("\n")
      expect(hitl).toMatch(/jonas\.weber@lead-insights\.app/i)
    } finally {
      otlp.close()
    }
  })
})
