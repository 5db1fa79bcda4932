/**
 * @module
 * Opaque paging cursors of the MCP tools (list_notes, search_notes, get_history, get_recent_changes): base64url of a
 * small JSON object naming the tool and where the next part starts. A cursor says nothing the caller could not ask
 * for anyway (it is not a credential); one from another tool, another query or another page is refused with an
 * `isError` result that says to start again without it.
 */
import { fail, type ToolText } from "./errors.ts";

/** The value of a cursor field. */
export type CursorValue = string | number;

/** A cursor for `tool` holding `fields`. */
export function makeCursor(tool: string, fields: Record<string, CursorValue>): string {
  const json = JSON.stringify({ t: tool, ...fields });
  return new TextEncoder().encode(json).toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * The fields of `cursor` when it is a cursor of `tool` whose fields have the types of `shape` (a number field must
 * be a non-negative integer); null otherwise.
 */
export function readCursor<T extends Record<string, CursorValue>>(
  tool: string,
  cursor: string,
  shape: T,
): T | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.fromBase64(cursor.trim(), { alphabet: "base64url" }),
    ));
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { t?: unknown }).t !== tool) return null;
  const out: Record<string, CursorValue> = {};
  for (const [key, example] of Object.entries(shape)) {
    const v = (parsed as Record<string, unknown>)[key];
    if (typeof example === "number" ? !(Number.isSafeInteger(v) && (v as number) >= 0) : typeof v !== "string") {
      return null;
    }
    out[key] = v as CursorValue;
  }
  return out as T;
}

/** A short fingerprint of `text` (FNV-1a, 32 bits, hex): ties a cursor to its query or page without holding it. */
export function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The answer to a cursor that is not one `tool` gave out for these arguments. */
export function badCursor(tool: string, what = "these arguments"): ToolText {
  return fail(
    `Invalid request: cursor is not one that ${tool} gave out for ${what}. Pass the cursor exactly as the last ` +
      `result gave it, with the same other arguments, or call ${tool} without cursor to start from the beginning.`,
  );
}

/** The line that ends a cut listing: `More: call {tool} again with cursor="..."` plus what else to keep. */
export function moreLine(tool: string, cursor: string, keep: string): string {
  return `More: call ${tool} again with cursor="${cursor}"${keep ? ` (${keep})` : ""}.`;
}
