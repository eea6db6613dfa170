/**
 * robots.txt (RFC 9309): the groups for our product token if there are any, else those for `*`;
 * the longest matching Allow/Disallow path wins, Allow on a tie; `*` and `$` in paths. Pure.
 */

export interface Rule {
  readonly allow: boolean
  readonly pattern: string
  readonly regex: RegExp
}

export interface Robots {
  readonly rules: ReadonlyArray<Rule>
  /** Seconds, when the group asks for one. */
  readonly crawlDelay: number | undefined
}

export const allowAll: Robots = { rules: [], crawlDelay: undefined }

/** Everything forbidden: what a server error on robots.txt means (RFC 9309 §2.3.1.4). */
export const disallowAll: Robots = { rules: [{ allow: false, pattern: "/", regex: /^\// }], crawlDelay: undefined }

// Percent-encoding differences (%7E vs ~, ä vs %C3%A4) must not decide a match.
const canonical = (path: string): string => {
  try {
    return encodeURI(decodeURI(path))
  } catch {
    return path
  }
}

const toRegex = (pattern: string): RegExp => {
  const anchored = pattern.endsWith("$")
  const body = (anchored ? pattern.slice(0, -1) : pattern)
    .replace(/\*+/g, "*")
    .split("*")
    .map((part) => canonical(part).replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*")
  return new RegExp(`^${body}${anchored ? "$" : ""}`)
}

interface Group {
  readonly agents: Array<string>
  readonly rules: Array<Rule>
  crawlDelay: number | undefined
}

/** Parses robots.txt. `token` is our product token ("LeadInsights"), matched case-insensitively. */
export const parseRobots = (text: string, token: string): Robots => {
  const groups: Array<Group> = []
  let current: Group | undefined
  let lastWasAgent = false
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, "").trim()
    const colon = line.indexOf(":")
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (key === "user-agent") {
      if (current === undefined || !lastWasAgent) {
        current = { agents: [], rules: [], crawlDelay: undefined }
        groups.push(current)
      }
      current.agents.push(value.toLowerCase())
      lastWasAgent = true
      continue
    }
    lastWasAgent = false
    if (current === undefined) continue
    if ((key === "allow" || key === "disallow") && value !== "") {
      const pattern = value.startsWith("/") || value.startsWith("*") ? value : `/${value}`
      current.rules.push({ allow: key === "allow", pattern, regex: toRegex(pattern) })
    } else if (key === "crawl-delay") {
      const seconds = Number(value)
      if (Number.isFinite(seconds) && seconds >= 0) current.crawlDelay = seconds
    }
  }
  const ours = token.toLowerCase()
  const mine = groups.filter((g) => g.agents.some((agent) => agent.split("/")[0]?.trim() === ours))
  const chosen = mine.length > 0 ? mine : groups.filter((g) => g.agents.includes("*"))
  const delays = chosen.flatMap((g) => (g.crawlDelay === undefined ? [] : [g.crawlDelay]))
  return {
    rules: chosen.flatMap((g) => g.rules),
    crawlDelay: delays.length === 0 ? undefined : Math.max(...delays)
  }
}

/** Whether `robots` lets us fetch `url` (its path and query). */
export const isAllowed = (robots: Robots, url: string): boolean => {
  const parsed = new URL(url)
  const path = canonical(`${parsed.pathname}${parsed.search}`)
  if (path === "/robots.txt") return true
  let best: Rule | undefined
  for (const rule of robots.rules) {
    if (!rule.regex.test(path)) continue
    if (
      best === undefined || rule.pattern.length > best.pattern.length ||
      (rule.pattern.length === best.pattern.length && rule.allow)
    ) best = rule
  }
  return best === undefined || best.allow
}
