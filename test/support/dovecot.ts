/**
 * A real Dovecot (Debian's dovecot-imapd + dovecot-lmtpd) for one test: a private config in a temp
 * dir, IMAP (with IDLE) and LMTP on free loopback ports (with `tls`, IMAPS too, and STARTTLS, on a
 * self-signed certificate), plaintext logins allowed, users from a passwd file. It
 * runs in the foreground as a child of the test (`dovecot -F`), so stopping it is one kill of its
 * process group; `restart` stops it and starts it again on the same ports and mail.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import { userInfo } from "node:os"
import * as path from "node:path"
import { ImapFlow } from "imapflow"
import { tempDir } from "./spawn.js"

export interface Dovecot {
  readonly imapPort: number
  /** With `tls`: IMAP over TLS from the first byte (and STARTTLS on `imapPort`), a self-signed certificate for 127.0.0.1. */
  readonly imapsPort: number
  readonly lmtpPort: number
  readonly dir: string
  /** Kills the server (its process group); the mail stays. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same ports and mail. */
  readonly start: () => Promise<void>
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`dovecot: ${what} not within ${timeoutMs} ms`)
}

const running = new Set<ChildProcess>()
const killGroup = (child: ChildProcess) => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
  } catch {
    // already gone
  }
}
// A test process that dies must not leave Dovecot behind.
process.once("exit", () => running.forEach(killGroup))

/** `users`: address → password. */
export const startDovecot = async (users: Readonly<Record<string, string>>, options: { readonly tls?: boolean } = {}): Promise<Dovecot> => {
  const dir = tempDir("li-dovecot-")
  chmodSync(dir, 0o755)
  const imapPort = await freePort()
  const imapsPort = await freePort()
  const lmtpPort = await freePort()
  const certFile = path.join(dir, "cert.pem")
  const keyFile = path.join(dir, "key.pem")
  if (options.tls) {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"
    ], { stdio: "ignore" })
    chmodSync(keyFile, 0o644)
  }
  const root = process.getuid?.() === 0
  const me = userInfo()
  mkdirSync(path.join(dir, "mail"), { recursive: true })
  if (root) chownSync(path.join(dir, "mail"), 65534, 65534)
  writeFileSync(path.join(dir, "passwd"), Object.entries(users).map(([user, pass]) => `${user}:{PLAIN}${pass}\n`).join(""))
  chmodSync(path.join(dir, "passwd"), 0o644)
  const conf = path.join(dir, "dovecot.conf")
  writeFileSync(conf, [
    `instance_name = li-test-${imapPort}`,
    "protocols = imap lmtp",
    "listen = 127.0.0.1",
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    ...(options.tls ? ["ssl = yes", `ssl_cert = <${certFile}`, `ssl_key = <${keyFile}`] : ["ssl = no"]),
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    "auth_failure_delay = 0",
    `mail_location = maildir:${dir}/mail/%u`,
    ...(root
      ? ["mail_uid = nobody", "mail_gid = nogroup"]
      : [
        `mail_uid = ${me.uid}`,
        `mail_gid = ${me.gid}`,
        `default_login_user = ${me.username}`,
        `default_internal_user = ${me.username}`,
        `default_internal_group = ${me.username}`
      ]),
    "first_valid_uid = 0",
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN ${dir}/passwd\n}`,
    `userdb {\n  driver = static\n  args = home=${dir}/mail/%u\n}`,
    "service anvil {\n  chroot =\n}",
    `service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${imapPort}\n  }\n  inet_listener imaps {\n    address = 127.0.0.1\n    port = ${options.tls ? imapsPort : 0}\n  }\n}`,
    `service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1\n    port = ${lmtpPort}\n  }\n}`,
    "protocol lmtp {\n  postmaster_address = postmaster@example.test\n}",
    ""
  ].join("\n"))

  let child: ChildProcess | undefined
  const start = async () => {
    const started = spawn("dovecot", ["-F", "-c", conf], { detached: true, stdio: "ignore" })
    child = started
    running.add(started)
    const exited = new Promise<boolean>((resolve) => {
      started.once("exit", () => resolve(false))
      started.once("error", () => resolve(false))
    })
    await waitUntil("IMAP listening", () => Promise.race([canConnect(imapPort), exited]))
    await waitUntil("LMTP listening", () => canConnect(lmtpPort))
    // A Dovecot killed within its first moments takes seconds to go; give it a moment.
    await new Promise((r) => setTimeout(r, 200))
  }
  const kill = async () => {
    const current = child
    child = undefined
    if (current === undefined) return
    running.delete(current)
    const gone = new Promise<void>((resolve) => (current.exitCode !== null ? resolve() : current.once("exit", () => resolve())))
    killGroup(current)
    await gone
    await waitUntil("IMAP port free", async () => !(await canConnect(imapPort)))
  }
  await start()
  return {
    imapPort,
    imapsPort,
    lmtpPort,
    dir,
    kill,
    start,
    restart: async () => {
      await kill()
      await start()
    },
    stop: kill
  }
}

/** Runs `f` with a client logged in to `user`'s mailbox on the test server (plain IMAP on loopback), logging out after. */
export const withImapClient = async <A>(dovecot: Dovecot, user: string, password: string, f: (client: ImapFlow) => Promise<A>) => {
  const client = new ImapFlow({ host: "127.0.0.1", port: dovecot.imapPort, secure: false, logger: false, auth: { user, pass: password } })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.logout()
  }
}
