import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createJsonCodec } from "../../src/core/codec.js";
import { CacheSerializationError, CacheStoreError, ErrorCode } from "../../src/core/errors.js";
import { LmdbStore, type LmdbStoreOptions } from "../../src/stores/lmdb.js";
import { TsxChild } from "../helpers/processes.js";
import { entryKey, rawOpen, removeTempDirs, tempDir } from "./lmdb-support.js";

afterAll(removeTempDirs);

const forever = (value: unknown) => ({ value, expiresAt: 0 });
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A folder holding a store with two entries, closed. */
async function filledStore(options: Partial<LmdbStoreOptions> = {}): Promise<string> {
  const path = tempDir();
  const s = new LmdbStore({ path, ...options });
  await s.set("a", "ns", forever({ answer: 42 }));
  await s.set("b", "ns", forever("bee"));
  await s.close();
  return path;
}

async function rewrite(
  path: string,
  name: "meta" | "entries",
  key: Buffer,
  bytes: Buffer,
): Promise<void> {
  const raw = rawOpen(path);
  try {
    await raw.db(name).put(key, bytes);
  } finally {
    await raw.root.close();
  }
}

function openError(options: LmdbStoreOptions): CacheStoreError {
  try {
    const s = new LmdbStore(options);
    void s.close();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheStoreError);
    return error as CacheStoreError;
  }
  throw new Error(`opening ${options.path} did not fail`);
}

/** The entries of a folder read with plain lmdb-js: proof the user's data is still there. */
async function rawEntryCount(path: string): Promise<number> {
  const raw = rawOpen(path);
  try {
    return raw.db("entries").getCount();
  } finally {
    await raw.root.close();
  }
}

function siblingsOf(path: string): string[] {
  const prefix = path.split("/").pop()! + ".incompatible-";
  return readdirSync(dirname(path))
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(dirname(path), name));
}

describe("LmdbStore format header", () => {
  it("refuses a folder of another format version, naming the path, and changes nothing", async () => {
    const path = await filledStore();
    await rewrite(
      path,
      "meta",
      Buffer.from("format"),
      Buffer.from(JSON.stringify({ format: "victor-cache/lmdb", version: 99, codec: "msgpack" })),
    );
    const error = openError({ path });
    expect(error.code).toBe(ErrorCode.STORE_VERSION);
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain("version 99");
    expect(await rawEntryCount(path)).toBe(2);
    expect(siblingsOf(path)).toEqual([]);
  });

  it("refuses a folder written with another codec", async () => {
    const path = await filledStore();
    const error = openError({ path, codec: createJsonCodec() });
    expect(error.code).toBe(ErrorCode.STORE_VERSION);
    expect(error.message).toContain("msgpack");
    const s = new LmdbStore({ path });
    expect((await s.get("a", "ns"))?.value).toEqual({ answer: 42 });
    await s.close();
  });

  it("refuses an unreadable header as corrupt", async () => {
    const path = await filledStore();
    await rewrite(path, "meta", Buffer.from("format"), Buffer.from("{not json"));
    expect(openError({ path }).code).toBe(ErrorCode.STORE_CORRUPT);
    expect(await rawEntryCount(path)).toBe(2);
  });

  it("refuses an LMDB folder that another program wrote", async () => {
    const path = tempDir();
    mkdirSync(path, { recursive: true });
    const raw = rawOpen(path);
    await raw.root.openDB({ name: "their-data" }).put("k", "precious");
    await raw.root.close();
    const error = openError({ path });
    expect(error.code).toBe(ErrorCode.STORE_VERSION);
    expect(error.message).toContain("their-data");
  });

  it('with onIncompatible: "reset" moves the old folder aside intact and starts empty', async () => {
    const path = await filledStore();
    await rewrite(
      path,
      "meta",
      Buffer.from("format"),
      Buffer.from(JSON.stringify({ format: "victor-cache/lmdb", version: 2, codec: "msgpack" })),
    );
    const s = new LmdbStore({ path, onIncompatible: "reset" });
    try {
      expect(s.movedAside).toMatch(/\.incompatible-\d{8}T\d{6}Z$/);
      expect(siblingsOf(path)).toEqual([s.movedAside]);
      expect(await s.get("a", "ns")).toBeUndefined();
      await s.set("c", "ns", forever("fresh"));
      expect((await s.get("c", "ns"))?.value).toBe("fresh");
    } finally {
      await s.close();
    }
    expect(await rawEntryCount(s.movedAside!)).toBe(2);
  });
});

