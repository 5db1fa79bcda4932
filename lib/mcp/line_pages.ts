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

/**
 * The part of `text` (head line, then one item per line) that `cursor` names, for `tool` called about `key` (a page
 * path, or "" for the whole wiki): the whole text when it fits and no cursor was given.
 */
export function linePart(
  tool: string,
  key: string,
  text: string,
  cursor: string | undefined,
  budget: number,
): ToolText {
  if (!cursor && text.length <= budget) return ok(text);
  const lines = text.split("\n");
  const head = lines[0];
  const items = lines.slice(1);
  let from = 0;
  if (cursor) {
    const c = readCursor(tool, cursor, { i: 0, k: "" });
    if (c === null || c.k !== fingerprint(key)) return badCursor(tool);
    from = Math.min(c.i, items.length);
  }
  const r = fitListing(() => head, items.slice(from), budget, (n) => {
    const last = from + n;
    if (last >= items.length) return `Showing lines ${from + 1} to ${last}: the end.`;
    const next = makeCursor(tool, { i: last, k: fingerprint(key) });
    return `Showing lines ${from + 1} to ${last} of ${items.length}. ${moreLine(tool, next, "and the same arguments")}`;
  });
  return ok(r.text);
}
