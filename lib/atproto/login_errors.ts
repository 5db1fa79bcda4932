/**
 * @module
 * Sign-in failures: {@link LoginError} with its codes and HTTP statuses, and the mapping of what can go wrong
 * (identity resolution, the OAuth library's errors at the start and at the callback, a busy process) to a message
 * written for the person signing in.
 */
import { FetchError, OAuthCallbackError, OAuthResolverError, OAuthResponseError } from "@atproto/oauth-client";
import { SafeFetchError } from "../net/safe_fetch.ts";
import { IdentityError, type IdentityErrorCode } from "./identity_syntax.ts";

/** Failure kinds a person can cause or meet while signing in. */
export type LoginErrorCode =
  | "invalid_input"
  | "unknown_handle"
  | "pds_unreachable"
  | "pds_refused"
  | "access_denied"
  | "expired"
  | "invalid_callback"
  | "account_mismatch"
  | "login_failed"
  | "busy";

const LOGIN_STATUS: Record<LoginErrorCode, number> = {
  invalid_input: 400,
  unknown_handle: 400,
  pds_unreachable: 502,
  pds_refused: 502,
  access_denied: 403,
  expired: 400,
  invalid_callback: 400,
  account_mismatch: 403,
  login_failed: 502,
  busy: 503,
};

/** A sign-in failure with a message to show the person and a suggested HTTP status. */
export class LoginError extends Error {
  /** Machine-readable failure kind. */
  readonly code: LoginErrorCode;
  /** HTTP status for a page that reports the error. */
  readonly status: number;
  /** Where the person wanted to go (from `start`), when the failure happened after it was known. */
  readonly returnTo: string | null;
  constructor(code: LoginErrorCode, message: string, options: ErrorOptions & { returnTo?: string | null } = {}) {
    super(message, options);
    this.name = "LoginError";
    this.code = code;
    this.status = LOGIN_STATUS[code];
    this.returnTo = options.returnTo ?? null;
  }
}

/** The sign-in's answer when the process's cap on outbound work is reached (not remembered). */
const BUSY_MESSAGE = "Sign-in is very busy right now (too many lookups at once). Try again in a few seconds.";

/** True when `err`, or an error it was caused by, is the safe fetch's "busy". */
function causedByBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof SafeFetchError && e.reason === "busy") return true;
  }
  return false;
}

/** The error `start` reports for a failure of the library (`input`: what the person typed). */
export function startError(input: string, err: unknown): LoginError {
  if (err instanceof LoginError) return err;
  if (causedByBusy(err)) return new LoginError("busy", BUSY_MESSAGE, { cause: err });
  if (err instanceof OAuthResponseError) {
    const why = err.errorDescription ?? err.error ?? `status ${err.status}`;
    return new LoginError("pds_refused", `Your PDS refused the sign-in request (${why}).`, { cause: err });
  }
  if (err instanceof OAuthResolverError || err instanceof FetchError || err instanceof TypeError) {
    return new LoginError(
      "pds_unreachable",
      `We could not reach the PDS of "${input}" to start the sign-in. It may be down; try again in a few minutes.`,
      { cause: err },
    );
  }
  return new LoginError("login_failed", "The sign-in could not be started. Try again in a few minutes.", {
    cause: err,
  });
}

/** The error `finish` reports for a failure of the library at the callback. */
export function callbackError(err: unknown, returnTo: string | null): LoginError {
  const message = err instanceof Error ? err.message : "";
  if (err instanceof OAuthCallbackError && /issuer|iss missing/i.test(message)) {
    return new LoginError(
      "invalid_callback",
      "This sign-in response did not come from the server the sign-in was sent to. Start again from the login page.",
      { cause: err, returnTo },
    );
  }
  if (err instanceof OAuthCallbackError && /Missing "code"/.test(message)) {
    return new LoginError(
      "invalid_callback",
      "This sign-in response is incomplete (it has no code). Start again from the login page.",
      { cause: err, returnTo },
    );
  }
  return new LoginError(
    "login_failed",
    "Your PDS did not complete the sign-in. Start again from the login page; if it keeps failing, try later.",
    { cause: err, returnTo },
  );
}

const IDENTITY_CODES: Record<IdentityErrorCode, LoginErrorCode> = {
  "invalid-input": "invalid_input",
  "did-unsupported": "invalid_input",
  "unknown-handle": "unknown_handle",
  "handle-conflict": "unknown_handle",
  "handle-mismatch": "unknown_handle",
  "did-not-found": "unknown_handle",
  "did-doc-invalid": "pds_unreachable",
  "did-unreachable": "pds_unreachable",
  "pds-unreachable": "pds_unreachable",
  "auth-server-invalid": "pds_unreachable",
  busy: "busy",
};

/** An identity failure as a login error, keeping identity.ts's message (written for the person). */
export function identityLoginError(err: unknown): LoginError {
  if (err instanceof IdentityError) return new LoginError(IDENTITY_CODES[err.code], err.message, { cause: err });
  return new LoginError(
    "pds_unreachable",
    "We could not look up this account right now. Try again in a few minutes.",
    { cause: err },
  );
}
