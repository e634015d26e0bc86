import { Packr } from "msgpackr";
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
 * `{}`), and cycles (a stack overflow deep inside the encoder). Walks the value once; the cost
 * is proportional to its size, like the encoding itself.
 */
export function assertEncodable(value: unknown, key: string): void {
  const stack: unknown[] = [];
  const walk = (v: unknown, path: string): void => {
    const type = typeof v;
    if (type === "function" || type === "symbol") {
      throw new CacheSerializationError(key, `cannot encode a ${type} at ${path}`);
    }
    if (v === null || type !== "object") return;
    if (ArrayBuffer.isView(v) || v instanceof Date || v instanceof RegExp) return;
    if (stack.includes(v)) throw new CacheSerializationError(key, `cannot encode a cyclic value at ${path}`);
    stack.push(v);
    if (v instanceof Map) {
      for (const [k, item] of v) {
        walk(k, `${path}<key>`);
        walk(item, `${path}.get(${String(k)})`);
      }
    } else if (v instanceof Set || Array.isArray(v)) {
      let i = 0;
      for (const item of v as Iterable<unknown>) walk(item, `${path}[${i++}]`);
    } else {
      for (const k of Object.keys(v as object)) walk((v as Record<string, unknown>)[k], `${path}.${k}`);
    }
    stack.pop();
  };
  walk(value, "value");
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
      assertEncodable(value, key);
      try {
        return packr.pack(value);
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
        throw new CacheSerializationError(key, `stored bytes are not valid msgpack`, { cause: error });
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
