import { addExtension, Packr } from "msgpackr";
import { CacheSerializationError } from "./errors.js";

/** Turns values into bytes for persistent tiers and back. */
export interface Codec {
  readonly name: string;
  /** Throws {@link CacheSerializationError} naming `key` when the value cannot be encoded. */
  encode(value: unknown, key: string): Uint8Array;
  /** Throws {@link CacheSerializationError} naming `key` when the bytes are not a valid value. */
  decode(bytes: Uint8Array, key: string): unknown;
}

/**
 * Rejects what msgpack would silently mangle: functions and symbols (dropped or turned into
 * `{}`), promises and weak collections (turned into `{}`), and cycles (a stack overflow deep
 * inside the encoder). Walks the value once; the cost
 * is proportional to its size, like the encoding itself. Returns true when the value holds a Map.
 */
export function assertEncodable(value: unknown, key: string): boolean {
  const walk: EncodableWalk = { key, stack: [], path: [], sawMap: false };
  walkEncodable(value, walk);
  return walk.sawMap;
}

/** A path step: a property, an index, a Map's key, or the value under a Map key. */
type PathStep = string | number | typeof MAP_KEY | { get: unknown };
const MAP_KEY = Symbol("map key");

interface EncodableWalk {
  key: string;
  stack: unknown[];
  // Steps rather than strings: the path is only spelled out for an error, never on success.
  path: PathStep[];
  sawMap: boolean;
}

function spell(path: readonly PathStep[]): string {
  let out = "value";
  for (const step of path) {
    if (typeof step === "string") out += `.${step}`;
    else if (typeof step === "number") out += `[${step}]`;
    else if (step === MAP_KEY) out += "<key>";
    else out += `.get(${String(step.get)})`;
  }
  return out;
}

function walkEncodable(v: unknown, walk: EncodableWalk): void {
  const type = typeof v;
  if (type === "function" || type === "symbol") {
    throw new CacheSerializationError(walk.key, `cannot encode a ${type} at ${spell(walk.path)}`);
  }
  if (v === null || type !== "object") return;
  if (ArrayBuffer.isView(v) || v instanceof Date || v instanceof RegExp) return;
  // Objects whose state is not in their properties: msgpack would store them as `{}`.
  if (
    v instanceof Promise ||
    v instanceof WeakMap ||
    v instanceof WeakSet ||
    v instanceof WeakRef
  ) {
    const name = (v as object).constructor.name;
    throw new CacheSerializationError(walk.key, `cannot encode a ${name} at ${spell(walk.path)}`);
  }
  if (walk.stack.includes(v)) {
    throw new CacheSerializationError(
      walk.key,
      `cannot encode a cyclic value at ${spell(walk.path)}`,
    );
  }
  walk.stack.push(v);
  const path = walk.path;
  if (v instanceof Map) {
    walk.sawMap = true;
    for (const [k, item] of v) {
      path.push(MAP_KEY);
      walkEncodable(k, walk);
      path[path.length - 1] = { get: k };
      walkEncodable(item, walk);
      path.pop();
    }
  } else if (v instanceof Set || Array.isArray(v)) {
    let i = 0;
    for (const item of v as Iterable<unknown>) {
      path.push(i++);
      walkEncodable(item, walk);
      path.pop();
    }
  } else {
    for (const k of Object.keys(v as object)) {
      path.push(k);
      walkEncodable((v as Record<string, unknown>)[k], walk);
      path.pop();
    }
  }
  walk.stack.pop();
}

/**
 * msgpack has one map type, which msgpackr decodes as a plain object, so a Map would come back as
 * an object with string keys. Maps are therefore written as this private class's extension
 * (type 0x4d, "M": its entries) and read back as Maps. The class is ours alone, so registering the
 * extension globally changes nothing for other msgpackr users.
 */
class EncodedMap {
  constructor(readonly entries: [unknown, unknown][]) {}
}
addExtension({
  Class: EncodedMap,
  type: 0x4d,
  write: (map: EncodedMap) => map.entries,
  read: (entries: [unknown, unknown][]) => new Map(entries),
});

/** A copy of `value` with every Map replaced by an EncodedMap (called only when one exists). */
function encodeMaps(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp) return value;
  if (value instanceof Map)
    return new EncodedMap([...value].map(([k, v]) => [encodeMaps(k), encodeMaps(v)]));
  if (value instanceof Set) return new Set([...value].map(encodeMaps));
  if (Array.isArray(value)) return value.map(encodeMaps);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = encodeMaps((value as Record<string, unknown>)[k]);
  return out;
}

/**
 * msgpack through msgpackr with record extension off, so bytes written by one process decode in
 * another without shared structure state; decoding never executes code.
 */
export function createMsgpackCodec(): Codec {
  const packr = new Packr({ useRecords: false, moreTypes: true });
  return {
    name: "msgpack",
    encode(value, key) {
      const hasMap = assertEncodable(value, key);
      try {
        return packr.pack(hasMap ? encodeMaps(value) : value);
      } catch (error) {
        throw new CacheSerializationError(key, `cannot encode value: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    decode(bytes, key) {
      try {
        return packr.unpack(bytes);
      } catch (error) {
        throw new CacheSerializationError(key, `stored bytes are not valid msgpack`, {
          cause: error,
        });
      }
    },
  };
}

/** JSON, for debugging with ordinary tools. Loses BigInt, Map, Set and typed arrays. */
export function createJsonCodec(): Codec {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    name: "json",
    encode(value, key) {
      assertEncodable(value, key);
      try {
        return encoder.encode(JSON.stringify(value));
      } catch (error) {
        throw new CacheSerializationError(key, `cannot encode value: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    decode(bytes, key) {
      try {
        return JSON.parse(decoder.decode(bytes));
      } catch (error) {
        throw new CacheSerializationError(key, `stored bytes are not valid JSON`, { cause: error });
      }
    },
  };
}
