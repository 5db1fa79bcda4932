/**
 * @module
 * Domain errors of the wiki core. Each names the failure, carries a message a person or an agent can act on,
 * and maps to one HTTP status. Routes and the MCP adapter turn them into pages, JSON or tool results; anything
 * else thrown is a bug and becomes a generic 500 (logged, never shown).
 *
 * Errors are data: `code` is the kind (it picks the HTTP status and the JSON `error`), `reason` the stable machine
 * code of what exactly failed (`page_not_found`, `revision_conflict`, ...; the kind itself when nothing finer is
 * needed), and `path` the page concerned. Adapters choose their wording from these, never from the English
 * `message`, which may change. `advice` is the generic "what to do next" that ends the message; an adapter with
 * better advice (the MCP layer naming its tools) shows `summary` with its own.
 */

/** Machine-readable failure kinds. */
export type WikiErrorCode =
  | "invalid_input"
  | "not_found"
  | "conflict"
  | "already_exists"
  | "ambiguous"
  | "too_large"
  | "quota_exceeded"
  | "forbidden";

const STATUS: Record<WikiErrorCode, number> = {
  invalid_input: 422,
  not_found: 404,
  conflict: 409,
  already_exists: 409,
  ambiguous: 422,
  too_large: 413,
  quota_exceeded: 413,
  forbidden: 403,
};

/**
 * Stable machine codes of what exactly failed, finer than {@link WikiErrorCode} (which every reason also is, for
 * errors that need nothing finer). Add one when a caller must tell failures of one kind apart.
 */
export type WikiErrorReason =
  | WikiErrorCode
  /** The page never existed (or not under this path). */
  | "page_not_found"
  /** The page exists only as deleted (its history is kept; it can be restored). */
  | "page_deleted"
  /** The revision given is not the page's current one (optimistic locking). */
  | "revision_conflict";

/** Options of a {@link WikiError}. */
export interface WikiErrorOptions extends ErrorOptions {
  /** What exactly failed (default: the kind). */
  reason?: WikiErrorReason;
  /** The page concerned. */
  path?: string;
  /** Generic advice appended to the message ("Read the page again ..."); adapters may replace it. */
  advice?: string;
}

/** Base class of expected failures; `message` is safe to show. */
export class WikiError extends Error {
  /** The kind: picks the HTTP status. */
  readonly code: WikiErrorCode;
  /** What exactly failed: a stable machine code for adapters to map. */
  readonly reason: WikiErrorReason;
  readonly status: number;
  /** The page concerned, when there is one. */
  readonly path?: string;
  /** What happened, without the generic advice (`message` is this plus `advice`). */
  readonly summary: string;
  /** The generic advice that ends `message`, if any. */
  readonly advice?: string;
  constructor(code: WikiErrorCode, message: string, options: WikiErrorOptions = {}) {
    const { reason, path, advice, ...errorOptions } = options;
    super(advice ? `${message} ${advice}` : message, errorOptions);
    this.code = code;
    this.reason = reason ?? code;
    this.status = STATUS[code];
    this.summary = message;
    if (path !== undefined) this.path = path;
    if (advice !== undefined) this.advice = advice;
    this.name = new.target.name;
  }
}

/** Bad input: an invalid path, an empty query, an unknown option. */
export class InvalidInputError extends WikiError {
  constructor(message: string, options?: WikiErrorOptions) {
    super("invalid_input", message, options);
  }
}

/** A page, revision, attachment or wiki that does not exist. */
export class NotFoundError extends WikiError {
  constructor(message: string, options?: WikiErrorOptions) {
    super("not_found", message, options);
  }
}

/** Optimistic-locking failure: the caller's revision is not the page's current one. */
export class ConflictError extends WikiError {
  /** The page's current revision id (null when the page does not exist or is deleted). */
  readonly currentRevision: string | null;
  constructor(message: string, currentRevision: string | null, options?: WikiErrorOptions) {
    super("conflict", message, options);
    this.currentRevision = currentRevision;
  }
}

/** Creating something that exists already (a rename target, a slug). */
export class AlreadyExistsError extends WikiError {
  constructor(message: string) {
    super("already_exists", message);
  }
}

/** An input that matches more than one thing (a revision prefix, an edit's old string). */
export class AmbiguousError extends WikiError {
  constructor(message: string) {
    super("ambiguous", message);
  }
}

/** Content, an attachment, or a change larger than the service holds. */
export class TooLargeError extends WikiError {
  constructor(message: string) {
    super("too_large", message);
  }
}

/** The wiki's page or storage quota would be exceeded. */
export class QuotaExceededError extends WikiError {
  constructor(message: string) {
    super("quota_exceeded", message);
  }
}

/** The caller may not do this. */
export class ForbiddenError extends WikiError {
  constructor(message: string) {
    super("forbidden", message);
  }
}
