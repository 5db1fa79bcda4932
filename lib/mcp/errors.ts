/**
 * @module
 * Turns failures inside a tool into tool results with `isError: true` and a message that says what to do next.
 * Wiki core errors (lib/errors.ts) keep their message with a hint naming the MCP tool to use, chosen by the error's
 * codes (`code`, `reason`), never by its English text; anything else is a bug: logged, and answered with a generic
 * message (never a stack trace).
 */
import { WikiError, type WikiErrorCode, type WikiErrorReason } from "../errors.ts";

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

/** Tool messages by kind of wiki error (lib/errors.ts `code`); every kind has one. */
const BY_CODE: Readonly<Record<WikiErrorCode, (err: WikiError) => string>> = {
  invalid_input: (err) => `Invalid request: ${err.message}`,
  not_found: (err) => err.message,
  // The store's generic advice ("Read the page again ...") is replaced by advice naming the tool.
  conflict: (err) =>
    `Conflict: ${err.summary} Read the page again with read_note to get the current revision, then retry.`,
  already_exists: (err) => `Already exists: ${err.message}`,
  ambiguous: (err) => `Ambiguous: ${err.message}`,
  too_large: (err) => `Too large: ${err.message}`,
  quota_exceeded: (err) => `Quota exceeded: ${err.message}`,
  forbidden: (err) => `Not allowed: ${err.message}`,
};

/** Tool messages for the reasons that need their own (lib/errors.ts `reason`); others use {@link BY_CODE}. */
const BY_REASON: Readonly<Partial<Record<WikiErrorReason, (err: WikiError) => string | null>>> = {
  page_not_found: (err) =>
    err.path === undefined
      ? null
      : `Page not found: ${err.path}. Use write_note to create it, or list_notes / search_notes to find the right ` +
        `path.`,
  page_deleted: (err) => `${err.message} Use restore_note to bring it back.`,
};

/** Maps an error thrown by the wiki core (or anything else) to a failed tool result, by its codes. */
export function toolError(err: unknown): ToolText {
  if (!(err instanceof WikiError)) {
    console.error("mcp tool failed:", err);
    return fail("Internal error in the wiki service; nothing is known to have changed. Try again in a moment.");
  }
  return fail(BY_REASON[err.reason]?.(err) ?? BY_CODE[err.code](err));
}
