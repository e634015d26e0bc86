/** `victor-cache config validate [file]` and `victor-cache config schema`. */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../../config/defaults.js";
import { CacheConfigValidationError } from "../../config/issues.js";
import { configJsonSchema } from "../../config/json-schema.js";
import { loadConfig } from "../../config/load.js";
import { expandHome } from "../../config/resolve-paths.js";
import type { CacheSystemConfig } from "../../config/types.js";
import { CacheConfigError } from "../../core/errors.js";
import { DEFAULT_EVICTION_POLICY } from "../../eviction/policy.js";
import type { Act } from "../action.js";
import { redactConfig } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { print, printJson } from "../output.js";

function describe(config: CacheSystemConfig): string[] {
  const ml = config.multiLevel;
  const l2 = ml.l2 && "type" in ml.l2 ? ml.l2 : undefined;
  const lines = [
    `L1: memory, ${ml.l1?.maxSize} entries, ttl ${ml.l1?.ttl}, eviction ${ml.l1?.evictionPolicy ?? DEFAULT_EVICTION_POLICY}`,
    l2 === undefined
      ? "L2: none"
      : l2.type === "redis"
        ? `L2: redis (${l2.cluster ? "cluster" : "server"}), ttl ${l2.ttl}`
        : `L2: LMDB folder ${l2.path}, ${l2.maxSize || "no"} entry cap, ttl ${l2.ttl}`,
    `write policy: ${ml.writePolicy}`,
  ];
  const s = config.semantic;
  lines.push(
    s
      ? `semantic: ${s.embedder.provider} embedder, threshold ${s.similarityThreshold}, ${s.maxSize} entries`
      : "semantic: off",
  );
  lines.push(
    config.invalidation ? `invalidation: ${config.invalidation.strategy}` : "invalidation: off",
  );
  lines.push(
    config.warming
      ? `warming: ${config.warming.strategy}, ${config.warming.preloadCount} keys`
      : "warming: off",
  );
  lines.push(
    config.analytics
      ? `analytics: on${config.analytics.dashboard ? `, dashboard on port ${config.analytics.dashboard.port}` : ""}`
      : "analytics: off",
  );
  return lines;
}

export function registerConfigCommands(program: Command, act: Act): void {
  const config = program
    .command("config")
    .description("check the YAML configuration, or print its JSON Schema");

  config
    .command("validate")
    .description(`validate the cache: section of a profiles.yaml (default ${DEFAULT_CONFIG_PATH})`)
    .argument("[file]", "the YAML file")
    .option("--json", "machine-readable output")
    .action(
      act(async (file: string | undefined, options: { json?: boolean }) => {
        const shown = file ?? DEFAULT_CONFIG_PATH;
        try {
          const resolved = await loadConfig(file);
          if (options.json) {
            printJson({ valid: true, file: expandHome(shown), config: redactConfig(resolved) });
            return ExitCode.OK;
          }
          print(
            `${shown}: valid${resolved.source === undefined ? " (no file: the defaults)" : ""}`,
          );
          for (const line of describe(resolved)) print(`  ${line}`);
          return ExitCode.OK;
        } catch (error) {
          if (!(error instanceof CacheConfigError)) throw error;
          const issues =
            error instanceof CacheConfigValidationError
              ? error.issues
              : [
                  {
                    path: error.path ?? "",
                    message: error.message.slice((error.path ?? "").length + 2),
                  },
                ];
          if (options.json) {
            printJson({ valid: false, file: expandHome(shown), issues });
          } else {
            process.stderr.write(
              `${shown}: ${issues.length} problem${issues.length > 1 ? "s" : ""}\n`,
            );
            for (const issue of issues) {
              const where = "location" in issue && issue.location ? ` (${issue.location})` : "";
              process.stderr.write(`  ${issue.path}: ${issue.message}${where}\n`);
            }
          }
          return ExitCode.USAGE;
        }
      }),
    );

  config
    .command("schema")
    .description("print the JSON Schema of profiles.yaml (for editor completion)")
    .option("-o, --output <file>", "write it to a file instead")
    .action(
      act(async (options: { output?: string }) => {
        const text = JSON.stringify(configJsonSchema(), null, 2) + "\n";
        if (options.output) await writeFile(options.output, text);
        else process.stdout.write(text);
        return ExitCode.OK;
      }),
    );
}
