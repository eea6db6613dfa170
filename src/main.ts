import { setFlagsFromString } from "node:v8"
import { runMain } from "./ProcessMain.js"

// The old generation grows by at most half before a full collection: what a cycle keeps is small,
// and V8's default growth lets a long cycle's garbage take hundreds of MB of memory (README,
// Performance). Set here, so `npm start`, the bin and a plain `node dist/app/main.js` all have it.
setFlagsFromString("--heap-growing-percent=50")

void runMain(() => import("./Cli.js").then(({ cli }) => cli(process.argv)))
