/**
 * Checks on the LMDB folder before lmdb-js opens it. lmdb-js trusts its data file: a truncated,
 * zeroed or overwritten `data.mdb` crashes the whole process (SIGSEGV) at `open`, so LmdbStore
 * reads the two meta pages itself first and turns what it finds into a typed error.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

const MDB_MAGIC = 0xbeefc0de;
const P_META = 0x08;
/** Page header (16 bytes) plus the meta fields up to and including mm_txnid. */
const META_BYTES = 16 + 8 + 8 + 8 + 48 * 2 + 8 + 8;

/** `~` and `~/...` name the home folder; the result is absolute. */
export function resolveStorePath(path: string): string {
  const expanded =
    path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return resolve(expanded);
}

/**
 * Describes what is wrong with `<dir>/data.mdb`, or undefined when it is absent, empty (LMDB
 * initialises it) or has two sound meta pages. Damage inside data pages is not visible here.
 */
export function inspectDataFile(dir: string): string | undefined {
  const file = join(dir, "data.mdb");
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const first = readAt(fd, 0, META_BYTES);
    const problem = checkMeta(first, 0);
    if (problem) return problem;
    const pageSize = first.readUInt32LE(0x30);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      return `data.mdb declares an impossible page size (${pageSize})`;
    }
    if (size < 2 * pageSize) return `data.mdb is truncated (${size} bytes, pages of ${pageSize})`;
    return checkMeta(readAt(fd, pageSize, META_BYTES), 1);
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

function checkMeta(page: Buffer, index: number): string | undefined {
  if (page.length < META_BYTES) return `data.mdb is truncated (meta page ${index} is incomplete)`;
  if ((page.readUInt16LE(0x12) & P_META) === 0)
    return `data.mdb page ${index} is not an LMDB meta page`;
  if (page.readUInt32LE(0x18) !== MDB_MAGIC)
    return `data.mdb is not an LMDB file (bad magic in meta page ${index})`;
  const version = page.readUInt32LE(0x1c) & 0xffff;
  if (version !== 1 && version !== 2) return `data.mdb has LMDB data format ${version}, not 1 or 2`;
  return undefined;
}

/**
 * Renames the folder to `<dir>.incompatible-<UTC timestamp>` (never deletes it) and returns the
 * new name.
 */
export function moveAside(dir: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  let target = `${dir}.incompatible-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${dir}.incompatible-${stamp}-${n}`;
  renameSync(dir, target);
  return target;
}
