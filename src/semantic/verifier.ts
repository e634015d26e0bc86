/**
 * The hit verifier. Embeddings place "delete a local branch" and "delete a remote branch" side by
 * side, because they share every word but one; the answers are opposite. Before a similar
 * (non-exact) hit is served, the verifier compares the words the two requests do not share and
 * rejects the hit when the difference changes the meaning:
 *
 * - numbers: any number present in one and not the other (`15%` vs `25%`, `python2` vs `python3`);
 * - negation: one request negates (`not`, `no`, `never`, `without`, `n't`) and the other does not;
 * - antonyms: a listed pair (`local`/`remote`, `enable`/`disable`...) or a negating prefix
 *   (`install`/`uninstall`, `valid`/`invalid`) swapped between them;
 * - entities: each side has a named thing the other lacks (`Python` vs `Go`, `Paris` vs `Rome`):
 *   a curated list of technologies, acronyms, camelCase and alphanumeric names, and capitalised
 *   words that do not start a sentence;
 * - question words: `why`, `when`, `where` or `who` swapped for another interrogative.
 *
 * It errs towards rejecting: a rejected hit costs one model call, a wrong hit serves a wrong
 * answer. Users can replace it with a cross-encoder or an LLM judge (see {@link HitVerifier}).
 */
import {
  ALIASES,
  ANTONYM_PAIRS,
  BARE_CONTRACTIONS,
  MIN_PREFIX_BASE,
  NEGATING_PREFIXES,
  NEGATIONS,
  NUMBER_WORDS,
  QUESTION_WORDS,
  STOPWORDS,
  STRICT_QUESTION_WORDS,
  TECH_TERMS,
} from "./verifier-lexicon.js";

/**
 * Decides whether a similar hit may be served. `query` is the new request's lookup text,
 * `cached` the stored one's, `similarity` their cosine similarity (already >= the threshold).
 * Return false to reject the hit (the lookup continues with the next candidate, then misses).
 */
export type HitVerifier = (
  query: string,
  cached: string,
  similarity: number,
) => boolean | Promise<boolean>;

export type MismatchReason = "number" | "negation" | "antonym" | "entity" | "question";

export interface Mismatch {
  readonly reason: MismatchReason;
  /** The words (or numbers) that differ, query side first: `"15" / "25"`. */
  readonly detail: string;
}

/** Light suffix stripping, so inflections of one word compare equal. Not a linguistic stemmer. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) w = w.slice(0, -3) + "y";
  else if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 4 && /(ss|x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && /([b-df-hj-km-np-rtv-z])\1$/.test(w)) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

const ANTONYMS = new Map<string, Set<string>>();
for (const [a, b] of ANTONYM_PAIRS) {
  const [sa, sb] = [stem(a), stem(b)];
  (ANTONYMS.get(sa) ?? ANTONYMS.set(sa, new Set()).get(sa)!).add(sb);
  (ANTONYMS.get(sb) ?? ANTONYMS.set(sb, new Set()).get(sb)!).add(sa);
}
const QUESTION_STEMS = new Set([...QUESTION_WORDS].map(stem));
const STRICT_QUESTION_STEMS = new Set([...STRICT_QUESTION_WORDS].map(stem));
const STOPWORD_STEMS = new Set([...STOPWORDS].map(stem));

interface Analysis {
  readonly numbers: Set<string>;
  readonly negated: boolean;
  /** Stem -> whether any occurrence looked like a named entity. */
  readonly stems: Map<string, boolean>;
  /** Stem -> occurrences. */
  readonly counts: Map<string, number>;
}

