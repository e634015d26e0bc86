/**
 * Text normalisation and tokenisation for the hashing embedder. English-leaning (contractions,
 * stopwords, suffix stripping) but script-agnostic: words are Unicode letter/number runs, so
 * other languages still get word and character features, only without stemming benefits.
 */

/** One token: its surface form (for character n-grams), its stem (for word features) and weight. */
export interface Token {
  readonly surface: string;
  readonly stem: string;
  /** Whether the word carries little meaning on its own ("the", "is", "of"). */
  readonly stop: boolean;
  /** Whether the word holds a digit (numbers, versions, "3d"). */
  readonly digit: boolean;
}

const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcan't\b/g, "can not"],
  [/\bwon't\b/g, "will not"],
  [/n't\b/g, " not"],
  [/'re\b/g, " are"],
  [/'m\b/g, " am"],
  [/'ve\b/g, " have"],
  [/'ll\b/g, " will"],
  [/'d\b/g, " would"],
  // "'s" after a pronoun or question word is "is"; elsewhere it is a possessive and dropped.
  [/\b(what|that|it|there|here|who|where|how|when|why|he|she|this|everyone|nobody)'s\b/g, "$1 is"],
  [/'s\b/g, ""],
];

// Function words whose presence says little about what a question asks. Question words
// (what, how, why, ...) and negations are deliberately absent: they change the meaning.
const STOPWORDS = new Set(
  (
    "a an the and or but if of at by for with about against between into through during before " +
    "after above below to from up down in out on off over under again further then once here " +
    "there all any both each few more most other some such own same so than too very s t just " +
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself " +
    "she her hers herself it its itself they them their theirs themselves this that these those " +
    "am is are was were be been being have has had having do does did doing would should could " +
    "can will shall may might must get got also ever really much many one"
  ).split(" "),
);

/** NFKC, lowercase, typographic apostrophes unified, contractions expanded. */
export function normaliseText(text: string): string {
  let out = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'");
  if (out.includes("'"))
    for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  return out;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Splits normalised text into word tokens (letter and digit runs; punctuation dropped). */
export function tokenise(text: string): Token[] {
  const words = normaliseText(text).match(WORD) ?? [];
  return words.map((surface) => ({
    surface,
    stem: stem(surface),
    stop: STOPWORDS.has(surface),
    digit: /\p{N}/u.test(surface),
  }));
}

const VOWEL = /[aeiouy]/;

/**
 * A light English suffix stripper: plural, -ing, -ed, and a trailing silent e, so that "make",
 * "makes", "making" and "made"-free forms share a stem. Deliberately conservative: an
 * over-eager stemmer merges words that differ in meaning, which a semantic cache must not do.
 */
export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let w = word;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = w.slice(0, -3) + "y";
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);

  if (w.endsWith("ing") && w.length > 5 && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.endsWith("ied") && w.length > 4) w = w.slice(0, -3) + "y";
  else if (w.endsWith("ed") && w.length > 4 && VOWEL.test(w.slice(0, -2)))
    w = undouble(w.slice(0, -2));

  if (w.endsWith("e") && w.length > 3 && !w.endsWith("ee")) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  const n = w.length;
  if (n >= 3 && w[n - 1] === w[n - 2] && !/[lsz]/.test(w[n - 1])) return w.slice(0, -1);
  return w;
}
