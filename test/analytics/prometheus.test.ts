import { readFile } from "node:fs/promises";
import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { CacheConfigError } from "../../src/core/errors.js";
import { ManualTime } from "../helpers/manual-time.js";
import { StandInCache } from "./stand-in-cache.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses label pairs `a="x",b="y\"z"` by hand, honouring the format's three escapes. */
function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`label without value: ${line}`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`bad label name ${name}: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`unquoted label value: ${line}`);
    let value = "";
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        const next = text[++j];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else throw new Error(`bad escape \\${next}: ${line}`);
      } else if (text[j] === "\n") {
        throw new Error(`raw newline in label value: ${line}`);
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`unterminated label value: ${line}`);
    if (name in labels) throw new Error(`duplicate label ${name}: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i < text.length) throw new Error(`expected , after label: ${line}`);
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`bad value ${text}: ${line}`);
  return value;
}

/** Parses every line of the Prometheus text format (0.0.4); throws on any line it cannot read. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      if (!NAME.test(m[2])) throw new Error(`bad metric name: ${line}`);
      if (m[1] === "HELP") {
        if (helps.has(m[2])) throw new Error(`second HELP: ${line}`);
        helps.add(m[2]);
      } else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(m[3]))
          throw new Error(`bad type: ${line}`);
        if (types.has(m[2])) throw new Error(`second TYPE: ${line}`);
        types.set(m[2], m[3]);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    samples.push({
      name: m[1],
      labels: parseLabels(m[2] ?? "", line),
      value: parseValue(m[3], line),
    });
  }
  return { types, samples };
}

function family(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return types.get(base) === "histogram" ? base : undefined;
}

async function exercised() {
  const cache = new StandInCache(100, true, 1 << 20);
  const time = new ManualTime();
  const analytics = new CacheAnalytics({
    cache,
    clock: time,
    scheduler: time,
    semantic: {
      getStats: () => ({
        exactHits: 3,
        similarHits: 2,
        misses: 5,
        similarityHistogram: new Array(20).fill(1),
      }),
    },
  });
  const awkward = 'name "with" quotes\\ and\nnewline';
  const secret = "sk-secret-api-key-0123456789";
  cache.read(secret, "l1_hit", 0.004);
  cache.read(secret, "l2_hit", 2, awkward);
  cache.read("b", "miss", 0.5);
  cache.read("c", "stale", 1);
  cache.events.emit("set", { key: secret, namespace: "llm", tags: ["t"], expiresAt: 0 });
  cache.events.emit("delete", { key: secret, namespace: "llm" });
  cache.events.emit("evict", { key: secret, namespace: "llm", tier: "l1", reason: "capacity" });
  cache.events.emit("evict", { key: "x", namespace: "llm", tier: "l1", reason: "something-new" });
  cache.events.emit("expire", { key: secret, namespace: "llm", tier: "l2" });
  cache.events.emit("promote", { key: secret, namespace: "llm" });
  cache.events.emit("demote", { key: secret, namespace: "llm" });
  cache.events.emit("load", { key: secret, namespace: "llm", durationMs: 12, error: undefined });
  cache.events.emit("load", {
    key: secret,
    namespace: "llm",
    durationMs: 30,
    error: new Error("boom"),
  });
  cache.events.emit("error", { tier: "l2", operation: "get", error: new Error("down") });
  cache.events.emit("invalidateTag", { tag: secret, removed: 3 });
  cache.l1Size = 42;
  cache.l1Bytes = 4096;
  cache.l2Size = 99;
  return { analytics, secret, awkward, text: await analytics.metrics() };
}

describe("Prometheus exposition", () => {
  it("parses line by line, with only the allowed labels and never a key", async () => {
    const { analytics, secret, awkward, text } = await exercised();
    const { types, samples } = parseExposition(text);
    expect(samples.length).toBeGreaterThan(100);
    for (const s of samples) {
      const f = family(s.name, types);
      expect(f, `${s.name} has no TYPE`).toBeDefined();
      expect(f!.startsWith("victor_cache_")).toBe(true);
      for (const label of Object.keys(s.labels)) {
        expect([
          "tier",
          "namespace",
          "operation",
          "result",
          ...(s.name.endsWith("_bucket") ? ["le"] : []),
        ]).toContain(label);
      }
    }
    expect(text).not.toContain(secret);
    // The awkward namespace survives escaping intact.
    expect(samples.some((s) => s.labels.namespace === awkward)).toBe(true);
    const value = (name: string, labels: Record<string, string>): number | undefined =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    expect(value("victor_cache_requests_total", { namespace: "default", result: "l1_hit" })).toBe(
      1,
    );
    expect(value("victor_cache_requests_total", { namespace: "default", result: "stale" })).toBe(1);
    expect(
      value("victor_cache_evictions_total", { namespace: "llm", tier: "l1", result: "capacity" }),
    ).toBe(1);
    expect(
      value("victor_cache_evictions_total", { namespace: "llm", tier: "l1", result: "other" }),
    ).toBe(1);
    expect(value("victor_cache_loads_total", { namespace: "llm", result: "error" })).toBe(1);
    expect(value("victor_cache_errors_total", { tier: "l2", operation: "get" })).toBe(1);
    expect(value("victor_cache_entries", { tier: "l2" })).toBe(99);
    expect(value("victor_cache_memory_bytes", { tier: "l1" })).toBe(4096);
    expect(value("victor_cache_semantic_requests_total", { result: "similar_hit" })).toBe(2);
    await analytics.close();
  });

  it("exports cumulative histogram buckets that end at the count", async () => {
    const { analytics, text } = await exercised();
    const { samples } = parseExposition(text);
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter(
      (x) => x.name === "victor_cache_operation_duration_seconds_bucket",
    )) {
      const id = `${s.labels.operation}/${s.labels.result}`;
      series.set(id, [...(series.get(id) ?? []), s]);
    }
    expect([...series.keys()].sort()).toEqual([
      "get/l1_hit",
      "get/l2_hit",
      "get/miss",
      "get/stale",
      "load/error",
      "load/ok",
    ]);
    for (const [id, buckets] of series) {
      const values = buckets.map((b) => b.value);
      for (let i = 1; i < values.length; i++)
        expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      expect(buckets.at(-1)!.labels.le).toBe("+Inf");
      const [operation, result] = id.split("/");
      const count = samples.find(
        (s) =>
          s.name === "victor_cache_operation_duration_seconds_count" &&
          s.labels.operation === operation &&
          s.labels.result === result,
      )!;
      expect(buckets.at(-1)!.value).toBe(count.value);
    }
    // The 2 ms L2 read lands between the 1.024 ms and 2.048 ms bounds.
    const l2 = series.get("get/l2_hit")!;
    expect(l2.find((b) => b.labels.le === "0.001024")!.value).toBe(0);
    expect(l2.find((b) => b.labels.le === "0.002048")!.value).toBe(1);
    await analytics.close();
  });

  it("has every metric the Grafana dashboard queries", async () => {
    const { analytics, text } = await exercised();
    const { samples } = parseExposition(text);
    const names = new Set(samples.map((s) => s.name));
    const dashboard = JSON.parse(
      await readFile(new URL("../../grafana/victor-cache.json", import.meta.url), "utf8"),
    ) as {
      panels: { title: string; targets?: { expr: string }[] }[];
      templating: { list: { definition?: string }[] };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const queried = new Set(exprs.flatMap((e) => e.match(/victor_cache_[a-z0-9_]+/g) ?? []));
    expect(queried.size).toBeGreaterThan(15);
    for (const name of queried)
      expect(names, `${name} is queried by the dashboard`).toContain(name);
    for (const expr of exprs) {
      for (const [, labels] of expr.matchAll(/by \(([^)]*)\)/g)) {
        for (const label of labels.split(",").map((l) => l.trim()))
          expect(["tier", "namespace", "operation", "result", "le"]).toContain(label);
      }
    }
    await analytics.close();
  });
});

describe("registry", () => {
  it("registers into an injected registry next to other metrics, and unregisters on close", async () => {
    const registry = new Registry();
    new Counter({ name: "app_requests_total", help: "the app's own", registers: [registry] });
    const cache = new StandInCache();
    const time = new ManualTime();
    const analytics = new CacheAnalytics({ cache, registry, clock: time, scheduler: time });
    cache.read("k", "l1_hit");
    const text = await registry.metrics();
    expect(text).toContain("app_requests_total");
    expect(text).toContain('victor_cache_requests_total{namespace="default",result="l1_hit"} 1');
    expect(await analytics.metrics()).toBe(text);
    await analytics.close();
    const after = await registry.metrics();
    expect(after).toContain("app_requests_total");
    expect(after).not.toContain("victor_cache_");
  });

  it("rejects a second analytics on the same registry with a typed error, leaving the first intact", async () => {
    const registry = new Registry();
    const time = new ManualTime();
    const first = new CacheAnalytics({
      cache: new StandInCache(),
      registry,
      clock: time,
      scheduler: time,
    });
    const error = (() => {
      try {
        new CacheAnalytics({ cache: new StandInCache(), registry, clock: time, scheduler: time });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).path).toBe("analytics.registry");
    expect(await registry.metrics()).toContain("victor_cache_operation_duration_seconds");
    await first.close();
  });
});
