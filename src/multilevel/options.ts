/**
 * Checks a MultiLevelCacheOptions object once, at construction, and turns every duration into
 * milliseconds, so the hot paths never parse or validate. Every error names its config path.
 */
import { systemClock, type Clock } from "../core/clock.js";
import { optionalMillis, toMillis } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import type { InvalidationBus } from "../bus/bus.js";
import type { CacheStore } from "../stores/store.js";
import {
  WritePolicy,
  type BusConfig,
  type L2Config,
  type MultiLevelCacheOptions,
  type WritePolicyName,
} from "./types.js";

const WRITE_POLICY_NAMES: readonly WritePolicyName[] = Object.values(WritePolicy);

export interface ResolvedWriteBack {
  intervalMs: number;
  batchSize: number;
  maxQueue: number;
  flushOnSignals: boolean;
}

export interface ResolvedMultiLevelOptions {
  l1: NonNullable<MultiLevelCacheOptions["l1"]>;
  /** Absent, a config to build the store from, or a caller-owned store. */
  l2:
    { kind: "none" } | { kind: "config"; config: L2Config } | { kind: "store"; store: CacheStore };
  /** Default TTL of L2 entries in ms (0 = none). */
  l2TtlMs: number;
  writePolicy: WritePolicyName;
  writeBack: ResolvedWriteBack;
  graceMs: number;
  failSafe: boolean;
  bus:
    | { kind: "none" }
    | { kind: "config"; config: BusConfig }
    | { kind: "given"; bus: InvalidationBus };
  /** Time one L1 hit in this many while `access` has listeners. */
  latencySampleEvery: number;
  clock: Clock;
}

const STORE_METHODS = [
  "get",
  "set",
  "delete",
  "has",
  "clear",
  "getMany",
  "setMany",
  "deleteTag",
  "keys",
  "close",
];

/** True for an object that implements CacheStore (rather than an L2 config). */
export function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return STORE_METHODS.every((method) => typeof record[method] === "function");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new CacheConfigError(path, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new CacheConfigError(path, `expected true or false, got ${String(value)}`);
  return value;
}

function resolveL2(l2: unknown): ResolvedMultiLevelOptions["l2"] {
  if (l2 === undefined || l2 === null) return { kind: "none" };
  if (isCacheStore(l2)) return { kind: "store", store: l2 };
  if (!isObject(l2))
    throw new CacheConfigError("l2", "expected an L2 config object or a CacheStore");
  const type = l2.type;
  if (type === "file" || type === "lmdb") {
    if (typeof l2.path !== "string" || l2.path.trim() === "") {
      throw new CacheConfigError(
        "l2.path",
        `expected the folder of the LMDB store, got ${JSON.stringify(l2.path)}`,
      );
    }
  } else if (type === "redis") {
    if (l2.cluster === undefined && (typeof l2.url !== "string" || !/^rediss?:\/\//.test(l2.url))) {
      throw new CacheConfigError(
        "l2.url",
        `expected a redis:// or rediss:// URL, got ${JSON.stringify(l2.url)}`,
      );
    }
    if (l2.prefix !== undefined && typeof l2.prefix !== "string") {
      throw new CacheConfigError("l2.prefix", "expected a string");
    }
  } else {
    throw new CacheConfigError(
      "l2.type",
      `unknown L2 type ${JSON.stringify(type)}; expected "file", "lmdb" or "redis"`,
    );
  }
  return { kind: "config", config: l2 as L2Config };
}

function resolveBus(bus: unknown): ResolvedMultiLevelOptions["bus"] {
  if (bus === undefined || bus === null) return { kind: "none" };
  if (!isObject(bus))
    throw new CacheConfigError("bus", "expected a bus config object or an InvalidationBus");
  if (
    ["publish", "subscribe", "onReconnect", "close"].every(
      (method) => typeof bus[method] === "function",
    )
  ) {
    return { kind: "given", bus: bus as unknown as InvalidationBus };
  }
  if (bus.type !== "redis" && bus.type !== "memory") {
    throw new CacheConfigError(
      "bus.type",
      `unknown bus type ${JSON.stringify(bus.type)}; expected "redis" or "memory"`,
    );
  }
  return { kind: "config", config: bus as BusConfig };
}

export function resolveMultiLevelOptions(
  options: MultiLevelCacheOptions | undefined,
): ResolvedMultiLevelOptions {
  if (options !== undefined && !isObject(options as unknown)) {
    throw new CacheConfigError("options", "expected an options object");
  }
  const o: MultiLevelCacheOptions = options ?? {};
  if (o.l1 !== undefined && !isObject(o.l1 as unknown))
    throw new CacheConfigError("l1", "expected an object");
  if (o.l1?.type !== undefined && o.l1.type !== "memory") {
    throw new CacheConfigError(
      "l1.type",
      `the L1 is always "memory", got ${JSON.stringify(o.l1.type)}`,
    );
  }
  const l2 = resolveL2(o.l2);
  const l2TtlMs = l2.kind === "config" ? optionalMillis(l2.config.ttl, "l2.ttl", 0) : 0;

  const writePolicy = o.writePolicy ?? WritePolicy.WRITE_THROUGH;
  if (!WRITE_POLICY_NAMES.includes(writePolicy)) {
    throw new CacheConfigError(
      "writePolicy",
      `unknown write policy ${JSON.stringify(writePolicy)}; expected one of ${WRITE_POLICY_NAMES.join(", ")}`,
    );
  }
  if (writePolicy !== WritePolicy.WRITE_THROUGH && l2.kind === "none") {
    throw new CacheConfigError(
      "writePolicy",
      `${writePolicy} needs an l2; an L1-only cache writes through`,
    );
  }

  if (o.writeBack !== undefined && !isObject(o.writeBack as unknown))
    throw new CacheConfigError("writeBack", "expected an object");
  const wb = o.writeBack ?? {};
  const intervalMs = toMillis(wb.interval ?? 1, "writeBack.interval");
  if (intervalMs < 1) throw new CacheConfigError("writeBack.interval", "must be at least 1 ms");
  const writeBack: ResolvedWriteBack = {
    intervalMs,
    batchSize: positiveInteger(wb.batchSize, 100, "writeBack.batchSize"),
    maxQueue: positiveInteger(wb.maxQueue, 10_000, "writeBack.maxQueue"),
    flushOnSignals: bool(wb.flushOnSignals, false, "writeBack.flushOnSignals"),
  };
  if (writeBack.maxQueue < writeBack.batchSize) {
    throw new CacheConfigError(
      "writeBack.maxQueue",
      `must be at least writeBack.batchSize (${writeBack.batchSize})`,
    );
  }

  const clock = o.clock ?? systemClock;
  if (typeof clock?.now !== "function")
    throw new CacheConfigError("clock", "expected an object with now()");

  return {
    l1: { ...o.l1, clock: o.l1?.clock ?? clock, configPath: "l1." },
    l2,
    l2TtlMs,
    writePolicy,
    writeBack,
    graceMs: optionalMillis(o.grace, "grace", 0),
    failSafe: bool(o.failSafe, true, "failSafe"),
    bus: resolveBus(o.bus),
    latencySampleEvery: positiveInteger(o.latencySampleEvery, 32, "latencySampleEvery"),
    clock,
  };
}
