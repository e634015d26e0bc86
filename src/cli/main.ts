#!/usr/bin/env node
/** The `victor-cache` executable (dist/cli.js once built; `npx tsx src/cli/main.ts` in a checkout). */
import { run } from "./program.js";

void run(process.argv).then((code) => {
  process.exitCode = code;
});
