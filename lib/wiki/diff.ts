/**
 * @module
 * Line diffs between two states of a page, as unified diff text (`--- from` / `+++ to` / `@@` hunks, 3 lines of
 * context) with counts of added and removed lines. Built on the `diff` package (Myers' algorithm).
 */
import { FILE_HEADERS_ONLY, formatPatch, type StructuredPatch, structuredPatch } from "diff";

/** Lines of context around each change. */
export const DIFF_CONTEXT_LINES = 3;
/**
 * Time budget of the line diff in milliseconds. Past it (huge, wholly different texts) the diff degrades to "every
 * old line removed, every new line added", which is correct but not minimal.
 */
export const DIFF_TIMEOUT_MS = 500;

const NO_NEWLINE = "\\ No newline at end of file";

/**
 * Unified diff of `oldText` -> `newText` labelled `labels.from` / `labels.to`. `unified` is empty when the texts
 * are identical. `added` and `removed` count `+` and `-` lines (a changed line counts once in each).
 * `opts.timeoutMs` overrides DIFF_TIMEOUT_MS (tests).
 */
export function unifiedDiff(
  oldText: string,
  newText: string,
  labels: { from: string; to: string },
  opts: { timeoutMs?: number } = {},
): { unified: string; added: number; removed: number } {
  if (oldText === newText) return { unified: "", added: 0, removed: 0 };
  const patch = structuredPatch(labels.from, labels.to, oldText, newText, undefined, undefined, {
    context: DIFF_CONTEXT_LINES,
    timeout: opts.timeoutMs ?? DIFF_TIMEOUT_MS,
  }) ?? replaceAllPatch(oldText, newText, labels);
  return { unified: formatPatch(patch, FILE_HEADERS_ONLY), ...countChanges(patch) };
}

/** Counts `+` and `-` lines in a patch's hunks. */
function countChanges(patch: StructuredPatch): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added++;
      else if (line.startsWith("-")) removed++;
    }
  }
  return { added, removed };
}

/** A one-hunk patch removing every old line and adding every new line. */
function replaceAllPatch(oldText: string, newText: string, labels: { from: string; to: string }): StructuredPatch {
  const oldLines = patchLines(oldText, "-");
  const newLines = patchLines(newText, "+");
  return {
    oldFileName: labels.from,
    newFileName: labels.to,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: [{
      oldStart: 1,
      oldLines: oldLines.count,
      newStart: 1,
      newLines: newLines.count,
      lines: [...oldLines.lines, ...newLines.lines],
    }],
  };
}

/** The lines of a text prefixed with `sign`, plus the "no newline" marker when the text does not end with one. */
function patchLines(text: string, sign: string): { lines: string[]; count: number } {
  if (text === "") return { lines: [], count: 0 };
  const endsWithNewline = text.endsWith("\n");
  const parts = (endsWithNewline ? text.slice(0, -1) : text).split("\n").map((l) => sign + l);
  return { lines: endsWithNewline ? parts : [...parts, NO_NEWLINE], count: parts.length };
}
