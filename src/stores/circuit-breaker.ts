/**
 * A circuit breaker: stops calling a dependency that keeps failing, so callers fail fast (and
 * degrade to L1 or the loader) instead of each waiting out a timeout, then probes it again.
 *
 * closed --(N consecutive failures, or failure rate over the window)--> open
 * open --(cooldown elapsed; next call)--> half_open: up to `halfOpenProbes` calls go through
 * half_open --(a probe succeeds)--> closed;  --(a probe fails)--> open (a new cooldown)
 *
 * Time comes from an injected Clock and transitions happen on calls, so no timers run and tests
 * drive it with a fake clock.
 */
import { systemClock, type Clock } from "../core/clock.js";
import { optionalMillis, type Duration } from "../core/duration.js";
import { CacheConfigError, CacheError, ErrorCode } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";

export const CircuitState = { CLOSED: "closed", OPEN: "open", HALF_OPEN: "half_open" } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Thrown instead of calling the dependency while the circuit is open. */
export class CacheCircuitOpenError extends CacheError {
  constructor(name: string, retryInMs: number) {
    super(
      ErrorCode.CIRCUIT_OPEN,
      `${name}: circuit open, not calling it for another ${Math.max(0, Math.ceil(retryInMs))} ms`,
    );
  }
}

export interface CircuitBreakerOptions {
  /** Names the protected dependency in errors and events. @default "store" */
  name?: string;
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /**
   * Failure rate (0-1) over `window` that opens the circuit, once at least `minimumCalls` calls
   * were made in it. 1 disables the rate rule.
   * @default 0.5
   */
  failureRate?: number;
  /** Calls in the window before the failure rate counts. @default 20 */
  minimumCalls?: number;
  /** Rolling window for the failure rate; seconds or a duration string. @default "10s" */
  window?: Duration;
  /** How long the circuit stays open before probing; seconds or a duration string. @default "5s" */
  cooldown?: Duration;
  /** Calls let through at once while half-open. @default 1 */
  halfOpenProbes?: number;
  /** @default the system clock */
  clock?: Clock;
}

export type CircuitBreakerEvents = {
  stateChange: { name: string; from: CircuitState; to: CircuitState; reason: string; at: number };
};

const BUCKETS = 10;

export class CircuitBreaker extends TypedEmitter<CircuitBreakerEvents> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly failureThreshold: number;
  private readonly failureRate: number;
  private readonly minimumCalls: number;
  private readonly bucketMs: number;
  private readonly cooldownMs: number;
  private readonly halfOpenProbes: number;
  private current: CircuitState = CircuitState.CLOSED;
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probesInFlight = 0;
  // Rolling window: BUCKETS buckets of calls and failures, indexed by time.
  private readonly calls = new Uint32Array(BUCKETS);
  private readonly failures = new Uint32Array(BUCKETS);
  private readonly bucketIds = new Float64Array(BUCKETS).fill(-1);

  constructor(options: CircuitBreakerOptions = {}, path = "circuitBreaker") {
    super();
    this.name = options.name ?? "store";
    this.clock = options.clock ?? systemClock;
    this.failureThreshold = count(options.failureThreshold, 5, `${path}.failureThreshold`);
    this.minimumCalls = count(options.minimumCalls, 20, `${path}.minimumCalls`);
    this.halfOpenProbes = count(options.halfOpenProbes, 1, `${path}.halfOpenProbes`);
    const rate = options.failureRate ?? 0.5;
    if (!(rate > 0 && rate <= 1))
      throw new CacheConfigError(`${path}.failureRate`, `expected a rate in (0, 1], got ${rate}`);
    this.failureRate = rate;
    const windowMs = optionalMillis(options.window, `${path}.window`, 10_000);
    if (windowMs <= 0) throw new CacheConfigError(`${path}.window`, "must be longer than 0");
    this.bucketMs = windowMs / BUCKETS;
    this.cooldownMs = optionalMillis(options.cooldown, `${path}.cooldown`, 5000);
  }

  get state(): CircuitState {
    return this.current;
  }

  /**
   * Asks to make a call. Returns whether the call is a half-open probe (pass it to
   * {@link success}, {@link failure} or {@link neutral}); throws a {@link CacheCircuitOpenError}
   * while open, or while half-open with every probe slot taken.
   */
  admit(): boolean {
    if (this.current === CircuitState.OPEN) {
      const waited = this.clock.now() - this.openedAt;
      if (waited < this.cooldownMs)
        throw new CacheCircuitOpenError(this.name, this.cooldownMs - waited);
      this.transition(CircuitState.HALF_OPEN, `cooldown of ${this.cooldownMs} ms elapsed`);
    }
    if (this.current === CircuitState.HALF_OPEN) {
      if (this.probesInFlight >= this.halfOpenProbes) throw new CacheCircuitOpenError(this.name, 0);
      this.probesInFlight++;
      return true;
    }
    return false;
  }

  /** Settles an admitted call that succeeded; `probe` is what {@link admit} returned. */
  success(probe: boolean): void {
    this.record(false);
    this.consecutiveFailures = 0;
    if (probe) {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (this.current === CircuitState.HALF_OPEN)
        this.transition(CircuitState.CLOSED, "probe succeeded");
    }
  }

  /** Settles an admitted call that failed; `probe` is what {@link admit} returned. */
  failure(probe: boolean): void {
    this.record(true);
    this.consecutiveFailures++;
    if (probe) {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (this.current === CircuitState.HALF_OPEN) return this.open("probe failed");
    }
    if (this.current !== CircuitState.CLOSED) return;
    if (this.consecutiveFailures >= this.failureThreshold) {
      return this.open(`${this.consecutiveFailures} consecutive failures`);
    }
    const { calls, failures } = this.windowTotals();
    if (calls >= this.minimumCalls && failures / calls >= this.failureRate) {
      this.open(`${failures} of ${calls} calls failed in the window`);
    }
  }

  /** Settles an admitted call that neither proves health nor sickness (bad input, cancelled). */
  neutral(probe: boolean): void {
    if (probe) this.probesInFlight = Math.max(0, this.probesInFlight - 1);
  }

  private open(reason: string): void {
    this.openedAt = this.clock.now();
    this.transition(CircuitState.OPEN, reason);
  }

  private transition(to: CircuitState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    if (to === CircuitState.CLOSED) {
      this.consecutiveFailures = 0;
      this.calls.fill(0);
      this.failures.fill(0);
    }
    if (to !== CircuitState.HALF_OPEN) this.probesInFlight = 0;
    this.emit("stateChange", { name: this.name, from, to, reason, at: this.clock.now() });
  }

  private record(failed: boolean): void {
    const id = Math.floor(this.clock.now() / this.bucketMs);
    const slot = id % BUCKETS;
    if (this.bucketIds[slot] !== id) {
      this.bucketIds[slot] = id;
      this.calls[slot] = 0;
      this.failures[slot] = 0;
    }
    this.calls[slot]++;
    if (failed) this.failures[slot]++;
  }

  private windowTotals(): { calls: number; failures: number } {
    const newest = Math.floor(this.clock.now() / this.bucketMs);
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (newest - this.bucketIds[i] < BUCKETS) {
        calls += this.calls[i];
        failures += this.failures[i];
      }
    }
    return { calls, failures };
  }
}

function count(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new CacheConfigError(path, `expected an integer >= 1, got ${value}`);
  return value;
}
