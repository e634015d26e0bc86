/**
 * Hit ratio of every registered eviction policy on every trace in ../shared/data/traces/, at
 * 0.1 %, 1 % and 10 % of the trace's distinct keys (at least 10 entries), with Belady's OPT as
 * the ceiling. `VICTOR_BENCH_QUICK=1` skips traces over 1M requests.
 *
 * This bench reports hit ratios, not speed, so its peer is OPT measured on the same trace: the
 * last line counts the cells where the default policy is within 1 point of the best real policy.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { beladyHits } from "../src/eviction/belady.js";
import { createEvictionPolicy } from "../src/eviction/factory.js";
import {
  DEFAULT_EVICTION_POLICY,
  EVICTION_POLICY_NAMES,
  type EvictionPolicyName,
} from "../src/eviction/policy.js";
import { simulate } from "../src/eviction/simulator.js";
import { loadTrace, uniqueKeys } from "../src/eviction/trace.js";

const TRACE_DIR = "../shared/data/traces";
const SIZE_SHARES = [0.001, 0.01, 0.1] as const;
const MIN_ENTRIES = 10;
const QUICK_MAX_REQUESTS = 1_000_000;
/** The goal's tolerance, in hit-ratio points. */
const TOLERANCE = 1;

function registeredPolicies(): EvictionPolicyName[] {
  return EVICTION_POLICY_NAMES.filter((name) => {
    try {
      createEvictionPolicy(name, { capacity: 1 });
      return true;
    } catch {
      return false; // another change has not registered it yet
    }
  });
}

const percent = (hits: number, requests: number): number => (100 * hits) / requests;

export default async function (): Promise<void> {
  const quick = process.env.VICTOR_BENCH_QUICK === "1";
  const policies = registeredPolicies();
  const files = (await readdir(TRACE_DIR)).filter((f) => f.endsWith(".u32.gz")).sort();
  console.log(
    `\n## Hit ratio on real traces (%)${quick ? " (quick: traces over 1M requests skipped)" : ""}\n`,
  );
  console.log(
    `Default policy: \`${DEFAULT_EVICTION_POLICY}\`. Bold: best real policy in the row.\n`,
  );
  console.log(`| trace | entries | ${policies.join(" | ")} | OPT |`);
  console.log(`|---|---:|${policies.map(() => "---:|").join("")}---:|`);
  let cells = 0;
  let met = 0;
  const misses: string[] = [];
  for (const file of files) {
    const trace = await loadTrace(join(TRACE_DIR, file));
    if (quick && trace.length > QUICK_MAX_REQUESTS) continue;
    const name = file.replace(".u32.gz", "");
    const keys = uniqueKeys(trace);
    // Small traces give the same capacity at two shares; each capacity is one cell.
    const capacities = [
      ...new Set(SIZE_SHARES.map((s) => Math.max(MIN_ENTRIES, Math.round(keys * s)))),
    ];
    for (const capacity of capacities) {
      const ratios = policies.map((p) => 100 * simulate(p, trace, capacity).hitRatio);
      const opt = percent(beladyHits(trace, capacity), trace.length);
      const best = Math.max(...ratios);
      const chosen = ratios[policies.indexOf(DEFAULT_EVICTION_POLICY)];
      const lru = ratios[policies.indexOf("lru")];
      cells++;
      if (chosen >= best - TOLERANCE && chosen >= lru - TOLERANCE) met++;
      else misses.push(`${name}@${capacity} (${chosen.toFixed(2)} vs best ${best.toFixed(2)})`);
      const shown = ratios.map((r) => (r === best ? `**${r.toFixed(2)}**` : r.toFixed(2)));
      console.log(`| ${name} | ${capacity} | ${shown.join(" | ")} | ${opt.toFixed(2)} |`);
    }
  }
  console.log(
    `\n\`${DEFAULT_EVICTION_POLICY}\` is within ${TOLERANCE} point of the best policy (and of LRU) ` +
      `in ${met} of ${cells} cells.${misses.length ? ` Misses: ${misses.join(", ")}.` : ""}`,
  );
}
