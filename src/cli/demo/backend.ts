/**
 * The simulated backend of the demo: an LLM API and an agent's tools. Nothing is slept and nothing
 * leaves the process: each call's latency is drawn from 100–500 ms and reported as modelled time,
 * and LLM calls are priced per token at a list price. Draws come from a seeded generator, so a
 * run is reproducible.
 */

/** mulberry32: a small, fast, seedable PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks ranks 0..n-1 with probability proportional to 1/(rank+1)^s (Zipf). */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w / total));
  return () => {
    const r = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** What the modelled backend charges; gpt-4o list prices, in US dollars per million tokens. */
export const PRICING = { inputPerMillion: 2.5, outputPerMillion: 10 } as const;

/** Modelled backend latency of one call, in ms. */
export const LATENCY_MS = { min: 100, max: 500 } as const;

/** Rough token count of a text: about four characters per token for English and code. */
export function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function priceOf(inputTokens: number, outputTokens: number): number {
  return (inputTokens * PRICING.inputPerMillion + outputTokens * PRICING.outputPerMillion) / 1e6;
}

/** One request as the backend would serve it, whether or not the cache spared the call. */
export interface ModelledCall {
  /** Modelled latency had the backend served it, ms. */
  latencyMs: number;
  /** Modelled price had the backend served it, USD (0 for local tools). */
  costUsd: number;
}

export class SimulatedBackend {
  /** Calls that reached the backend. */
  calls = 0;
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed ^ 0x5eed);
  }

  /** Draws what one request would cost at the backend. */
  model(inputTokens: number, outputTokens: number): ModelledCall {
    const latencyMs = LATENCY_MS.min + this.random() * (LATENCY_MS.max - LATENCY_MS.min);
    return { latencyMs, costUsd: priceOf(inputTokens, outputTokens) };
  }

  /** Runs `compute` as the backend: counted; its latency is modelled, not waited for. */
  call<T>(compute: () => T): T {
    this.calls++;
    return compute();
  }
}
