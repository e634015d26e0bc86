/** `victor-cache stats` and `victor-cache inspect <key>`: what a persisted L2 holds. */
import type { Command } from "commander";
import { DEFAULT_NAMESPACE } from "../../core/keys.js";
import { DEPENDENCY_NAMESPACE } from "../../invalidation/graph-store.js";
import { STORE_NAMESPACE_PREFIX } from "../../semantic/records.js";
import { WARMING_NAMESPACE } from "../../warming/access-log-store.js";
import { LmdbStore } from "../../stores/lmdb.js";
import type { Act } from "../action.js";
import { jsonSafe, openL2, readConfig, type CommonOptions } from "../context.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { count, print, printJson, table } from "../output.js";

/** Namespaces the library keeps for itself, and what they hold. */
function internalNamespace(namespace: string): string | undefined {
  if (namespace.startsWith(STORE_NAMESPACE_PREFIX)) {
    return `semantic cache (${namespace.slice(STORE_NAMESPACE_PREFIX.length)})`;
  }
  if (namespace === DEPENDENCY_NAMESPACE) return "dependency graph";
  if (namespace === WARMING_NAMESPACE) return "warming access log";
  return namespace.startsWith("__") ? "internal" : undefined;
}

export function registerStoreCommands(program: Command, act: Act): void {
  program
    .command("stats")
    .description("entries of the persisted L2, by namespace")
    .option("-c, --config <file>", "profiles.yaml to read (default ~/.victor/profiles.yaml)")
    .option("--json", "machine-readable output")
    .action(
      act(async (options: CommonOptions) => {
        const config = await readConfig(options);
        const { store, where, type } = openL2(config);
        try {
          const namespaces = new Map<string, number>();
          for await (const { namespace } of store.keys()) {
            namespaces.set(namespace, (namespaces.get(namespace) ?? 0) + 1);
          }
          const entries = [...namespaces.values()].reduce((a, b) => a + b, 0);
          const lmdb = store instanceof LmdbStore ? store.getStats() : undefined;
          const rows = [...namespaces.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([namespace, n]) => ({
              namespace,
              entries: n,
              holds: internalNamespace(namespace) ?? "cache entries",
            }));
          if (options.json) {
            printJson({
              l2: { type, location: where, entries, ...(lmdb && { bytes: lmdb.bytes }) },
              namespaces: rows,
            });
            return ExitCode.OK;
          }
          print(
            `L2 (${type}) at ${where}: ${count(entries)} live entries${lmdb ? `, ${count(lmdb.bytes)} bytes of keys and records` : ""}`,
          );
          if (rows.length > 0) {
            print();
            print(
              table(
                ["Namespace", "Entries", "Holds"],
                rows.map((r) => [r.namespace, count(r.entries), r.holds]),
                ["left", "right", "left"],
              ),
            );
          }
          return ExitCode.OK;
        } finally {
          await store.close();
        }
      }),
    );

  program
    .command("inspect")
    .description("one entry of the persisted L2: value, expiry, tags")
    .argument("<key>", "the key")
    .option("-n, --namespace <namespace>", "its namespace", DEFAULT_NAMESPACE)
    .option("-c, --config <file>", "profiles.yaml to read (default ~/.victor/profiles.yaml)")
    .option("--json", "machine-readable output")
    .action(
      act(async (key: string, options: CommonOptions & { namespace: string }) => {
        const config = await readConfig(options);
        const { store } = openL2(config);
        try {
          const entry = await store.get(key, options.namespace);
          if (entry === undefined) {
            throw new CliError(
              `not found: key "${key}" in namespace "${options.namespace}"`,
              ExitCode.NOT_FOUND,
            );
          }
          const now = Date.now();
          const report = {
            key,
            namespace: options.namespace,
            value: jsonSafe(entry.value),
            expiresAt: entry.expiresAt === 0 ? null : new Date(entry.expiresAt).toISOString(),
            ttlSeconds:
              entry.expiresAt === 0
                ? null
                : Math.max(0, Math.round((entry.expiresAt - now) / 1000)),
            staleAt: entry.staleAt === undefined ? null : new Date(entry.staleAt).toISOString(),
            tags: [...(entry.tags ?? [])],
          };
          if (options.json) {
            printJson(report);
            return ExitCode.OK;
          }
          print(`${report.namespace}/${report.key}`);
          print(
            `  expires: ${report.expiresAt ?? "never"}${report.ttlSeconds === null ? "" : ` (in ${report.ttlSeconds} s)`}`,
          );
          if (report.staleAt) print(`  stale after: ${report.staleAt}`);
          print(`  tags: ${report.tags.length > 0 ? report.tags.join(", ") : "none"}`);
          print(`  value: ${JSON.stringify(report.value, null, 2).replace(/\n/g, "\n  ")}`);
          return ExitCode.OK;
        } finally {
          await store.close();
        }
      }),
    );
}
