/**
 * @module
 * Sign-in on the platform origin: the login form (`GET/POST /auth/login`), the ATProto callback
 * (`GET /auth/callback`), the login transfer from the loopback callback origin (`GET /auth/transfer`), sign-out
 * (`POST /auth/logout`) and the client documents (`/auth/client-metadata.json`, `/auth/jwks.json`).
 *
 * Login CSRF: the form is bound to the browser's `rw_csrf` nonce, and so is the login itself: `start` stores an
 * HMAC of the nonce with the pending login, and the callback (or the transfer, in local development) accepts the
 * result only from the browser holding that nonce, so nobody can sign a victim into the attacker's account with a
 * callback URL.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { contentSecurityPolicy } from "../_middleware/security.ts";
import {
  clearSessionCookie,
  csrfNonce,
  ensureCsrfNonce,
  LOGOUT_PURPOSE,
  requestOrigin,
  setSessionCookie,
} from "../_middleware/session.ts";
import { csrfToken, verifyCsrf } from "../../lib/session/csrf.ts";
import { clientMetadataDocument, jwksDocument, LoginError } from "../../lib/atproto/client.ts";
import { takeLoginAttempt } from "../../lib/atproto/login_limit.ts";
import { upsertUserOnLogin } from "../../lib/platform/users.ts";
import type { SessionUser } from "../../lib/session/sessions.ts";
import { errorResponse } from "../errors.tsx";
import { LoginPage } from "./views.tsx";
import { safeReturnTo } from "./return_to.ts";
import { timingSafeEqual } from "../../lib/ids.ts";

/** CSRF purpose of the login form. */
export const LOGIN_PURPOSE = "login";
/** Longest login form body read. */
const MAX_FORM_BYTES = 8192;

/** Message when a signed-out form's token does not match this browser. */
export const STALE_FORM_MESSAGE =
  "This form expired or was opened in another browser, so it was not sent. Try again with the form below.";
/** Message when the browser finishing a sign-in is not the one that started it. */
export const OTHER_BROWSER_MESSAGE =
  "This sign-in was started in another browser (or your cookies were cleared), so it was not completed. " +
  "Start again from this page.";

/** HMAC binding a pending login to the browser's CSRF nonce. */
async function loginBinding(c: Context<PlatformEnv>, nonce: string): Promise<string> {
  return await c.get("deps").keys.hmac("csrf", `login-binding\n${nonce}`);
}

/** True when `binding` was made from this browser's nonce (under the current or a previous csrf secret). */
async function bindingMatches(c: Context<PlatformEnv>, binding: string | null): Promise<boolean> {
  const nonce = csrfNonce(c);
  if (!nonce || !binding) return false;
  const all = await c.get("deps").keys.hmacAll("csrf", `login-binding\n${nonce}`);
  let ok = false;
  for (const candidate of all) ok = timingSafeEqual(candidate, binding) || ok; // constant time, every candidate
  return ok;
}

/** Renders the login page (status, error, kept input) with a CSP whose `form-action` lets the form reach a PDS. */
async function loginPage(
  c: Context<PlatformEnv>,
  opts: { status?: ContentfulStatusCode; error?: string | null; identifier?: string; returnTo?: string | null } = {},
): Promise<Response> {
  const deps = c.get("deps");
  const nonce = ensureCsrfNonce(c);
  const csrf = await csrfToken(deps.keys, nonce, LOGIN_PURPOSE);
  const res = htmlPage(
    c,
    <LoginPage
      urls={deps.urls}
      csrf={csrf}
      identifier={opts.identifier}
      returnTo={opts.returnTo ?? null}
      error={opts.error ?? null}
    />,
    opts.status ?? 200,
  );
  // The form's POST answers with a redirect to the person's PDS: browsers apply form-action to that redirect.
  const pdsSchemes = deps.config.atproto.allowLocalPds ? "https: http:" : "https:";
  res.headers.set(
    "Content-Security-Policy",
    contentSecurityPolicy(c.get("nonce")).replace("form-action 'self'", `form-action 'self' ${pdsSchemes}`),
  );
  res.headers.set("Cache-Control", "no-store");
  return res;
}

