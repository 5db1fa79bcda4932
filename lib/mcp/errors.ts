/**
 * @module
 * Turns failures inside a tool into tool results with `isError: true` and a message that says what to do next.
 * Wiki core errors (lib/errors.ts) keep their message with a hint naming the MCP tool to use; anything else is a
 * bug: logged, and answered with a generic message (never a stack trace).
 */
import { WikiError } from "../errors.ts";

/** A tool result as returned to the SDK. */
export interface ToolText {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  isError?: boolean;
}

/** A successful plain-text tool result. */
export function ok(text: string): ToolText {
  return { content: [{ type: "text", text }] };
}

/** A failed tool result with an actionable message. */
export function fail(text: string): ToolText {
  return { content: [{ type: "text", text }], isError: true };
}

/** The result of a tool call that failed because the store is unavailable (the change may or may not be saved). */
export function unavailableResult(): ToolText {
  return fail(
    "The wiki's storage is temporarily unavailable. Try again in a moment; if this call was a change, read the " +
      "page first to see whether it was saved.",
  );
}

const GENERIC_CONFLICT_HINT = /\s*Read the page again to get the current revision, then retry\.\s*$/;

/** Maps an error thrown by the wiki core (or anything else) to a failed tool result. */
export function toolError(err: unknown): ToolText {
  if (!(err instanceof WikiError)) {
    console.error("mcp tool failed:", err);
    return fail("Internal error in the wiki service; nothing is known to have changed. Try again in a moment.");
  }
  const missing = err.message.match(/^Page "(.*)" does not exist\./);
  switch (err.code) {
    case "not_found":
      if (missing) {
        return fail(
          `Page not found: ${missing[1]}. Use write_note to create it, or list_notes / search_notes to find the ` +
            `right path.`,
        );
      }
      if (/was deleted/.test(err.message)) return fail(`${err.message} Use restore_note to bring it back.`);
      return fail(err.message);
    case "conflict":
      return fail(
        `Conflict: ${err.message.replace(GENERIC_CONFLICT_HINT, "")} Read the page again with read_note to get ` +
          `the current revision, then retry.`,
      );
    case "already_exists":
      return fail(`Already exists: ${err.message}`);
    case "ambiguous":
      return fail(`Ambiguous: ${err.message}`);
    case "too_large":
      return fail(`Too large: ${err.message}`);
    case "quota_exceeded":
      return fail(`Quota exceeded: ${err.message}`);
    case "forbidden":
      return fail(`Not allowed: ${err.message}`);
    default:
      return fail(`Invalid request: ${err.message}`);
  }
}