const TOKEN_RE = /[\p{L}\p{N}_]+(?:[.+#'-][\p{L}\p{N}_]+)*[+#]*/gu;
const NUMBER_RE = /\d+(?:\.\d+)?/g;

function analyse(text: string): Analysis {
  const plain = text
    .normalize("NFKC")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/(\d),(?=\d{3}\b)/g, "$1");
  const numbers = new Set<string>();
  const stems = new Map<string, boolean>();
  const counts = new Map<string, number>();
  let negated = false;
  const shouting = !/\p{Ll}/u.test(plain);
  const tokens = [...plain.matchAll(TOKEN_RE)].map((m) => ({
    raw: m[0],
    initial: sentenceInitial(plain, m.index),
  }));
  // In Title Case Text every word is capitalised, so capitals say nothing about names. Title
  // case shows in capitalised function words ("Do", "The") or in every content word capitalised.
  const capital = (t: { raw: string }): boolean => /^\p{Lu}/u.test(t.raw);
  const inner = tokens.filter((t) => !t.initial && t.raw !== "I");
  const content = inner.filter((t) => !STOPWORDS.has(t.raw.toLowerCase()));
  const capitalisedContent = content.filter(capital).length;
  const titleCase =
    (inner.some((t) => STOPWORDS.has(t.raw.toLowerCase()) && capital(t)) &&
      capitalisedContent * 2 > content.length) ||
    (content.length >= 3 && capitalisedContent === content.length);
  const capitalsMeanNames = !shouting && !titleCase;

  let previous = "";
  for (const { raw, initial } of tokens) {
    const lower = raw.toLowerCase();
    const before = previous;
    previous = lower;
    // Aliases first: the 8 in k8s is no number.
    for (const n of (ALIASES[lower] ?? lower).match(NUMBER_RE) ?? [])
      numbers.add(String(Number(n)));
    if (/^\d+(?:\.\d+)?$/.test(lower)) continue;
    if (NUMBER_WORDS[lower] !== undefined) {
      numbers.add(NUMBER_WORDS[lower]);
      continue;
    }
    const words = expandContraction(lower);
    for (const word of words) {
      // "whether or not", "why or why not": an alternative, not a negation.
      if (NEGATIONS.has(word) && !(before === "or" && (word === "not" || word === "no")))
        negated = true;
      const name = raw === "US" ? "usa" : (ALIASES[word] ?? word);
      const entity =
        words.length === 1 && isEntity(raw, name, initial, capitalsMeanNames, shouting);
      const s = stem(name);
      stems.set(s, (stems.get(s) ?? false) || entity);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
  }
  return { numbers, negated, stems, counts };
}

function expandContraction(lower: string): readonly string[] {
  const bare = BARE_CONTRACTIONS[lower];
  if (bare) return bare;
  const apostrophe = lower.indexOf("'");
  if (apostrophe < 0) return [lower];
  const base = lower.slice(0, apostrophe);
  const suffix = lower.slice(apostrophe + 1);
  if (suffix === "t" && base.endsWith("n")) {
    const irregular: Record<string, string> = { can: "can", won: "will", shan: "shall", ain: "is" };
    return [irregular[base] ?? base.slice(0, -1), "not"];
  }
  // 's, 're, 'll, 've, 'd, 'm carry no meaning the verifier checks.
  return [base];
}

function isEntity(
  raw: string,
  name: string,
  initial: boolean,
  capitalsMeanNames: boolean,
  shouting: boolean,
): boolean {
  const lower = raw.toLowerCase();
  if (STOPWORDS.has(lower)) return false;
  if (TECH_TERMS.has(lower) || TECH_TERMS.has(name)) return true;
  if (/\d/.test(raw) && /\p{L}/u.test(raw)) return true;
  if (!shouting && raw.length >= 2 && /\p{Lu}/u.test(raw) && raw === raw.toUpperCase()) return true;
  if (/\p{Ll}\p{Lu}/u.test(raw)) return true;
  return capitalsMeanNames && !initial && /^\p{Lu}/u.test(raw);
}

function sentenceInitial(text: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && /[\s"'([*_`>-]/.test(text[i]) && text[i] !== "\n") i--;
  return i < 0 || /[.!?:;\n]/.test(text[i]);
}

/** Words `a` has more often than `b`: "client side" vs "server side" when both mention a server. */
function onlyIn(a: Analysis, b: Analysis): string[] {
  return [...a.counts].filter(([s, n]) => n > (b.counts.get(s) ?? 0)).map(([s]) => s);
}

function isAntonym(x: string, y: string): boolean {
  if (ANTONYMS.get(x)?.has(y)) return true;
  for (const p of NEGATING_PREFIXES) {
    if (x.length >= MIN_PREFIX_BASE && y === p + x) return true;
    if (y.length >= MIN_PREFIX_BASE && x === p + y) return true;
  }
  return false;
}

/** Why the two requests differ in meaning, or `undefined` when the verifier finds no reason. */
export function explainMismatch(query: string, cached: string): Mismatch | undefined {
  const a = analyse(query);
  const b = analyse(cached);
  const numbersA = [...a.numbers].filter((n) => !b.numbers.has(n));
  const numbersB = [...b.numbers].filter((n) => !a.numbers.has(n));
  if (numbersA.length > 0 || numbersB.length > 0) {
    return {
      reason: "number",
      detail: `${numbersA.join(",") || "-"} / ${numbersB.join(",") || "-"}`,
    };
  }
  if (a.negated !== b.negated) {
    return {
      reason: "negation",
      detail: a.negated ? "negated / affirmative" : "affirmative / negated",
    };
  }
  const onlyA = onlyIn(a, b);
  const onlyB = onlyIn(b, a);
  for (const x of onlyA) {
    for (const y of onlyB) if (isAntonym(x, y)) return { reason: "antonym", detail: `${x} / ${y}` };
  }
  const entitiesA = onlyA.filter((s) => a.stems.get(s));
  const entitiesB = onlyB.filter((s) => b.stems.get(s));
  if (entitiesA.length > 0 && entitiesB.length > 0) {
    return { reason: "entity", detail: `${entitiesA.join(",")} / ${entitiesB.join(",")}` };
  }
  const questionA = onlyA.filter((s) => QUESTION_STEMS.has(s));
  const questionB = onlyB.filter((s) => QUESTION_STEMS.has(s));
  // Only when the interrogative is all that changed: "why do cats purr" / "how do cats purr".
  // Rephrasings that swap it along with other words ("what is the reason" / "why") pass.
  const content = (words: string[]): number => words.filter((s) => !STOPWORD_STEMS.has(s)).length;
  if (
    questionA.length > 0 &&
    questionB.length > 0 &&
    [...questionA, ...questionB].some((s) => STRICT_QUESTION_STEMS.has(s)) &&
    content(onlyA) === 0 &&
    content(onlyB) === 0
  ) {
    return { reason: "question", detail: `${questionA.join(",")} / ${questionB.join(",")}` };
  }
  return undefined;
}

/** The built-in verifier: passes unless {@link explainMismatch} finds a reason. */
export const defaultVerifier: HitVerifier = (query, cached) =>
  explainMismatch(query, cached) === undefined;
