/**
 * @module
 * Sign-in on the platform origin: the login form (`GET/POST /auth/login`), the ATProto callback
 * (`GET /auth/callback`) and the login transfer from the loopback callback origin (`GET /auth/transfer`), plus the
 * client documents (`/auth/client-metadata.json`, `/auth/jwks.json`). Sign-out is routes/auth/logout.ts.
 *
 * The routes read the request, call lib/platform/sign_in.ts (the sign-in logic and its login-CSRF binding) and
 * render the {@link SignInStep} it answers.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PlatformEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { contentSecurityPolicy } from "../../lib/web/security_headers.ts";
import { csrfNonce, ensureCsrfNonce, requestOrigin, setSessionCookie } from "../_middleware/session.ts";
import { csrfToken } from "../../lib/session/csrf.ts";
import { clientMetadataDocument, jwksDocument } from "../../lib/atproto/client.ts";
import {
  callbackErrorMessage,
  finishSignIn,
  LOGIN_PURPOSE,
  MAX_IDENTIFIER_CHARS,
  redeemSignInTransfer,
  type SignInStep,
  startSignIn,
} from "../../lib/platform/sign_in.ts";
import { LoginPage } from "./views.tsx";
import { safeReturnTo } from "../../lib/session/return_to.ts";
import { readMultipartText, readUrlEncoded } from "../../lib/net/body.ts";

export { OTHER_BROWSER_MESSAGE, STALE_FORM_MESSAGE } from "../../lib/platform/sign_in.ts";

/** Longest login form body read. */
const MAX_FORM_BYTES = 8192;

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

/** Answers a sign-in step: a redirect, the form again (keeping `identifier`), or the new session's cookie. */
async function renderStep(c: Context<PlatformEnv>, step: SignInStep, identifier?: string): Promise<Response> {
  switch (step.kind) {
    case "redirect":
      return c.redirect(step.location, 303);
    case "signed-in":
      setSessionCookie(c, step.id, step.record);
      c.header("Cache-Control", "no-store");
      return c.redirect(step.location, 303);
    case "form": {
      const { status, error, returnTo, retryAfterSeconds } = step;
      const res = await loginPage(c, { status: status as ContentfulStatusCode, error, identifier, returnTo });
      if (retryAfterSeconds !== undefined) res.headers.set("Retry-After", String(retryAfterSeconds));
      return res;
    }
  }
}

/**
 * `POST /auth/login`: starts the ATProto login and redirects to the person's PDS. Limited per client address
 * (lib/atproto/login_limit.ts): past the limit the form comes back with 429 and `Retry-After`, and nothing is
 * resolved.
 */
export async function loginSubmitRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const form = await readForm(c);
  const identifier = String(form.get("identifier") ?? "").slice(0, MAX_IDENTIFIER_CHARS);
  const step = await startSignIn(deps, {
    source: c.env.source,
    identifier,
    returnTo: safeReturnTo(deps.urls, form.get("return_to")),
    nonce: csrfNonce(c),
    csrf: form.get("csrf"),
  });
  return await renderStep(c, step, identifier);
}

/**
 * `GET /auth/callback`: finishes the login. On the public origin it signs the browser in; on the loopback callback
 * origin of local development (`127.0.0.1`) it transfers the login to the public origin.
 */
export async function callbackRoute(c: Context<PlatformEnv>): Promise<Response> {
  const params = new URL(c.req.url).searchParams;
  return await renderStep(
    c,
    await finishSignIn(c.get("deps"), { origin: requestOrigin(c), nonce: csrfNonce(c), params }),
  );
}

/** `GET /auth/transfer?code=`: the public origin's half of a login that finished on the loopback callback origin. */
export async function transferRoute(c: Context<PlatformEnv>): Promise<Response> {
  const input = { origin: requestOrigin(c), nonce: csrfNonce(c), code: c.req.query("code") ?? "" };
  return await renderStep(c, await redeemSignInTransfer(c.get("deps"), input));
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

/**
 * Reads a urlencoded or multipart form body of at most MAX_FORM_BYTES (lib/net/body.ts); empty on anything else
 * (another content type, a larger or unreadable body).
 */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header("content-type") ?? "";
  try {
    if (type.startsWith("application/x-www-form-urlencoded")) return await readUrlEncoded(c.req.raw, MAX_FORM_BYTES);
    if (type.startsWith("multipart/form-data")) return await readMultipartText(c.req.raw, MAX_FORM_BYTES);
  } catch {
    // too large or unreadable: treated as empty
  }
  return new URLSearchParams();
}
