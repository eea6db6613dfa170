/**
 * The built program draws each delivered dossier's PDF (on its own thread) and exits when done:
 * every delivered event has a dossier.pdf that reads back with its company's name.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { runCli, summaries, tempDir } from "../support/spawn.js"

describe("dossier PDFs from the built program", () => {
  it("once on the example calendar writes a readable dossier.pdf for every delivered meeting", async () => {
    const logDir = tempDir()
    const p = runCli(["once"], { LOG_STORAGE_DIR: logDir, RESEARCH_WEBSITE: "false" })
    const exit = await p.exited
    expect(exit.code).toBe(0)
    expect(p.stderr()).not.toMatch(/not rendered|PDF thread/)
    const delivered = (summaries(logDir)[0]?.events ?? []).filter((e) => e.status === "delivered")
    expect(delivered.length).toBeGreaterThan(0)
    for (const event of delivered) {
      const pdf = event.dossier?.pdf_path
      expect(pdf && existsSync(pdf)).toBe(true)
      if (!pdf) continue
      expect(readFileSync(pdf).subarray(0, 5).toString("latin1")).toBe("%PDF-")
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", pdf, "-"], { encoding: "utf8" }).replace(/\s+/g, " ")
      expect(text).toContain(event.company?.name)
    }
  }, 60_000)
})
