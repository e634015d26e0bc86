import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";

/**
 * Reads a `.u32.gz` trace: gzip of little-endian uint32 keys, one per request, renumbered densely
 * from 0 (the format of `../shared/data/traces/`).
 */
export async function loadTrace(path: string): Promise<Uint32Array> {
  const bytes = gunzipSync(await readFile(path));
  if (bytes.byteLength % 4 !== 0) {
    throw new Error(`${path}: trace length ${bytes.byteLength} is not a multiple of 4 bytes`);
  }
  const keys = new Uint32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < keys.length; i++) keys[i] = view.getUint32(i * 4, true);
  return keys;
}

/** Number of distinct keys in a densely renumbered trace (its largest key + 1). */
export function uniqueKeys(trace: Uint32Array): number {
  let max = -1;
  for (let i = 0; i < trace.length; i++) if (trace[i] > max) max = trace[i];
  return max + 1;
}
