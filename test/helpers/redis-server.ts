/**
 * Starts and stops real `redis-server` processes for tests and benchmarks: a single server on a
 * free port (which can be killed with SIGKILL and restarted on the same port), and a local
 * 3-master Redis Cluster. No vitest imports here, so benchmarks can use it too; the vitest
 * wrappers (skip loudly / fail when required) live in redis-harness.ts.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** True when a `redis-server` binary is on PATH. */
export function hasRedisBinary(): boolean {
  const result = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return result.status === 0;
}

/** True when `redis-cli` is on PATH (needed to create a cluster). */
export function hasRedisCli(): boolean {
  const result = spawnSync("redis-cli", ["--version"], { stdio: "ignore" });
  return result.status === 0;
}

// Every child we spawn, so a crashing test run does not leave servers behind.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of liveChildren) c.kill("SIGKILL");
    });
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1. With `clusterBus`, port + 10000 (Redis Cluster's bus port) must
 * be free as well, so the port is drawn from 20000-55000.
 */
export async function freePort(clusterBus = false): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (!(await portIsFree(port))) continue;
    if (clusterBus && !(await portIsFree(port + 10_000))) continue;
    return port;
  }
  throw new Error("no free port found for redis-server");
}

/** Resolves once the server at host:port answers PING with PONG; rejects after `timeoutMs`. */
export async function waitForPong(
  port: number,
  host = "127.0.0.1",
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port, host)) return;
    if (Date.now() > deadline)
      throw new Error(`redis at ${host}:${port} did not answer PING within ${timeoutMs} ms`);
    await sleep(25);
  }
}

function pingOnce(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let data = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (chunk) => {
      data += chunk.toString();
      // NOAUTH: a server started with --requirepass is up all the same.
      if (data.includes("\r\n")) done(data.startsWith("+PONG") || data.startsWith("-NOAUTH"));
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A redis-server this process started and owns. */
export interface OwnedRedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The server's pid, or undefined while it is killed. */
  readonly pid: number | undefined;
  /** SIGKILL: no shutdown, no goodbye to clients, like a crashed host. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (empty: nothing is persisted) and waits for PONG. */
  restart(): Promise<void>;
  /** Kills the server and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

function serverArgs(port: number, dir: string, extra: readonly string[]): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--protected-mode",
    "no",
    "--loglevel",
    "warning",
    ...extra,
  ];
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function launch(port: number, dir: string, extra: readonly string[]): Promise<ChildProcess> {
  const child = spawn("redis-server", serverArgs(port, dir, extra), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  track(child);
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) =>
      reject(new Error(`redis-server on port ${port} exited (${code}): ${stderr}`)),
    ),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForPong(port), exited]);
  return child;
}

/** Starts a redis-server on a free port in a fresh temp dir. */
export async function startOwnedRedis(
  extraArgs: readonly string[] = [],
): Promise<OwnedRedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "victor-redis-"));
  let port = 0;
  let child: ChildProcess | undefined;
  let lastError: unknown;
  // A port found free can be taken before redis binds it; try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, extraArgs);
    } catch (error) {
      lastError = error;
    }
  }
  if (!child) {
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }
  let current: ChildProcess | undefined = child;
  let stopped = false;
  const kill = async (): Promise<void> => {
    if (!current) return;
    const c = current;
    current = undefined;
    c.kill("SIGKILL");
    await waitForExit(c);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return current?.pid;
    },
    kill,
    async restart() {
      if (stopped) throw new Error("redis-server was stopped");
      await kill();
      current = await launch(port, dir, extraArgs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A local Redis Cluster of masters this process started. */
export interface OwnedRedisCluster {
  /** One URL per master. */
  readonly urls: readonly string[];
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-servers in cluster mode and joins them with
 * `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`, then waits until every
 * node reports `cluster_state:ok`.
 */
export async function startOwnedCluster(masters = 3): Promise<OwnedRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), "victor-redis-cluster-"));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async (): Promise<void> => {
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map(waitForExit));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      let started = false;
      for (let attempt = 0; attempt < 5 && !started; attempt++) {
        const port = await freePort(true);
        try {
          const child = await launch(port, dir, [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            `nodes-${port}.conf`,
            "--cluster-node-timeout",
            "5000",
          ]);
          children.push(child);
          ports.push(port);
          started = true;
        } catch (error) {
          if (attempt === 4) throw error;
        }
      }
    }
    await execFileAsync("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    await waitForClusterOk(ports);
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: ports.map((p) => `redis://127.0.0.1:${p}`), ports, stop };
}

async function waitForClusterOk(ports: readonly number[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      ports.map(async (p) => {
        const { stdout } = await execFileAsync("redis-cli", ["-p", String(p), "cluster", "info"]);
        return stdout.includes("cluster_state:ok");
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline)
      throw new Error(`redis cluster on ports ${ports.join(",")} never reached cluster_state:ok`);
    await sleep(100);
  }
}

/** Runs a command with redis-cli against host:port and returns its stdout. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("redis-cli", ["-p", String(port), ...args]);
  return stdout;
}
