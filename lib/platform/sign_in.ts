/**
 * @module
 * Sign-in on the platform, as data: starting the ATProto login, finishing it at the callback, the login transfer
 * from the loopback callback origin of local development, and the sign-in/sign-up decision. Each function takes
 * plain values (what the route read from the request) and answers a {@link SignInStep} that the route renders:
 * a redirect, the login form with an error, or a new session for the cookie. docs/atproto-login.md,
 * docs/sessions.md.
 *
 * Login CSRF: the login form is bound to the browser's signed-out nonce (`rw_csrf`), and so is the login itself:
 * {@link startSignIn} gives the pending login the nonce's login binding (lib/session/browser_bindings.ts), and the
 * callback (or the transfer) accepts the result only from the browser holding that nonce, so nobody can sign a
 * victim into the attacker's account with a callback URL.
 */
import type { KeyRing } from "../keys.ts";
import type { Urls } from "../urls.ts";
import type { Wikis } from "../wiki/wikis.ts";
import type { SessionRecord, Sessions, SessionUser } from "../session/sessions.ts";
import { type AtprotoLogin, LoginError } from "../atproto/client.ts";
import { takeLoginAttempt } from "../atproto/login_limit.ts";
import { verifyCsrf } from "../session/csrf.ts";
import { loginBinding } from "../session/browser_bindings.ts";
import { safeReturnTo } from "../session/return_to.ts";
import { upsertUserOnLogin } from "./users.ts";

/** CSRF purpose of the login form. */
export const LOGIN_PURPOSE = "login";
/** Longest identifier (handle, DID or PDS URL) a route passes on; it cuts longer input. */
export const MAX_IDENTIFIER_CHARS = 300;

/** Message when a signed-out form's token does not match this browser. */
export const STALE_FORM_MESSAGE =
  "This form expired or was opened in another browser, so it was not sent. Try again with the form below.";
/** Message when the browser finishing a sign-in is not the one that started it. */
export const OTHER_BROWSER_MESSAGE =
  "This sign-in was started in another browser (or your cookies were cleared), so it was not completed. " +
  "Start again from this page.";
/** Message when a login transfer code is unknown, expired or used. */
export const TRANSFER_EXPIRED_MESSAGE = "This sign-in link has expired or was already used. Sign in again.";

/** What sign-in needs from the app (AppDeps fits). */
export interface SignInDeps {
  kv: Deno.Kv;
  urls: Urls;
  keys: Pick<KeyRing, "hmac" | "hmacAll">;
  sessions: Pick<Sessions, "create" | "createTransfer" | "redeemTransfer">;
  wikis: Pick<Wikis, "forUser">;
  atproto: Pick<AtprotoLogin, "start" | "finish">;
}

/** What the route does next. */
export type SignInStep =
  /** Send the browser to `location` (303). */
  | { kind: "redirect"; location: string }
  /** Show the login form again with `error` (and `Retry-After` when `retryAfterSeconds` is set). */
  | { kind: "form"; status: number; error: string; returnTo: string | null; retryAfterSeconds?: number }
  /** Signed in: set the session cookie for `id`/`record`, then go to `location` (303, not cached). */
  | { kind: "signed-in"; id: string; record: SessionRecord; location: string };

/** A sign-in form as sent (`POST /auth/login`). */
export interface StartInput {
  /** Client address the attempt limit counts (lib/net/client_address.ts). */
  source: string;
  /** Handle, DID or PDS URL as typed (at most {@link MAX_IDENTIFIER_CHARS}). */
  identifier: string;
  /** Where to go afterwards (already checked with {@link safeReturnTo}), or null. */
  returnTo: string | null;
  /** The browser's signed-out nonce, or null when it has none. */
  nonce: string | null;
  /** The form's CSRF token. */
  csrf: string | null;
}

/**
 * Starts a sign-in: counts the attempt (lib/atproto/login_limit.ts; past the limit the form comes back with 429
 * and a retry time, and nothing is resolved), checks the form's CSRF token, then starts the ATProto login bound to
 * the browser's nonce and redirects to the person's PDS.
 */
export async function startSignIn(deps: SignInDeps, input: StartInput): Promise<SignInStep> {
  const { returnTo } = input;
  const attempt = await takeLoginAttempt(deps.kv, input.source);
  if (!attempt.ok) {
    const wait = attempt.retryAfterSeconds === 1 ? "1 second" : `${attempt.retryAfterSeconds} seconds`;
    return {
      kind: "form",
      status: attempt.reason === "limit" ? 429 : 503,
      error: attempt.reason === "limit"
        ? `Too many sign-in attempts from your network. Wait ${wait}, then try again.`
        : `Sign-in could not be started just now. Wait ${wait}, then try again.`,
      returnTo,
      retryAfterSeconds: attempt.retryAfterSeconds,
    };
  }
  const { nonce } = input;
  if (!nonce || !(await verifyCsrf(deps.keys, nonce, LOGIN_PURPOSE, input.csrf))) {
    return { kind: "form", status: 403, error: STALE_FORM_MESSAGE, returnTo };
  }
  try {
    const url = await deps.atproto.start(input.identifier, {
      returnTo: returnTo ?? undefined,
      binding: await loginBinding(deps.keys).sign(nonce),
    });
    return { kind: "redirect", location: url.href };
  } catch (err) {
    if (!(err instanceof LoginError)) throw err;
    return { kind: "form", status: err.status, error: err.message, returnTo };
  }
}

