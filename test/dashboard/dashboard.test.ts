import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import type { DashboardPayload, DashboardServer } from "../../src/dashboard/server.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";

const CHROMIUM = "/usr/bin/chromium";
/** Data points in the hit-rate chart, through what dashboard.js exposes for inspection. */
const POINTS = `window.victorDashboard.charts["chart-hit-rate"].chart.data[0].length`;
const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url);
const root = mkdtempSync(join(tmpdir(), "victor-dashboard-"));

let cache: MultiLevelCache;
let analytics: CacheAnalytics;
let server: DashboardServer;

beforeAll(async () => {
  cache = new MultiLevelCache({
    l1: { maxSize: 50 },
    l2: { type: "lmdb", path: join(root, "l2") },
  });
  analytics = new CacheAnalytics({ cache, hotKeyWindow: 200, sampleInterval: "250ms" });
  server = await analytics.serve({ port: 0 });
});

afterAll(async () => {
  await analytics.close();
  await cache.close();
  rmSync(root, { recursive: true, force: true });
});

/** Reads with a hot head: `hitShare` of them go to 10 keys that stay in L1. */
async function traffic(reads: number, spread: number): Promise<void> {
  for (let i = 0; i < reads; i++) {
    const key = i % 3 === 0 ? `doc:${i % spread}` : `doc:${i % 10}`;
    await cache.getOrSet(key, async () => ({ body: key }), { namespace: "docs" });
  }
}

function raw(
  method: string,
  path: string,
): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode!, type: res.headers["content-type"], body }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("dashboard HTTP API", () => {
  it("serves /api/stats as JSON with stats, a time series and alerts", async () => {
    await traffic(300, 40);
    await new Promise((r) => setTimeout(r, 600));
    const res = await fetch(new URL("api/stats", server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const payload = (await res.json()) as DashboardPayload;
    expect(payload.stats.reads).toBe(300);
    expect(payload.stats.perTier.l2).toBeDefined();
    expect(payload.stats.hotKeys.length).toBeGreaterThan(0);
    expect(payload.series.t.length).toBeGreaterThan(0);
    expect(payload.series.t.length).toBe(payload.series.l1HitRate.length);
    expect(payload.alerts).toEqual({ active: [], history: [] });
  });

  it("serves /metrics as Prometheus text", async () => {
    const res = await raw("GET", "metrics");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^# HELP victor_cache_/m);
  });

  it("serves the page and uPlot from the installed package, and nothing else", async () => {
    const page = await raw("GET", "");
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="vendor/uPlot.iife.min.js"></script>');
    expect(page.body).not.toMatch(/https?:\/\//);
    const uplot = await raw("GET", "vendor/uPlot.iife.min.js");
    expect(uplot.status).toBe(200);
    expect(uplot.body).toContain("uPlot");
    expect((await raw("GET", "dashboard.js")).status).toBe(200);
    expect((await raw("GET", "../package.json")).status).toBe(404);
    expect((await raw("GET", "nope")).status).toBe(404);
    expect((await raw("POST", "api/stats")).status).toBe(405);
    const head = await raw("HEAD", "api/stats");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });
});

describe("dashboard in headless Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("renders the charts with live data that follows the cache", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    await page.goto(server.url);

    // Four uPlot charts, each drawing on a canvas of real size.
    await page.waitForSelector(".chart .uplot canvas");
    // Page-side code is passed as strings: this project compiles without the DOM typings.
    const canvases = (await page.evaluate(
      `[...document.querySelectorAll(".chart canvas")].map((c) => ({ w: c.width, h: c.height }))`,
    )) as { w: number; h: number }[];
    expect(canvases).toHaveLength(4);
    for (const c of canvases) {
      expect(c.w).toBeGreaterThan(200);
      expect(c.h).toBeGreaterThan(100);
    }
    await page.waitForFunction(`document.getElementById("kpi-reads").textContent !== "–"`);
    const readsBefore = await page.textContent("#kpi-reads");
    const pointsBefore = (await page.evaluate(POINTS)) as number;

    // A hostile key must show up as text, never as markup.
    await analytics.startMonitoring({
      intervalSeconds: 0.5,
      thresholds: { hitRateBelow: 0.99 },
      hysteresis: { fireAfter: 1 },
    });
    await traffic(600, 400);
    const hostile = '<img src=x onerror="window.pwned=1">';
    for (let i = 0; i < 60; i++)
      await cache.getOrSet(hostile, async () => 1, { namespace: "docs" });
    const expected = String(analytics.getComprehensiveStats().reads);

    await page.waitForFunction(
      `document.getElementById("kpi-reads").textContent.replace(/,/g, "") === "${expected}"`,
      undefined,
      {
        timeout: 10_000,
      },
    );
    expect(await page.textContent("#kpi-reads")).not.toBe(readsBefore);
    await page.waitForFunction(`${POINTS} > ${pointsBefore}`);
    await page.waitForSelector("#alerts li.alert.firing", { timeout: 10_000 });
    expect(await page.textContent("#alerts")).toContain("hit_rate");
    expect(await page.textContent("#kpi-hit-rate")).toMatch(/^\d+\.\d %$/);
    const hotKeys = await page.$$eval("#hot-keys tbody tr", (rows) =>
      rows.map((r) => r.querySelector(".key")!.textContent),
    );
    expect(hotKeys.length).toBeGreaterThan(0);
    expect(hotKeys).toContain(hostile);
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    expect(await page.$$("#hot-keys img")).toHaveLength(0);
    expect(await page.$$eval("#mrc tbody tr", (rows) => rows.length)).toBeGreaterThan(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL("dashboard.png", ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
