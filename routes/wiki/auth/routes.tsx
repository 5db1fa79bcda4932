/**
 * @module
 * The routes of sign-in on a wiki origin (/-/auth/*), see docs/sessions.md:
 * - `GET /-/auth/login?return_to=<URL on this wiki>`: the sign-in entry point of wiki pages (and of the OAuth
 *   consent page). Path mode: the platform's login form (same origin, the platform cookie applies). Subdomain
 *   mode: the platform's hand-off in `login` mode, which signs in first when needed.
 * - `GET /-/auth/handoff?code=…` (or `?handoff=none&return_to=…`): redeems a hand-off code into this origin's own
 *   session cookie, then goes to the URL the code was minted for; `none` records that the passive check ran.
 * - `POST /-/auth/logout` (registered in mod.ts with routes/auth/logout.ts, the platform's sign-out): signs out
 *   here and on the platform (the parent session ends every wiki host's).
 * These routes run without the wiki loader's visibility check (a signed-out visitor of a private wiki needs them).
 */
import type { Context } from "hono";
import type { WikiEnv } from "../../env.ts";
import { errorResponse } from "../../errors.tsx";
import {
  handoffBinding,
  presentedHandoffBindings,
  requestOrigin,
  setSessionCookie,
  setSsoCookie,
} from "../../_middleware/session.ts";
import { isInWiki } from "../../../lib/session/return_to.ts";

/** `return_to` if it is inside this wiki, else the wiki's home. */
function returnToHere(c: Context<WikiEnv>, raw: string | null | undefined): string {
  const { urls } = c.get("deps");
  const slug = c.env.slug;
  return raw && isInWiki(urls, slug, raw) ? new URL(raw).href : urls.wiki(slug, "/");
}

/** `GET /-/auth/login`. */
export async function wikiLoginRoute(c: Context<WikiEnv>): Promise<Response> {
  const { urls } = c.get("deps");
  const returnTo = returnToHere(c, c.req.query("return_to"));
  c.header("Cache-Control", "no-store");
  if (c.get("session")) return c.redirect(returnTo, 303);
  if (new URL(urls.wikiBase(c.env.slug)).origin === urls.origin) {
    return c.redirect(`${urls.platform("/auth/login")}?return_to=${encodeURIComponent(returnTo)}`, 303);
  }
  const b = await handoffBinding(c);
  return c.redirect(`${urls.platform("/auth/handoff")}?to=${encodeURIComponent(returnTo)}&mode=login&b=${b}`, 303);
}

/** `GET /-/auth/handoff`. */
export async function wikiHandoffRoute(c: Context<WikiEnv>): Promise<Response> {
  const deps = c.get("deps");
  const { urls } = deps;
  const slug = c.env.slug;
  c.header("Cache-Control", "no-store");
  if (c.req.query("handoff") === "none") {
    setSsoCookie(c);
    return c.redirect(returnToHere(c, c.req.query("return_to")), 303);
  }
  const redeemed = await deps.sessions.redeemHandoff(
    c.req.query("code") ?? "",
    requestOrigin(c),
    await presentedHandoffBindings(c),
  );
  if (!redeemed) {
    const login = `${urls.wiki(slug, "/-/auth/login")}?return_to=${encodeURIComponent(urls.wiki(slug, "/"))}`;
    return errorResponse(
      c,
      400,
      "invalid_input",
      "Sign-in link expired",
      "This sign-in link has expired or was already used, so you are not signed in on this wiki.",
      <p>
        <a class="button" href={login}>Sign in again</a>
      </p>,
    );
  }
  setSessionCookie(c, redeemed.id, redeemed.record);
  setSsoCookie(c);
  return c.redirect(returnToHere(c, redeemed.returnTo), 303);
}
