/**
 * A local web of company sites (test/fixtures/websites/sites.ts) behind a local HTTP proxy, for
 * the website research tests and bench. One HTTP and one HTTPS server answer every site, routed
 * by Host header; the proxy is what the product is pointed at (HTTP_PROXY / HTTPS_PROXY or the
 * `proxy` option). undici tunnels http:// as well as https:// with CONNECT, so the proxy answers
 * CONNECT host:80 / host:443 and pipes to the site servers, or refuses as the site's spec says.
 * HTTPS uses a throw-away CA made with openssl; without openssl every CONNECT :443 is refused
 * and the sites are read over http.
 */
import { Duration, Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import { connect, type AddressInfo, type Socket } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { type WebsiteOptions, WebsiteResearch } from "../../src/Agents/Website.js"
import type { WebsiteResult } from "../../src/Domain/WebsiteFacts.js"
import { WebsiteResearchLive } from "../../src/Integrations/Website/Live.js"
import { type Scheme, send, SITES, type SiteSpec } from "../fixtures/websites/sites.js"

export interface SeenRequest {
  readonly scheme: Scheme
  readonly host: string
  readonly path: string
  readonly userAgent: string
  readonly startedAt: number
  endedAt: number | undefined
}

export interface SiteServer {
  /** `http://127.0.0.1:<port>`: the proxy. */
  readonly proxyUrl: string
  /** The CA to trust for the sites' HTTPS (empty without openssl). */
  readonly ca: ReadonlyArray<string>
  /** Every request that reached a site, in order. */
  readonly requests: ReadonlyArray<SeenRequest>
  /** Every CONNECT the proxy saw (`host:port`). */
  readonly connects: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

interface Tls {
  readonly ca: string
  readonly key: string
  readonly cert: string
}

const openssl = (args: ReadonlyArray<string>) => execFileSync("openssl", args, { stdio: "ignore" })

/** A CA and one certificate for every host (bare and www.); undefined when openssl is missing. */
const makeCertificates = (hosts: ReadonlyArray<string>): Tls | undefined => {
  const dir = mkdtempSync(path.join(tmpdir(), "site-tls-"))
  const file = (name: string) => path.join(dir, name)
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
  try {
    openssl(["req", "-x509", ...ec, "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=Local test CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    openssl(["req", ...ec, "-keyout", file("site.key"), "-out", file("site.csr"), "-subj", "/CN=local test sites"])
    writeFileSync(
      file("ext.cnf"),
      `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`
    )
    openssl(["x509", "-req", "-in", file("site.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
      "-out", file("site.pem"), "-days", "2", "-extfile", file("ext.cnf")])
    return { ca: readFileSync(file("ca.pem"), "utf8"), key: readFileSync(file("site.key"), "utf8"), cert: readFileSync(file("site.pem"), "utf8") }
  } catch {
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))

const siteOf = (sites: ReadonlyArray<SiteSpec>, host: string) =>
  sites.find((site) => host === site.domain || host === `www.${site.domain}`)

const PROXY_ERROR = (status: number, text: string) =>
  `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n` +
  `<!DOCTYPE html><html><head><title>${status} ${text}</title></head><body><h1>${text}</h1>` +
  `<p>Der Proxy konnte die Verbindung nicht herstellen. Proxy Betrieb GmbH, Tel. +49 30 555 0100, proxy-admin@proxy-betrieb.de</p></body></html>`

export const startSiteServer = async (sites: ReadonlyArray<SiteSpec> = SITES): Promise<SiteServer> => {
  const requests: Array<SeenRequest> = []
  const connects: Array<string> = []
  const sockets = new Set<Socket>()
  const tls = makeCertificates(sites.flatMap((s) => [s.domain, `www.${s.domain}`]))

  const handler = (scheme: Scheme) => (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase()
    const seen: SeenRequest = {
      scheme,
      host,
      path: req.url ?? "/",
      userAgent: req.headers["user-agent"] ?? "",
      startedAt: performance.now(),
      endedAt: undefined
    }
    requests.push(seen)
    res.on("close", () => {
      seen.endedAt = performance.now()
    })
    const site = siteOf(sites, host)
    if (site === undefined) return send(res, 421, "Misdirected Request", "text/plain")
    site.handle({ host, path: seen.path, scheme }, req, res)
  }

  const http = createHttpServer(handler("http"))
  const https = tls === undefined ? undefined : createHttpsServer({ key: tls.key, cert: tls.cert }, handler("https"))
  const httpPort = await listen(http)
  const httpsPort = https === undefined ? undefined : await listen(https)

  const proxy = createHttpServer((_req, res) => send(res, 400, "CONNECT only", "text/plain"))
  proxy.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
    const target = req.url ?? ""
    connects.push(target)
    const colon = target.lastIndexOf(":")
    const host = target.slice(0, colon).toLowerCase()
    const port = Number(target.slice(colon + 1))
    const site = siteOf(sites, host)
    if (site === undefined || site.proxy === "unreachable") return socket.end(PROXY_ERROR(502, "Bad Gateway"))
    if (port === 443 && (site.proxy === "refuse-443" || httpsPort === undefined)) return socket.end(PROXY_ERROR(403, "Forbidden"))
    const upstream = connect(port === 443 && httpsPort !== undefined ? httpsPort : httpPort, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      if (head.length > 0) upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on("close", () => {
      sockets.delete(upstream)
      socket.destroy()
    })
    upstream.on("error", () => socket.destroy())
    socket.on("close", () => upstream.destroy())
  })
  const proxyPort = await listen(proxy)

  const closeServer = (server: Server | undefined) =>
    new Promise<void>((resolve) => {
      if (server === undefined) return resolve()
      server.closeAllConnections()
      server.close(() => resolve())
    })

  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    ca: tls === undefined ? [] : [tls.ca],
    requests,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await Promise.all([closeServer(proxy), closeServer(http), closeServer(https)])
    }
  }
}

// ---- bench

export interface SiteTiming {
  readonly domain: string
  readonly status: WebsiteResult["status"]
  readonly reason: string | undefined
  readonly ms: number
  readonly pages: number
  readonly requests: number
  readonly bytes: number
  readonly facts: number
}

export interface Medians {
  readonly ms: number
  readonly pages: number
  readonly requests: number
  readonly bytes: number
}

export interface WebsiteBench {
  readonly sites: ReadonlyArray<SiteTiming>
  /** Over all sites, those that cannot be researched included. */
  readonly median: Medians
  /** Over the sites that were read (`completed`). */
  readonly medianCompleted: Medians
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[mid] ?? 0 : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/**
 * Starts the site server and researches every site once, one after another, with the product's
 * defaults (politeness pause included) except a 2 s request time-out, unless `options` say
 * otherwise. For `npm run bench`; nothing is asserted.
 */
export const benchWebsiteResearch = async (options: Partial<WebsiteOptions> = {}): Promise<WebsiteBench> => {
  const server = await startSiteServer()
  try {
    const layer = WebsiteResearchLive({
      timeout: Duration.seconds(2),
      ...options,
      proxy: { httpProxy: server.proxyUrl, httpsProxy: server.proxyUrl, noProxy: "" },
      ca: server.ca
    })
    const timings = await Effect.runPromise(
      Effect.gen(function*() {
        const website = yield* WebsiteResearch
        return yield* Effect.forEach(SITES, (site) =>
          Effect.map(website.research(site.domain), (result): SiteTiming => ({
            domain: result.domain,
            status: result.status,
            reason: result.status === "insufficient_context" ? result.reason : undefined,
            ms: result.duration_ms,
            pages: result.pages.length,
            requests: result.requests,
            bytes: result.bytes_read,
            facts: result.facts.length
          })))
      }).pipe(Effect.provide(layer))
    )
    const medians = (of: ReadonlyArray<SiteTiming>): Medians => ({
      ms: median(of.map((t) => t.ms)),
      pages: median(of.map((t) => t.pages)),
      requests: median(of.map((t) => t.requests)),
      bytes: median(of.map((t) => t.bytes))
    })
    return { sites: timings, median: medians(timings), medianCompleted: medians(timings.filter((t) => t.status === "completed")) }
  } finally {
    await server.close()
  }
}
