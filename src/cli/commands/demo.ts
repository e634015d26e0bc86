/** `victor-cache demo`: a coding agent's workload through the whole system, in under a minute. */
import type { Command } from "commander";
import type { Act } from "../action.js";
import { renderDemoReport } from "../demo/report.js";
import { loadQuestionPairs } from "../demo/questions.js";
import { runDemo } from "../demo/run-demo.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { print, printJson } from "../output.js";
import { createProgress } from "../progress.js";
import { parsePort, untilSignal } from "./serve.js";

interface DemoFlags {
  json?: boolean;
  serve?: boolean;
  port: string;
  host?: string;
  seed: string;
  users: string;
  scale: string;
  questions?: string;
  pace?: string;
  keepData?: boolean;
}

function positive(value: string, what: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CliError(
      `${what}: expected a positive ${integer ? "integer" : "number"}, got ${value}`,
      ExitCode.USAGE,
    );
  }
  return n;
}

export function registerDemoCommand(program: Command, act: Act): void {
  program
    .command("demo")
    .description(
      "replay a coding agent's workload (LLM questions, tool calls, file analyses, edits) through the default configuration",
    )
    .option("--json", "print the results as JSON")
    .option("--serve", "serve the live dashboard during the run, and after it until Ctrl-C")
    .option("-p, --port <port>", "dashboard port with --serve; 0 picks a free one", "9464")
    .option("--host <host>", "dashboard interface with --serve", "127.0.0.1")
    .option("--seed <n>", "seed of the workload and the modelled latencies", "42")
    .option("--users <n>", "users of the agent", "4")
    .option("--scale <x>", "multiplies the number of requests", "1")
    .option(
      "--questions <file>",
      "GPTCache-style { origin, similar } pairs instead of the built-in questions",
    )
    .option("--pace <ms>", "real time between requests (default 10 with --serve, else 0)")
    .option("--keep-data", "keep the temp folder (workspace and LMDB files)")
    .action(
      act(async (flags: DemoFlags) => {
        const serve = flags.serve ? { port: parsePort(flags.port), host: flags.host } : undefined;
        const topics = flags.questions ? await loadQuestionPairs(flags.questions) : undefined;
        const progress = createProgress();
        let started = false;
        const result = await runDemo({
          seed: positive(flags.seed, "--seed", true),
          users: positive(flags.users, "--users", true),
          scale: positive(flags.scale, "--scale", false),
          ...(topics && { topics }),
          ...(serve && { serve }),
          paceMs: flags.pace !== undefined ? Number(flags.pace) || 0 : serve ? 10 : 0,
          keepData: flags.keepData === true,
          onDashboard: (url) =>
            process.stderr.write(`dashboard: ${url} (metrics at ${url}metrics)\n`),
          onProgress: (done, total) => {
            if (!started) progress.start(total, "replaying");
            started = true;
            progress.tick();
            if (done === total) progress.stop();
          },
          beforeClose: async (r) => {
            progress.stop();
            if (flags.json) printJson(r);
            else print(renderDemoReport(r));
            if (serve) {
              process.stderr.write(
                `\nthe dashboard stays up at ${r.dashboardUrl}; Ctrl-C to stop\n`,
              );
              await untilSignal();
            }
          },
        });
        return result.freshness.staleAnswers === 0 ? ExitCode.OK : ExitCode.RUNTIME;
      }),
    );
}
