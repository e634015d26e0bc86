/**
 * Runs the real `victor-cache` command line in a child process: the TypeScript entry through tsx,
 * or a built `cli.js`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");
export const CLI_SOURCE = join(REPO_ROOT, "src", "cli", "main.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** A built cli.js to run instead of the TypeScript source. */
  built?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The child process of a CLI run, for commands that run until a signal (serve, demo --serve). */
export function spawnCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  const entry = options.built ? [options.built] : ["--import", "tsx", CLI_SOURCE];
  return spawn(process.execPath, [...entry, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with stdout so far once it contains a complete JSON document (the first). */
export function firstJson(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        // not complete yet
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`exited (${code}) before printing JSON:\n${out}\n${err}`)),
    );
  });
}

export function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/**
 * Builds the `victor-cache` bin the way `npm run build` does (tsup: one ESM bundle with its
 * shebang, the dashboard page beside it) into a folder of the repository (so its node_modules
 * resolve), and returns the path of cli.js. The caller removes `dir` when done.
 */
export async function buildCli(): Promise<{ cli: string; dir: string }> {
  const { build } = await import("tsup");
  const dir = join(REPO_ROOT, ".tmp", `cli-build-${process.pid}-${Date.now()}`);
  await build({
    entry: { cli: join(REPO_ROOT, "src", "cli", "main.ts") },
    format: ["esm"],
    outDir: dir,
    publicDir: join(REPO_ROOT, "src", "dashboard", "public"),
    target: "node20",
    config: false,
    dts: false,
    sourcemap: false,
    silent: true,
  });
  return { cli: join(dir, "cli.js"), dir };
}
