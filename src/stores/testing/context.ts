import type { Clock } from "../../core/clock.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "../store.js";

/** A clock the suite can move: {@link FakeClock} is one. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/** What a conformance factory returns: a fresh, empty store, and how to drive and dispose of it. */
export interface StoreFixture {
  store: CacheStore;
  /**
   * The clock the store reads, when the factory injected one the suite can move; TTL cases then
   * run instantly. Without it they sleep past short real TTLs.
   */
  clock?: ManualClock;
  /** Called after the store is closed: remove temp folders, stop servers. */
  cleanup?: () => Promise<void> | void;
}

export type StoreFactory = () => Promise<StoreFixture>;

export interface StoreConformanceOptions {
  /**
   * TTL in milliseconds of the entries the TTL cases let expire when the fixture has no
   * {@link ManualClock}; the suite sleeps a little over twice this.
   * @default 100
   */
  realTimeTtl?: number;
  /**
   * Whether `set` must reject values that cannot be encoded (functions, symbols, cycles) with a
   * `CacheSerializationError`. A store that keeps references and never encodes may opt out.
   * @default true
   */
  rejectsUnencodable?: boolean;
}

/** What the case groups see: the current fixture's store and its notion of time. */
export interface ConformanceContext {
  readonly store: CacheStore;
  readonly options: Required<StoreConformanceOptions>;
  /** The store's current time, epoch milliseconds. */
  now(): number;
  /** A TTL short enough to let pass, in milliseconds. */
  readonly shortTtl: number;
  /** Lets `ms` milliseconds pass for the store: moves the manual clock, or sleeps. */
  pass(ms: number): Promise<void>;
}

/** A never-expiring entry, or one with the given extras. */
export function entry(value: unknown, extra: Partial<Omit<StoreEntry, "value">> = {}): StoreEntry {
  return { value, expiresAt: 0, ...extra };
}

/** Drains `keys()` into sorted `namespace/key` pairs, easy to compare. */
export async function listKeys(
  iterable: AsyncIterable<NamespacedKey>,
): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const { namespace, key } of iterable) out.push([namespace, key]);
  return out.sort((a, b) => (a[0] === b[0] ? compare(a[1], b[1]) : compare(a[0], b[0])));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Tags as a sorted list, `[]` when absent: stores may keep order or not, and omit empty tags. */
export function tagsOf(e: StoreEntry | undefined): string[] {
  return [...(e?.tags ?? [])].sort();
}
