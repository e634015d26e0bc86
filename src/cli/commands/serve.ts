/** `victor-cache serve`: the dashboard and /metrics of a system built from the configuration. */
import type { Command } from "commander";
import { createCacheSystem } from "../../config/system.js";
import type { Act } from "../action.js";
import { readConfig, type CommonOptions } from "../context.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { print, printJson } from "../output.js";

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port: expected a port from 0 to 65535, got ${value}`, ExitCode.USAGE);
  }
  return port;
}

export function registerServeCommand(program: Command, act: Act): void {
  program
    .command("serve")
    .description(
      "run the configured system with its dashboard (/), JSON stats (/api/stats) and Prometheus /metrics until Ctrl-C",
    )
    .option("-p, --port <port>", "TCP port; 0 picks a free one (default: the config's, else 9464)")
    .option("--host <host>", "interface to listen on (default: the config's, else 127.0.0.1)")
    .option("-c, --config <file>", "profiles.yaml to read (default ~/.victor/profiles.yaml)")
    .option("--json", "print the addresses as JSON")
    .action(
      act(async (options: CommonOptions & { port?: string; host?: string }) => {
        const config = await readConfig(options);
        if (config.analytics === undefined) {
          throw new CliError(
            "analytics is disabled in the configuration (cache.analytics.enabled): nothing to serve",
            ExitCode.USAGE,
          );
        }
        const configured = config.analytics.dashboard;
        const dashboard = {
          port: options.port !== undefined ? parsePort(options.port) : (configured?.port ?? 9464),
          host: options.host ?? configured?.host ?? "127.0.0.1",
        };
        // This command owns the signals: it closes the system itself.
        const system = createCacheSystem({
          ...config,
          shutdownOnSignals: false,
          analytics: { ...config.analytics, dashboard },
        });
        const stopped = untilSignal();
        try {
          await system.start();
          const url = system.dashboard!.url;
          if (options.json) printJson({ url, stats: `${url}api/stats`, metrics: `${url}metrics` });
          else
            print(
              `dashboard: ${url}\nstats:     ${url}api/stats\nmetrics:   ${url}metrics\n(Ctrl-C to stop)`,
            );
          await stopped;
          return ExitCode.OK;
        } finally {
          await system.close();
        }
      }),
    );
}
