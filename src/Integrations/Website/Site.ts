/**
 * The research of one company's site: the first contact (robots.txt; https, else http, else
 * www.), the homepage, then the links a person would open — Impressum first — within the page,
 * request and time budget; the facts of every page read, merged. Whatever happens, the result is
 * a WebsiteResult: a site that cannot be read gives `insufficient_context` with the reason.
 */
import type { HttpClient } from "@effect/platform"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Cause, Clock, Duration, Effect, Option, type Scope } from "effect"
import type { WebsiteOptions } from "../../Agents/Website.js"
import { classifyDomain, normalizeDomain } from "../../Domain/WebDomain.js"
import {
  FetchedPage,
  type PageKind,
  SkippedLink,
  WebsiteCompleted,
  WebsiteInsufficient,
  type WebsiteResult
} from "../../Domain/WebsiteFacts.js"
import { decodePage } from "./Charset.js"
import { extractPage, type FactCandidate } from "./Extract.js"
import { FetchError } from "./Fetch.js"
import { parseHtml, type PageDoc } from "./Html.js"
import { type Candidate, candidateLinks, type LinkKind, nextLink, onwardFrom } from "./Links.js"
import { mergeFacts } from "./Merge.js"
import { describe, makeSession } from "./Session.js"

/** Links found on pages after the homepage count for less than the homepage's own. */
const LATER_PAGE_PENALTY = 15
/** Beyond the budget, for a request under way when it ends. */
const GRACE = Duration.seconds(5)

const iso = (ms: number) => new Date(ms).toISOString()

