import { hashKey, namespaceSeed } from "./key-hash.js";

/** The keys of one namespace: their ids, and the seed their hashes start from. */
interface NamespaceKeys {
  readonly ids: Map<string, number>;
  readonly seed: number;
}

/**
 * Gives recently seen keys a small integer id, per namespace, with the key's hash beside it, in
 * one Map lookup per read. Both sketches key off it: the hot-key counters by id (so taking a
 * counter over moves integers, never Map entries) and the miss-ratio curve and expiry sample by
 * hash (so a read never rehashes a key it has seen: V8 caches a string's own hash, which makes a
 * Map lookup several times cheaper than walking the key's characters).
 *
 * Bounded: when `capacity` ids are handed out, every id is forgotten at once (cheaper than
 * evicting one by one; the keys being read come straight back) and `onReset` listeners re-enter
 * the keys they hold, so their ids stay valid.
 */
export class KeyTable {
  /** Hash of each id's key. */
  readonly hashes: Int32Array;
  private byNamespace = new Map<string, NamespaceKeys>();
  private size = 0;
  private lastNamespace = "";
  private last: NamespaceKeys | undefined;
  private readonly resetListeners: (() => void)[] = [];

  constructor(readonly capacity = 16_384) {
    this.hashes = new Int32Array(capacity);
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

  private reset(): void {
    this.byNamespace = new Map();
    this.size = 0;
    this.last = undefined;
    for (const listener of this.resetListeners) listener();
  }
}
