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
import { writeFileAtomic, writeJsonAtomic } from "../../src/Storage/AtomicFile.js"

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
})
