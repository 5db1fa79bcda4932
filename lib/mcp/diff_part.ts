/**
 * @module
 * get_diff within the result budget: the whole diff when it fits (as before), else the part of its unified text
 * from a character `offset`, saying where it sits and the offset (and revisions) to pass for the rest.
 */
import { cutEnd } from "./budget.ts";
import { fail, ok, type ToolText } from "./errors.ts";
import { fitItems, withData } from "./output.ts";
import { formatDiff } from "./format.ts";
import type { PageDiff } from "../wiki/types.ts";

/** The get_diff result for `d` from `offset` (whole when no offset is given and it fits `budget`). */
export function diffPart(d: PageDiff, offset: number | undefined, budget: number): ToolText {
  const whole = formatDiff(d);
  if (offset === undefined && whole.length <= budget) {
    return withData(ok(whole), diffData(d, 0, d.unified.length, budget));
  }
  const text = d.unified;
  const start = offset ?? 0;
  if (start > text.length) {
    return fail(
      `Invalid request: offset ${start} is past the end of the diff (${text.length} characters). Use an offset ` +
        `from 0 to ${text.length}.`,
    );
  }
  const head = whole.slice(0, whole.indexOf("\n") < 0 ? whole.length : whole.indexOf("\n"));
  const partLine = (end: number) => {
    const where = `Part: characters ${start} to ${end} of ${text.length} of the diff text.`;
    if (end >= text.length) return `${where} This is the end.`;
    return `${where} More: call get_diff again with offset=${end}, from_revision="${d.from}" and ` +
      `to_revision="${d.to}" (the same states).`;
  };
  const room = budget - head.length - partLine(text.length - 1).length - 2;
  const end = cutEnd(text, start, Math.max(1, room));
  return withData(ok(`${head}\n${partLine(end)}\n${text.slice(start, end)}`), diffData(d, start, end, budget));
}

/**
 * The structured content of the diff text start..end (lib/mcp/output.ts): fewer characters when their JSON would
 * exceed `budget` (next_offset then says where the data stops).
 */
function diffData(d: PageDiff, start: number, end: number, budget: number): Record<string, unknown> {
  const text = d.unified;
  const part = (e: number) => ({
    path: d.path,
    from: d.from,
    to: d.to,
    added: d.added,
    removed: d.removed,
    diff: text.slice(start, e),
    offset: start,
    total_characters: text.length,
    next_offset: e < text.length ? e : undefined,
  });
  if (end - start <= budget / 4) return part(end);
  return part(cutEnd(text, start, fitItems(end - start, budget, (k) => part(start + k))));
}
