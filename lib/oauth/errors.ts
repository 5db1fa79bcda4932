/**
 * @module
 * OAuth errors: one class per RFC error code (most made by `errorClass`), and one {@link oauthErrorResponse} that
 * writes them as `{ error, error_description }` with `Cache-Control: no-store` (RFC 6749 §5.2, RFC 7591 §3.2.2,
 * RFC 8707 §2).
 *
 * `description` is shown to clients and people (say what is wrong and what to do next); `detail` is internal
 * (logs only) and never goes on the wire. Errors with `expose = false` (server errors) are sent as a generic
 * `server_error`. Every 5xx answer gets a request id: one log line holds it with the detail (or the unexpected
 * exception), and the response carries it (`X-Request-Id`, and `request_id` in the JSON body, an extension member
 * RFC 6749 §5.2 clients ignore); the detail and any stack stay in the log. Every OAuth JSON error of the app is
 * written here, from these classes (tests/oauth/errors_test.ts checks it). An unavailable store
 * (lib/kv/unavailable.ts) is answered `temporarily_unavailable` (503, with `Retry-After`): RFC 6749 names that code
 * for the authorization endpoint; the token, registration and revocation endpoints use it too, as common practice,
 * so that clients retry instead of starting over.
 */
import { isKvFailure, KV_RETRY_AFTER_SECONDS } from "../kv/unavailable.ts";
import { newRequestId, REQUEST_ID_HEADER } from "../ids.ts";

/** Options of an OAuth error. */
export interface OAuthErrorOptions {
  /** Internal detail for logs; never sent. */
  detail?: string;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Base class: an RFC error code, an HTTP status and a public description. */
export class OAuthError extends Error {
  /** The RFC error code (`invalid_grant`, ...). */
  readonly error: string;
  /** HTTP status when answered directly (not by redirect). */
  readonly status: number;
  /** True when `description` may be sent to the client. */
  readonly expose: boolean;
  /** Public description (`error_description`). */
  readonly description: string;
  /** Internal detail (never sent). */
  readonly detail?: string;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  constructor(error: string, status: number, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.error = error;
    this.status = status;
    this.expose = status < 500;
    this.description = description;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  /** The wire body. */
  toJSON(): { error: string; error_description: string } {
    return this.expose
      ? { error: this.error, error_description: this.description }
      : { error: "server_error", error_description: SERVER_ERROR_TEXT };
  }
}

const SERVER_ERROR_TEXT = "The authorization server could not complete the request. Try again in a moment.";

/** A class of {@link OAuthError}s with one RFC error code and HTTP status, constructed from the description. */
export type OAuthErrorClass = new (description: string, options?: OAuthErrorOptions) => OAuthError;

/** Makes the error class `name`: errors with code `error`, answered with `status` when not redirected. */
function errorClass(name: string, error: string, status: number): OAuthErrorClass {
  const made = class extends OAuthError {
    constructor(description: string, options?: OAuthErrorOptions) {
      super(error, status, description, options);
    }
  };
  Object.defineProperty(made, "name", { value: name });
  return made;
}

/** `invalid_request` (400): a parameter is missing, repeated or malformed. */
export const InvalidRequestError: OAuthErrorClass = errorClass("InvalidRequestError", "invalid_request", 400);

/**
 * `invalid_request` answered 404: the request names a wiki (an authorization server, a protected resource) that does
 * not exist. RFC 6749 §5.2, RFC 7591 §3.2.2 and RFC 6750 §3.1 define no "not found" code; `invalid_request` is the
 * code they share for a request that cannot be served as sent, and the 404 says why.
 */
export const UnknownWikiError: OAuthErrorClass = errorClass("UnknownWikiError", "invalid_request", 404);

/** `invalid_request` answered 405 with `Allow`: an OAuth endpoint called with a method it does not serve. */
export class MethodNotAllowedError extends OAuthError {
  constructor(allow: string, options: OAuthErrorOptions = {}) {
    super("invalid_request", 405, `This endpoint accepts ${allow} only.`, {
      ...options,
      headers: { Allow: allow, ...options.headers },
    });
  }
}

/**
 * `invalid_client` (401): client authentication failed (unknown client, wrong secret, wrong method). Carries
 * `WWW-Authenticate: Basic` (RFC 6749 §5.2; a 401 must name a scheme). Claude treats it as "re-register".
 */
export class InvalidClientError extends OAuthError {
  constructor(description: string, options: OAuthErrorOptions = {}) {
    super("invalid_client", 401, description, {
      ...options,
      headers: { "WWW-Authenticate": 'Basic realm="oauth", charset="UTF-8"', ...options.headers },
    });
  }
}

/** `invalid_grant` (400): the code or refresh token is invalid, expired, revoked, used, or bound to something else. */
export const InvalidGrantError: OAuthErrorClass = errorClass("InvalidGrantError", "invalid_grant", 400);

/** `unauthorized_client` (400): the client may not use this grant type. */
export const UnauthorizedClientError: OAuthErrorClass = errorClass(
  "UnauthorizedClientError",
  "unauthorized_client",
  400,
);

/** `unsupported_grant_type` (400). */
export const UnsupportedGrantTypeError: OAuthErrorClass = errorClass(
  "UnsupportedGrantTypeError",
  "unsupported_grant_type",
  400,
);

/** `unsupported_response_type` (authorization endpoint, by redirect). */
export const UnsupportedResponseTypeError: OAuthErrorClass = errorClass(
  "UnsupportedResponseTypeError",
  "unsupported_response_type",
  400,
);

/** `invalid_scope` (400): unknown scope, or broader than granted. */
export const InvalidScopeError: OAuthErrorClass = errorClass("InvalidScopeError", "invalid_scope", 400);

/** `invalid_target` (400, RFC 8707): the `resource` is not this wiki's MCP endpoint. */
export const InvalidTargetError: OAuthErrorClass = errorClass("InvalidTargetError", "invalid_target", 400);

/** `access_denied` (by redirect): the user said no, or cannot grant. */
export const AccessDeniedError: OAuthErrorClass = errorClass("AccessDeniedError", "access_denied", 403);

/** `invalid_client_metadata` (400, RFC 7591 §3.2.2): a registration field is invalid. */
export const InvalidClientMetadataError: OAuthErrorClass = errorClass(
  "InvalidClientMetadataError",
  "invalid_client_metadata",
  400,
);

/** `invalid_redirect_uri` (400, RFC 7591 §3.2.2): a redirect URI is not acceptable. */
export const InvalidRedirectUriError: OAuthErrorClass = errorClass(
  "InvalidRedirectUriError",
  "invalid_redirect_uri",
  400,
);

/** `temporarily_unavailable` (503): e.g. the wiki's registration budget for this hour is spent. */
export class TemporarilyUnavailableError extends OAuthError {
  constructor(description: string, options: OAuthErrorOptions = {}) {
    super("temporarily_unavailable", 503, description, options);
  }

