import { hashKey } from "./key-hash.js";

/**
 * Remembers the hashes of recently read keys, per namespace. Hashing a key walks its characters
 * on every read, while V8 caches a string's own hash in the string, so looking the same key up in
 * a Map costs a fraction of rehashing it. Cache workloads re-read their keys (that is what an L1
 * hit is), so most lookups find the hash here. Bounded: when `capacity` keys are remembered, all
 * are forgotten at once (cheaper than evicting one by one, and the hot keys come straight back).
 */
export class KeyHashMemo {
  private readonly bySlot: (Map<string, number> | undefined)[] = [];
  private size = 0;

  constructor(private readonly capacity = 16_384) {}

  /** The hash of `key` in the namespace with interned `slot` and hash `seed`. */
  hash(slot: number, seed: number, key: string): number {
    let memo = this.bySlot[slot];
    if (memo === undefined) this.bySlot[slot] = memo = new Map();
    const known = memo.get(key);
    if (known !== undefined) return known;
    const hash = hashKey(seed, key);
    if (this.size >= this.capacity) this.forget();
    memo.set(key, hash);
    this.size++;
    return hash;
  }

  private forget(): void {
    for (const memo of this.bySlot) memo?.clear();
    this.size = 0;
  }
}
