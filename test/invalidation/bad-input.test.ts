/**
 * Bad options and arguments throw the typed errors of src/core/errors.ts, naming the option or
 * argument, and nothing stored is lost.
 */
import { describe, expect, it } from "vitest";
import {
  CacheClosedError,
  CacheConfigError,
  CacheKeyError,
  ErrorCode,
} from "../../src/core/errors.js";
import { CacheInvalidator, type CacheInvalidatorOptions } from "../../src/invalidation/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { l1Setup } from "./support.js";

function configError(fn: () => unknown, path: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a CacheConfigError at ${path}`).toBeInstanceOf(CacheConfigError);
  expect((thrown as CacheConfigError).code).toBe(ErrorCode.CONFIG);
  expect((thrown as CacheConfigError).path).toBe(path);
}

async function rejectsWith(
  work: () => Promise<unknown>,
  type: new (...args: never[]) => Error,
  path: string,
): Promise<void> {
  let thrown: unknown;
  try {
    await work();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${type.name} naming ${path}`).toBeInstanceOf(type);
  expect(String((thrown as Error).message)).toContain(path);
}

describe("CacheInvalidator: bad options", () => {
  const cache = new MultiLevelCache();
  const make = (options: Partial<CacheInvalidatorOptions>) => () =>
    new CacheInvalidator({ cache, ...options } as CacheInvalidatorOptions);

  it("names the option in a CacheConfigError", () => {
    configError(() => new CacheInvalidator(undefined as never), "options");
    configError(make({ cache: {} as never }), "cache");
    configError(make({ strategy: "sometimes" as never }), "strategy");
    configError(make({ debounce: "fast" }), "debounce");
    configError(make({ debounce: -1 }), "debounce");
    configError(make({ debounce: 0 }), "debounce");
    configError(make({ sweepInterval: "0ms" }), "sweepInterval");
    configError(make({ cascadeConcurrency: 0 }), "cascadeConcurrency");
    configError(make({ enableTagging: "yes" as never }), "enableTagging");
    configError(make({ persistDependencies: true }), "persistDependencies");
    configError(make({ semantic: {} as never }), "semantic");
    configError(make({ bus: 42 as never }), "bus");
    configError(make({ refreshAhead: "on" as never }), "refreshAhead");
    configError(make({ refreshAhead: { minAccesses: 1.5 } }), "refreshAhead.minAccesses");
    configError(make({ refreshAhead: { window: "soon" } }), "refreshAhead.window");
    configError(make({ strategy: "manual", refreshAhead: true }), "refreshAhead");
  });
});

describe("CacheInvalidator: bad arguments", () => {
  it("keys, namespaces, tags and targets are checked and nothing stored is lost", async () => {
    const { cache, invalidator } = l1Setup();
    await cache.set("keep", "value", { tags: ["t"] });
    await invalidator.addDependency("keep", "default", "resource");
    const long = "k".repeat(5000);

    await rejectsWith(() => invalidator.invalidateKey(42 as never), CacheKeyError, "key");
    await rejectsWith(() => invalidator.invalidateKey(long), CacheKeyError, "limit");
    await rejectsWith(() => invalidator.invalidateKey("k", 7 as never), CacheKeyError, "namespace");
    await rejectsWith(
      () => invalidator.invalidateNamespace("__victor_deps"),
      CacheConfigError,
      "namespace",
    );
    await rejectsWith(() => invalidator.invalidateTag(undefined as never), CacheKeyError, "tag");
    await rejectsWith(
      () => invalidator.tag("keep", "default", "t2" as never),
      CacheConfigError,
      "tags",
    );
    await rejectsWith(
      () => invalidator.tag("keep", "default", [3] as never),
      CacheKeyError,
      "tags[0]",
    );
    await rejectsWith(
      () => invalidator.invalidateWhere("all" as never),
      CacheConfigError,
      "invalidateWhere.predicate",
    );
    await rejectsWith(
      () => invalidator.addDependency("keep", "default", "" as never),
      CacheConfigError,
      "dependsOn",
    );
    await rejectsWith(
      () => invalidator.addDependency("keep", "default", {} as never),
      CacheConfigError,
      "dependsOn",
    );
    await rejectsWith(
      () => invalidator.addDependency("keep", "default", { file: "" }),
      CacheConfigError,
      "dependsOn.file",
    );
    await rejectsWith(
      () => invalidator.addDependency("keep", "default", { key: 1 } as never),
      CacheKeyError,
      "dependsOn.key",
    );
    await rejectsWith(
      () => invalidator.invalidateDependents(null as never),
      CacheConfigError,
      "target",
    );
    await rejectsWith(() => invalidator.watchFiles([]), CacheConfigError, "watchFiles.paths");
    await rejectsWith(
      () => invalidator.watchFiles(["."], { debounce: "never" }),
      CacheConfigError,
      "watchFiles.debounce",
    );
    await rejectsWith(
      () => invalidator.set("x", 1, { dependsOn: "r" as never }),
      CacheConfigError,
      "set.dependsOn",
    );
    expect(() => invalidator.on("", { tags: ["t"] })).toThrow(CacheConfigError);
    expect(() => invalidator.on("e", { tags: "t" } as never)).toThrow(/on\("e"\)\.rule\.tags/);
    expect(() => invalidator.on("e", { bogus: 1 } as never)).toThrow(/rule\.bogus: unknown field/);
    invalidator.on("bad.function", () => ({ keys: [{ key: 5 }] }) as never);
    await rejectsWith(() => invalidator.emit("bad.function"), CacheKeyError, "keys[0].key");

    expect(await cache.get("keep")).toBe("value");
    expect(await invalidator.dependentsOf("resource")).toEqual([
      { key: "keep", namespace: "default" },
    ]);
    expect(await cache.get("x")).toBeUndefined();
  });

  it("features that are off, or not part of the strategy, say which option to change", async () => {
    const manual = l1Setup({ strategy: "manual" }).invalidator;
    configError(() => manual.on("e", { tags: ["t"] }), "strategy");
    await rejectsWith(() => manual.emit("e"), CacheConfigError, "strategy");
    await rejectsWith(() => manual.watchFiles("."), CacheConfigError, "strategy");
    const untagged = l1Setup({ enableTagging: false }).invalidator;
    configError(() => untagged.tag("k", "default", ["t"]), "enableTagging");
    const flat = l1Setup({ enableDependencies: false }).invalidator;
    configError(() => flat.addDependency("k", "default", "r"), "enableDependencies");
    await rejectsWith(() => flat.invalidateDependents("r"), CacheConfigError, "enableDependencies");
  });

  it("a closed invalidator refuses work with CacheClosedError", async () => {
    const { invalidator } = l1Setup();
    await invalidator.close();
    await invalidator.close();
    await rejectsWith(() => invalidator.invalidateTag("t"), CacheClosedError, "closed");
    expect(() => invalidator.addDependency("k", "default", "r")).toThrow(CacheClosedError);
  });
});
