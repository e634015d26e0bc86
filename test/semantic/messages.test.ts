import { describe, expect, it } from "vitest";
import { CacheRequestError, ErrorCode } from "../../src/core/errors.js";
import {
  canonicaliseRequest,
  canonicaliseText,
  exactKey,
  type ChatMessage,
} from "../../src/semantic/messages.js";

const scope = { tenant: "t", model: "m", namespace: "n" };

function requestError(fn: () => unknown): CacheRequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheRequestError);
    expect((error as CacheRequestError).code).toBe(ErrorCode.REQUEST);
    return error as CacheRequestError;
  }
  throw new Error("expected a CacheRequestError");
}

describe("canonicaliseText", () => {
  it("trims, collapses inner whitespace, folds Unicode compatibility forms and line endings", () => {
    expect(canonicaliseText("  What   is\tthis?  ")).toBe("What is this?");
    expect(canonicaliseText("ｗｈａｔ\u00a0is")).toBe("what is");
    expect(canonicaliseText("a\r\nb\rc")).toBe("a\nb\nc");
    expect(canonicaliseText("a\n\n\n\nb")).toBe("a\n\nb");
    // NFC and NFD spellings of é meet.
    expect(canonicaliseText("caf\u00e9")).toBe(canonicaliseText("cafe\u0301"));
  });

  it("keeps leading indentation and case, which carry meaning in code", () => {
    expect(canonicaliseText("def f():\n    return 1")).toBe("def f():\n    return 1");
    expect(canonicaliseText("def f():\n  return 1")).not.toBe(
      canonicaliseText("def f():\n    return 1"),
    );
    expect(canonicaliseText("US")).not.toBe(canonicaliseText("us"));
  });
});

describe("canonicaliseRequest", () => {
  it("looks up the last user message and hashes everything else as context", () => {
    const a = canonicaliseRequest([
      { role: "system", content: "Be brief." },
      { role: "user", content: "What is the capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "  And its population? " },
    ]);
    expect(a.lookupText).toBe("And its population?");
    const b = canonicaliseRequest([
      { role: "system", content: "Be brief." },
      { role: "user", content: "What is the capital of Italy?" },
      { role: "assistant", content: "Rome." },
      { role: "user", content: "And its population?" },
    ]);
    expect(b.lookupText).toBe(a.lookupText);
    expect(b.contextHash).not.toBe(a.contextHash);
  });

  it("gives whitespace variants the same context hash, and a different system prompt another", () => {
    const base: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ];
    const spaced: ChatMessage[] = [
      { role: "system", content: " Be   brief. " },
      { role: "user", content: "Hi " },
    ];
    const other: ChatMessage[] = [
      { role: "system", content: "Be verbose." },
      { role: "user", content: "Hi" },
    ];
    expect(canonicaliseRequest(spaced).contextHash).toBe(canonicaliseRequest(base).contextHash);
    expect(canonicaliseRequest(other).contextHash).not.toBe(canonicaliseRequest(base).contextHash);
  });

  it("treats developer as system and joins text parts", () => {
    const dev = canonicaliseRequest([
      { role: "developer", content: "Rules" },
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
    ]);
    const sys = canonicaliseRequest([
      { role: "system", content: "Rules" },
      { role: "user", content: "a\nb" },
    ]);
    expect(dev).toEqual(sys);
  });

  it("puts request parameters into the context, independent of key order", () => {
    const m: ChatMessage[] = [{ role: "user", content: "Hi" }];
    const p1 = canonicaliseRequest(m, { max_tokens: 10, top_p: 0.5 });
    const p2 = canonicaliseRequest(m, { top_p: 0.5, max_tokens: 10 });
    const p3 = canonicaliseRequest(m, { top_p: 0.5, max_tokens: 20 });
    expect(p1.contextHash).toBe(p2.contextHash);
    expect(p3.contextHash).not.toBe(p1.contextHash);
    expect(canonicaliseRequest(m).contextHash).not.toBe(p1.contextHash);
  });

  it("rejects empty, malformed and unanswerable requests with a typed error naming the part", () => {
    expect(requestError(() => canonicaliseRequest([])).path).toBe("messages");
    expect(requestError(() => canonicaliseRequest("hi" as unknown as ChatMessage[])).path).toBe(
      "messages",
    );
    expect(
      requestError(() => canonicaliseRequest([{ role: "assistant", content: "x" }])).message,
    ).toMatch(/no non-empty user message/);
    expect(requestError(() => canonicaliseRequest([{ role: "user", content: "   " }])).path).toBe(
      "messages",
    );
    expect(requestError(() => canonicaliseRequest([{ role: "wizard", content: "x" }])).path).toBe(
      "messages[0].role",
    );
    expect(
      requestError(() =>
        canonicaliseRequest([
          { role: "user", content: "x" },
          { role: "user", content: 42 as unknown as string },
        ]),
      ).path,
    ).toBe("messages[1].content");
    const image = [
      { type: "image_url", image_url: { url: "x" } },
    ] as unknown as ChatMessage["content"];
    expect(requestError(() => canonicaliseRequest([{ role: "user", content: image }])).path).toBe(
      "messages[0].content[0]",
    );
    expect(requestError(() => canonicaliseRequest([null as unknown as ChatMessage])).path).toBe(
      "messages[0]",
    );
    expect(
      requestError(() => canonicaliseRequest([{ role: "user", content: "x" }], { t: NaN })).path,
    ).toBe("params.t");
    expect(
      requestError(() => canonicaliseRequest([{ role: "user", content: "x" }], { f: new Date(0) }))
        .path,
    ).toBe("params.f");
  });
});

describe("exactKey", () => {
  it("changes with every scope part, the context and the text", () => {
    const k = exactKey(scope, "c", "q");
    expect(exactKey(scope, "c", "q")).toBe(k);
    expect(exactKey({ ...scope, tenant: "u" }, "c", "q")).not.toBe(k);
    expect(exactKey({ ...scope, model: "x" }, "c", "q")).not.toBe(k);
    expect(exactKey({ ...scope, namespace: "x" }, "c", "q")).not.toBe(k);
    expect(exactKey(scope, "d", "q")).not.toBe(k);
    expect(exactKey(scope, "c", "r")).not.toBe(k);
  });

  it("cannot be forged by moving text between parts", () => {
    expect(exactKey({ tenant: "a", model: "b", namespace: "c" }, "d", "e")).not.toBe(
      exactKey({ tenant: "a", model: "", namespace: "bc" }, "d", "e"),
    );
  });
});
