/**
 * The crawl of one company's site: robots.txt first (https, else plain http when TLS fails or the
 * proxy refuses it; else the www. host), then the homepage, then the links a person would open,
 * one request after another with a pause, within the page, request and time budget. Redirects are
 * followed hop by hop (each one a request, each target checked against the site and robots.txt).
 * Whatever happens, the result is a WebsiteResult: a site that cannot be read gives
 * `insufficient_context` with the reason.
 */
import type { HttpClient } from "@effect/platform"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Cause, Clock, Data, Duration, Effect, Option, type Scope } from "effect"
import { ROBOTS_TOKEN, type WebsiteOptions } from "../../Agents/Website.js"
import { classifyDomain, isWithinAny, normalizeDomain } from "../../Domain/WebDomain.js"
import {
  FetchedPage,
  type PageKind,
  SkippedLink,
  WebsiteCompleted,
  WebsiteInsufficient,
  type WebsiteResult
} from "../../Domain/WebsiteFacts.js"
import { formatBytes } from "../BoundedRead.js"
import { decodePage } from "./Charset.js"
import { extractPage, type FactCandidate, mergeFacts } from "./Extract.js"
import { type Fetched, FetchError, fetchOnce } from "./Fetch.js"
import { parseHtml } from "./Html.js"
import { type Candidate, candidateLinks, type LinkKind, nextLink, onwardFrom } from "./Links.js"
import { allowAll, disallowAll, isAllowed, parseRobots, type Robots } from "./Robots.js"

class BudgetExhausted extends Data.TaggedError("BudgetExhausted")<{ readonly what: string }> {}

/** Not fetched on purpose: robots.txt, a redirect off the site, a redirect loop. */
class Refused extends Data.TaggedError("Refused")<{ readonly url: string; readonly reason: string }> {}

type CrawlError = FetchError | BudgetExhausted | Refused

const MAX_REDIRECTS = 5
const MAX_ROBOTS_BYTES = 512 * 1024
const MAX_CRAWL_DELAY = Duration.seconds(5)
/** Links found on pages after the homepage count for less than the homepage's own. */
const LATER_PAGE_PENALTY = 15

