/**
 * @module
 * Paging for the tools whose result is a head line and a list of lines (get_links, find_orphaned_notes,
 * list_attachments): whole when it fits the result budget (as before), else as many lines as fit and
 * "More: call {tool} again with cursor=..." naming the next line. The cursor counts lines, so a list that changes
 * between calls may show a line twice or skip one; the listings that must not (list_notes, histories) page by key
 * instead (lib/mcp/listings.ts).
 */
import { fitListing } from "./budget.ts";
import { badCursor, fingerprint, makeCursor, moreLine, readCursor } from "./cursor.ts";
import { ok, type ToolText } from "./errors.ts";
import { withData } from "./output.ts";

/**
 * The part of `text` (head line, then one item per line) that `cursor` names, for `tool` called about `key` (a page
 * path, or "" for the whole wiki): the whole text when it fits and no cursor was given. `data`, when given, is the
 * structured content of the whole listing (lib/mcp/output.ts), with `next_cursor` added when a part is cut.
 */
export function linePart(
  tool: string,
  key: string,
  text: string,
  cursor: string | undefined,
  budget: number,
  data?: Record<string, unknown>,
): ToolText {
  const answer = (t: string, next?: string) => data ? withData(ok(t), { ...data, next_cursor: next }) : ok(t);
  if (!cursor && text.length <= budget) return answer(text);
  const lines = text.split("\n");
  const head = lines[0];
  const items = lines.slice(1);
  let from = 0;
  if (cursor) {
    const c = readCursor(tool, cursor, { i: 0, k: "" });
    if (c === null || c.k !== fingerprint(key)) return badCursor(tool);
    from = Math.min(c.i, items.length);
  }
  const cursorAt = (last: number) =>
    last >= items.length ? undefined : makeCursor(tool, { i: last, k: fingerprint(key) });
  const r = fitListing(() => head, items.slice(from), budget, (n) => {
    const last = from + n;
    const next = cursorAt(last);
    if (next === undefined) return `Showing lines ${from + 1} to ${last}: the end.`;
    return `Showing lines ${from + 1} to ${last} of ${items.length}. ${moreLine(tool, next, "and the same arguments")}`;
  });
  return answer(r.text, cursorAt(from + r.shown));
}
