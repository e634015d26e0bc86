/**
 * Readers for the shared semantic data sets (../shared/data/semantic), for tests and benchmarks.
 * Paths resolve from the repository root, never copied into the repo.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SEMANTIC_DATA_DIR = resolve(REPO_ROOT, "..", "shared", "data", "semantic");

export interface LabelledPair {
  readonly a: string;
  readonly b: string;
  readonly duplicate: boolean;
}

export interface ParaphrasePair {
  readonly origin: string;
  readonly similar: string;
}

/** The QQP test pairs (`question1,question2,is_duplicate`, RFC 4180 quoting). */
export function readQqpPairs(
  file = resolve(SEMANTIC_DATA_DIR, "qqp-pairs-test.csv"),
): LabelledPair[] {
  const rows = parseCsv(readFileSync(file, "utf8"));
  const header = rows.shift();
  if (header?.join(",") !== "question1,question2,is_duplicate") {
    throw new Error(`${file}: unexpected header ${JSON.stringify(header)}`);
  }
  return rows
    .filter((row) => row.length === 3)
    .map(([a, b, label]) => ({ a, b, duplicate: label.trim() === "1" }));
}

/** The GPTCache mock paraphrase pairs (all positives). */
export function readGptcachePairs(
  file = resolve(SEMANTIC_DATA_DIR, "gptcache-mock-pairs.json"),
): ParaphrasePair[] {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected an array`);
  return parsed.map((item: { origin?: unknown; similar?: unknown }, i) => {
    if (typeof item.origin !== "string" || typeof item.similar !== "string") {
      throw new Error(`${file}[${i}]: expected {origin, similar} strings`);
    }
    return { origin: item.origin, similar: item.similar };
  });
}

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