/** `GET /auth/login`: the form, or straight on when already signed in. */
export async function loginFormRoute(c: Context<PlatformEnv>): Promise<Response> {
  const { urls } = c.get("deps");
  const returnTo = safeReturnTo(urls, c.req.query("return_to"));
  if (c.get("session")) return c.redirect(returnTo ?? urls.platform("/app/"), 303);
  return await loginPage(c, { returnTo });
}

/**
 * `POST /auth/login`: starts the ATProto login and redirects to the person's PDS. Limited per client address
 * (lib/atproto/login_limit.ts): past the limit the form comes back with 429 and `Retry-After`, and nothing is
 * resolved.
 */
export async function loginSubmitRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const form = await readForm(c);
  const identifier = String(form.get("identifier") ?? "").slice(0, 300);
  const returnTo = safeReturnTo(deps.urls, form.get("return_to"));
  const attempt = await takeLoginAttempt(deps.kv, c.env.source);
  if (!attempt.ok) {
    const wait = attempt.retryAfterSeconds === 1 ? "1 second" : `${attempt.retryAfterSeconds} seconds`;
    const res = await loginPage(c, {
      status: attempt.reason === "limit" ? 429 : 503,
      error: attempt.reason === "limit"
        ? `Too many sign-in attempts from your network. Wait ${wait}, then try again.`
        : `Sign-in could not be started just now. Wait ${wait}, then try again.`,
      identifier,
      returnTo,
    });
    res.headers.set("Retry-After", String(attempt.retryAfterSeconds));
    return res;
  }
  const nonce = csrfNonce(c);
  if (!nonce || !(await verifyCsrf(deps.keys, nonce, LOGIN_PURPOSE, form.get("csrf")))) {
    return await loginPage(c, { status: 403, error: STALE_FORM_MESSAGE, identifier, returnTo });
  }
  try {
    const url = await deps.atproto.start(identifier, {
      returnTo: returnTo ?? undefined,
      binding: await loginBinding(c, nonce),
    });
    return c.redirect(url.href, 303);
  } catch (err) {
    if (!(err instanceof LoginError)) throw err;
    return await loginPage(c, {
      status: err.status as ContentfulStatusCode,
      error: err.message,
      identifier,
      returnTo,
    });
  }
}

/**
 * `GET /auth/callback`: finishes the login. On the public origin it signs the browser in; on the loopback callback
 * origin of local development (`127.0.0.1`) it transfers the login to the public origin.
 */
export async function callbackRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const { urls } = deps;
  const origin = requestOrigin(c);
  let result;
  try {
    result = await deps.atproto.finish(new URL(c.req.url).searchParams);
  } catch (err) {
    if (!(err instanceof LoginError)) throw err;
    const returnTo = safeReturnTo(urls, err.returnTo);
    if (origin !== urls.origin) {
      // Show the error on the public origin, where the form (and its cookie) lives.
      const back = new URL(urls.platform("/auth/login"));
      back.searchParams.set("error", err.code);
      if (returnTo) back.searchParams.set("return_to", returnTo);
      return c.redirect(back.href, 303);
    }
    return await loginPage(c, { status: err.status as ContentfulStatusCode, error: err.message, returnTo });
  }
  const user: SessionUser = { did: result.did, handle: result.handle ?? result.did, displayName: null };
  const returnTo = safeReturnTo(urls, result.returnTo);
  if (origin !== urls.origin) {
    if (origin !== urls.loopbackAlias) {
      // Not where PDSes send people back (path mode answers any host): sign in on the public origin only.
      return c.redirect(`${urls.platform("/auth/login")}?error=invalid_callback`, 303);
    }
    const code = await deps.sessions.createTransfer(user, urls.origin, returnTo ?? "", result.binding ?? "");
    return c.redirect(`${urls.platform("/auth/transfer")}?code=${encodeURIComponent(code)}`, 303);
  }
  if (!(await bindingMatches(c, result.binding))) {
    return await loginPage(c, { status: 403, error: OTHER_BROWSER_MESSAGE, returnTo });
  }
  return await signIn(c, user, returnTo);
}

