/**
 * The HTTP side of researching one site: every request within the request and time budget and
 * after the pause since the previous one (one at a time), robots.txt read once per origin and
 * obeyed, redirects followed hop by hop (each a request, each target checked against the site and
 * robots.txt), and the first contact that decides between https and plain http (and www.).
 * Its state belongs to one research, run by one fiber.
 */
import type { HttpClient } from "@effect/platform"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Clock, Data, Duration, Effect, type Scope } from "effect"
import { ROBOTS_TOKEN, type WebsiteOptions } from "../../Agents/Website.js"
import { isWithinAny, normalizeDomain } from "../../Domain/WebDomain.js"
import { formatBytes } from "../BoundedRead.js"
import { decodePage } from "./Charset.js"
import { type Fetched, type FetchError, fetchOnce } from "./Fetch.js"
import { allowAll, isAllowed, parseRobots, type Robots } from "./Robots.js"

export class BudgetExhausted extends Data.TaggedError("BudgetExhausted")<{ readonly what: string }> {}

/** Not fetched on purpose: robots.txt, a redirect off the site, too many redirects. */
export class Refused extends Data.TaggedError("Refused")<{ readonly url: string; readonly reason: string }> {}

export type SessionError = FetchError | BudgetExhausted | Refused

/** A page's body, from where the redirects ended. */
export interface Body {
  readonly url: string
  readonly status: number
  readonly body: Uint8Array
  readonly contentType: string | undefined
}

const MAX_REDIRECTS = 5
const MAX_ROBOTS_BYTES = 512 * 1024
const MAX_CRAWL_DELAY = Duration.seconds(5)

/** "answered HTTP 502", "timed out (…)", "is larger than the 2 MB limit (…)" — after "the homepage …". */
export const describe = (error: SessionError, maxBytes: number): string => {
  if (error._tag === "BudgetExhausted") return `was not read: the ${error.what} ran out`
  if (error._tag === "Refused") return `was not read: ${error.reason}`
  switch (error.reason) {
    case "timeout":
      return `timed out (${error.detail})`
    case "http_error":
      return `answered HTTP ${error.status}`
    case "too_large":
      return `is larger than the ${formatBytes(maxBytes)} limit (stopped after ${formatBytes(error.bytes)})`
    case "not_html":
      return `is ${error.detail}`
    case "unreachable":
      return `could not be reached: ${error.detail}`
  }
}

