/**
 * @module
 * The sign-out route, one handler for both forms: `POST /auth/logout` on the platform and `POST /-/auth/logout` on a
 * wiki host (lib/session/sign_out.ts does the work). Signed out already: straight home. A form whose CSRF token does
 * not match: a 403 page, still signed in. Otherwise the cookie is cleared and the browser goes home.
 */
import type { Context } from "hono";
import type { PlatformEnv, WikiEnv } from "../env.ts";
import { errorResponse } from "../errors.tsx";
import { clearSessionCookie } from "../_middleware/session.ts";
import { signOut } from "../../lib/session/sign_out.ts";
import { readForm } from "./login.tsx";

/** A sign-out handler that sends the browser to `home(c)` afterwards (and when it was not signed in). */
export function logoutRoute<E extends PlatformEnv | WikiEnv>(
  home: (c: Context<E>) => string,
): (c: Context<E>) => Promise<Response> {
  return async (c) => {
    const ctx = c as unknown as Context<PlatformEnv>;
    const session = ctx.get("session");
    if (!session) return c.redirect(home(c), 303);
    const form = await readForm(c);
    if (!(await signOut(ctx.get("deps"), session, form.get("csrf")))) {
      return errorResponse(
        c,
        403,
        "forbidden",
        "Sign-out not confirmed",
        "This sign-out form expired or came from another page, so you are still signed in. Use the Sign out button " +
          "at the top of this page.",
      );
    }
    clearSessionCookie(c);
    return c.redirect(home(c), 303);
  };
}
