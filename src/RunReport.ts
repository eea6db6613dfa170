/** How runs look on a terminal: `once` prints a run, `runs list` one line per run. */
import type { HitlRequest } from "./Domain/Hitl.js"
import type { RunSummary } from "./Domain/RunSummary.js"

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

export const formatRunLine = (summary: RunSummary): string => {
  const counts = new Map<string, number>()
  for (const e of summary.events) counts.set(e.status, (counts.get(e.status) ?? 0) + 1)
  const breakdown = [...counts].map(([status, n]) => `${status}=${n}`).join(" ")
  return `${summary.run_id}  ${summary.started_at}  ${pad(summary.status, 7)}  ${summary.events.length} events${
    breakdown ? `  ${breakdown}` : ""
  }${summary.error ? `  error: ${summary.error.message}` : ""}`
}

export const formatSummary = (summary: RunSummary): string => {
  const lines = [formatRunLine(summary)]
  for (const e of summary.events) {
    const company = e.company ? [e.company.name, e.company.domain].filter(Boolean).join(" / ") : ""
    const why = [
      e.error?.message ?? company,
      e.reason ? `(${e.reason})` : "",
      e.retry_at ? `(next try ${e.retry_at})` : "",
      e.hitl ? `[${e.hitl.audit_id}]` : ""
    ]
      .filter(Boolean).join(" ")
    lines.push(`  ${pad(e.status, 15)} ${pad(e.start, 24)} ${pad(e.summary, 48)} ${why}`.trimEnd())
  }
  return lines.join("\n")
}

export const formatRequestLine = (r: HitlRequest): string =>
  `${r.audit_id}  ${pad(r.kind, 12)} ${r.created_at}  ${pad(r.recipient, 32)} ${pad(r.event_summary, 40)} ${
    r.next_action ? `next: ${r.next_action} at ${r.next_due ?? "?"}` : ""
  }`.trimEnd()
