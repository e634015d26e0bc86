/** `victor-cache invalidate` and `victor-cache warm`: changing what a configured L2 holds. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { createCacheSystem, type CacheSystem } from "../../config/system.js";
import type { CacheSystemConfig } from "../../config/types.js";
import { DEFAULT_NAMESPACE } from "../../core/keys.js";
import type { SetOptions } from "../../multilevel/types.js";
import type { Act } from "../action.js";
import { configName, readConfig, type CommonOptions } from "../context.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { count, print, printJson } from "../output.js";
import { createProgress } from "../progress.js";

/**
 * The system a one-shot command works through: no analytics, no signal handling and no
 * background warming. Without warming unless asked: a warmer that never loaded the saved access
 * log would overwrite it with its own empty one when it closes.
 */
async function openSystem(config: CacheSystemConfig, withWarming: boolean): Promise<CacheSystem> {
  if (config.multiLevel.l2 === undefined) {
    throw new CliError(
      "the configuration has no L2 (cache.multi_level.l2): nothing persisted to change",
      ExitCode.USAGE,
    );
  }
  const { analytics: _analytics, warming, ...rest } = config;
  const system = createCacheSystem({
    ...rest,
    shutdownOnSignals: false,
    ...(withWarming && warming && { warming: { ...warming, background: false } }),
  });
  await system.start();
  return system;
}

interface InvalidateOptions extends CommonOptions {
  key?: string;
  tag?: string;
  namespace?: string;
  file?: string;
}

async function invalidate(
  system: CacheSystem,
  o: InvalidateOptions,
): Promise<{ target: string; removed: number | null }> {
  const inv = system.invalidator;
  const cache = system.cache;
  if (o.key !== undefined) {
    const namespace = o.namespace ?? DEFAULT_NAMESPACE;
    const removed = inv
      ? await inv.invalidateKey(o.key, namespace)
      : Number(await cache.delete(o.key, { namespace }));
    return { target: `key ${namespace}/${o.key}`, removed };
  }
  if (o.tag !== undefined) {
    return {
      target: `tag ${o.tag}`,
      removed: inv ? await inv.invalidateTag(o.tag) : await cache.invalidateTag(o.tag),
    };
  }
  if (o.file !== undefined) {
    if (!inv?.options.enableDependencies) {
      throw new CliError(
        "--file needs invalidation with enable_dependencies: true",
        ExitCode.USAGE,
      );
    }
    const file = resolve(o.file);
    return { target: `dependents of ${file}`, removed: await inv.invalidateDependents({ file }) };
  }
  const namespace = o.namespace!;
  if (inv) await inv.invalidateNamespace(namespace);
  else await cache.clear(namespace);
  return { target: `namespace ${namespace}`, removed: null };
}

/** Entries for `warm --from`: a JSON list, or JSON lines, of `{ key, value, namespace?, ttl?, tags? }`. */
async function readEntries(
  file: string,
): Promise<{ key: string; value: unknown; options: SetOptions }[]> {
  const text = (await readFile(file, "utf8")).trim();
  const items: unknown[] = text.startsWith("[")
    ? JSON.parse(text)
    : text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
  return items.map((item, i) => {
    const e = item as {
      key?: unknown;
      value?: unknown;
      namespace?: unknown;
      ttl?: unknown;
      tags?: unknown;
    };
    if (typeof e?.key !== "string" || e.value === undefined) {
      throw new CliError(
        `${file}: entry ${i + 1} needs a string "key" and a "value"`,
        ExitCode.USAGE,
      );
    }
    const options: SetOptions = {};
    if (typeof e.namespace === "string") options.namespace = e.namespace;
    if (typeof e.ttl === "number" || typeof e.ttl === "string") options.ttl = e.ttl;
    if (Array.isArray(e.tags)) options.tags = e.tags.map(String);
    return { key: e.key, value: e.value, options };
  });
}

export function registerMaintenanceCommands(program: Command, act: Act): void {
  program
    .command("invalidate")
    .description(
      "remove entries (and what depends on them) from every tier of the configured cache",
    )
    .option("-k, --key <key>", 'one key (in --namespace, default "default")')
    .option("-t, --tag <tag>", "every entry carrying the tag, semantic entries included")
    .option("-n, --namespace <namespace>", "the namespace of --key, or alone: the whole namespace")
    .option("-f, --file <path>", "every entry derived from this file")
    .option("-c, --config <file>", "profiles.yaml to read (default ~/.victor/profiles.yaml)")
    .option("--json", "machine-readable output")
    .action(
      act(async (options: InvalidateOptions) => {
        const chosen = [options.key, options.tag, options.file].filter(
          (v) => v !== undefined,
        ).length;
        if (chosen > 1 || (chosen === 0 && options.namespace === undefined)) {
          throw new CliError(
            "give exactly one of --key, --tag, --file, or --namespace alone",
            ExitCode.USAGE,
          );
        }
        if (
          options.namespace !== undefined &&
          (options.tag !== undefined || options.file !== undefined)
        ) {
          throw new CliError("--namespace goes with --key, or alone", ExitCode.USAGE);
        }
        const system = await openSystem(await readConfig(options), false);
        try {
          const result = await invalidate(system, options);
          if (options.json) printJson(result);
          else
            print(
              `invalidated ${result.target}${result.removed === null ? "" : `: ${count(result.removed)} entries removed`}`,
            );
          return ExitCode.OK;
        } finally {
          await system.close();
        }
      }),
    );

  program
    .command("warm")
    .description(
      "preload entries into the configured cache, then run one warming pass over the saved access log",
    )
    .option(
      "--from <file>",
      "entries to write first: JSON list or JSON lines of { key, value, namespace, ttl, tags }",
    )
    .option("-c, --config <file>", "profiles.yaml to read (default ~/.victor/profiles.yaml)")
    .option("--json", "machine-readable output")
    .action(
      act(async (options: CommonOptions & { from?: string }) => {
        const config = await readConfig(options);
        if (config.warming === undefined) {
          throw new CliError(
            `warming is disabled in ${configName(options)} (cache.warming.enabled)`,
            ExitCode.USAGE,
          );
        }
        const entries = options.from === undefined ? [] : await readEntries(options.from);
        const system = await openSystem(config, true);
        const progress = createProgress();
        try {
          progress.start(entries.length, "preloading");
          for (const { key, value, options: setOptions } of entries) {
            await system.cache.set(key, value, setOptions);
            progress.tick();
          }
          progress.stop();
          await system.cache.flush();
          const run = await system.warmer!.warm();
          const stats = system.warmer!.getStats();
          const result = { preloaded: entries.length, run, trackedKeys: stats.trackedKeys };
          if (options.json) {
            printJson(result);
            return ExitCode.OK;
          }
          if (entries.length > 0)
            print(`preloaded ${count(entries.length)} entries into the cache`);
          print(
            `warming (${run.strategy}): ${count(run.fromL2)} entries promoted from L2, ${count(run.alreadyInL1)} already in L1, ` +
              `${count(run.skippedNoSource)} without a source; the access log tracks ${count(stats.trackedKeys)} keys`,
          );
          return ExitCode.OK;
        } finally {
          progress.stop();
          await system.close();
        }
      }),
    );
}
