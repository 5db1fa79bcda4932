/**
 * @module
 * Length bounds of the MCP tools' string arguments, in one place. Every string argument has one, so no argument can
 * make the server work on unbounded text; over its bound a call is answered with an `isError` result that names the
 * argument and the bound (the SDK's input validation), before any tool code runs. Exact limits that depend on
 * configuration (page and attachment sizes) are checked again, with their own messages, by the wiki core.
 */
import { z } from "zod";
import { MAX_PATH_BYTES } from "../wiki/paths.ts";
import { MAX_MESSAGE_CHARS } from "../wiki/records.ts";

/** Bounds in characters (UTF-16 code units, as JSON strings are counted by the schema). */
export const ARG_BOUNDS = {
  /** A page path (the wiki refuses over MAX_PATH_BYTES UTF-8 bytes; never fewer bytes than characters). */
  path: MAX_PATH_BYTES,
  /** An attachment filename as given (cleaned and cut to 255 UTF-8 bytes by the wiki). */
  filename: 1024,
  /** A search query. */
  query: 1000,
  /** A commit message (kept up to MAX_MESSAGE_CHARS, longer ones cut; far longer ones refused). */
  message: 4 * MAX_MESSAGE_CHARS,
  /** A revision id or prefix (ids are 32 hex characters). */
  revision: 64,
  /** A heading title or " > "-joined heading path. */
  section: 1000,
  /** A paging cursor as a result gave it (base64url of a little JSON; a list cursor holds a page path). */
  cursor: 4 * MAX_PATH_BYTES + 256,
  /** A frontmatter value to filter by (category, tag) or a date. */
  filter: 200,
  /**
   * Page content, edit strings and base64 attachment data: above any request body the endpoint accepts (15 MiB by
   * default); the configured page and attachment sizes are the real limits, checked with "Too large" messages.
   */
  body: 32 * 1024 * 1024,
} as const;

/** A string argument of at most `max` characters, with a message that names the bound. */
export function boundedText(max: number): z.ZodString {
  return z.string().max(max, { error: `must be at most ${max} characters` });
}