export const researchSite = (
  client: HttpClient.HttpClient.With<HttpClientError, Scope.Scope>,
  options: WebsiteOptions
) =>
  Effect.fn("Website.research")(function*(input: string) {
    const domain = normalizeDomain(input)
    const startedMs = yield* Clock.currentTimeMillis
    const session = makeSession(client, options, domain, startedMs + Duration.toMillis(options.budget))
    const thisYear = new Date(startedMs).getUTCFullYear()
    const pages: Array<FetchedPage> = []
    const skipped: Array<SkippedLink> = []
    let facts: Array<FactCandidate> = []
    let homepage: string | undefined
    yield* Effect.annotateCurrentSpan("domain", domain)

    const record = (kind: PageKind, requested: string, url: string, outcome: FetchedPage["outcome"], status: number, bytes: number, at: number) =>
      pages.push(new FetchedPage({
        url,
        kind,
        status,
        outcome,
        bytes,
        retrieved_at: iso(at),
        ...(url === requested ? {} : { requested_url: requested })
      }))

    // Fetches one page, records how that went and, when it was read, its facts.
    const readPage = Effect.fn("Website.page")(function*(kind: PageKind, url: string) {
      yield* Effect.annotateCurrentSpan({ kind, url })
      const result = yield* Effect.either(session.follow(url, "html", kind === "home"))
      const at = yield* Clock.currentTimeMillis
      if (result._tag === "Left") {
        const error = result.left
        if (error._tag === "FetchError") record(kind, url, error.url, error.reason, error.status, error.bytes, at)
        if (error._tag === "Refused") skipped.push(new SkippedLink({ url: error.url, reason: error.reason }))
        return yield* Effect.fail(error)
      }
      const page = result.right
      const text = decodePage(page.body, page.contentType).text
      if (page.contentType === undefined && !/<[a-z!]/i.test(text.slice(0, 1024))) {
        record(kind, url, page.url, "not_html", page.status, page.body.length, at)
        return yield* new FetchError({ url: page.url, reason: "not_html", status: page.status, bytes: page.body.length, detail: "not HTML" })
      }
      record(kind, url, page.url, "ok", page.status, page.body.length, at)
      const doc = parseHtml(text)
      facts.push(...extractPage({ url: page.url, retrievedAt: iso(at), kind, doc, siteDomains: session.siteDomains }, thisYear))
      return { url: page.url, doc }
    })

    const readHome = Effect.gen(function*() {
      const origin = yield* session.contact
      const first = yield* readPage("home", `${origin}/`).pipe(
        Effect.mapError((error) => `the homepage ${error._tag === "FetchError" ? error.url : `${origin}/`} ${describe(error, options.maxPageBytes)}`)
      )
      // A homepage that only sends visitors on (meta refresh, a choice of languages) is not the homepage yet.
      const hasLinks = candidateLinks(first.doc, first.url, first.url, session.siteDomains, undefined).length > 0
      const onward = hasLinks ? undefined : onwardFrom(first.doc, first.url, session.siteDomains)
      if (onward === undefined) return first
      const next = yield* Effect.either(readPage("home", session.onScheme(onward)))
      if (next._tag === "Left") return first
      facts = facts.filter((fact) => fact.url !== first.url)
      return next.right
    })

    const crawl = Effect.gen(function*() {
      const home: { url: string; doc: PageDoc } = yield* readHome
      homepage = home.url
      const language = home.doc.lang?.split(/[-_]/)[0]?.toLowerCase()
      const linksOf = (page: { url: string; doc: PageDoc }, penalty: number): Array<Candidate> =>
        candidateLinks(page.doc, page.url, home.url, session.siteDomains, language)
          .map((c) => ({ ...c, url: session.onScheme(c.url), score: c.score - penalty }))
      const candidates = linksOf(home, 0)
      const counts: Partial<Record<LinkKind, number>> = {}
      const seen = new Set<string>([home.url])
      while (pages.length < options.maxPages) {
        const next = nextLink(candidates, counts, seen)
        if (next === undefined) break
        seen.add(next.url)
        counts[next.kind] = (counts[next.kind] ?? 0) + 1
        const read = yield* Effect.either(readPage(next.kind, next.url))
        if (read._tag === "Right") candidates.push(...linksOf(read.right, LATER_PAGE_PENALTY))
        else if (read.left._tag === "BudgetExhausted") break
      }
    })

    const result = (stopped: Option.Option<string>): Effect.Effect<WebsiteResult> =>
      Effect.map(Clock.currentTimeMillis, (end) => {
        const merged = mergeFacts(facts)
        const { requests, bytesRead } = session.tally()
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
        const reason = Option.getOrUndefined(stopped) ??
          (merged.some((fact) => fact.field !== "language")
            ? undefined
            : `the site has no usable content (read ${pages.filter((p) => p.outcome === "ok").length} page(s))`)
        return reason === undefined
          ? new WebsiteCompleted({ status: "completed", ...common })
          : new WebsiteInsufficient({ status: "insufficient_context", reason, ...common })
      })

    const check = classifyDomain(domain)
    if (!check.valid) return yield* result(Option.some(`"${input}" is not a company's web domain: ${check.reason}`))

    const stopped = yield* crawl.pipe(
      Effect.as(Option.none<string>()),
      Effect.catchAll((reason) => Effect.succeed(Option.some(reason))),
      // A safety net beyond the per-request bounds: the research ends with its budget whatever happens.
      Effect.timeoutTo({
        duration: Duration.sum(options.budget, GRACE),
        onSuccess: (outcome) => outcome,
        onTimeout: () => Option.some(`the time budget (${Duration.format(options.budget)}) ran out`)
      }),
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logWarning("website research failed unexpectedly", Cause.pretty(cause)),
          Option.some(`the research failed unexpectedly: ${Cause.squash(cause)}`)
        )
      )
    )
    // Once the homepage was read, whatever stopped the crawl later leaves a result to use.
    const final = yield* result(homepage === undefined ? stopped : Option.none())
    yield* Effect.annotateCurrentSpan({
      status: final.status,
      pages: final.pages.length,
      requests: final.requests,
      bytes: final.bytes_read
    })
    return final
  })
