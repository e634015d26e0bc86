/**
 * Paraphrase quality and speed of the offline hashing embedder, beside a naive bag-of-words
 * hashing peer measured in the same run. Quality: best F1 over all thresholds on QQP (with its
 * threshold), ROC AUC, precision/recall at fixed thresholds, and on the GPTCache pairs the share
 * of paraphrases scoring at least the best-F1 threshold against their origin ("pair hit") and the
 * share whose nearest origin among all 999 is their own and clears that threshold ("top-1 hit").
 * `npx tsx bench/run.ts hashing-embedder`
 */
import { HashingEmbedder } from "../src/semantic/embedders/hashing.js";
import { readGptcachePairs, readQqpPairs } from "../test/helpers/semantic-datasets.js";
import { compareSync, printRatios } from "./harness.js";

interface Subject {
  name: string;
  embed: (text: string) => Float32Array;
}

/** Lower-cased whitespace words, unsigned hashing, L2: the simplest feature-hashing embedder. */
function naiveEmbed(text: string): Float32Array {
  const v = new Float32Array(384);
  for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0;
    v[h % 384] += 1;
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

const fixed = [0.7, 0.8, 0.9];

function quality(subject: Subject): string[] {
  const qqp = readQqpPairs();
  const scored = qqp.map((p) => ({
    s: dot(subject.embed(p.a), subject.embed(p.b)),
    y: p.duplicate,
  }));
  scored.sort((a, b) => b.s - a.s);
  const positives = scored.filter((x) => x.y).length;
  let tp = 0;
  let fp = 0;
  let best = { f1: 0, t: 1, p: 0, r: 0 };
  scored.forEach((x, i) => {
    if (x.y) tp++;
    else fp++;
    if (i + 1 < scored.length && scored[i + 1].s === x.s) return;
    const p = tp / (tp + fp);
    const r = tp / positives;
    const f1 = (2 * p * r) / (p + r);
    if (f1 > best.f1) best = { f1, t: x.s, p, r };
  });
  let negativesBelow = 0;
  let wins = 0;
  for (let i = scored.length - 1; i >= 0; i--) {
    if (scored[i].y) wins += negativesBelow;
    else negativesBelow++;
  }
  const auc = wins / (positives * negativesBelow);
  const gpt = readGptcachePairs();
  const origins = gpt.map((p) => subject.embed(p.origin));
  let pairHits = 0;
  let top1Hits = 0;
  const pairScores: number[] = [];
  gpt.forEach((p, i) => {
    const q = subject.embed(p.similar);
    pairScores.push(dot(q, origins[i]));
    if (pairScores[i] >= best.t) pairHits++;
    let nearest = -1;
    let nearestScore = -Infinity;
    origins.forEach((o, j) => {
      const s = dot(q, o);
      if (s > nearestScore) [nearest, nearestScore] = [j, s];
    });
    if (nearest === i && nearestScore >= best.t) top1Hits++;
  });
  const at = fixed.map((t) => {
    const hit = scored.filter((x) => x.s >= t);
    const good = hit.filter((x) => x.y).length;
    const gptHit = pairScores.filter((x) => x >= t).length / gpt.length;
    return `${(good / hit.length).toFixed(3)} / ${(good / positives).toFixed(3)} / ${gptHit.toFixed(3)}`;
  });
  return [
    subject.name,
    best.f1.toFixed(4),
    best.t.toFixed(3),
    `${best.p.toFixed(3)} / ${best.r.toFixed(3)}`,
    auc.toFixed(4),
    ...at,
    (pairHits / gpt.length).toFixed(3),
    (top1Hits / gpt.length).toFixed(3),
  ];
}

export default async function (): Promise<void> {
  const v384 = new HashingEmbedder();
  const v512 = new HashingEmbedder({ dimensions: 512 });
  const subjects: Subject[] = [
    { name: v384.id, embed: (t) => v384.embedOne(t) },
    { name: v512.id, embed: (t) => v512.embedOne(t) },
    { name: "naive-bow:384", embed: naiveEmbed },
  ];
  console.log("\n## Hashing embedder: paraphrase quality (QQP 9,042 pairs; GPTCache 999 pairs)\n");
  console.log(
    `| embedder | best F1 | at threshold | P / R there | AUC | ${fixed.map((t) => `P / R / GPTCache hit at ${t}`).join(" | ")} | GPTCache pair hit | GPTCache top-1 hit |`,
  );
  console.log(`|---|---:|---:|---:|---:|${fixed.map(() => "---:|").join("")}---:|---:|`);
  for (const subject of subjects) console.log(`| ${quality(subject).join(" | ")} |`);

  const texts = readQqpPairs()
    .slice(0, 2000)
    .map((p) => p.a);
  printRatios(
    "Hashing embedder: texts embedded per second (QQP questions)",
    compareSync(
      subjects.map((s) => ({ name: s.name, op: (i: number) => s.embed(texts[i % texts.length]) })),
      20_000,
    ),
    "naive-bow:384",
  );
}
