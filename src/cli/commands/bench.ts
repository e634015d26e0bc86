/** `victor-cache bench <trace>`: hit ratios of every eviction policy on a trace, at several sizes. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { EVICTION_POLICY_NAMES, type EvictionPolicyName } from "../../eviction/policy.js";
import { simulate, type SimulationResult } from "../../eviction/simulator.js";
import { loadTrace, uniqueKeys } from "../../eviction/trace.js";
import type { Act } from "../action.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { count, percent, print, printJson, table } from "../output.js";
import { createProgress } from "../progress.js";

/** TTL order is LRU order on a trace without expiry times, so it is left out unless asked for. */
const DEFAULT_POLICIES = EVICTION_POLICY_NAMES.filter((p) => p !== "ttl");

/**
 * A `.u32.gz` trace (gzip of little-endian uint32 keys, as in ../shared/data/traces), or a text
 * file with one request per line (its first field is the key, any string), renumbered densely.
 */
export async function readTrace(file: string): Promise<Uint32Array> {
  try {
    if (file.endsWith(".gz")) return await loadTrace(file);
    const ids = new Map<string, number>();
    const keys: number[] = [];
    for (const line of (await readFile(file, "utf8")).split("\n")) {
      const key = line.trim().split(/[\s,]+/)[0];
      if (!key) continue;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      keys.push(id);
    }
    return Uint32Array.from(keys);
  } catch (error) {
    throw new CliError(`cannot read trace ${file}: ${(error as Error).message}`, ExitCode.RUNTIME);
  }
}

function parseList(value: string, what: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new CliError(`${what}: expected a comma-separated list`, ExitCode.USAGE);
  return items;
}

export function registerBenchCommand(program: Command, act: Act): void {
  program
    .command("bench")
    .description("hit ratio of each eviction policy on an access trace, at several cache sizes")
    .argument("<trace>", "a .u32.gz trace, or a text file with one key per line")
    .option("-p, --policies <list>", `policies to compare (default ${DEFAULT_POLICIES.join(",")})`)
    .option(
      "-s, --sizes <list>",
      "cache sizes in entries (default 0.1 %, 1 % and 10 % of the distinct keys)",
    )
    .option("--json", "machine-readable output")
    .action(
      act(async (file: string, options: { policies?: string; sizes?: string; json?: boolean }) => {
        const policies = (
          options.policies ? parseList(options.policies, "--policies") : DEFAULT_POLICIES
        ) as EvictionPolicyName[];
        for (const p of policies) {
          if (!EVICTION_POLICY_NAMES.includes(p)) {
            throw new CliError(
              `--policies: unknown policy "${p}"; expected ${EVICTION_POLICY_NAMES.join(", ")}`,
              ExitCode.USAGE,
            );
          }
        }
        const explicitSizes = options.sizes
          ? parseList(options.sizes, "--sizes").map(Number)
          : undefined;
        if (explicitSizes?.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new CliError(
            `--sizes: expected positive integers, got ${options.sizes}`,
            ExitCode.USAGE,
          );
        }
        const trace = await readTrace(file);
        if (trace.length === 0) throw new CliError(`trace ${file} is empty`, ExitCode.RUNTIME);
        const distinct = uniqueKeys(trace);
        const sizes = explicitSizes ?? [
          ...new Set([0.001, 0.01, 0.1].map((f) => Math.max(1, Math.round(distinct * f)))),
        ];
        const progress = createProgress();
        progress.start(policies.length * sizes.length, "simulating");
        const results: SimulationResult[] = [];
        for (const size of sizes) {
          for (const policy of policies) {
            results.push(simulate(policy, trace, size));
            progress.tick();
          }
        }
        progress.stop();
        const best = sizes.map((size) => {
          const at = results.filter((r) => r.capacity === size);
          const top = at.reduce((a, b) => (b.hitRatio > a.hitRatio ? b : a));
          return { capacity: size, policy: top.policy, hitRatio: top.hitRatio };
        });
        if (options.json) {
          printJson({ trace: file, requests: trace.length, uniqueKeys: distinct, results, best });
          return ExitCode.OK;
        }
        print(
          `${file}: ${count(trace.length)} requests, ${count(distinct)} distinct keys. Hit ratio by cache size (entries):`,
        );
        print();
        print(
          table(
            ["Policy", ...sizes.map(count)],
            policies.map((policy) => [
              policy,
              ...sizes.map((size) => {
                const r = results.find((x) => x.policy === policy && x.capacity === size)!;
                const top = best.find((b) => b.capacity === size)!.policy === policy;
                return `${top ? "*" : ""}${percent(r.hitRatio, 2)}`;
              }),
            ]),
            ["left", ...sizes.map(() => "right" as const)],
          ),
        );
        print();
        print("* the best policy at that size");
        return ExitCode.OK;
      }),
    );
}