export const makeSession = (
  client: HttpClient.HttpClient.With<HttpClientError, Scope.Scope>,
  options: WebsiteOptions,
  domain: string,
  deadline: number
) => {
  const siteDomains: Array<string> = [domain]
  const robotsCache = new Map<string, Robots>()
  let requests = 0
  let bytesRead = 0
  let lastRequestEnd: number | undefined
  let pause = options.delay
  let httpOnly = false

  const request = (url: string, expect: "html" | "robots"): Effect.Effect<Fetched, FetchError | BudgetExhausted> =>
    Effect.gen(function*() {
      if (requests >= options.maxRequests) {
        return yield* new BudgetExhausted({ what: `request budget (${options.maxRequests} requests)` })
      }
      if (lastRequestEnd !== undefined) {
        const wait = lastRequestEnd + Duration.toMillis(pause) - (yield* Clock.currentTimeMillis)
        if (wait > 0) yield* Effect.sleep(Duration.millis(wait))
      }
      const remaining = deadline - (yield* Clock.currentTimeMillis)
      if (remaining <= 0) return yield* new BudgetExhausted({ what: `time budget (${Duration.format(options.budget)})` })
      requests++
      const limits = {
        userAgent: options.userAgent,
        timeout: Duration.min(options.timeout, Duration.millis(remaining)),
        maxBytes: expect === "robots" ? MAX_ROBOTS_BYTES : options.maxPageBytes,
        expect
      }
      return yield* fetchOnce(client, url, limits, (n) => {
        bytesRead += n
      }).pipe(Effect.ensuring(Effect.map(Clock.currentTimeMillis, (t) => {
        lastRequestEnd = t
      })))
    })

  // RFC 9309: a missing file (4xx) allows everything; a server error or no answer allows nothing.
  const robotsFor = (origin: string): Effect.Effect<Robots, SessionError> => {
    const cached = robotsCache.get(origin)
    if (cached !== undefined) return Effect.succeed(cached)
    return follow(`${origin}/robots.txt`, "robots").pipe(
      Effect.map((page) => {
        const robots = parseRobots(decodePage(page.body, "text/plain; charset=utf-8").text, ROBOTS_TOKEN)
        // Redirected (bare → www.): the file found is also the one of the host it came from.
        const found = new URL(page.url)
        if (found.pathname === "/robots.txt") robotsCache.set(found.origin, robots)
        return robots
      }),
      Effect.catchTag("FetchError", (error): Effect.Effect<Robots, FetchError> =>
        (error.reason === "http_error" && error.status >= 400 && error.status < 500 && error.status !== 429) ||
          error.reason === "too_large" || error.reason === "not_html"
          ? Effect.succeed(allowAll)
          : Effect.fail(error)),
      Effect.tap((robots) => Effect.sync(() => robotsCache.set(origin, robots)))
    )
  }

  /** GETs `start`, following redirects; a page (`html`) may leave the site only when it is the homepage. */
  const follow = (start: string, expect: "html" | "robots", home = false): Effect.Effect<Body, SessionError> =>
    Effect.gen(function*() {
      let url = start
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        if (expect === "html") {
          const target = new URL(url)
          if (!isWithinAny(target.hostname, siteDomains)) {
            if (!home) return yield* new Refused({ url, reason: `redirects off the site to ${target.host}` })
            siteDomains.push(normalizeDomain(target.hostname))
          }
          const robots = yield* robotsFor(target.origin).pipe(
            Effect.catchTag("FetchError", (error) =>
              new Refused({ url, reason: `robots.txt of ${target.origin} ${describe(error, MAX_ROBOTS_BYTES)}` }))
          )
          if (!isAllowed(robots, url)) return yield* new Refused({ url, reason: "disallowed by robots.txt" })
        }
        const fetched = yield* request(url, expect)
        if (fetched._tag === "Body") return { url, status: fetched.status, body: fetched.body, contentType: fetched.contentType }
        const next = new URL(fetched.location, url)
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          return yield* new Refused({ url, reason: `redirects to a ${next.protocol} URL` })
        }
        next.hash = ""
        url = next.toString()
      }
      return yield* new Refused({ url: start, reason: `more than ${MAX_REDIRECTS} redirects` })
    })

  /**
   * The origin to crawl, found by reading robots.txt: https, else http (TLS failed, the proxy
   * refused CONNECT :443), else the same with www.; fails with the reason when none answers.
   */
  const contact: Effect.Effect<string, string> = Effect.gen(function*() {
    const attempts: Array<{ origin: string; detail: string }> = []
    for (const origin of [`https://${domain}`, `http://${domain}`, `https://www.${domain}`, `http://www.${domain}`]) {
      const result = yield* Effect.either(robotsFor(origin))
      if (result._tag === "Right") {
        httpOnly = origin.startsWith("http:")
        const delay = result.right.crawlDelay
        if (delay !== undefined) pause = Duration.max(options.delay, Duration.min(Duration.seconds(delay), MAX_CRAWL_DELAY))
        return origin
      }
      const error = result.left
      const detail = describe(error, MAX_ROBOTS_BYTES)
      if (error._tag === "FetchError" && (error.reason === "unreachable" || error.reason === "timeout")) {
        attempts.push({ origin, detail })
        continue
      }
      // A server error on robots.txt means: no crawling now (RFC 9309).
      return yield* Effect.fail(
        `robots.txt of ${origin} ${detail}${error._tag === "FetchError" ? ": the site does not allow crawling now" : ""}`
      )
    }
    const details = [...new Set(attempts.map((a) => a.detail))]
    return yield* Effect.fail(
      details.length === 1
        ? `the site cannot be reached over https or http, with or without www.: ${details[0]}`
        : `the site cannot be reached: ${attempts.map((a) => `${a.origin} ${a.detail}`).join("; ")}`
    )
  })

  return {
    contact,
    follow,
    /** The domains that count as the site: the one asked for, and where its homepage redirected. */
    siteDomains: readonlyView(siteDomains),
    /** After a fallback to plain http, the site's https links are read over http too. */
    onScheme: (url: string): string => (httpOnly ? url.replace(/^https:/i, "http:") : url),
    tally: () => ({ requests, bytesRead })
  }
}

const readonlyView = <A>(array: Array<A>): ReadonlyArray<A> => array

export type Session = ReturnType<typeof makeSession>
