/**
 * Files are written whole or not at all: into a folder made when missing, over an older file in
 * one step, and a write that cannot be made fails with the platform's error naming the file and
 * leaves no temporary file behind.
 */
import { it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { writeChunksAtomic, writeFileAtomic, writeJsonAtomic } from "../../src/Storage/AtomicFile.js"

const folder = () => mkdtempSync(path.join(tmpdir(), "li-atomic-"))

describe("atomic files", () => {
  it.effect("writes into folders it makes, and replaces an older file", () =>
    Effect.gen(function*() {
      const dir = folder()
      const target = path.join(dir, "a", "b", "dossier.json")
      yield* writeJsonAtomic(target, { company: "Müller" })
      expect(JSON.parse(readFileSync(target, "utf8"))).toEqual({ company: "Müller" })
      yield* writeFileAtomic(target, new Uint8Array([1, 2, 3]))
      expect([...readFileSync(target)]).toEqual([1, 2, 3])
      expect(readdirSync(path.dirname(target))).toEqual(["dossier.json"])
    }))

  it.effect("a write that cannot be made fails with the file's path and leaves nothing behind", () =>
    Effect.gen(function*() {
      const dir = folder()
      // A file where the folder should be.
      writeFileSync(path.join(dir, "taken"), "not a folder")
      const result = yield* Effect.either(writeFileAtomic(path.join(dir, "taken", "x.json"), "{}"))
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("SystemError")
        expect(result.left.message).toContain(path.join(dir, "taken"))
      }
      expect(readdirSync(dir)).toEqual(["taken"])
    }))

  it.effect("a text in pieces is written whole, bigger than one write, into a folder it makes", () =>
    Effect.gen(function*() {
      const dir = folder()
      const target = path.join(dir, "run", "summary.json")
      const pieces = Array.from({ length: 5_000 }, (_, i) => `{"event_id":"e-${i}","summary":"Müller ${"x".repeat(90)}"}\n`)
      yield* writeChunksAtomic(target, () => pieces)
      expect(readFileSync(target, "utf8")).toBe(pieces.join(""))
      expect(readdirSync(path.dirname(target))).toEqual(["summary.json"])
    }))

  it.effect("pieces that fail half-way leave the older file as it was and no temporary file", () =>
    Effect.gen(function*() {
      const dir = folder()
      const target = path.join(dir, "summary.json")
      writeFileSync(target, "older")
      function* failing() {
        yield "x".repeat(300_000)
        throw new Error("the summary could not be made")
      }
      const result = yield* Effect.either(writeChunksAtomic(target, failing))
      expect(Either.isLeft(result)).toBe(true)
      expect(readFileSync(target, "utf8")).toBe("older")
      expect(readdirSync(dir)).toEqual(["summary.json"])
    }))
})
