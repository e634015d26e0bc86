import { hashKey, namespaceSeed } from "./key-hash.js";

/** The keys of one namespace: their ids, and the seed their hashes start from. */
interface NamespaceKeys {
  readonly ids: Map<string, number>;
  readonly seed: number;
}

/** Fields of a record in {@link KeyTable.records}. */
export const KeyRecord = {
  KEY: 0,
  NAMESPACE: 1,
  /** The key's id, -1 when the record holds nothing. */
  ID: 2,
  /** The key's hash (see {@link hashKey}). */
  HASH: 3,
  /** Free for one user: the hot-key tracker remembers the key's counter there. */
  HINT: 4,
  STRIDE: 5,
} as const;

/** Most L1 slots with a record (five array elements each). */
const MAX_SLOTS = 1 << 20;

/**
 * Gives recently seen keys a small integer id, per namespace, with the key's hash beside it, in
 * one Map lookup per read. Both sketches key off it: the hot-key counters by id (so taking a
 * counter over moves integers, never Map entries) and the miss-ratio curve and expiry sample by
 * hash (so a read never rehashes a key it has seen: V8 caches a string's own hash, which makes a
 * Map lookup several times cheaper than walking the key's characters).
 *
 * An L1 hit names the L1 slot that answered it, and each slot has a record in {@link records}:
 * key, namespace, id, hash and a hint, side by side, so an L1 hit reads one record (one or two
 * cache lines, where separate arrays would cost a miss each on a large L1) and compares two
 * strings (pointer comparisons when the caller reuses its strings) instead of the Map lookup,
 * which is the largest single cost of recording a read. Slots are reused once an entry leaves
 * L1, which the comparison catches.
 *
 * Bounded: when `capacity` ids are handed out, every id is forgotten at once (cheaper than
 * evicting one by one; the keys being read come straight back) and `onReset` listeners re-enter
 * the keys they hold, so their ids stay valid.
 */
export class KeyTable {
  /** Hash of each id's key. */
  readonly hashes: Int32Array;
  /**
   * Records of {@link KeyRecord.STRIDE} elements: the first for reads without an L1 slot
   * (rewritten by each), then one per L1 slot.
   */
  records: (string | number)[] = ["", "", -1, 0, -1];
  private byNamespace = new Map<string, NamespaceKeys>();
  private size = 0;
  private lastNamespace = "";
  private last: NamespaceKeys | undefined;
  private readonly resetListeners: (() => void)[] = [];

  constructor(readonly capacity = 16_384) {
    this.hashes = new Int32Array(capacity);
  }

  /**
   * The offset in {@link records} of the record describing `key`, read from L1 `slot` (-1 or
   * undefined: not from L1). The record's hint survives while the slot holds the same key.
   */
  recordAt(slot: number | undefined, namespace: string, key: string): number {
    let at = 0;
    if (slot !== undefined && slot >= 0 && slot < MAX_SLOTS) {
      at = (slot + 1) * KeyRecord.STRIDE;
      const records = this.records;
      if (at >= records.length) this.growRecords(at);
      else if (
        records[at + KeyRecord.ID] !== -1 &&
        records[at + KeyRecord.KEY] === key &&
        records[at + KeyRecord.NAMESPACE] === namespace
      ) {
        return at;
      }
    }
    // The lookup may reset the table, which voids every record: fill this one after it.
    const id = this.id(namespace, key);
    const records = this.records;
    records[at + KeyRecord.KEY] = key;
    records[at + KeyRecord.NAMESPACE] = namespace;
    records[at + KeyRecord.ID] = id;
    records[at + KeyRecord.HASH] = this.hashes[id];
    records[at + KeyRecord.HINT] = -1;
    return at;
  }

  /** The id of `key` in `namespace`, handing out a new one when the key is not known. */
  id(namespace: string, key: string): number {
    // Consecutive reads nearly always share a namespace: skip its lookup then.
    const keys =
      namespace === this.lastNamespace && this.last !== undefined
        ? this.last
        : this.namespaceKeys(namespace);
    const id = keys.ids.get(key);
    return id !== undefined ? id : this.add(namespace, key, keys);
  }

  /** Calls `listener` after every reset, when the ids handed out before are void. */
  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  private add(namespace: string, key: string, keys: NamespaceKeys): number {
    if (this.size >= this.capacity) {
      this.reset();
      keys = this.namespaceKeys(namespace);
    }
    const id = this.size++;
    this.hashes[id] = hashKey(keys.seed, key);
    keys.ids.set(key, id);
    return id;
  }

  private namespaceKeys(namespace: string): NamespaceKeys {
    let keys = this.byNamespace.get(namespace);
    if (keys === undefined) {
      keys = { ids: new Map(), seed: namespaceSeed(namespace) };
      this.byNamespace.set(namespace, keys);
    }
    this.lastNamespace = namespace;
    this.last = keys;
    return keys;
  }

  /** Makes room for the record at offset `at`, doubling so growing stays rare. */
  private growRecords(at: number): void {
    let length = Math.max(1024 * KeyRecord.STRIDE, this.records.length);
    while (length <= at) length *= 2;
    length = Math.min(length, (MAX_SLOTS + 1) * KeyRecord.STRIDE);
    const old = this.records;
    this.records = Array.from({ length }, (_, i) =>
      i < old.length ? old[i] : i % KeyRecord.STRIDE <= KeyRecord.NAMESPACE ? "" : -1,
    );
  }

  private reset(): void {
    this.byNamespace = new Map();
    this.size = 0;
    this.last = undefined;
    for (let at = KeyRecord.ID; at < this.records.length; at += KeyRecord.STRIDE)
      this.records[at] = -1;
    for (const listener of this.resetListeners) listener();
  }
}
