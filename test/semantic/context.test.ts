import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Embedder } from "../../src/semantic/embedders/embedder.js";
import type { ChatMessage } from "../../src/semantic/messages.js";
import type { SemanticLookup } from "../../src/semantic/results.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { SEMANTIC_DATA_DIR } from "../helpers/semantic-datasets.js";
import { ConstantEmbedder, WordEmbedder } from "./support.js";

interface Conversation {
  "Main Query": string;
  "Main Query Response": string;
  "Follow-Up Query": string;
  "Follow Up Query Response": string;
}

const conversations = JSON.parse(
  readFileSync(`${SEMANTIC_DATA_DIR}/contextual-followups.json`, "utf8"),
) as Conversation[];

const contextOf = (c: Conversation): ChatMessage[] => [
  { role: "user", content: c["Main Query"] },
  { role: "assistant", content: c["Main Query Response"] },
];
const contextId = (c: Conversation): string =>
  `${c["Main Query"]}\u0000${c["Main Query Response"]}`;

interface Stored {
  context: string;
  followUp: boolean;
}

async function run(embedder: Embedder) {
  // A low threshold and no verifier: only the context check stands between a follow-up and
  // another conversation's answer.
  const cache = new SemanticCache<Stored>({
    embedder,
    similarityThreshold: 0.3,
    verifier: false,
    maxSize: 10_000,
  });
  await cache.putMany(
    conversations.flatMap((c) => [
      {
        messages: [{ role: "user", content: c["Main Query"] }],
        response: { context: "", followUp: false },
      },
      {
        messages: [...contextOf(c), { role: "user", content: c["Follow-Up Query"] }],
        response: { context: contextId(c), followUp: true },
      },
    ]),
  );
  // Every follow-up asked after every other conversation's main query.
  const lookups: SemanticLookup[] = [];
  const askedIn: string[] = [];
  for (const asked of conversations) {
    for (const after of conversations) {
      if (contextId(asked) === contextId(after)) continue;
      lookups.push({
        messages: [...contextOf(after), { role: "user", content: asked["Follow-Up Query"] }],
      });
      askedIn.push(contextId(after));
    }
  }
  const hits = await cache.getSimilarMany(lookups);
  const wrongContext = hits.filter(
    (hit, i) => hit !== undefined && hit.response.context !== askedIn[i],
  ).length;
  // In its own conversation, a reworded follow-up does find its answer.
  const own = await cache.getSimilarMany(
    conversations.map((c) => ({
      messages: [
        ...contextOf(c),
        { role: "user", content: `${c["Follow-Up Query"]} Please answer briefly.` },
      ],
    })),
  );
  const ownHits = own.filter(
    (hit, i) => hit?.response.context === contextId(conversations[i]),
  ).length;
  return { lookups: lookups.length, wrongContext, ownHits, stats: cache.getStats() };
}

describe("SemanticCache: conversation context", () => {
  it("a follow-up asked after a different main query never hits the other conversation's answer", async () => {
    expect(conversations.length).toBeGreaterThan(100);
    for (const embedder of [new WordEmbedder(), new ConstantEmbedder()]) {
      const result = await run(embedder);
      expect(result.lookups).toBeGreaterThan(16_000);
      expect(result.wrongContext).toBe(0);
      expect(result.stats.scopeViolations).toBe(0);
      // The positive control: the same follow-up in its own context hits.
      expect(result.ownHits).toBe(conversations.length);
    }
  });

  it("a standalone question does not hit an answer given inside a conversation, nor the reverse", async () => {
    const cache = new SemanticCache<string>({
      embedder: new ConstantEmbedder(),
      similarityThreshold: 0.3,
      verifier: false,
    });
    const [c] = conversations;
    await cache.put(
      [...contextOf(c), { role: "user", content: c["Follow-Up Query"] }],
      "in context",
    );
    expect(
      await cache.getSimilar([{ role: "user", content: c["Follow-Up Query"] }]),
    ).toBeUndefined();
    await cache.put([{ role: "user", content: "What is a good name for a cat?" }], "standalone");
    const inConversation = await cache.getSimilar([
      ...contextOf(c),
      { role: "user", content: "anything at all" },
    ]);
    expect(inConversation?.response).toBe("in context");
  });

  it("a different system prompt is a different context", async () => {
    const cache = new SemanticCache<string>({
      embedder: new ConstantEmbedder(),
      similarityThreshold: 0.3,
    });
    await cache.put(
      [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Say hello" },
      ],
      "Bonjour",
    );
    expect(
      await cache.getSimilar([
        { role: "system", content: "Answer in German." },
        { role: "user", content: "Say hello" },
      ]),
    ).toBeUndefined();
    expect(
      await cache.getSimilar([
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Say hello" },
      ]),
    ).toMatchObject({ response: "Bonjour", exact: true });
  });
});
