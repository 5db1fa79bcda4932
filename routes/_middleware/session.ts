/**
 * @module
 * Session middleware: reads the `rw_session` cookie and puts the live session of this origin (or null) on the
 * context as `session`. Cookies are host-only; a wiki origin gets its own child session through the hand-off
 * (docs/sessions.md).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { CurrentSession, PlatformEnv, WikiEnv } from "../env.ts";

/** Name of the session cookie (host-only on every origin). */
export const SESSION_COOKIE = "rw_session";

/** The origin a request was made to, as the browser sees it (the cookie's origin). */
export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}

/** Middleware: sets `session` on the context (null when signed out, expired, or the cookie is for another origin). */
export const loadSession: MiddlewareHandler<PlatformEnv | WikiEnv> = async (c, next) => {
  const id = getCookie(c, SESSION_COOKIE);
  let session: CurrentSession | null = null;
  if (id) {
    const record = await c.get("deps").sessions.get(id, requestOrigin(c));
    if (record) session = { id, record };
  }
  c.set("session", session);
  await next();
};