/** `GET /auth/transfer?code=`: the public origin's half of a login that finished on the loopback callback origin. */
export async function transferRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const redeemed = await deps.sessions.redeemTransfer(c.req.query("code") ?? "", requestOrigin(c));
  if (!redeemed) {
    return await loginPage(c, {
      status: 400,
      error: "This sign-in link has expired or was already used. Sign in again.",
    });
  }
  const returnTo = safeReturnTo(deps.urls, redeemed.returnTo);
  if (!(await bindingMatches(c, redeemed.binding))) {
    return await loginPage(c, { status: 403, error: OTHER_BROWSER_MESSAGE, returnTo });
  }
  return await signIn(c, redeemed.user, returnTo);
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
export function callbackErrorMessage(code: string | undefined): string | null {
  return code && Object.hasOwn(CALLBACK_ERRORS, code) ? CALLBACK_ERRORS[code] : null;
}

/** `GET /auth/login` with `?error=`: the form showing what went wrong at the callback. */
export async function loginRoute(c: Context<PlatformEnv>): Promise<Response> {
  const error = callbackErrorMessage(c.req.query("error"));
  if (error && !c.get("session")) {
    const returnTo = safeReturnTo(c.get("deps").urls, c.req.query("return_to"));
    return await loginPage(c, { status: 400, error, returnTo });
  }
  return await loginFormRoute(c);
}

/** Creates or refreshes the user, starts a platform session, and sends them on (first login: signup). */
async function signIn(c: Context<PlatformEnv>, user: SessionUser, returnTo: string | null): Promise<Response> {
  const deps = c.get("deps");
  const { urls } = deps;
  const { created } = await upsertUserOnLogin(deps.kv, user);
  const { id, record } = await deps.sessions.create(user, urls.origin);
  setSessionCookie(c, id, record);
  let next = returnTo ?? urls.platform("/app/");
  if (created || (!returnTo && !(await ownsWiki(c, user.did)))) {
    next = urls.platform("/auth/signup") + (returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : "");
  }
  c.header("Cache-Control", "no-store");
  return c.redirect(next, 303);
}

async function ownsWiki(c: Context<PlatformEnv>, did: string): Promise<boolean> {
  return (await c.get("deps").wikis.forUser(did)).some((w) => w.wiki.ownerDid === did);
}

/** `POST /auth/logout`: ends the platform session (and with it every wiki host's) and revokes the ATProto tokens. */
export async function logoutRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const session = c.get("session");
  if (!session) return c.redirect(deps.urls.platform("/"), 303);
  const form = await readForm(c);
  if (!(await verifyCsrf(deps.keys, session.id, LOGOUT_PURPOSE, form.get("csrf")))) {
    return errorResponse(
      c,
      403,
      "forbidden",
      "Sign-out not confirmed",
      "This sign-out form expired or came from another page, so you are still signed in. Use the Sign out button " +
        "at the top of this page.",
    );
  }
  await deps.sessions.destroy(session.id);
  await deps.atproto.logout(session.record.did);
  clearSessionCookie(c);
  return c.redirect(deps.urls.platform("/"), 303);
}

/** `GET /auth/client-metadata.json`: the confidential client's metadata document (404 in loopback mode). */
export function clientMetadataRoute(c: Context<PlatformEnv>): Response {
  const deps = c.get("deps");
  if (deps.atproto.mode !== "confidential") {
    return c.json({ error: "not_found", message: "This instance uses the ATProto loopback client." }, 404);
  }
  return c.json(clientMetadataDocument(deps.urls.origin), 200, { "cache-control": "public, max-age=300" });
}

/** `GET /auth/jwks.json`: the public key of the confidential client (404 in loopback mode). */
export function jwksRoute(c: Context<PlatformEnv>): Response {
  const deps = c.get("deps");
  if (deps.atproto.mode !== "confidential") {
    return c.json({ error: "not_found", message: "This instance uses the ATProto loopback client." }, 404);
  }
  return c.json(jwksDocument(deps.keys), 200, { "cache-control": "public, max-age=300" });
}

/** Reads a urlencoded or multipart form body (bounded); empty on anything else. */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header("content-type") ?? "";
  if (Number(c.req.header("content-length") ?? 0) > MAX_FORM_BYTES) return new URLSearchParams();
  try {
    if (type.startsWith("application/x-www-form-urlencoded")) {
      const text = await c.req.text();
      return new URLSearchParams(text.length > MAX_FORM_BYTES ? "" : text);
    }
    if (type.startsWith("multipart/form-data")) {
      const body = await c.req.parseBody();
      const out = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) if (typeof v === "string") out.set(k, v);
      return out;
    }
  } catch {
    // unreadable body: treated as empty
  }
  return new URLSearchParams();
}
