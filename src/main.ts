import { runMain } from "./ProcessMain.js"

void runMain(() => import("./Cli.js").then(({ cli }) => cli(process.argv)))
