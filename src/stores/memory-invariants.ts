/**
 * The invariants of MemoryStore's bookkeeping, checked from a read-only view of its internals.
 * Tests run it after every test (test/helpers/structural-validator.ts); the store never does.
 */

/** What the check reads; the store passes its own structures, nothing is copied or changed. */
export interface MemoryStoreInternals {
  index: ReadonlyMap<string, ReadonlyMap<string, number>>;
  policySize: number;
  keyOf: readonly (string | undefined)[];
  namespaceOf: readonly string[];
  sizes: Float64Array | undefined;
  tagsOf: readonly (readonly string[] | undefined)[];
  tagIndex: ReadonlyMap<string, ReadonlySet<number>> | undefined;
  freeCount: number;
  count: number;
  byteTotal: number;
  maxSize: number;
  maxBytes: number;
}

/**
 * Every inconsistency found (empty when sound): each occupied slot is indexed under its key and
 * each index entry points at its slot; the entry count, the index's size and the policy's size
 * agree; free plus used slots cover every slot; the caps hold; the byte total equals the sum of
 * entry sizes; the tag index holds exactly the occupied slots that carry each tag.
 */
export function checkMemoryInvariants(s: MemoryStoreInternals): string[] {
  const problems: string[] = [];
  const slots = s.keyOf.length;
  let occupied = 0;
  let bytes = 0;
  for (let slot = 0; slot < slots; slot++) {
    const key = s.keyOf[slot];
    if (key === undefined) {
      if (s.sizes !== undefined && s.sizes[slot] !== 0)
        problems.push(`free slot ${slot} still accounts ${s.sizes[slot]} bytes`);
      if (s.tagsOf[slot] !== undefined) problems.push(`free slot ${slot} still has tags`);
      continue;
    }
    occupied++;
    const namespace = s.namespaceOf[slot];
    if (s.index.get(namespace)?.get(key) !== slot)
      problems.push(`slot ${slot} (${namespace}/${key}) is not indexed under its key`);
    if (s.sizes !== undefined) bytes += s.sizes[slot];
    for (const tag of s.tagsOf[slot] ?? []) {
      if (s.tagIndex?.get(tag)?.has(slot) !== true)
        problems.push(`tag "${tag}" of ${namespace}/${key} is missing from the tag index`);
    }
  }
  let indexed = 0;
  for (const [namespace, keys] of s.index) {
    if (keys.size === 0) problems.push(`namespace "${namespace}" is indexed with no keys`);
    for (const [key, slot] of keys) {
      indexed++;
      if (s.keyOf[slot] !== key || s.namespaceOf[slot] !== namespace)
        problems.push(
          `index entry ${namespace}/${key} points at slot ${slot}, holding another key`,
        );
    }
  }
  for (const [tag, tagged] of s.tagIndex ?? []) {
    if (tagged.size === 0) problems.push(`tag "${tag}" is indexed with no entries`);
    for (const slot of tagged) {
      if (s.keyOf[slot] === undefined) problems.push(`tag "${tag}" points at free slot ${slot}`);
      else if (s.tagsOf[slot]?.includes(tag) !== true)
        problems.push(`tag "${tag}" points at slot ${slot}, whose entry lacks the tag`);
    }
  }
  if (occupied !== s.count) problems.push(`${occupied} occupied slots, but count is ${s.count}`);
  if (indexed !== s.count) problems.push(`${indexed} indexed keys, but count is ${s.count}`);
  if (s.policySize !== s.count)
    problems.push(`policy tracks ${s.policySize} entries, the map holds ${s.count}`);
  if (s.freeCount + s.count !== slots)
    problems.push(`${s.freeCount} free + ${s.count} used slots != ${slots} slots`);
  if (s.count > s.maxSize) problems.push(`${s.count} entries exceed maxSize ${s.maxSize}`);
  // Sizes may be fractional (a user's sizeCalculation): compare with a rounding tolerance.
  if (Math.abs(bytes - s.byteTotal) > 1e-9 * Math.max(1, bytes))
    problems.push(`byte total ${s.byteTotal} != sum of entry sizes ${bytes}`);
  if (s.maxBytes > 0 && s.byteTotal > s.maxBytes)
    problems.push(`byte total ${s.byteTotal} exceeds maxBytes ${s.maxBytes}`);
  return problems;
}
