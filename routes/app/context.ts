/**
 * @module
 * Request plumbing of the dashboard: the signed-in guard (signed-out visitors go to the login page and come back),
 * the CSRF check of every POST, the lib/platform dependencies (built once per app), and small helpers shared by the
 * route modules.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps, CurrentSession, PlatformEnv } from "../env.ts";
import type { DashboardUser, PlatformDeps } from "../../lib/platform/deps.ts";
import { csrfToken, verifyCsrf } from "../../lib/session/csrf.ts";
import { requestForm } from "../../lib/net/body.ts";
import { errorResponse } from "../errors.tsx";

/** CSRF purpose of every dashboard form (the binding is the session id). */
export const CSRF_PURPOSE = "app";
/** Where a signed-in person without any wiki chooses their first one (signup, owned by the sign-in routes). */
export const SIGNUP_PATH = "/auth/signup";
/** The one dashboard POST whose body streams (the import upload, routes/app/archive.tsx): CSRF token in the query. */
export const STREAMED_UPLOAD_PATH = /^\/app\/wikis\/[^/]+\/import$/;
/** The login page. */
export const LOGIN_PATH = "/auth/login";

/** Builds the dashboard's domain dependencies of an app (main.ts, once; routes read `deps.platform`). */
export function buildPlatformDeps(
  deps: Pick<AppDeps, "kv" | "urls" | "wikis" | "tokens" | "oauth" | "sessions" | "identity" | "config" | "atproto">,
): PlatformDeps {
  return {
    kv: deps.kv,
    urls: deps.urls,
    wikis: deps.wikis,
    tokens: deps.tokens,
    oauth: deps.oauth,
    sessions: deps.sessions,
    identity: deps.identity,
    wikisPerUser: deps.config.wikisPerUser,
    atprotoLogout: (did) => deps.atproto.logout(did),
  };
}

/** The signed-in session of a dashboard request (the guard ran, so it is set). */
export function currentSession(c: Context<PlatformEnv>): CurrentSession {
  const s = c.get("session");
  if (!s) throw new Error("dashboard route reached without a session");
  return s;
}

/** The signed-in person of a dashboard request. */
export function currentUser(c: Context<PlatformEnv>): DashboardUser {
  const { did, handle, displayName } = currentSession(c).record;
  return { did, handle, displayName };
}

/** The CSRF token for this request's forms. */
export async function formToken(c: Context<PlatformEnv>): Promise<string> {
  return await csrfToken(c.get("deps").keys, currentSession(c).id, CSRF_PURPOSE);
}

/**
 * Middleware for /app and /app/*: signed-out visitors are sent to the login page with `return_to` pointing back
 * (for a POST, back to the dashboard); a POST must carry this session's CSRF token or gets a readable 403.
 */
export const dashboardGuard: MiddlewareHandler<PlatformEnv> = async (c, next) => {
  const { urls, keys } = c.get("deps");
  const session = c.get("session");
  const post = c.req.method === "POST";
  if (!session) {
    const url = new URL(c.req.url);
    const back = post ? urls.platform("/app/") : urls.platform(url.pathname + url.search);
    return c.redirect(`${urls.platform(LOGIN_PATH)}?return_to=${encodeURIComponent(back)}`, 303);
  }
  if (post) {
    // The import upload streams past the body limit: its token comes in the query, and its body is left unread.
    const csrf = STREAMED_UPLOAD_PATH.test(c.req.path) ? c.req.query("csrf") ?? "" : (await readForm(c)).csrf;
    if (!(await verifyCsrf(keys, session.id, CSRF_PURPOSE, csrf))) {
      return errorResponse(
        c,
        403,
        "csrf_failed",
        "This form has expired",
        "The form was missing its security token, or the token belongs to an earlier sign-in. Nothing was " +
          "changed. Go back, reload the page, and try again.",
      );
    }
  }
  c.header("Cache-Control", "no-store");
  await next();
};

/**
 * The request's form fields as strings (files and missing fields become ""). A body that is not a readable form
 * (wrong content type, a multipart body without its boundary, broken encoding) reads as no fields at all, so the
 * CSRF check refuses it with a 403 instead of a 500.
 */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return {};
  let body: FormData;
  try {
    body = await requestForm(c.req.raw, (c.get("deps") as AppDeps).config.limits.maxBodyBytes);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of body) out[k] = typeof v === "string" ? v : "";
  return out;
}

/** The settings page of a wiki (a dashboard path). */
export function settingsPath(slug: string): string {
  return `/app/wikis/${encodeURIComponent(slug)}`;
}

/** Post/Redirect/Get: a 303 to `path` with `?notice=` and an optional fragment. */
export function redirectWithNotice(c: Context, path: string, notice: string, fragment = ""): Response {
  const sep = path.includes("?") ? "&" : "?";
  return c.redirect(`${path}${sep}notice=${encodeURIComponent(notice)}${fragment ? `#${fragment}` : ""}`, 303);
}
