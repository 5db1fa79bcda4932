/**
 * @module
 * Domain errors of the wiki core. Each names the failure, carries a message a person or an agent can act on,
 * and maps to one HTTP status. Routes and the MCP adapter turn them into pages, JSON or tool results; anything
 * else thrown is a bug and becomes a generic 500 (logged, never shown).
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

/** Base class of expected failures; `message` is safe to show. */
export class WikiError extends Error {
  readonly code: WikiErrorCode;
  readonly status: number;
  constructor(code: WikiErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = STATUS[code];
    this.name = new.target.name;
  }
}

/** Bad input: an invalid path, an empty query, an unknown option. */
export class InvalidInputError extends WikiError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_input", message, options);
  }
}

/** A page, revision, attachment or wiki that does not exist. */
export class NotFoundError extends WikiError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** Optimistic-locking failure: the caller's revision is not the page's current one. */
export class ConflictError extends WikiError {
  /** The page's current revision id (null when the page does not exist or is deleted). */
  readonly currentRevision: string | null;
  constructor(message: string, currentRevision: string | null) {
    super("conflict", message);
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