const describeFailure = (error: FetchError, maxBytes: number): string => {
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

const describe = (error: CrawlError, maxBytes: number): string => {
  switch (error._tag) {
    case "FetchError":
      return describeFailure(error, maxBytes)
    case "BudgetExhausted":
      return `was not read: the ${error.what} ran out`
    case "Refused":
      return `was not read: ${error.reason}`
  }
}

interface Page {
  readonly url: string
  readonly requestedUrl: string
  readonly status: number
  readonly bytes: number
  readonly body: Uint8Array
  readonly contentType: string | undefined
}

/** The research of one site: state of one crawl, used by one fiber only. */
export const researchSite = (
  client: HttpClient.HttpClient.With<HttpClientError, Scope.Scope>,
  options: WebsiteOptions
) =>
  Effect.fn("Website.research")(function*(input: string) {
    const domain = normalizeDomain(input)
    const startedMs = yield* Clock.currentTimeMillis
    const deadline = startedMs + Duration.toMillis(options.budget)
    const siteDomains: Array<string> = [domain]
    const pages: Array<FetchedPage> = []
    const skipped: Array<SkippedLink> = []
    const facts: Array<FactCandidate> = []
    const robotsCache = new Map<string, Robots>()
    const thisYear = new Date(startedMs).getUTCFullYear()
    let requests = 0
    let bytesRead = 0
    let lastRequestEnd: number | undefined
    let pause = options.delay
    let homepage: string | undefined
    let httpOnly = false
    yield* Effect.annotateCurrentSpan("domain", domain)

    const now = Clock.currentTimeMillis
    const iso = (ms: number) => new Date(ms).toISOString()

    // One request: within the request and time budget, after the pause since the last one.
    const request = (url: string, expect: "html" | "robots") =>
      Effect.gen(function*() {
        if (requests >= options.maxRequests) {
          return yield* new BudgetExhausted({ what: `request budget (${options.maxRequests} requests)` })
        }
        if (lastRequestEnd !== undefined) {
          const wait = lastRequestEnd + Duration.toMillis(pause) - (yield* now)
          if (wait > 0) yield* Effect.sleep(Duration.millis(wait))
        }
        const remaining = deadline - (yield* now)
        if (remaining <= 0) {
          return yield* new BudgetExhausted({ what: `time budget (${Duration.format(options.budget)})` })
        }
        requests++
        const timeout = Duration.min(options.timeout, Duration.millis(remaining))
        const limits = {
          userAgent: options.userAgent,
          timeout,
          maxBytes: expect === "robots" ? MAX_ROBOTS_BYTES : options.maxPageBytes,
          expect
        }
        return yield* fetchOnce(client, url, limits, (n) => {
          bytesRead += n
        }).pipe(Effect.ensuring(Effect.map(now, (t) => {
          lastRequestEnd = t
        })))
      })

    const robotsFor = (origin: string): Effect.Effect<Robots, FetchError | BudgetExhausted | Refused> => {
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
        Effect.catchTag("FetchError", (error): Effect.Effect<Robots, FetchError> => {
          if (error.reason === "http_error" && error.status >= 400 && error.status < 500 && error.status !== 429) {
            return Effect.succeed(allowAll)
          }
          if (error.reason === "too_large" || error.reason === "not_html") return Effect.succeed(allowAll)
          return Effect.fail(error)
        }),
        Effect.tap((robots) =>
          Effect.sync(() => {
            robotsCache.set(origin, robots)
          })
        )
      )
    }

    // Follows redirects hop by hop; a page's every hop must be on the site and allowed by robots.txt.
    const follow = (start: string, expect: "html" | "robots", home = false): Effect.Effect<Page, CrawlError> =>
      Effect.gen(function*() {
        let url = start
        for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
          if (expect === "html") {
            const target = new URL(url)
            if (!isWithinAny(target.hostname, siteDomains)) {
              if (!home) return yield* new Refused({ url, reason: `redirects off the site to ${target.host}` })
              siteDomains.push(normalizeDomain(target.hostname))
            }
            const robots = yield* robotsFor(target.origin)
            if (!isAllowed(robots, url)) return yield* new Refused({ url, reason: `disallowed by robots.txt` })
          }
          const fetched: Fetched = yield* request(url, expect)
          if (fetched._tag === "Body") {
            return { url, requestedUrl: start, status: fetched.status, bytes: fetched.body.length, body: fetched.body, contentType: fetched.contentType }
          }
          const next = new URL(fetched.location, url)
          if (next.protocol !== "http:" && next.protocol !== "https:") {
            return yield* new Refused({ url, reason: `redirects to ${next.protocol} URL` })
          }
          next.hash = ""
          url = next.toString()
        }
        return yield* new Refused({ url: start, reason: `more than ${MAX_REDIRECTS} redirects` })
      })

    // robots.txt decides the scheme and host: https, then http, then the same for www.
    const contact = Effect.gen(function*() {
      const attempts: Array<{ origin: string; detail: string }> = []
      for (const origin of [`https://${domain}`, `http://${domain}`, `https://www.${domain}`, `http://www.${domain}`]) {
        const result = yield* Effect.either(robotsFor(origin))
        if (result._tag === "Right") {
          httpOnly = origin.startsWith("http:")
          const delay = result.right.crawlDelay
          if (delay !== undefined) {
            pause = Duration.max(options.delay, Duration.min(Duration.seconds(delay), MAX_CRAWL_DELAY))
          }
          return Option.some(origin)
        }
        const error = result.left
        if (error._tag === "FetchError" && (error.reason === "http_error" || error.reason === "too_large")) {
          return yield* Effect.fail(`robots.txt of ${origin} ${describe(error, MAX_ROBOTS_BYTES)}: the site does not allow crawling now`)
        }
        if (error._tag !== "FetchError") return yield* Effect.fail(`robots.txt of ${origin} ${describe(error, MAX_ROBOTS_BYTES)}`)
        attempts.push({ origin, detail: describe(error, MAX_ROBOTS_BYTES) })
      }
      const details = [...new Set(attempts.map((a) => a.detail))]
      return yield* Effect.fail(
        details.length === 1
          ? `the site cannot be reached over https or http, with or without www.: ${details[0]}`
          : `the site cannot be reached: ${attempts.map((a) => `${a.origin} ${a.detail}`).join("; ")}`
      )
    })

    const record = (kind: PageKind, requested: string, outcome: FetchedPage["outcome"], status: number, bytes: number, url: string, at: number) =>
      pages.push(
        new FetchedPage({
          url,
          kind,
          status,
          outcome,
          bytes,
          retrieved_at: iso(at),
          ...(url === requested ? {} : { requested_url: requested })
        })
      )

    // Fetches and reads one page; Some(links on it) when it was read.
    const readPage = (kind: PageKind, url: string) =>
      Effect.gen(function*() {
        const result = yield* Effect.either(follow(url, "html", kind === "home"))
        const at = yield* now
        if (result._tag === "Left") {
          const error = result.left
          if (error._tag === "FetchError") record(kind, url, error.reason, error.status, error.bytes, error.url, at)
          else if (error._tag === "Refused") skipped.push(new SkippedLink({ url: error.url, reason: error.reason }))
          return yield* Effect.fail(error)
        }
        const page = result.right
        const text = decodePage(page.body, page.contentType).text
        if (page.contentType === undefined && !/<[a-z!]/i.test(text.slice(0, 1024))) {
          record(kind, url, "not_html", page.status, page.bytes, page.url, at)
          return yield* new FetchError({ url: page.url, reason: "not_html", status: page.status, bytes: page.bytes, detail: "not HTML" })
        }
        record(kind, url, "ok", page.status, page.bytes, page.url, at)
        const doc = parseHtml(text)
        facts.push(...extractPage({ url: page.url, retrievedAt: iso(at), kind, doc, siteDomains }, thisYear))
        return { url: page.url, doc }
      })

    const crawl = Effect.gen(function*() {
      const origin = yield* contact
      if (Option.isNone(origin)) return yield* Effect.fail("the site cannot be reached")
      let home = yield* readPage("home", `${origin.value}/`).pipe(
        Effect.mapError((error) =>
          typeof error === "string" ? error : `the homepage ${error._tag === "FetchError" ? error.url : `${origin.value}/`} ${describe(error, options.maxPageBytes)}`
        )
      )
      // A homepage that only sends visitors on (meta refresh, a choice of languages) is not the homepage yet.
      const first = candidateLinks(home.doc, home.url, home.url, siteDomains, undefined)
      const onward = first.length > 0 ? undefined : onwardFrom(home.doc, home.url, siteDomains)
      if (onward !== undefined) {
        const chooser = home.url
        const next = yield* Effect.either(readPage("home", httpOnly ? toHttp(onward) : onward))
        if (next._tag === "Right") {
          home = next.right
          facts.splice(0, facts.length, ...facts.filter((fact) => fact.url !== chooser))
        }
      }
      homepage = home.url
      const language = home.doc.lang?.split(/[-_]/)[0]?.toLowerCase()
      const candidates: Array<Candidate> = candidateLinks(home.doc, home.url, home.url, siteDomains, language)
        .map((c) => ({ ...c, url: httpOnly ? toHttp(c.url) : c.url }))
      const counts: Partial<Record<LinkKind, number>> = {}
      const seen = new Set<string>([home.url])
      while (pages.length < options.maxPages) {
        const next = nextLink(candidates, counts, seen)
        if (next === undefined) break
        seen.add(next.url)
        counts[next.kind] = (counts[next.kind] ?? 0) + 1
        const read = yield* Effect.either(readPage(next.kind, next.url))
        if (read._tag === "Left") {
          if (read.left._tag === "BudgetExhausted") break
          continue
        }
        for (const found of candidateLinks(read.right.doc, read.right.url, home.url, siteDomains, language)) {
          candidates.push({ ...found, url: httpOnly ? toHttp(found.url) : found.url, score: found.score - LATER_PAGE_PENALTY })
        }
      }
    })

    const result = (outcome: Option.Option<string>): Effect.Effect<WebsiteResult> =>
      Effect.map(now, (end) => {
        const merged = mergeFacts(facts)
        const common = {
          domain,
          ...(homepage === undefined ? {} : { homepage }),
          facts: merged,
          pages,
          skipped,
          requests,
          bytes_read: bytesRead,
          started_at: iso(startedMs),
          duration_ms: Math.max(0, Math.round(end - startedMs))
        }
        const reason = Option.isSome(outcome)
          ? outcome.value
          : merged.some((fact) => fact.field !== "language")
          ? undefined
          : `the site has no usable content (read ${pages.filter((p) => p.outcome === "ok").length} page(s))`
        return reason === undefined
          ? new WebsiteCompleted({ status: "completed", ...common })
          : new WebsiteInsufficient({ status: "insufficient_context", reason, ...common })
      })

    const check = classifyDomain(domain)
    if (!check.valid) return yield* result(Option.some(`"${input}" is not a company's web domain: ${check.reason}`))

    // A safety net beyond the per-request bounds: the crawl ends with the budget whatever happens.
    const outcome = yield* crawl.pipe(
      Effect.as(Option.none<string>()),
      Effect.catchAll((reason) => Effect.succeed(Option.some(reason))),
      Effect.timeoutTo({
        duration: Duration.sum(options.budget, Duration.seconds(5)),
        onSuccess: (o) => o,
        onTimeout: () => Option.some(`the time budget (${Duration.format(options.budget)}) ran out`)
      }),
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logWarning("website research failed unexpectedly", Cause.pretty(cause)),
          Option.some(`the research failed unexpectedly: ${Cause.squash(cause)}`)
        )
      )
    )
    // Pages were read: a failed later page or an exhausted budget still leaves a usable result.
    const stopped = Option.isSome(outcome) && homepage !== undefined ? Option.none<string>() : outcome
    const final = yield* result(stopped)
    yield* Effect.annotateCurrentSpan({
      status: final.status,
      pages: final.pages.length,
      requests: final.requests,
      bytes: final.bytes_read
    })
    return final
  })

const toHttp = (url: string): string => url.replace(/^https:/i, "http:")
