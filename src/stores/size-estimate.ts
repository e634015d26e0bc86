/**
 * A rough byte size for a value, used by the memory tier's `maxBytes` when no
 * `sizeCalculation` is given. It follows V8's layout loosely (2 bytes per string character,
 * 8 per number, a fixed overhead per object and property) and stops descending after
 * `MAX_NODES` nodes, so a huge value costs a bounded walk; give a `sizeCalculation` when the
 * estimate matters.
 */
const OBJECT_OVERHEAD = 16;
const PROPERTY_OVERHEAD = 8;
const MAX_NODES = 10_000;

export function estimateSize(value: unknown): number {
  let nodes = 0;
  const seen = new Set<object>();
  const walk = (v: unknown): number => {
    switch (typeof v) {
      case "string":
        return 2 * v.length + 16;
      case "number":
      case "boolean":
      case "undefined":
        return 8;
      case "bigint":
        return 16 + Math.ceil(v.toString(16).length / 2);
      case "object":
        break;
      default:
        return 8;
    }
    if (v === null) return 8;
    if (ArrayBuffer.isView(v)) return v.byteLength + OBJECT_OVERHEAD;
    if (v instanceof ArrayBuffer) return v.byteLength + OBJECT_OVERHEAD;
    if (seen.has(v) || ++nodes > MAX_NODES) return PROPERTY_OVERHEAD;
    seen.add(v);
    let total = OBJECT_OVERHEAD;
    if (v instanceof Map) {
      for (const [k, item] of v) total += PROPERTY_OVERHEAD + walk(k) + walk(item);
    } else if (Array.isArray(v) || v instanceof Set) {
      for (const item of v as Iterable<unknown>) total += PROPERTY_OVERHEAD + walk(item);
    } else {
      for (const k in v)
        total += PROPERTY_OVERHEAD + 2 * k.length + walk((v as Record<string, unknown>)[k]);
    }
    return total;
  };
  return walk(value);
}
