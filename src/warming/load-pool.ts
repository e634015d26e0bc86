/**
 * Runs loader calls with bounded concurrency, a token-bucket rate limit and a timeout per call, so
 * warming can never stampede the backend the cache protects. Time here is real time (the rate and
 * timeout are about load on that backend), not the cache's clock.
 *
 * A call that times out is abandoned: its signal aborts, its slot is freed at once, and whatever
 * it later resolves or throws is swallowed, so a hanging loader costs one timeout and never an
 * unhandled rejection.
 */
import { CacheTimeoutError } from "../core/errors.js";

export type LoadResult =
  | { status: "ok"; value: unknown }
  | { status: "error"; error: unknown }
  | { status: "timeout"; error: CacheTimeoutError }
  | { status: "aborted" };

export interface LoadPoolOptions {
  concurrency: number;
  /** Calls per second; 0 = unlimited. */
  rate: number;
  burst: number;
  timeoutMs: number;
}

export class LoadPool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private refilledAt = performance.now();

  constructor(private readonly options: LoadPoolOptions) {
    this.tokens = options.burst;
  }

  /** Runs `call` once a slot and a token are free; `stop` abandons the wait or the call. */
  async run(call: (signal: AbortSignal) => unknown, stop: AbortSignal): Promise<LoadResult> {
    if (!(await this.acquireSlot(stop))) return { status: "aborted" };
    try {
      if (!(await this.acquireToken(stop))) return { status: "aborted" };
      return await this.callWithTimeout(call, stop);
    } finally {
      this.releaseSlot();
    }
  }

  private async acquireSlot(stop: AbortSignal): Promise<boolean> {
    while (this.active >= this.options.concurrency) {
      if (stop.aborted) return false;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          stop.removeEventListener("abort", wake);
          const i = this.waiting.indexOf(wake);
          if (i !== -1) this.waiting.splice(i, 1);
          resolve();
        };
        this.waiting.push(wake);
        stop.addEventListener("abort", wake, { once: true });
      });
    }
    if (stop.aborted) return false;
    this.active++;
    return true;
  }

  private releaseSlot(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private async acquireToken(stop: AbortSignal): Promise<boolean> {
    const { rate, burst } = this.options;
    if (rate === 0) return !stop.aborted;
    for (;;) {
      if (stop.aborted) return false;
      const now = performance.now();
      this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * rate);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens--;
        return true;
      }
      await sleep(((1 - this.tokens) / rate) * 1000, stop);
    }
  }

  private callWithTimeout(
    call: (signal: AbortSignal) => unknown,
    stop: AbortSignal,
  ): Promise<LoadResult> {
    const { timeoutMs } = this.options;
    const controller = new AbortController();
    if (stop.aborted) return Promise.resolve({ status: "aborted" });
    return new Promise<LoadResult>((resolve) => {
      let settled = false;
      const finish = (result: LoadResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop.removeEventListener("abort", onStop);
        if (result.status !== "ok" && result.status !== "error") controller.abort();
        resolve(result);
      };
      const onStop = (): void => finish({ status: "aborted" });
      const timer = setTimeout(
        () =>
          finish({ status: "timeout", error: new CacheTimeoutError("warming loader", timeoutMs) }),
        timeoutMs,
      );
      stop.addEventListener("abort", onStop, { once: true });
      // A loader that throws synchronously is handled like one that rejects.
      const pending = Promise.resolve().then(() => call(controller.signal));
      pending.then(
        (value) => finish({ status: "ok", value }),
        (error: unknown) => finish({ status: "error", error }),
      );
    });
  }
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(1, ms));
    stop.addEventListener("abort", done, { once: true });
  });
}
