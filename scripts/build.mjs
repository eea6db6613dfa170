// Bundles the program (and the test programs) with esbuild: Node 20 spends more than a second
// resolving and loading the few hundred ESM files of the Effect packages one by one; one bundle
// with lazily loaded chunks starts in well under that. Type checking is `npm run typecheck`.
import { build } from "esbuild"
import { rmSync } from "node:fs"

const entries = {
  // The PDF thread's entry sits beside the program's (src/Reporting/PdfThread.ts finds it there).
  app: [{ in: "src/main.ts", out: "main" }, { in: "src/Reporting/PdfWorker.ts", out: "pdf-worker" }],
  "test-programs": ["test/fixtures/programs/slow-events.ts", "test/fixtures/programs/crash-app.ts", "test/fixtures/programs/runner.ts"],
  // The bench runs the program's own PDF thread too, so it measures what users run.
  bench: [{ in: "bench/run.ts", out: "run" }, { in: "src/Reporting/PdfWorker.ts", out: "pdf-worker" }]
}

for (const [dir, entryPoints] of Object.entries(entries)) {
  rmSync(`dist/${dir}`, { recursive: true, force: true })
  await build({
    entryPoints,
    outdir: `dist/${dir}`,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    // Native addons and packages that load files beside their own code stay in node_modules.
    external: ["better-sqlite3", "pg-native"],
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: "warning"
  })
}
