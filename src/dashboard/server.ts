import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HistorySeries } from "../analytics/history.js";
import type { Alert } from "../analytics/monitor.js";
import type { ComprehensiveStats } from "../analytics/types.js";
import { CacheConfigError } from "../core/errors.js";
import { loadAssets, type Asset } from "./assets.js";

export interface DashboardOptions {
  /** TCP port; 0 picks a free one. @default 9464 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
}

export interface DashboardServer {
  /** Base URL, e.g. `http://127.0.0.1:9464/`. */
  readonly url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** What the dashboard reads; CacheAnalytics provides it. */
export interface DashboardSource {
  getComprehensiveStats(): ComprehensiveStats;
  getTimeSeries(): HistorySeries;
  alertHistory(): Alert[];
  metrics(): Promise<string>;
  readonly metricsContentType: string;
}

/** The body of `/api/stats`. */
export interface DashboardPayload {
  stats: ComprehensiveStats;
  series: HistorySeries;
  alerts: { active: Alert[]; history: Alert[] };
}

/**
 * Serves `/` (the live page, polling `/api/stats` every second), `/api/stats` (JSON) and
 * `/metrics` (Prometheus text) from node:http, with uPlot loaded from the installed package.
 */
export async function startDashboard(
  source: DashboardSource,
  options: DashboardOptions = {},
): Promise<DashboardServer> {
  const port = options.port ?? 9464;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CacheConfigError(
      "dashboard.port",
      `expected an integer in [0, 65535], got ${String(port)}`,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const assets = await loadAssets();
  const server = createServer((req, res) => {
    handle(source, assets, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`internal error: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(
  source: DashboardSource,
  assets: Map<string, Asset>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
    res.end("method not allowed\n");
    return;
  }
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/metrics") {
    send(res, 200, source.metricsContentType, await source.metrics());
    return;
  }
  if (path === "/api/stats") {
    const stats = source.getComprehensiveStats();
    const payload: DashboardPayload = {
      stats,
      series: source.getTimeSeries(),
      alerts: { active: stats.alerts, history: source.alertHistory() },
    };
    send(res, 200, "application/json; charset=utf-8", JSON.stringify(payload));
    return;
  }
  const asset = assets.get(path);
  if (asset) {
    send(res, 200, asset.contentType, asset.body);
    return;
  }
  send(res, 404, "text/plain; charset=utf-8", "not found\n");
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
