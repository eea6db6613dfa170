/**
 * A throw-away PostgreSQL cluster for tests: initdb in a temp dir, loopback only, trust auth, a free
 * port, fsync off. As root the server runs as the `postgres` user (root cannot run postgres).
 * `findPostgres()` says why there is none (no binaries) so a suite can skip with that reason.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

export interface Postgres {
  readonly url: string
  readonly port: number
  readonly dir: string
  /** SQL through psql (database `test` unless named), rows as tab-separated lines. */
  readonly query: (sql: string, database?: string) => string
  /** The URL of another database on this server. */
  readonly urlFor: (database: string) => string
  readonly stop: () => void
}

/** The newest `…/postgresql/<version>/bin` with initdb and pg_ctl, or why there is none. */
export const findPostgres = (): { readonly bin: string } | { readonly missing: string } => {
  const candidates: Array<string> = []
  const root = "/usr/lib/postgresql"
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(root, v, "bin"))
  }
  const fromPath = (process.env["PATH"] ?? "").split(path.delimiter)
  candidates.push(...fromPath)
  const bin = candidates.find((d) => existsSync(path.join(d, "initdb")) && existsSync(path.join(d, "pg_ctl")))
  return bin === undefined
    ? { missing: "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH; apt-get install postgresql" }
    : { bin }
}

/** A port nobody listens on right now (the OS picks it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

export const startPostgres = async (bin: string): Promise<Postgres> => {
  const dir = mkdtempSync(path.join(tmpdir(), "li-pg-"))
  const asUser = (cmd: string, args: ReadonlyArray<string>): [string, ReadonlyArray<string>] =>
    isRoot() ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]
  const exec = (cmd: string, args: ReadonlyArray<string>, timeout = 60_000) => {
    const [file, argv] = asUser(cmd, args)
    return execFileSync(file, argv, { timeout, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } })
  }
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
    chownSync(dir, uid, gid)
    chmodSync(dir, 0o700)
  }
  const data = path.join(dir, "data")
  const log = path.join(dir, "server.log")
  exec(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
  let port = 0
  let started = false
  // The port is free when asked, but another process could take it before postgres binds: retry.
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort()
    try {
      exec(path.join(bin, "pg_ctl"), [
        "-D", data, "-l", log, "-w", "-t", "30",
        "-o", `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
        "start"
      ])
      started = true
    } catch (e) {
      if (attempt === 4) {
        const serverLog = existsSync(log) ? readFileSync(log, "utf8") : ""
        throw new Error(`pg_ctl start failed: ${(e as Error).message}\n${serverLog}`)
      }
    }
  }
  const psql = path.join(bin, "psql")
  const query = (sql: string, database = "test") =>
    execFileSync(psql, ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql], {
      timeout: 30_000,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"]
    }).trim()
  execFileSync(psql, ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-X", "-q", "-c", "CREATE DATABASE test"], {
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stopped = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    port,
    dir,
    query,
    urlFor: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: () => {
      if (stopped) return
      stopped = true
      try {
        exec(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "20", "stop"], 30_000)
      } catch {
        // Already gone; nothing else to stop.
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
