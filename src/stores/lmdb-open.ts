/**
 * Opening an LMDB folder for LmdbStore: create it, check the data file and the format header,
 * and either throw a typed error naming the path or, with `onIncompatible: "reset"`, move the
 * old folder aside and start empty. User data is never deleted.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { open, type RootDatabase } from "lmdb";
import { CacheStoreError, ErrorCode } from "../core/errors.js";
import { inspectDataFile, moveAside } from "./lmdb-file.js";
import { DB_NAMES, LmdbTables } from "./lmdb-tables.js";

/** Bump when the record, key or index layout changes; older or newer folders are refused. */
export const FORMAT_VERSION = 1;
export const FORMAT_NAME = "victor-cache/lmdb";
const FORMAT_KEY = Buffer.from("format");

interface FormatHeader {
  format: string;
  version: number;
  codec: string;
}

export interface OpenedTables {
  tables: LmdbTables;
  /** Where an incompatible folder was moved, when `reset` happened. */
  movedAside: string | undefined;
}

class Incompatible extends Error {
  constructor(
    readonly code: typeof ErrorCode.STORE_CORRUPT | typeof ErrorCode.STORE_VERSION,
    message: string,
  ) {
    super(message);
  }
}

export function openTables(
  dir: string,
  codecName: string,
  onIncompatible: "error" | "reset",
): OpenedTables {
  ensureWritableFolder(dir);
  try {
    return { tables: openChecked(dir, codecName), movedAside: undefined };
  } catch (error) {
    if (!(error instanceof Incompatible)) throw error;
    if (onIncompatible !== "reset") {
      throw new CacheStoreError(
        `LMDB store at "${dir}": ${error.message}. Nothing was changed; move the folder away, ` +
          `or open it with onIncompatible: "reset" to have it renamed aside and start empty`,
        { code: error.code, path: dir },
      );
    }
    let movedAside: string;
    try {
      movedAside = moveAside(dir);
    } catch (cause) {
      throw new CacheStoreError(
        `LMDB store at "${dir}": ${error.message}, and it cannot be moved aside`,
        {
          code: error.code,
          path: dir,
          cause,
        },
      );
    }
    ensureWritableFolder(dir);
    return { tables: openChecked(dir, codecName), movedAside };
  }
}

function ensureWritableFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (cause) {
    throw new CacheStoreError(
      `LMDB store at "${dir}" cannot be used: ${(cause as Error).message}`,
      { path: dir, cause },
    );
  }
}

function openChecked(dir: string, codecName: string): LmdbTables {
  const problem = inspectDataFile(dir);
  if (problem) throw new Incompatible(ErrorCode.STORE_CORRUPT, problem);
  let root: RootDatabase;
  try {
    root = open({ path: dir, noSubdir: false, maxDbs: 12 });
  } catch (cause) {
    const message = (cause as Error).message;
    if (/MDB_INVALID|MDB_CORRUPTED|MDB_VERSION_MISMATCH|MDB_PAGE_NOTFOUND/.test(message)) {
      throw new Incompatible(ErrorCode.STORE_CORRUPT, `LMDB cannot read it (${message})`);
    }
    throw new CacheStoreError(`LMDB store at "${dir}" cannot be opened: ${message}`, {
      path: dir,
      cause,
    });
  }
  try {
    checkContents(root);
    const tables = new LmdbTables(root);
    checkHeader(tables, codecName);
    return tables;
  } catch (error) {
    // Closing returns a promise; the folder may be renamed right after, which LMDB tolerates.
    void root.close();
    throw error;
  }
}

/** A folder with databases that are not ours belongs to someone else: refuse to write into it. */
function checkContents(root: RootDatabase): void {
  const ours = new Set<string>(Object.values(DB_NAMES));
  for (const name of root.getKeys()) {
    if (typeof name !== "string" || !ours.has(name)) {
      throw new Incompatible(
        ErrorCode.STORE_VERSION,
        `it holds LMDB data that victor-cache did not write (database ${JSON.stringify(String(name))})`,
      );
    }
  }
}

function checkHeader(tables: LmdbTables, codecName: string): void {
  const raw = tables.meta.get(FORMAT_KEY);
  if (raw === undefined) {
    if (tables.entries.getKeysCount({ limit: 1 }) > 0) {
      throw new Incompatible(ErrorCode.STORE_VERSION, "it has entries but no format header");
    }
    const header: FormatHeader = { format: FORMAT_NAME, version: FORMAT_VERSION, codec: codecName };
    tables.meta.putSync(FORMAT_KEY, Buffer.from(JSON.stringify(header)));
    return;
  }
  let header: Partial<FormatHeader>;
  try {
    header = JSON.parse(raw.toString("utf8")) as Partial<FormatHeader>;
  } catch {
    throw new Incompatible(ErrorCode.STORE_CORRUPT, "its format header is not readable");
  }
  if (header.format !== FORMAT_NAME || typeof header.version !== "number") {
    throw new Incompatible(
      ErrorCode.STORE_CORRUPT,
      "its format header is not a victor-cache header",
    );
  }
  if (header.version !== FORMAT_VERSION) {
    throw new Incompatible(
      ErrorCode.STORE_VERSION,
      `it has format version ${header.version}; this victor-cache reads version ${FORMAT_VERSION}`,
    );
  }
  if (header.codec !== codecName) {
    throw new Incompatible(
      ErrorCode.STORE_VERSION,
      `its values were written with the ${String(header.codec)} codec, not ${codecName}`,
    );
  }
}
