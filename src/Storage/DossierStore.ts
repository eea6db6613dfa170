/**
 * Dossiers on disk: `LOG_STORAGE_DIR/dossiers/<domain>/<timestamp>/dossier.json` (+ `dossier.pdf`).
 * Every file is written atomically; a retried write with the same dossier key finds its own dossier.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Data, Effect, Either, Option, Schema } from "effect"
import * as path from "node:path"
import { AppConfig } from "../Config.js"
import { Dossier, DossierFile, StoredDossier } from "../Domain/Dossier.js"
import { normalizeDomain } from "../Domain/WebDomain.js"
import { writeFileAtomic, writeJsonAtomic } from "./AtomicFile.js"
import { StorageError } from "./StorageError.js"

/** A domain that would put files outside the dossier folder: a bug or hostile input, never a retry. */
export class UnsafeDossierDomain extends Data.TaggedError("UnsafeDossierDomain")<{
  readonly domain: string
  readonly reason: string
}> {
  override get message() {
    return `refusing to store a dossier under ${JSON.stringify(this.domain)}: ${this.reason}`
  }
}

const SAFE_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/

/** The folder name for a domain: normalised, and only letters, digits, dots and hyphens. */
export const dossierDomain = (input: string): Either.Either<string, UnsafeDossierDomain> => {
  if (/[/\\\0]/.test(input) || input.includes("..")) {
    return Either.left(new UnsafeDossierDomain({ domain: input, reason: "it contains a path separator or \"..\"" }))
  }
  const domain = normalizeDomain(input)
  return SAFE_DOMAIN.test(domain)
    ? Either.right(domain)
    : Either.left(new UnsafeDossierDomain({ domain: input, reason: "it is not a domain name" }))
}

/** `2026-11-26T09:00:00.000Z` → `2026-11-26T09-00-00-000Z`: no colons, sorts by time. */
export const folderTimestamp = (generatedAt: string): string => {
  const ms = Date.parse(generatedAt)
  const iso = Number.isNaN(ms) ? generatedAt : new Date(ms).toISOString()
  return iso.replace(/[^0-9A-Za-z-]/g, "-")
}

const DAY_MS = 86_400_000
/**
 * Dossiers (and folder listings) kept in memory after they were read; beyond this the oldest is
 * read again (a fraction of a millisecond). A decoded dossier is 5 KB and more (website facts): at
 * 10,000 a long-lived process, or a cycle over thousands of companies, held 50 MB and more of them.
 */
const MAX_REMEMBERED = 1_000
const LISTING_TTL_MS = 10_000

/** Younger than `freshDays` days at `now`; a dossier exactly `freshDays` old is stale. */
export const isFresh = (stored: StoredDossier, now: Date, freshDays: number): boolean => {
  const created = Date.parse(stored.created_at)
  return !Number.isNaN(created) && now.getTime() - created < freshDays * DAY_MS
}

// Files written by the first version (before website research) are read as current dossiers.
const decodeDossier = Schema.decodeUnknown(Schema.parseJson(DossierFile))
const encodeDossier = Schema.encode(Dossier)

const folderName = (stored: StoredDossier) => path.basename(path.dirname(stored.json_path))

const newestFirst = (a: StoredDossier, b: StoredDossier): number =>
  (Date.parse(b.created_at) || 0) - (Date.parse(a.created_at) || 0) ||
  folderName(b).localeCompare(folderName(a), "en", { numeric: true })

