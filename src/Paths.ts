/** Where the package's own files are, so the embedded default works from any working directory. */
import { fileURLToPath } from "node:url"
import * as path from "node:path"

const here = path.dirname(fileURLToPath(import.meta.url))
// This file is src/Paths.ts when run from source and dist/src/Paths.js when compiled.
export const packageRoot = path.basename(path.dirname(here)) === "dist"
  ? path.resolve(here, "..", "..")
  : path.resolve(here, "..")

export const examplePath = (file: string) => path.join(packageRoot, "examples", file)
