/**
 * vitest setup file (vitest.config.ts `setupFiles`): after every test, every MemoryStore and
 * dependency graph the test used must be structurally sound (see structural-validator.ts).
 * VICTOR_VALIDATOR_SUMMARY=1 prints how many structures each test file had validated.
 */
import { afterAll, afterEach } from "vitest";
import {
  installStructureTracking,
  validatedTotals,
  validateTrackedStructures,
} from "./structural-validator.js";

installStructureTracking();

afterEach(async () => {
  const problems = await validateTrackedStructures();
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join("\n  ");
    const more = problems.length > 20 ? `\n  ...and ${problems.length - 20} more` : "";
    throw new Error(`structural validator: ${problems.length} problem(s)\n  ${shown}${more}`);
  }
});

if (process.env.VICTOR_VALIDATOR_SUMMARY === "1") {
  afterAll(() => {
    const { runs, stores, graphs } = validatedTotals;
    console.log(
      `structural validator: ${runs} tests, ${stores} stores, ${graphs} graphs validated`,
    );
  });
}
