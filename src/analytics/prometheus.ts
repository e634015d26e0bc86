import { Counter, Gauge, Histogram, type LabelValues, type Registry } from "prom-client";
import type { Tier } from "../multilevel/types.js";
import {
  Counter as C,
  EVICTION_REASONS,
  evictionCounter,
  type ErrorCounters,
  type NamespaceCounters,
} from "./counters.js";
import type { LogLinearHistogram } from "./log-linear-histogram.js";

/** Label names metrics may carry: never a key, so cardinality stays bounded. */
export const METRIC_LABELS = ["tier", "namespace", "operation", "result"] as const;

/** Upper bounds (seconds) of the exported latency buckets: powers of two from 1 µs to ~33 s. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = Array.from(
  { length: 26 },
  (_, k) => 2 ** k / 1e6,
);
const BUCKETS_MICROS = Array.from({ length: 26 }, (_, k) => 2 ** k);

/** What the metrics read at scrape time; nothing is recorded through prom-client on the hot path. */
export interface PrometheusView {
  readonly counters: NamespaceCounters;
  readonly errors: ErrorCounters;
  /** Latency histograms in microseconds. */
  readonly latency: readonly { operation: string; result: string; histogram: LogLinearHistogram }[];
  readonly hasL2: boolean;
  gauges(): {
    hitRatio: { l1: number; l2: number | undefined; all: number };
    entries: { l1: number; l2: number | undefined };
    maxEntries: number | undefined;
    memoryBytes: number | undefined;
    hotKeyShare: number | undefined;
    writeBackQueueDepth: number;
    droppedWrites: number;
    tagInvalidations: number;
  };
  semantic(): { exactHits: number; similarHits: number; misses: number } | undefined;
  /** Brings every count up to date; called before each metric is read. */
  settle(): void;
}

/** Where metrics register, and what brings their sources up to date. */
interface Scope {
  registry: Registry;
  settle(): void;
}

type Emit<L extends string> = (labels: LabelValues<L>, value: number) => void;

function counter<L extends string>(
  scope: Scope,
  name: string,
  help: string,
  labelNames: L[],
  fill: (emit: Emit<L>) => void,
): void {
  const metric: Counter<L> = new Counter<L>({
    name,
    help,
    labelNames,
    registers: [scope.registry],
    collect() {
      scope.settle();
      metric.reset();
      fill((labels, value) => metric.inc(labels, value));
    },
  });
}

function gauge<L extends string>(
  scope: Scope,
  name: string,
  help: string,
  labelNames: L[],
  fill: (emit: Emit<L>) => void,
): void {
  const metric: Gauge<L> = new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [scope.registry],
    collect() {
      scope.settle();
      metric.reset();
      fill((labels, value) => metric.set(labels, value));
    },
  });
}

/**
 * A histogram whose buckets are read from our log-linear histograms at scrape time. The exported
 * bounds are powers of two, which are bucket edges of the log-linear layout, so the cumulative
 * counts are exact.
 */
class PrecomputedHistogram extends Histogram<string> {
  constructor(
    registry: Registry,
    private readonly metricName: string,
    private readonly metricHelp: string,
    private readonly source: () => readonly {
      labels: Record<string, string>;
      histogram: LogLinearHistogram;
    }[],
  ) {
    super({
      name: metricName,
      help: metricHelp,
      labelNames: ["operation", "result"],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers: [registry],
    });
  }

