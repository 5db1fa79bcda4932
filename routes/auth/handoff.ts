/**
 * @module
 * `GET /auth/handoff?to=<wiki URL>[&mode=login]` on the platform origin: signs a wiki host in from the platform
 * session (docs/sessions.md). Signed in: mints a one-time code and sends the browser to
 * `{wiki origin}/-/auth/handoff?code=…`. Signed out: `mode=login` goes through the login form first; the passive
 * check (default) goes back with `?handoff=none`. `to` must be one of the app's own URLs.
 *
 * `b` is the wiki origin's binding of the browser that started the hand-off (routes/_middleware/session.ts
 * `handoffBinding`); the code is minted for it alone. Without one, nothing is minted: `mode=login` goes to the wiki's
 * own sign-in entry (which adds it), the passive check answers "none".
 */
import type { Context } from "hono";
import type { PlatformEnv } from "../env.ts";
import { errorResponse } from "../errors.tsx";
import { safeReturnTo } from "../../lib/session/return_to.ts";
import { HANDOFF_BINDING_SHAPE } from "../../lib/session/browser_bindings.ts";

/** Heading of the refusal page for a `to` that is not ours. */
export const HANDOFF_REFUSED_TITLE = "Sign-in link refused";

/** `GET /auth/handoff`. */
export async function handoffRoute(c: Context<PlatformEnv>): Promise<Response> {
  const deps = c.get("deps");
  const { urls } = deps;
  const raw = c.req.query("to");
  const to = raw && /^https?:\/\//i.test(raw) ? safeReturnTo(urls, raw) : null;
  if (!to) {
    return errorResponse(
      c,
      400,
      "invalid_input",
      HANDOFF_REFUSED_TITLE,
      "This sign-in link points outside robot.wtf, so it was not followed. Open the wiki you wanted directly.",
    );
  }
  c.header("Cache-Control", "no-store");
  const target = new URL(to);
  if (target.origin === urls.origin) return c.redirect(to, 303); // same origin: the platform cookie applies
  const login = c.req.query("mode") === "login";
  const binding = c.req.query("b") ?? "";
  if (!HANDOFF_BINDING_SHAPE.test(binding)) {
    if (login) return c.redirect(`${target.origin}/-/auth/login?return_to=${encodeURIComponent(to)}`, 303);
    return c.redirect(`${target.origin}/-/auth/handoff?handoff=none&return_to=${encodeURIComponent(to)}`, 303);
  }
  const session = c.get("session");
  if (session) {
    const code = await deps.sessions.createHandoff(session.id, target.origin, to, binding);
    if (code) return c.redirect(`${target.origin}/-/auth/handoff?code=${encodeURIComponent(code)}`, 303);
  }
  if (login) {
    const here = `${urls.platform("/auth/handoff")}?to=${encodeURIComponent(to)}&mode=login&b=${binding}`;
    return c.redirect(`${urls.platform("/auth/login")}?return_to=${encodeURIComponent(here)}`, 303);
  }
  return c.redirect(`${target.origin}/-/auth/handoff?handoff=none&return_to=${encodeURIComponent(to)}`, 303);
}
