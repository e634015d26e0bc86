import { MAX_KEY_LENGTH } from "../../core/keys.js";

/**
 * Values every store must give back equal (`toEqual`) to what was set. Stores that encode must
 * keep their types: a Map stays a Map, a Date a Date, a BigInt a BigInt.
 */
export function sampleValues(): [label: string, value: unknown][] {
  return [
    ["a string", "hello"],
    ["an empty string", ""],
    ["a unicode string with NUL", "naïve ☕ 🔑 \u0000 end"],
    ["a long string", "x".repeat(100_000)],
    ["zero", 0],
    ["a negative float", -1234.5678],
    ["a large safe integer", Number.MAX_SAFE_INTEGER],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["true", true],
    ["false", false],
    ["null", null],
    [
      "a nested object",
      { id: 7, name: "tool", args: { path: "/a.ts", flags: ["-v", "--json"] }, meta: { n: null } },
    ],
    ["an array of mixed values", [1, "two", { three: 3 }, [4], null, true]],
    ["an empty object", {}],
    ["an empty array", []],
    ["a Uint8Array", new Uint8Array([0, 1, 2, 254, 255])],
    ["a Date", new Date(1_700_000_000_123)],
    ["a BigInt", 12_345_678_901_234_567_890n],
    ["a negative BigInt", -42n],
    [
      "a Map with non-string keys",
      new Map<unknown, unknown>([
        ["a", 1],
        [2, { b: [3] }],
      ]),
    ],
    ["a Set", new Set(["x", 1])],
    ["an object holding a Map and a Date", { when: new Date(0), index: new Map([["k", [1, 2]]]) }],
    [
      "an LLM response",
      {
        model: "gpt-4o",
        choices: [{ message: { role: "assistant", content: "Hi ".repeat(500) } }],
        usage: { prompt_tokens: 12, completion_tokens: 500 },
      },
    ],
  ];
}

/** Keys (and namespaces) that break naive joining, escaping or prefix scans. */
export function awkwardKeys(): [label: string, key: string][] {
  return [
    ["an empty key", ""],
    ["a key with colons", "a:b:c"],
    ["a key with NUL", "before\u0000after"],
    ["a unicode key", "ключ-🔑-キー"],
    ["a key with spaces and newlines", " spaced \n key\t"],
    ["a key that looks like a pattern", "*?[abc]{}%_\\"],
    ["the longest key", "k".repeat(MAX_KEY_LENGTH)],
    ["the longest unicode key", "🔑".repeat(MAX_KEY_LENGTH / 2)],
  ];
}
