/**
 * @module
 * Session middleware and cookies. `loadSession` reads the `rw_session` cookie and puts the live session of this
 * origin (or null) on the context as `session`; it also makes the page header's sign-in state available to
 * `Layout` for the rest of the request ({@link headerAuth}). Cookies are host-only; a wiki origin gets its own child
 * session through the hand-off (docs/sessions.md).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CurrentSession, HeaderAuth, PlatformEnv, WikiEnv } from "../env.ts";
import type { SessionRecord } from "../../lib/session/sessions.ts";
import { csrfToken } from "../../lib/session/csrf.ts";
import { LOGOUT_PURPOSE } from "../../lib/session/sign_out.ts";
import { randomToken } from "../../lib/ids.ts";
import type { KeyRing } from "../../lib/keys.ts";
import { handoffBinding as browserHandoffBinding } from "../../lib/session/browser_bindings.ts";

/** Name of the session cookie (host-only on every origin). */
export const SESSION_COOKIE = "rw_session";
/** Name of the cookie saying the passive sign-in check ran on this wiki origin in this browser session. */
export const SSO_COOKIE = "rw_sso";
/** Name of the cookie holding the nonce that binds CSRF tokens of signed-out forms. */
export const CSRF_COOKIE = "rw_csrf";
/** CSRF purpose of the sign-out forms (platform and wiki): lib/session/sign_out.ts. */
export { LOGOUT_PURPOSE };

/** The origin a request was made to, as the browser sees it (the cookie's origin). */
export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}

/** True when cookies of this origin should be `Secure`: everywhere except http on a loopback host. */
export function secureCookies(origin: string): boolean {
  const u = new URL(origin);
  if (u.protocol === "https:") return true;
  const host = u.hostname.toLowerCase();
  return !(host === "localhost" || host.endsWith(".localhost") || host === "127.0.0.1" || host === "[::1]");
}

function baseCookie(c: Context) {
  return { path: "/", httpOnly: true, sameSite: "Lax" as const, secure: secureCookies(requestOrigin(c)) };
}

/** Sets the session cookie (host-only) for a session record, expiring with it. */
export function setSessionCookie(c: Context, id: string, record: SessionRecord): void {
  const maxAge = Math.max(1, Math.floor((record.expiresAt - Date.now()) / 1000));
  setCookie(c, SESSION_COOKIE, id, { ...baseCookie(c), maxAge });
}

/** Removes the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, baseCookie(c));
}

/** Marks this browser session as having run the passive sign-in check on this origin (a session cookie). */
export function setSsoCookie(c: Context): void {
  setCookie(c, SSO_COOKIE, "1", baseCookie(c));
}

/** The signed-out CSRF nonce of this browser, or null when it has none yet. */
export function csrfNonce(c: Context): string | null {
  const v = getCookie(c, CSRF_COOKIE);
  return v && v.length >= 16 && v.length <= 100 ? v : null;
}

/** The signed-out CSRF nonce of this browser, set now (for a day) when it has none. */
export function ensureCsrfNonce(c: Context): string {
  const existing = csrfNonce(c);
  if (existing) return existing;
  const nonce = randomToken(24);
  setCookie(c, CSRF_COOKIE, nonce, { ...baseCookie(c), maxAge: 24 * 60 * 60 });
  return nonce;
}

/**
 * The hand-off binding of this browser on this (wiki) origin (lib/session/browser_bindings.ts), from its signed-out
 * CSRF nonce, which is set now when missing. A wiki origin sends it along to the platform's `/auth/handoff` (`b=`);
 * the code minted there redeems only in a browser that presents the same binding, so a code lured out of one
 * browser cannot sign another one in.
 */
export async function handoffBinding(c: Context): Promise<string> {
  const nonce = ensureCsrfNonce(c);
  return await browserHandoffBinding((c.get("deps") as { keys: KeyRing }).keys).sign(nonce);
}

/** The hand-off bindings this browser can present here (under every csrf secret); empty without a nonce. */
export async function presentedHandoffBindings(c: Context): Promise<string[]> {
  const nonce = csrfNonce(c);
  if (!nonce) return [];
  return await browserHandoffBinding((c.get("deps") as { keys: KeyRing }).keys).candidates(nonce);
}

const headerStore = new AsyncLocalStorage<HeaderAuth>();

/** What the page header shows about the visitor of the request being rendered (null outside `loadSession`). */
export function headerAuth(): HeaderAuth | null {
  return headerStore.getStore() ?? null;
}

/** Middleware: sets `session` on the context (null when signed out, expired, or the cookie is for another origin). */
export const loadSession: MiddlewareHandler<PlatformEnv | WikiEnv> = async (c, next) => {
  const deps = c.get("deps");
  const id = getCookie(c, SESSION_COOKIE);
  let session: CurrentSession | null = null;
  if (id) {
    const record = await deps.sessions.get(id, requestOrigin(c));
    if (record) session = { id, record };
  }
  c.set("session", session);
  const slug = (c.env as { slug?: string } | undefined)?.slug ?? null;
  const { urls } = deps;
  const url = new URL(c.req.url);
  let signInUrl: string | null;
  let signOutAction: string;
  if (slug) {
    const here = urls.wiki(slug, url.pathname) + url.search;
    signInUrl = `${urls.wiki(slug, "/-/auth/login")}?return_to=${encodeURIComponent(here)}`;
    signOutAction = urls.wiki(slug, "/-/auth/logout");
  } else {
    const stay = url.pathname !== "/" && url.origin === urls.origin;
    // On the sign-in pages themselves the header offers no second "Sign in".
    signInUrl = url.pathname.startsWith("/auth/")
      ? null
      : urls.platform("/auth/login") + (stay ? `?return_to=${encodeURIComponent(url.href)}` : "");
    signOutAction = urls.platform("/auth/logout");
  }
  const header: HeaderAuth = {
    user: session
      ? {
        handle: session.record.handle,
        signOutAction,
        csrf: await csrfToken(deps.keys, session.id, LOGOUT_PURPOSE),
      }
      : null,
    signInUrl,
    dashboardUrl: urls.platform("/app/"),
    wikiSlug: slug,
  };
  await headerStore.run(header, next);
};
