/** Where the package's own files are, so the embedded default works from any working directory. */
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

// Run from source (src/), from a bundle (dist/app/) or from a test program: walk up to our package.json.
const findRoot = (from: string): string => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json")
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "lead-insights") {
      return dir
    }
    if (path.dirname(dir) === dir) return path.resolve(from, "..")
  }
}

export const packageRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)))

export const examplePath = (file: string) => path.join(packageRoot, "examples", file)
