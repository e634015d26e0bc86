import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, validateCacheSection } from "../../src/index.js";

const HOSTILE: string[] = [
  "cache:\n  __proto__:\n    polluted: true\n",
  'cache: {"__proto__": {"polluted": true}}\n',
  "cache:\n  multi_level:\n    l1:\n      __proto__: {polluted: true}\n",
  "cache:\n  constructor:\n    prototype:\n      polluted: true\n",
  "cache:\n  semantic:\n    embedder:\n      provider: openai\n      headers:\n        __proto__: {polluted: true}\n",
  "cache:\n  semantic:\n    embedder:\n      provider: openai\n      query: {constructor: {prototype: {polluted: true}}}\n",
  "x: &p {polluted: true}\ncache:\n  multi_level:\n    <<: *p\n",
  "x: &p {polluted: true}\ncache:\n  __proto__: *p\n",
  // Sections of other tools are never copied into objects, hostile or not.
  "profiles:\n  __proto__: {polluted: true}\n  <<: {polluted: true}\ncache: {}\n",
  "cache:\n  invalidation:\n    watch_files: [{__proto__: {polluted: true}}]\n",
];

function clean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
}

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).polluted;
});

describe("no prototype pollution", () => {
  it.each(HOSTILE.map((yaml, i) => [i, yaml] as const))(
    "hostile YAML #%i leaves Object.prototype alone",
    (_i, yaml) => {
      try {
        parseConfig(yaml, { env: {} });
      } catch (error) {
        expect((error as { code?: string }).code).toBe("ERR_CACHE_CONFIG");
      }
      clean();
    },
  );

  it("rejects every hostile key in the cache section", () => {
    const rejected = HOSTILE.filter((yaml) => {
      try {
        parseConfig(yaml, { env: {} });
        return false;
      } catch {
        return true;
      }
    });
    // All but the one whose hostile keys sit in another tool's section.
    expect(rejected.length).toBe(HOSTILE.length - 1);
  });

  it("JSON-parsed objects with own __proto__ keys are rejected too", () => {
    const hostile = JSON.parse('{"warming": {"__proto__": {"polluted": true}, "enabled": true}}');
    expect(() => validateCacheSection(hostile)).toThrow(/cache\.warming\.__proto__: forbidden key/);
    clean();
  });

  it("environment values cannot inject structure", () => {
    const config = parseConfig("cache:\n  semantic:\n    namespace: ${NS}\n", {
      env: { NS: "{__proto__: {polluted: true}}" },
    });
    expect(config.semantic?.namespace).toBe("{__proto__: {polluted: true}}");
    clean();
  });
});
