/**
 * The HTTP client of the website research, as networks in companies are: through the proxy named
 * by HTTP_PROXY / HTTPS_PROXY / NO_PROXY (upper or lower case, read by undici's EnvHttpProxyAgent)
 * or given explicitly, optionally trusting the company's own CA (a TLS-inspecting proxy). Requests
 * go through Node's global fetch via @effect/platform's FetchHttpClient; redirects are not
 * followed here, so the crawl sees, counts and checks every hop.
 */
import type { HttpClient } from "@effect/platform"
import { Effect, type Layer } from "effect"
import { rootCertificates } from "node:tls"
import type { EnvHttpProxyAgent } from "undici"
import { proxyAgentClient } from "../LazyHttpClient.js"

export interface NetworkOptions {
  /** Override the environment: proxy URLs and the NO_PROXY list. */
  readonly proxy?: {
    readonly httpProxy?: string
    readonly httpsProxy?: string
    readonly noProxy?: string
  }
  /** Extra CA certificates (PEM) to trust besides the public ones. */
  readonly ca?: ReadonlyArray<string>
}

/** A TCP (and TLS) connection that is not up by then is not coming. */
const CONNECT_TIMEOUT_MS = 3_000

const agentOptions = (options: NetworkOptions): EnvHttpProxyAgent.Options => {
  // Through the proxy (the site over the tunnel, and an https proxy itself) and direct (NO_PROXY hosts).
  const ca = options.ca === undefined || options.ca.length === 0 ? undefined : [...rootCertificates, ...options.ca]
  const tls = ca === undefined ? {} : { requestTls: { ca }, proxyTls: { ca } }
  const proxy = options.proxy ?? {}
  return {
    ...tls,
    // A network that drops connections silently would otherwise hold each attempt for 10 s.
    connect: { timeout: CONNECT_TIMEOUT_MS, ...(ca === undefined ? {} : { ca }) },
    ...(proxy.httpProxy === undefined ? {} : { httpProxy: proxy.httpProxy }),
    ...(proxy.httpsProxy === undefined ? {} : { httpsProxy: proxy.httpsProxy }),
    ...(proxy.noProxy === undefined ? {} : { noProxy: proxy.noProxy })
  }
}

// The one cast: npm undici 7's agent and the undici-types that Node 20's fetch is typed with are two
// copies of the same dispatcher protocol whose declarations no longer line up (FormData, handlers).
const requestInit = (agent: EnvHttpProxyAgent): RequestInit => ({
  dispatcher: agent as unknown as NonNullable<RequestInit["dispatcher"]>,
  redirect: "manual"
})

/** A fetch-based HttpClient whose proxy agent, made at the first request, lives as long as the layer. */
export const proxiedClientLayer = (options: NetworkOptions = {}): Layer.Layer<HttpClient.HttpClient> =>
  proxyAgentClient({
    make: (Agent) => new Agent(agentOptions(options)),
    init: requestInit,
    close: (agent) => Effect.tryPromise(() => agent.destroy()).pipe(Effect.ignore)
  })
