import { CacheConfigError } from "../core/errors.js";

export type AlertName = "hit_rate" | "p95_latency" | "error_rate" | "memory";

export interface AlertThresholds {
  /** Fire when the hit rate of an interval is below this, 0..1. */
  hitRateBelow?: number;
  /** Fire when the p95 read latency of an interval is above this, in ms. */
  p95LatencyMsAbove?: number;
  /** Fire when (L2 errors + loader errors) / reads of an interval is above this, 0..1. */
  errorRateAbove?: number;
  /** Fire when memory (L1 bytes with `maxBytes`, else the process heap) is above this, in bytes. */
  memoryBytesAbove?: number;
}

/** Keeps alerts from flapping around a threshold. */
export interface Hysteresis {
  /** Consecutive checks beyond the threshold before an alert fires. @default 2 */
  fireAfter?: number;
  /** Consecutive checks back inside the clear level before a firing alert clears. @default 2 */
  clearAfter?: number;
  /**
   * How far inside the threshold a value must come back to count toward clearing, as a fraction
   * of the threshold (for the hit rate: of the miss rate it implies). 0.1 with
   * `p95LatencyMsAbove: 20` clears at 18 ms; with `hitRateBelow: 0.8` at 0.82.
   * @default 0.1
   */
  margin?: number;
}

export interface MonitoringOptions {
  /** Seconds between checks. @default 60 */
  intervalSeconds?: number;
  thresholds?: AlertThresholds;
  hysteresis?: Hysteresis;
  /**
   * Fewest reads an interval needs before its hit rate, latency and error rate are judged;
   * quieter intervals leave those alerts as they are.
   * @default 10
   */
  minRequests?: number;
}

export interface Alert {
  name: AlertName;
  /** "firing" in `alert` events and while active; "cleared" in `alertCleared`. */
  state: "firing" | "cleared";
  /** The value of the check that fired or cleared it. */
  value: number;
  threshold: number;
  /** Clock time it fired, epoch ms. */
  firedAt: number;
  /** Clock time it cleared, epoch ms. */
  clearedAt?: number;
  message: string;
}

/** One interval's values; undefined means no data (the alert's state is left alone). */
export interface MonitorSample {
  hitRate?: number;
  p95LatencyMs?: number;
  errorRate?: number;
  memoryBytes?: number;
}

interface Rule {
  name: AlertName;
  field: keyof MonitorSample;
  threshold: number;
  below: boolean;
  label: string;
  format: (value: number) => string;
  firing: Alert | undefined;
  beyondCount: number;
  insideCount: number;
}

const percent = (v: number): string => `${(v * 100).toFixed(1)} %`;
const bytes = (v: number): string =>
  v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(1)} MiB` : `${Math.round(v)} bytes`;
const HISTORY = 50;

function check(value: number | undefined, path: string, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new CacheConfigError(path, `expected a number in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

function count(value: number | undefined, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new CacheConfigError(path, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Threshold alerts with hysteresis: an alert fires after `fireAfter` consecutive intervals beyond
 * its threshold and clears after `clearAfter` consecutive intervals back inside it by `margin`.
 * Pure state: the caller supplies each interval's values and the time.
 */
export class AlertMonitor {
  readonly intervalMs: number;
  readonly minRequests: number;
  private readonly rules: Rule[] = [];
  private readonly fireAfter: number;
  private readonly clearAfter: number;
  private readonly margin: number;
  private readonly log: Alert[] = [];

  constructor(options: MonitoringOptions = {}) {
    const p = "monitoring";
    const interval = check(options.intervalSeconds, `${p}.intervalSeconds`) ?? 60;
    if (interval <= 0)
      throw new CacheConfigError(
        `${p}.intervalSeconds`,
        `expected a positive number, got ${interval}`,
      );
    this.intervalMs = interval * 1000;
    this.minRequests = check(options.minRequests, `${p}.minRequests`) ?? 10;
    const h = options.hysteresis ?? {};
    this.fireAfter = count(h.fireAfter, `${p}.hysteresis.fireAfter`, 2);
    this.clearAfter = count(h.clearAfter, `${p}.hysteresis.clearAfter`, 2);
    this.margin = check(h.margin, `${p}.hysteresis.margin`, 1) ?? 0.1;
    const t = options.thresholds ?? {};
    const add = (
      name: AlertName,
      field: keyof MonitorSample,
      threshold: number | undefined,
      below: boolean,
      label: string,
      format: (v: number) => string,
    ): void => {
      if (threshold === undefined) return;
      this.rules.push({
        name,
        field,
        threshold,
        below,
        label,
        format,
        firing: undefined,
        beyondCount: 0,
        insideCount: 0,
      });
    };
    const tp = `${p}.thresholds`;
    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    add(
      "hit_rate",
      "hitRate",
      check(t.hitRateBelow, `${tp}.hitRateBelow`, 1),
      true,
      "hit rate",
      percent,
    );
    add(
      "p95_latency",
      "p95LatencyMs",
      check(t.p95LatencyMsAbove, `${tp}.p95LatencyMsAbove`),
      false,
      "p95 read latency",
      ms,
    );
    add(
      "error_rate",
      "errorRate",
      check(t.errorRateAbove, `${tp}.errorRateAbove`, 1),
      false,
      "error rate",
      percent,
    );
    add(
      "memory",
      "memoryBytes",
      check(t.memoryBytesAbove, `${tp}.memoryBytesAbove`),
      false,
      "memory",
      bytes,
    );
  }

  /** Feeds one interval; returns the alerts that fired and cleared because of it. */
  evaluate(sample: MonitorSample, now: number): { fired: Alert[]; cleared: Alert[] } {
    const fired: Alert[] = [];
    const cleared: Alert[] = [];
    for (const rule of this.rules) {
      const value = sample[rule.field];
      if (value === undefined || !Number.isFinite(value)) continue;
      const { threshold: t, below } = rule;
      if (rule.firing === undefined) {
        const beyond = below ? value < t : value > t;
        rule.beyondCount = beyond ? rule.beyondCount + 1 : 0;
        if (rule.beyondCount >= this.fireAfter) {
          rule.firing = {
            name: rule.name,
            state: "firing",
            value,
            threshold: t,
            firedAt: now,
            message: `${rule.label} ${rule.format(value)} is ${below ? "below" : "above"} ${rule.format(t)}`,
          };
          rule.beyondCount = 0;
          rule.insideCount = 0;
          fired.push({ ...rule.firing });
        }
      } else {
        const inside = below
          ? 1 - value <= (1 - t) * (1 - this.margin)
          : value <= t * (1 - this.margin);
        rule.insideCount = inside ? rule.insideCount + 1 : 0;
        rule.firing.value = value;
        if (rule.insideCount >= this.clearAfter) {
          const done: Alert = {
            ...rule.firing,
            state: "cleared",
            value,
            clearedAt: now,
            message: `${rule.label} back to ${rule.format(value)} (threshold ${rule.format(t)})`,
          };
          rule.firing = undefined;
          rule.insideCount = 0;
          cleared.push(done);
        }
      }
    }
    for (const a of [...fired, ...cleared]) {
      this.log.push(a);
      if (this.log.length > HISTORY) this.log.shift();
    }
    return { fired, cleared };
  }

  /** Alerts firing now. */
  active(): Alert[] {
    return this.rules.flatMap((r) => (r.firing ? [{ ...r.firing }] : []));
  }

  /** The last 50 alerts fired or cleared, oldest first. */
  history(): Alert[] {
    return [...this.log];
  }
}
