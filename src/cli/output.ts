/** Text and JSON output of the CLI. */

/** Writes one JSON document to stdout (the whole output of a `--json` command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

export function print(text = ""): void {
  process.stdout.write(text + "\n");
}

export type Align = "left" | "right";

/** A Markdown table padded for the terminal (it also renders as a table on GitHub). */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const cell = (text: string, i: number) =>
    align[i] === "right" ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => cell(c ?? "", i)).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (align[i] === "right" ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

export const percent = (fraction: number, digits = 1): string =>
  `${(fraction * 100).toFixed(digits)} %`;
export const ms = (value: number): string =>
  value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 1
      ? `${value.toFixed(1)} ms`
      : `${value.toFixed(3)} ms`;
export const usd = (value: number): string => `$${value.toFixed(value >= 100 ? 2 : 4)}`;
export const count = (value: number): string => value.toLocaleString("en-US");
