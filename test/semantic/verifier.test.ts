import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HashingEmbedder } from "../../src/semantic/embedders/hashing.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { defaultVerifier, explainMismatch, stem } from "../../src/semantic/verifier.js";
import { user } from "./support.js";

interface Pair {
  a: string;
  b: string;
  kind?: string;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/near-misses.json", import.meta.url), "utf8"),
) as {
  nearMisses: Pair[];
  paraphrases: Pair[];
};

describe("verifier: the near-miss set", () => {
  it("has enough pairs of every kind", () => {
    expect(fixture.nearMisses.length).toBeGreaterThanOrEqual(60);
    expect(fixture.paraphrases.length).toBeGreaterThanOrEqual(25);
    const kinds = new Set(fixture.nearMisses.map((p) => p.kind));
    expect(kinds).toEqual(
      new Set(["antonym", "prefix", "number", "entity", "negation", "question"]),
    );
  });

  it("rejects every contrastive near miss, in both directions, for the expected reason", () => {
    for (const { a, b, kind } of fixture.nearMisses) {
      const reason = kind === "prefix" ? "antonym" : kind;
      expect(explainMismatch(a, b)?.reason, `${a} | ${b}`).toBe(reason);
      expect(explainMismatch(b, a)?.reason, `${b} | ${a}`).toBe(reason);
    }
  });

  it("accepts every paraphrase", () => {
    for (const { a, b } of fixture.paraphrases) {
      expect(explainMismatch(a, b), `${a} | ${b}`).toBeUndefined();
      expect(defaultVerifier(b, a, 0.9)).toBe(true);
    }
  });

  it("end to end with the hashing embedder: near misses that similarity would serve are never served", async () => {
    const embedder = new HashingEmbedder();
    const threshold = 0.7;
    /** How many `b`s a cache holding only their `a` serves, without and with the verifier. */
    const served = async (pairs: readonly { a: string; b: string }[]) => {
      let without = 0;
      let withVerifier = 0;
      for (const { a, b } of pairs) {
        const verified = new SemanticCache<string>({ embedder, similarityThreshold: threshold });
        const unverified = new SemanticCache<string>({
          embedder,
          similarityThreshold: threshold,
          verifier: false,
        });
        for (const c of [verified, unverified]) await c.put(user(a), a);
        if (await unverified.getSimilar(user(b))) without++;
        if (await verified.getSimilar(user(b))) withVerifier++;
      }
      return { without, withVerifier };
    };
    const nearMisses = await served(fixture.nearMisses);
    expect(nearMisses.withVerifier).toBe(0);
    // Without the verifier most of them would have been wrong hits: the set is a real test.
    expect(nearMisses.without).toBeGreaterThan(fixture.nearMisses.length / 2);

    const paraphrases = await served(fixture.paraphrases);
    expect(paraphrases.withVerifier).toBe(paraphrases.without);
    expect(paraphrases.withVerifier).toBeGreaterThan(fixture.paraphrases.length / 2);
  });
});

describe("verifier: rules", () => {
  it("reads numbers as numbers: words, thousands separators, decimals, inside names", () => {
    expect(explainMismatch("give me five ideas", "give me 5 ideas")).toBeUndefined();
    expect(explainMismatch("convert 1,000 dollars", "convert 1000 dollars")).toBeUndefined();
    expect(explainMismatch("version 2.0 notes", "version 2 notes")).toBeUndefined();
    expect(explainMismatch("upgrade to python3", "upgrade to python2")?.reason).toBe("number");
    expect(explainMismatch("top 10 films", "top films")?.reason).toBe("number");
    expect(explainMismatch("which one is better", "which is better")).toBeUndefined();
  });

  it("reads negation in its spellings, but not in 'or not'", () => {
    for (const negated of [
      "why doesn't it work",
      "why does it not work",
      "why doesnt it work",
      "why can't it work",
    ]) {
      expect(explainMismatch("why does it work", negated)?.reason, negated).toBe("negation");
    }
    expect(explainMismatch("why doesn't it work", "why does it not work")).toBeUndefined();
    expect(
      explainMismatch("is the universe expanding", "is the universe expanding or not"),
    ).toBeUndefined();
  });

  it("sees antonyms through inflection and a word that moved", () => {
    expect(explainMismatch("enabling the flag", "disabled the flag")?.reason).toBe("antonym");
    expect(
      explainMismatch("cache it on the client side", "cache it on the server side")?.reason,
    ).toBe("antonym");
    expect(stem("stopped")).toBe(stem("stop"));
    expect(stem("removing")).toBe(stem("remove"));
    expect(stem("classes")).toBe(stem("class"));
  });

  it("treats capitals as names only where they are not sentence starts or Title Case", () => {
    expect(
      explainMismatch("Summarise the work of Marie Curie", "Summarise the work of Albert Einstein")
        ?.reason,
    ).toBe("entity");
    expect(
      explainMismatch("It is late. We fly to Rome", "It is late. We fly to Oslo")?.reason,
    ).toBe("entity");
    // A capital that starts a sentence says nothing.
    expect(explainMismatch("It is late. Rome is far", "It is late. Oslo is far")).toBeUndefined();
    expect(
      explainMismatch("Explain recursion simply", "Describe recursion simply"),
    ).toBeUndefined();
    expect(
      explainMismatch("How Do I Become A Better Writer", "How Do I Become A Good Writer"),
    ).toBeUndefined();
    expect(explainMismatch("WHAT IS THE BEST LAPTOP", "WHAT IS A GOOD LAPTOP")).toBeUndefined();
    // Folded aliases are the same name.
    expect(explainMismatch("learn golang fast", "learn Go fast")).toBeUndefined();
    expect(explainMismatch("install k8s locally", "install kubernetes locally")).toBeUndefined();
  });

  it("lets what/how swap but not why/how", () => {
    expect(
      explainMismatch("what is the way to learn chess", "how do I learn chess"),
    ).toBeUndefined();
    expect(explainMismatch("why do birds migrate", "how do birds migrate")?.reason).toBe(
      "question",
    );
  });
});
