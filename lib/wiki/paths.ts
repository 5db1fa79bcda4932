/**
 * @module
 * Canonical page paths. THE CANONICAL FORM (also in docs/wiki.md):
 * - segments separated by `/`; no leading or trailing `/`, no empty segment, no `.` or `..` segment;
 * - Unicode NFC; case kept and significant (`Design` and `design` are different pages);
 * - spaces and underscores are the same character: the canonical form uses a space, URLs use `_`;
 * - runs of whitespace inside a segment become one space; whitespace around a segment is trimmed;
 * - no control characters (C0, DEL, C1) and none of `[ ] | # < > \` (they clash with WikiLink and URL syntax);
 * - at most MAX_PATH_BYTES UTF-8 bytes, so two paths fit in one KV key (2048-byte limit) with room to spare.
 */
import { InvalidInputError } from "../errors.ts";
import { utf8Bytes } from "./text.ts";

/** Byte cap of a canonical path. */
export const MAX_PATH_BYTES = 512;

/** Characters that may not appear in a page path (WikiLink and URL syntax). */
export const FORBIDDEN_PATH_CHARS: readonly string[] = ["[", "]", "|", "#", "<", ">", "\\"];

/** C0 controls, DEL and C1 controls (U+0000-U+001F, U+007F-U+009F). */
const CONTROL_CHAR = /\p{Cc}/u;
/** Characters escaped when an input is quoted in a message: controls and unpaired surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/gu;
const FORBIDDEN_CHAR = /[[\]|#<>\\]/;
/** Whitespace (control characters are rejected before this applies) and underscores, in runs. */
const SPACE_RUN = /[\s_]+/g;
/** Longest excerpt of the input quoted in an error message. */
const QUOTE_MAX_CHARS = 60;

/**
 * Returns the canonical form of a page path, or throws InvalidInputError with a message saying exactly what is
 * wrong and how to fix it. Fixable differences (underscores, NFD, extra spaces) are normalized silently.
 */
export function canonicalPath(input: string): string {
  if (typeof input !== "string") {
    throw new InvalidInputError(`Invalid page path: expected a string, got ${input === null ? "null" : typeof input}.`);
  }
  rejectBadCharacters(input);
  const segments = input.normalize("NFC").split("/").map(normalizeSegment);
  checkSegments(input, segments);
  const path = segments.join("/");
  const bytes = utf8Bytes(path);
  if (bytes > MAX_PATH_BYTES) {
    throw invalid(
      input,
      `it is ${bytes} bytes long in UTF-8, over the limit of ${MAX_PATH_BYTES} bytes; use a shorter path`,
    );
  }
  return path;
}

/** True when `input` is already canonical. */
export function isCanonicalPath(input: string): boolean {
  try {
    return canonicalPath(input) === input;
  } catch {
    return false;
  }
}

/** Last segment of a canonical path: the default title. */
export function pageName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Parent of a canonical path (`A/B/C` -> `A/B`), or null for a top-level page. */
export function parentPath(path: string): string | null {
  const i = path.lastIndexOf("/");
  return i < 0 ? null : path.slice(0, i);
}

/** Collapses whitespace/underscore runs to one space and trims. */
function normalizeSegment(segment: string): string {
  return segment.replace(SPACE_RUN, " ").trim();
}

/** Throws for control characters, unpaired surrogates and the forbidden characters. */
function rejectBadCharacters(input: string): void {
  const control = input.match(CONTROL_CHAR);
  if (control) {
    throw invalid(input, `it contains the control character ${codePointName(control[0])}; remove it`);
  }
  if (!input.isWellFormed()) {
    throw invalid(input, "it contains an unpaired UTF-16 surrogate (broken Unicode); send valid Unicode text");
  }
  const forbidden = input.match(FORBIDDEN_CHAR);
  if (forbidden) {
    const c = forbidden[0];
    throw invalid(
      input,
      `"${c}" is not allowed in page paths (none of [ ] | # < > \\ are, they clash with WikiLink and URL syntax); ` +
        `remove or replace it`,
    );
  }
}

/** Throws for an empty path, leading/trailing `/`, empty segments and `.`/`..` segments. */
function checkSegments(input: string, segments: string[]): void {
  const nonEmpty = segments.filter((s) => s !== "");
  const suggestion = nonEmpty.join("/");
  if (nonEmpty.length === 0) {
    throw invalid(input, 'a page path cannot be empty; use a name such as "Home" or "Projects/Plan"');
  }
  if (segments[0] === "") {
    throw invalid(input, `paths have no leading "/"; use "${suggestion}"`);
  }
  if (segments[segments.length - 1] === "") {
    throw invalid(input, `paths have no trailing "/"; use "${suggestion}"`);
  }
  if (nonEmpty.length !== segments.length) {
    throw invalid(input, `it has an empty segment ("//" or a blank segment); use "${suggestion}"`);
  }
  const dots = segments.find((s) => s === "." || s === "..");
  if (dots !== undefined) {
    throw invalid(
      input,
      `"${dots}" is not allowed as a path segment (page paths are names, not relative file paths); ` +
        `write the full page path without it`,
    );
  }
}

/** Builds the InvalidInputError with the quoted input and the reason. */
function invalid(input: string, reason: string): InvalidInputError {
  return new InvalidInputError(`Invalid page path ${quote(input)}: ${reason}.`);
}

/** Quotes an input for a message: control characters and unpaired surrogates escaped as \uXXXX, long inputs shortened with "…". */
function quote(input: string): string {
  const chars = Array.from(input);
  const shown = chars.length > QUOTE_MAX_CHARS ? chars.slice(0, QUOTE_MAX_CHARS).join("") + "…" : input;
  return `"${shown.replace(UNPRINTABLE, (c) => "\\u" + hex4(c))}"`;
}

/** `U+0000`-style name of a character. */
function codePointName(c: string): string {
  return "U+" + hex4(c);
}

/** Four-digit uppercase hex of a BMP character. */
function hex4(c: string): string {
  return c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
}