  /** Unlike other 5xx, this description is meant for the client. */
  override toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/**
 * `temporarily_unavailable` answered with 429 and `Retry-After`: a per-source limit (registrations, client metadata
 * lookups) was reached. RFC 6749 has no rate-limit code; this one says "try again later" to every client.
 */
export class RateLimitedError extends OAuthError {
  /** Seconds until a retry can succeed. */
  readonly retryAfterSeconds: number;
  constructor(description: string, retryAfterSeconds: number, options: OAuthErrorOptions = {}) {
    super("temporarily_unavailable", 429, description, {
      ...options,
      headers: { "Retry-After": String(retryAfterSeconds), ...options.headers },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** `server_error` (500): our fault; the description stays internal. */
export class ServerError extends OAuthError {
  constructor(detail: string, options: OAuthErrorOptions = {}) {
    super("server_error", 500, SERVER_ERROR_TEXT, { ...options, detail });
  }
}

/** Headers of every OAuth JSON answer (RFC 6749 §5.1: no caching of tokens or errors). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "Pragma": "no-cache",
};

/** A JSON response with the no-store headers. */
export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...NO_STORE_HEADERS, ...headers } });
}

/** The error of a request that failed because the store is unavailable: `temporarily_unavailable`, retry later. */
export function storeUnavailable(): TemporarilyUnavailableError {
  return new TemporarilyUnavailableError(
    "The authorization server's storage is temporarily unavailable. Retry the same request in a moment.",
    { headers: { "Retry-After": String(KV_RETRY_AFTER_SECONDS) } },
  );
}

/**
 * The response for an OAuth error: `{ error, error_description }`, its status, its headers, `no-store`. A KV
 * failure becomes {@link storeUnavailable}; anything else that is not an {@link OAuthError} is a bug and becomes a
 * generic `server_error` 500. A 5xx is logged in one line with a new request id (see the module doc), a client
 * error with a `detail` in one line without; `endpoint` names where it happened in that line.
 */
export function oauthErrorResponse(err: unknown, endpoint = "an OAuth endpoint"): Response {
  const e = err instanceof OAuthError
    ? err
    : isKvFailure(err)
    ? storeUnavailable()
    : new ServerError(`unexpected ${describe(err)}`, { cause: err });
  const status = e instanceof TemporarilyUnavailableError ? 503 : e.expose ? e.status : 500;
  if (status < 500) {
    // A client's error: its detail (a replayed code, a reused refresh token) is worth a line, with no id to quote.
    if (e.detail) console.warn(`OAuth ${status} ${e.error} on ${endpoint}: ${e.detail}`);
    return oauthJson(e.toJSON(), status, e.headers);
  }
  const requestId = newRequestId();
  const what = isKvFailure(err)
    ? `KV unavailable: ${describe((err as Error).cause)}`
    : e.detail ?? `${e.error}: ${e.description}`;
  const line = `OAuth ${status} ${e.toJSON().error} on ${endpoint} [request ${requestId}]: ${what}`;
  if (status === 500) console.error(line);
  else console.warn(line);
  return oauthJson({ ...e.toJSON(), request_id: requestId }, status, { ...e.headers, [REQUEST_ID_HEADER]: requestId });
}

/** One line about a thrown value: its class, message and (for an Error) the first frame of its stack. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err).replaceAll("\n", " ");
  const frame = err.stack?.split("\n").find((l) => l.trim().startsWith("at "))?.trim();
  return `${err.name}: ${err.message}`.replaceAll("\n", " ") + (frame ? ` (${frame})` : "");
}