/** A request to the ATProto callback (`GET /auth/callback`) or the login transfer. */
export interface BrowserInput {
  /** The origin the request was made to (the cookie's origin). */
  origin: string;
  /** The browser's signed-out nonce, or null when it has none. */
  nonce: string | null;
}

/**
 * Finishes a sign-in at the ATProto callback. On the public origin it signs the browser in (when it is the one that
 * started the login); on the loopback callback origin of local development (`127.0.0.1`) it hands the login over to
 * the public origin with a one-time transfer code; failures show on the public origin, where the form lives.
 */
export async function finishSignIn(
  deps: SignInDeps,
  input: BrowserInput & { params: URLSearchParams },
): Promise<SignInStep> {
  const { urls } = deps;
  const { origin } = input;
  let result;
  try {
    result = await deps.atproto.finish(input.params);
  } catch (err) {
    if (!(err instanceof LoginError)) throw err;
    const returnTo = safeReturnTo(urls, err.returnTo);
    if (origin !== urls.origin) {
      // Show the error on the public origin, where the form (and its cookie) lives.
      const back = new URL(urls.platform("/auth/login"));
      back.searchParams.set("error", err.code);
      if (returnTo) back.searchParams.set("return_to", returnTo);
      return { kind: "redirect", location: back.href };
    }
    return { kind: "form", status: err.status, error: err.message, returnTo };
  }
  const user: SessionUser = { did: result.did, handle: result.handle ?? result.did, displayName: null };
  const returnTo = safeReturnTo(urls, result.returnTo);
  if (origin !== urls.origin) {
    if (origin !== urls.loopbackAlias) {
      // Not where PDSes send people back (path mode answers any host): sign in on the public origin only.
      return { kind: "redirect", location: `${urls.platform("/auth/login")}?error=invalid_callback` };
    }
    const code = await deps.sessions.createTransfer(user, urls.origin, returnTo ?? "", result.binding ?? "");
    return { kind: "redirect", location: `${urls.platform("/auth/transfer")}?code=${encodeURIComponent(code)}` };
  }
  if (!(await loginBinding(deps.keys).verify(input.nonce, result.binding))) {
    return { kind: "form", status: 403, error: OTHER_BROWSER_MESSAGE, returnTo };
  }
  return await signIn(deps, user, returnTo);
}

/** Redeems a login transfer code (`GET /auth/transfer?code=`) on the public origin and signs the browser in. */
export async function redeemSignInTransfer(
  deps: SignInDeps,
  input: BrowserInput & { code: string },
): Promise<SignInStep> {
  const redeemed = await deps.sessions.redeemTransfer(input.code, input.origin);
  if (!redeemed) return { kind: "form", status: 400, error: TRANSFER_EXPIRED_MESSAGE, returnTo: null };
  const returnTo = safeReturnTo(deps.urls, redeemed.returnTo);
  if (!(await loginBinding(deps.keys).verify(input.nonce, redeemed.binding))) {
    return { kind: "form", status: 403, error: OTHER_BROWSER_MESSAGE, returnTo };
  }
  return await signIn(deps, redeemed.user, returnTo);
}

/**
 * The sign-in/sign-up decision: creates or refreshes the user and starts a platform session. A sign-in with a
 * `returnTo` goes back there, first sign-in or not: the person was in the middle of something (a collaborator
 * connecting Claude to someone else's wiki returns to its consent page), and creating a wiki of their own stays on
 * offer on the dashboard, never forced mid-flow. Without one, a first sign-in, or someone who owns no wiki, goes on
 * to signup (`/auth/signup`); anyone else to the dashboard.
 */
export async function signIn(deps: SignInDeps, user: SessionUser, returnTo: string | null): Promise<SignInStep> {
  const { urls } = deps;
  const { created } = await upsertUserOnLogin(deps.kv, user);
  const { id, record } = await deps.sessions.create(user, urls.origin);
  let location = returnTo ?? urls.platform("/app/");
  if (!returnTo && (created || !(await ownsWiki(deps, user.did)))) location = urls.platform("/auth/signup");
  return { kind: "signed-in", id, record, location };
}

async function ownsWiki(deps: SignInDeps, did: string): Promise<boolean> {
  return (await deps.wikis.forUser(did)).some((w) => w.wiki.ownerDid === did);
}

/** Messages for login failures reported back from the loopback callback origin (`?error=code`). */
const CALLBACK_ERRORS: Record<string, string> = {
  access_denied: "You declined the sign-in at your PDS, so you are not signed in. You can try again at any time.",
  expired: "This sign-in attempt has expired or was already used. Start again from the login page.",
  invalid_callback: "This sign-in response was not valid. Start again from the login page.",
  account_mismatch: "You signed in to a different account than the one you entered. Sign in again with the " +
    "account you meant.",
  login_failed: "Your PDS did not complete the sign-in. Start again from the login page; if it keeps failing, " +
    "try later.",
};

/** The message for `?error=` on the login page (set by the loopback callback origin), or null. */
export function callbackErrorMessage(code: string | null | undefined): string | null {
  return code && Object.hasOwn(CALLBACK_ERRORS, code) ? CALLBACK_ERRORS[code] : null;
}
