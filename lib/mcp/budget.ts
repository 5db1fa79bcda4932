/**
 * @module
 * The result budget of the MCP tools: no tool result is longer than `Limits.resultBudgetChars` characters
 * (`MCP_RESULT_BUDGET_CHARS`, default 80,000). Tools that can return much (a 1 MB page, 500 pages, a long history)
 * fit themselves and say how to get the rest ("More: call ... again with ..."); `guardBudget` is the last resort
 * for the others, cutting the text and saying so. Helpers here measure and cut text without splitting a UTF-16
 * surrogate pair, and fit lists of lines.
 */
import { type Limits, RESULT_BUDGET } from "../config.ts";
import type { ToolText } from "./errors.ts";

/** The budget in characters for `limits` (never under the minimum). */
export function resultBudget(limits: Pick<Limits, "resultBudgetChars">): number {
  return Math.max(RESULT_BUDGET.min, limits.resultBudgetChars);
}

/**
 * The end of a cut of `text` from `start` keeping at most `max` characters: `start + max` (or the end of the text),
 * one less when that would separate the two halves of a surrogate pair (unless that would keep nothing). The parts of
 * a text cut this way join back to it.
 */
export function cutEnd(text: string, start: number, max: number): number {
  let end = Math.min(text.length, start + Math.max(0, max));
  if (end - 1 > start && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return end;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** `text` cut to at most `max` characters, ending with `…` when cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, cutEnd(text, 0, max - 1)) + "…";
}

/**
 * A comma-joined list in at most `max` characters: as many items as fit, then `(and N more{tail})`. The whole list
 * when it fits.
 */
export function capList(items: readonly string[], max: number, tail = ""): string {
  const all = items.join(", ");
  if (all.length <= max) return all;
  const out: string[] = [];
  let used = 0;
  for (const item of items) {
    const piece = capText(item, Math.max(20, Math.floor(max / 4)));
    if (used + piece.length + 2 > max - 40 - tail.length) break;
    out.push(piece);
    used += piece.length + 2;
  }
  return `${out.join(", ")}${out.length ? " " : ""}(and ${items.length - out.length} more${tail})`;
}

/**
 * How many of `items` fit in `room` characters when joined with newlines (each item counts its length plus one).
 * At least one when `room` allows any text, so that a paged listing always advances.
 */
export function fitCount(items: readonly string[], room: number): number {
  let used = 0;
  let n = 0;
  for (const item of items) {
    if (used + item.length + 1 > room) break;
    used += item.length + 1;
    n++;
  }
  return n;
}

/** Longest line a listing keeps: a line over it (a page with a huge tag list) is cut with `…`. */
export function lineCap(budget: number): number {
  return Math.max(200, Math.floor(budget / 8));
}

/**
 * The last resort: a result whose text is over `budget` is cut to it, with a note saying how long it was and what to
 * do (`hint`, the tool's own advice). Results within the budget are returned unchanged.
 */
export function guardBudget(result: ToolText, budget: number, hint: string): ToolText {
  const text = result.content.map((c) => c.text).join("\n");
  if (text.length <= budget) return result;
  const note = `\n\n[Cut: this result has ${text.length} characters, over the budget of ${budget} per result. ${hint}]`;
  const kept = capText(text, budget - note.length);
  return { ...result, content: [{ type: "text", text: kept + note }] };
}

/**
 * A listing cut to `budget`: `head(n)`, the first `n` of `lines` that fit, then `footer(n)` (omitted when it returns
 * ""). At least one line is kept when there is any, so that paging always advances. Lines longer than
 * `lineCap(budget)` are cut first.
 */
export function fitListing(
  head: (n: number) => string,
  lines: readonly string[],
  budget: number,
  footer: (n: number) => string,
): { text: string; shown: number } {
  const cap = lineCap(budget);
  const capped = lines.map((l) => capText(l, cap));
  const build = (k: number) => {
    const f = footer(k);
    return [head(k), ...capped.slice(0, k), ...(f ? [f] : [])].join("\n");
  };
  let n = Math.max(Math.min(1, capped.length), fitCount(capped, budget - head(capped.length).length - 1));
  let text = build(n);
  while (text.length > budget && n > 1) {
    let over = text.length - budget;
    while (over > 0 && n > 1) {
      n--;
      over -= capped[n].length + 1;
    }
    text = build(n);
  }
  return { text, shown: n };
}