  override async get(): Promise<Awaited<ReturnType<Histogram<string>["get"]>>> {
    const name = this.metricName;
    const values: { value: number; labels: LabelValues<string>; metricName: string }[] = [];
    for (const { labels, histogram } of this.source()) {
      const cumulative = histogram.cumulativeAt(BUCKETS_MICROS);
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
        values.push({
          value: cumulative[i],
          labels: { ...labels, le },
          metricName: `${name}_bucket`,
        });
      });
      values.push({
        value: histogram.count,
        labels: { ...labels, le: "+Inf" },
        metricName: `${name}_bucket`,
      });
      values.push({ value: histogram.sum / 1e6, labels, metricName: `${name}_sum` });
      values.push({ value: histogram.count, labels, metricName: `${name}_count` });
    }
    // prom-client's typings declare `type` as a numeric enum, but the registry reads the string.
    const metric = { name, help: this.metricHelp, type: "histogram", values, aggregator: "sum" };
    return metric as unknown as Awaited<ReturnType<Histogram<string>["get"]>>;
  }

  /** The registry formats text from this when present (prom-client's own histogram has it). */
  getForPromString(): ReturnType<PrecomputedHistogram["get"]> {
    return this.get();
  }
}

/** Registers every `victor_cache_*` metric in `registry`, reading `view` at scrape time. */
export function registerMetrics(registry: Registry, view: PrometheusView): void {
  const { counters } = view;
  const scope: Scope = { registry, settle: () => view.settle() };
  const tiers: Tier[] = view.hasL2 ? ["l1", "l2"] : ["l1"];
  const perNamespace = <L extends string>(
    emit: Emit<L>,
    slot: number,
    extra: LabelValues<L> = {},
  ): void => {
    for (const [namespace, base] of counters.entries()) {
      emit({ namespace, ...extra } as LabelValues<L>, counters.values[base + slot]);
    }
  };

  counter(
    scope,
    "victor_cache_requests_total",
    "Reads (get/getOrSet lookups) by namespace and result.",
    ["namespace", "result"],
    (emit) => {
      perNamespace(emit, C.L1_HIT, { result: "l1_hit" });
      perNamespace(emit, C.L2_HIT, { result: "l2_hit" });
      perNamespace(emit, C.STALE, { result: "stale" });
      perNamespace(emit, C.MISS, { result: "miss" });
    },
  );
  counter(
    scope,
    "victor_cache_hits_total",
    "Reads answered by a tier.",
    ["tier", "namespace"],
    (emit) => {
      perNamespace(emit, C.L1_HIT, { tier: "l1" });
      if (view.hasL2) perNamespace(emit, C.L2_HIT, { tier: "l2" });
    },
  );
  counter(
    scope,
    "victor_cache_misses_total",
    "Reads a tier could not answer.",
    ["tier", "namespace"],
    (emit) => {
      perNamespace(emit, C.L1_MISS, { tier: "l1" });
      if (view.hasL2) perNamespace(emit, C.L2_MISS, { tier: "l2" });
    },
  );
  counter(scope, "victor_cache_sets_total", "Writes through the cache.", ["namespace"], (emit) =>
    perNamespace(emit, C.SET),
  );
  counter(
    scope,
    "victor_cache_deletes_total",
    "Deletes through the cache.",
    ["namespace"],
    (emit) => perNamespace(emit, C.DELETE),
  );
  counter(
    scope,
    "victor_cache_evictions_total",
    "Entries evicted by a cap; result is the reason (capacity, bytes, other).",
    ["tier", "namespace", "result"],
    (emit) => {
      for (const tier of tiers) {
        for (const reason of EVICTION_REASONS)
          perNamespace(emit, evictionCounter(tier, reason), { tier, result: reason });
      }
    },
  );
  counter(
    scope,
    "victor_cache_expirations_total",
    "Entries that expired.",
    ["tier", "namespace"],
    (emit) => {
      perNamespace(emit, C.EXPIRE_L1, { tier: "l1" });
      if (view.hasL2) perNamespace(emit, C.EXPIRE_L2, { tier: "l2" });
    },
  );
  counter(
    scope,
    "victor_cache_promotions_total",
    "Entries copied from L2 into L1.",
    ["namespace"],
    (emit) => perNamespace(emit, C.PROMOTE),
  );
  counter(
    scope,
    "victor_cache_demotions_total",
    "Entries moved from L1 down to L2.",
    ["namespace"],
    (emit) => perNamespace(emit, C.DEMOTE),
  );
  counter(
    scope,
    "victor_cache_stale_served_total",
    "Stale values served because the loader failed (grace).",
    ["namespace"],
    (emit) => perNamespace(emit, C.STALE),
  );
  counter(
    scope,
    "victor_cache_loads_total",
    "Loader calls by result (ok, error).",
    ["namespace", "result"],
    (emit) => {
      for (const [namespace, base] of counters.entries()) {
        const v = counters.values;
        emit({ namespace, result: "ok" }, v[base + C.LOAD] - v[base + C.LOAD_ERROR]);
        emit({ namespace, result: "error" }, v[base + C.LOAD_ERROR]);
      }
    },
  );
  counter(
    scope,
    "victor_cache_errors_total",
    "Tier operations that failed (in fail-safe mode, degraded).",
    ["tier", "operation"],
    (emit) => {
      for (const e of view.errors.entries())
        emit({ tier: e.tier, operation: e.operation }, e.count);
    },
  );
  counter(scope, "victor_cache_tag_invalidations_total", "invalidateTag calls.", [], (emit) =>
    emit({}, view.gauges().tagInvalidations),
  );
  counter(
    scope,
    "victor_cache_dropped_writes_total",
    "L2 writes dropped (write-back queue full, L2 down).",
    [],
    (emit) => emit({}, view.gauges().droppedWrites),
  );

  gauge(
    scope,
    "victor_cache_hit_ratio",
    "Hit ratio since start, per tier and overall (tier=all), 0..1.",
    ["tier"],
    (emit) => {
      const g = view.gauges().hitRatio;
      emit({ tier: "l1" }, g.l1);
      if (g.l2 !== undefined) emit({ tier: "l2" }, g.l2);
      emit({ tier: "all" }, g.all);
    },
  );
  gauge(
    scope,
    "victor_cache_entries",
    "Entries held per tier (-1: the tier cannot count them).",
    ["tier"],
    (emit) => {
      const g = view.gauges().entries;
      emit({ tier: "l1" }, g.l1);
      if (g.l2 !== undefined) emit({ tier: "l2" }, g.l2);
    },
  );
  gauge(scope, "victor_cache_max_entries", "Configured entry cap per tier.", ["tier"], (emit) => {
    const max = view.gauges().maxEntries;
    if (max !== undefined) emit({ tier: "l1" }, max);
  });
  gauge(
    scope,
    "victor_cache_memory_bytes",
    "Bytes held by L1 (measured when l1.maxBytes is set).",
    ["tier"],
    (emit) => {
      const bytes = view.gauges().memoryBytes;
      if (bytes !== undefined) emit({ tier: "l1" }, bytes);
    },
  );
  gauge(
    scope,
    "victor_cache_hot_key_share",
    "Share of recent reads going to the reported hot keys, 0..1.",
    [],
    (emit) => {
      const share = view.gauges().hotKeyShare;
      if (share !== undefined) emit({}, share);
    },
  );
  gauge(
    scope,
    "victor_cache_write_back_queue_depth",
    "Writes waiting for L2 (write-back).",
    [],
    (emit) => emit({}, view.gauges().writeBackQueueDepth),
  );

  new PrecomputedHistogram(
    registry,
    "victor_cache_operation_duration_seconds",
    "Duration of reads (operation=get; result is the tier that answered, or miss/stale) and loader calls (operation=load; result ok/error).",
    () => {
      view.settle();
      return view.latency.map(({ operation, result, histogram }) => ({
        labels: { operation, result },
        histogram,
      }));
    },
  );

  if (view.semantic() !== undefined) {
    counter(
      scope,
      "victor_cache_semantic_requests_total",
      "Semantic lookups by result (exact_hit, similar_hit, miss).",
      ["result"],
      (emit) => {
        const s = view.semantic();
        if (!s) return;
        emit({ result: "exact_hit" }, s.exactHits);
        emit({ result: "similar_hit" }, s.similarHits);
        emit({ result: "miss" }, s.misses);
      },
    );
  }
}
