/** The `victor-cache` command line: commands, error reporting and exit codes (see exit-codes.ts). */
import { Command, CommanderError } from "commander";
import { CacheConfigValidationError } from "../config/issues.js";
import { CacheConfigError, CacheError } from "../core/errors.js";
import { actionsInto, type Outcome } from "./action.js";
import { registerBenchCommand } from "./commands/bench.js";
import { registerConfigCommands } from "./commands/config.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerMaintenanceCommands } from "./commands/maintenance.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerStoreCommands } from "./commands/store.js";
import { packageVersion } from "./context.js";
import { CliError, ExitCode } from "./exit-codes.js";

export function buildProgram(outcome: Outcome): Command {
  const program = new Command("victor-cache")
    .description(
      "The caching system for AI-agent and LLM applications: demo, dashboard, store inspection, invalidation, warming, policy benchmarks and config checks.",
    )
    .version(packageVersion(), "-v, --version")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  const act = actionsInto(outcome);
  registerDemoCommand(program, act);
  registerServeCommand(program, act);
  registerStoreCommands(program, act);
  registerMaintenanceCommands(program, act);
  registerBenchCommand(program, act);
  registerConfigCommands(program, act);
  return program;
}

/** The exit code an error means, and how it is reported. */
function report(error: unknown, json: boolean): ExitCode {
  let code: ExitCode = ExitCode.RUNTIME;
  if (error instanceof CliError) code = error.exitCode;
  else if (error instanceof CacheConfigError) code = ExitCode.USAGE;
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const body: Record<string, unknown> = {
      code:
        error instanceof CacheError || error instanceof CliError ? error.code : "ERR_UNEXPECTED",
      message,
    };
    if (error instanceof CacheError && error.path !== undefined) body.path = error.path;
    if (error instanceof CacheConfigValidationError) body.issues = error.issues;
    process.stdout.write(JSON.stringify({ error: body }, null, 2) + "\n");
  } else {
    process.stderr.write(`victor-cache: ${message}\n`);
    if (
      code === ExitCode.RUNTIME &&
      !(error instanceof CacheError) &&
      !(error instanceof CliError) &&
      error instanceof Error
    ) {
      process.stderr.write(`${error.stack ?? ""}\n`);
    }
  }
  return code;
}

/** Runs the command line `argv` (as in process.argv) and resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<ExitCode> {
  const outcome: Outcome = { code: ExitCode.OK };
  const program = buildProgram(outcome);
  try {
    await program.parseAsync([...argv]);
    return outcome.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    return report(error, argv.includes("--json"));
  }
}