export class DossierStore extends Effect.Service<DossierStore>()("Storage/DossierStore", {
  effect: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const config = yield* AppConfig
    const root = path.join(config.logStorageDir, "dossiers")
    // One writer at a time in this process, so two retries of one key cannot both write.
    const writeLock = yield* Effect.makeSemaphore(1)

    const folderOf = (domain: string) =>
      Either.match(dossierDomain(domain), { onLeft: Effect.die, onRight: (d) => Effect.succeed(path.join(root, d)) })

    // A dossier folder is written once (its JSON atomically), so what was read from it stays true;
    // only a PDF can be added later. Without this, every look-up re-reads and re-decodes each dossier.
    const seen = new Map<string, StoredDossier>()
    const remember = (dir: string, stored: StoredDossier) => {
      if (seen.size >= MAX_REMEMBERED) seen.delete(seen.keys().next().value ?? dir)
      seen.set(dir, stored)
      return stored
    }

    const readOne = (dir: string) =>
      Effect.gen(function*() {
        const jsonPath = path.join(dir, "dossier.json")
        const pdfPath = path.join(dir, "dossier.pdf")
        const known = seen.get(dir)
        if (known !== undefined) {
          if (known.pdf_path !== undefined || !(yield* fs.exists(pdfPath))) return Option.some(known)
          return Option.some(remember(dir, new StoredDossier({ ...known, pdf_path: pdfPath }, true)))
        }
        if (!(yield* fs.exists(jsonPath))) return Option.none<StoredDossier>()
        const decoded = yield* fs.readFileString(jsonPath).pipe(Effect.flatMap(decodeDossier), Effect.either)
        if (Either.isLeft(decoded)) {
          yield* Effect.logWarning(`skipping unreadable dossier ${jsonPath}: ${decoded.left.message}`)
          return Option.none<StoredDossier>()
        }
        const hasPdf = yield* fs.exists(pdfPath)
        return Option.some(remember(
          dir,
          new StoredDossier({
            json_path: jsonPath,
            created_at: decoded.right.generated_at,
            dossier: decoded.right,
            ...(hasPdf ? { pdf_path: pdfPath } : {})
          }, true)
        ))
      })

    // A domain's dossiers as last listed: this process's own writes replace the listing at once;
    // what another process writes into the same folder is seen within LISTING_TTL_MS.
    const listings = new Map<string, { readonly at: number; readonly dossiers: ReadonlyArray<StoredDossier> }>()
    const all = (domain: string) =>
      Effect.gen(function*() {
        const folder = yield* folderOf(domain)
        const now = yield* Clock.currentTimeMillis
        const listed = listings.get(folder)
        if (listed !== undefined && now - listed.at < LISTING_TTL_MS) return listed.dossiers
        const found = (yield* fs.exists(folder))
          ? yield* Effect.forEach(yield* fs.readDirectory(folder), (entry) => readOne(path.join(folder, entry)))
          : []
        const dossiers = found.flatMap(Option.toArray).sort(newestFirst)
        if (listings.size >= MAX_REMEMBERED) listings.delete(listings.keys().next().value ?? folder)
        listings.set(folder, { at: now, dossiers })
        return dossiers
      })
    const forget = (dir: string) => Effect.sync(() => listings.delete(path.dirname(dir)))

    const latest = Effect.fn("DossierStore.latest")(function*(domain: string) {
      return Option.fromNullable((yield* all(domain))[0])
    }, Effect.mapError(StorageError.from("DossierStore.latest")))

    const findByKey = Effect.fn("DossierStore.findByKey")(function*(domain: string, key: string) {
      return Option.fromNullable((yield* all(domain)).find((stored) => stored.dossier.key === key))
    }, Effect.mapError(StorageError.from("DossierStore.findByKey")))

    // Two dossiers generated in the same millisecond: the later one gets "-2", "-3", …
    const freeFolder = (base: string, n = 1): Effect.Effect<string, PlatformError> => {
      const dir = n === 1 ? base : `${base}-${n}`
      return Effect.flatMap(fs.exists(dir), (taken) => taken ? freeFolder(base, n + 1) : Effect.succeed(dir))
    }

    const write = Effect.fn("DossierStore.write")(function*(dossier: Dossier) {
      const existing = yield* findByKey(dossier.company.domain, dossier.key)
      if (Option.isSome(existing)) return existing.value
      const folder = yield* folderOf(dossier.company.domain)
      const dir = yield* freeFolder(path.join(folder, folderTimestamp(dossier.generated_at)))
      const jsonPath = path.join(dir, "dossier.json")
      yield* writeJsonAtomic(jsonPath, yield* encodeDossier(dossier))
      yield* forget(dir)
      return remember(dir, new StoredDossier({ json_path: jsonPath, created_at: dossier.generated_at, dossier }, true))
    }, (effect) => writeLock.withPermits(1)(effect), Effect.mapError(StorageError.from("DossierStore.write")))

    /** Writes `dossier.pdf` beside the stored `dossier.json`. */
    const attachPdf = Effect.fn("DossierStore.attachPdf")(function*(stored: StoredDossier, pdf: Uint8Array) {
      const dir = path.dirname(stored.json_path)
      const relative = path.relative(root, dir)
      if (relative.startsWith("..") || path.isAbsolute(relative)) {
        return yield* Effect.dieMessage(`${stored.json_path} is not in the dossier folder ${root}`)
      }
      const pdfPath = path.join(dir, "dossier.pdf")
      yield* writeFileAtomic(pdfPath, pdf)
      yield* forget(dir)
      return remember(dir, new StoredDossier({ ...stored, pdf_path: pdfPath }, true))
    }, Effect.mapError(StorageError.from("DossierStore.attachPdf")))

    /**
     * Runs `effect` alone among this process's effects for the same company: two meetings with one
     * company researched at once would each write a dossier; the second waits and finds the first's.
     */
    const companyLocks = new Map<string, { readonly lock: Effect.Semaphore; users: number }>()
    const exclusive = (domain: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          const entry = companyLocks.get(domain) ?? { lock: Effect.unsafeMakeSemaphore(1), users: 0 }
          entry.users++
          companyLocks.set(domain, entry)
          return entry
        }),
        (entry) => entry.lock.withPermits(1)(effect),
        (entry) =>
          Effect.sync(() => {
            if (--entry.users === 0) companyLocks.delete(domain)
          })
      )

    return { latest, findByKey, write, attachPdf, exclusive } as const
  })
}) {}
