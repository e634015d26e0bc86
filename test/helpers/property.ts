import fc from "fast-check";

/**
 * Parameters for `fc.assert`. The seed comes from `VICTOR_SEED` when set (to replay a failure) and
 * is otherwise drawn here, so it is always known: fast-check prints it with the counterexample, and
 * the failure message built by {@link assertProperty} repeats it with the command to replay it.
 */
export function propertyParameters(numRuns: number): { numRuns: number; seed: number } {
  const fromEnv = process.env.VICTOR_SEED;
  const seed =
    fromEnv === undefined || fromEnv === "" ? (Math.random() * 2 ** 31) | 0 : Number(fromEnv);
  if (!Number.isInteger(seed)) throw new Error(`VICTOR_SEED must be an integer, got ${fromEnv}`);
  return { numRuns, seed };
}

/** `fc.assert` with {@link propertyParameters}; a failure's message starts with the seed. */
export function assertProperty<Ts>(property: fc.IProperty<Ts>, numRuns: number): void {
  const parameters = propertyParameters(numRuns);
  try {
    fc.assert(property, parameters);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `property failed with seed ${parameters.seed} (replay: VICTOR_SEED=${parameters.seed}):\n${message}`,
      {
        cause: error,
      },
    );
  }
}
