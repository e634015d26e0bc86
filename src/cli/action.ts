/** Commander ignores what an action returns; the CLI's actions return their exit code through this. */
import type { ExitCode } from "./exit-codes.js";

export interface Outcome {
  code: ExitCode;
}

/** Wraps an action so that its resolved exit code lands in `outcome`. */
export type Act = <A extends unknown[]>(
  fn: (...args: A) => Promise<ExitCode>,
) => (...args: A) => Promise<void>;

export function actionsInto(outcome: Outcome): Act {
  return (fn) =>
    async (...args) => {
      outcome.code = await fn(...args);
    };
}