describe("LmdbStore damaged files", () => {
  // lmdb-js itself crashes the process (SIGSEGV) on these; LmdbStore must check first.
  const damages: [string, (file: string) => void][] = [
    [
      "overwritten with junk",
      (file) => writeFileSync(file, Buffer.alloc(readFileSync(file).length, 7)),
    ],
    ["zeroed", (file) => writeFileSync(file, Buffer.alloc(readFileSync(file).length))],
    ["truncated", (file) => writeFileSync(file, readFileSync(file).subarray(0, 100))],
    ["replaced by text", (file) => writeFileSync(file, "hello, this is not a database\n")],
    [
      "cut after the first page",
      (file) => writeFileSync(file, readFileSync(file).subarray(0, 4096)),
    ],
  ];
  for (const [label, damage] of damages) {
    it(`a data file ${label} gives ERR_CACHE_STORE_CORRUPT naming the path, file untouched`, async () => {
      const path = await filledStore();
      const file = join(path, "data.mdb");
      damage(file);
      const before = sha(file);
      const error = openError({ path });
      expect(error.code).toBe(ErrorCode.STORE_CORRUPT);
      expect(error.message).toContain(path);
      expect(sha(file)).toBe(before);
    });
  }

  it('a damaged data file is moved aside byte for byte under onIncompatible: "reset"', async () => {
    const path = await filledStore();
    const file = join(path, "data.mdb");
    writeFileSync(file, Buffer.alloc(20_000, 0xab));
    const before = sha(file);
    const s = new LmdbStore({ path, onIncompatible: "reset" });
    await s.set("k", "ns", forever(1));
    await s.close();
    expect(sha(join(s.movedAside!, "data.mdb"))).toBe(before);
  });

  it("a damaged value gives a CacheSerializationError naming the key; other entries are unaffected", async () => {
    const path = await filledStore();
    const raw = rawOpen(path);
    const entries = raw.db("entries");
    const record = Buffer.from(entries.get(entryKey("ns", "a"))!);
    record[record.length - 2] ^= 0xff; // flip a byte inside the value
    await entries.put(entryKey("ns", "a"), record);
    await entries.put(entryKey("ns", "junk"), Buffer.from("not a record"));
    await raw.root.close();

    const s = new LmdbStore({ path });
    try {
      for (const key of ["a", "junk"]) {
        const error = await s.get(key, "ns").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CacheSerializationError);
        expect((error as Error).message).toContain(`"${key}"`);
      }
      expect((await s.get("b", "ns"))?.value).toBe("bee");
      expect(s.getStats().decodeErrors).toBe(2);
      // Overwriting repairs it; deleting works too.
      await s.set("a", "ns", forever("repaired"));
      expect((await s.get("a", "ns"))?.value).toBe("repaired");
      expect(await s.delete("junk", "ns")).toBe(true);
      const listed: string[] = [];
      for await (const { key } of s.keys("ns")) listed.push(key);
      expect(listed.sort()).toEqual(["a", "b"]);
    } finally {
      await s.close();
    }
  });
});

describe("LmdbStore paths", () => {
  it("an unwritable path gives a CacheStoreError naming it", () => {
    const parent = tempDir();
    mkdirSync(dirname(parent), { recursive: true });
    writeFileSync(parent, "a regular file where a folder should be");
    const path = join(parent, "cache_l2");
    const error = openError({ path });
    expect(error.code).toBe(ErrorCode.STORE);
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
    expect(readFileSync(parent, "utf8")).toBe("a regular file where a folder should be");
  });

  it("treats a path with a dot as a folder", async () => {
    const path = tempDir() + ".cache.mdb";
    const s = new LmdbStore({ path });
    await s.set("k", "ns", forever(1));
    await s.close();
    expect(existsSync(join(path, "data.mdb"))).toBe(true);
  });
});

describe("LmdbStore shared by two processes", () => {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "lmdb-node.ts");

  it("each process sees the other's writes, and concurrent writers lose nothing", async () => {
    const path = tempDir();
    const here = new LmdbStore({ path, sweepInterval: 0 });
    const child = new TsxChild(fixture, [path]);
    try {
      await child.next((m) => m.kind === "ready", "ready");
      await here.set("from-parent", "ns", forever({ n: 1 }));
      expect((await child.request({ op: "get", key: "from-parent", ns: "ns" })).value).toEqual({
        n: 1,
      });

      await child.request({ op: "set", key: "from-child", ns: "ns", value: ["c"] });
      expect(await here.get("from-child", "ns")).toEqual({
        value: ["c"],
        expiresAt: 0,
        tags: ["child"],
      });
      expect(await here.deleteTag("child")).toBe(1);
      expect((await child.request({ op: "get", key: "from-child", ns: "ns" })).value).toBeNull();

      const n = 300;
      const fill = child.request({ op: "fill", prefix: "c", n, ns: "fill" });
      for (let i = 0; i < n; i++) await here.set(`p${i}`, "fill", forever(i));
      await fill;
      expect(here.getStats().size).toBe(2 * n + 1);
      const values = await here.getMany(
        Array.from({ length: n }, (_, i) => `c${i}`),
        "fill",
      );
      expect(values.map((e) => e?.value)).toEqual(Array.from({ length: n }, (_, i) => i));
      await child.request({ op: "close" });
    } finally {
      await child.stop();
      await here.close();
    }
  });
});
