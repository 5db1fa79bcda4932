/**
 * @module
 * The wiki loader: finds the wiki named by the request's slug and puts it, with its page store, on the context.
 * Access (decided by lib/auth/access.ts): public wikis are readable by anyone; `logged_in` wikis by anyone signed in;
 * private wikis by members only.
 * The signed-in person's role (or null) is put on the context as `role` for the routes' write checks.
 *
 * A signed-out visitor of a non-public wiki is not left at a dead end:
 * - subdomain mode, first visit in this browser session (no `rw_sso` cookie), a page request (GET, not JSON): the
 *   passive sign-in check: a redirect through the platform's `/auth/handoff`, which signs this origin in when the
 *   platform is signed in, or comes straight back (docs/sessions.md);
 * - otherwise: a 403 page with a "Sign in" button (`/-/auth/login?return_to=<this page>`).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { h } from "preact";
import type { Visibility } from "../../lib/wiki/types.ts";
import { mayRead } from "../../lib/auth/access.ts";
import type { WikiEnv } from "../env.ts";
import { errorResponse, prefersJson } from "../errors.tsx";
import { handoffBinding, requestOrigin, SSO_COOKIE } from "../_middleware/session.ts";
import { WIKI_AUTH_PREFIX } from "./auth/mod.ts";

/** Paths served without loading the wiki (the stylesheet must load on "no such wiki" and "private" pages too). */
const WIKILESS_PREFIX = "/static/";

/** Why a non-public wiki is not shown. */
const PRIVATE_MESSAGES: Record<Exclude<Visibility, "public">, string> = {
  private: "Only its members can read it. Sign in with an account that has access, or ask the owner to add you.",
  logged_in: "Only signed-in people can read it. Sign in to continue.",
};

/**
 * Longest path inside a wiki this app answers (in URL characters). A page path is at most 512 UTF-8 bytes and an
 * attachment name 255, so even fully percent-encoded (3 characters a byte) every real address fits; longer ones only
 * make the page and filename rules work hard (a 60 KB attachment name cost seconds of CPU), so they stop here.
 */
export const MAX_WIKI_PATH_CHARS = 4096;

/** Message for a signed-in person who is not a member of a private wiki. */
const NOT_A_MEMBER = "Only its members can read it, and your account is not one of them. Ask the owner to add you.";

/** Middleware: sets `wiki` and `pages` on the context, or answers 404 (unknown wiki) or 403 (not public). */
export const loadWiki: MiddlewareHandler<WikiEnv> = async (c, next) => {
  if (new URL(c.req.url).pathname.length > MAX_WIKI_PATH_CHARS) {
    return errorResponse(
      c,
      414,
      "invalid_input",
      "Address too long",
      `This address is longer than ${MAX_WIKI_PATH_CHARS} characters, so it cannot name a page or a file of this ` +
        "wiki. Check the link.",
    );
  }
  if (c.req.path.startsWith(WIKILESS_PREFIX) || c.req.path.startsWith(WIKI_AUTH_PREFIX)) return await next();
  const deps = c.get("deps");
  const slug = c.env.slug;
  const wiki = await deps.wikis.bySlug(slug);
  if (wiki === null) {
    return errorResponse(
      c,
      404,
      "not_found",
      `No wiki called ${slug}`,
      `There is no wiki called "${slug}" on robot.wtf. Check the address for typos.`,
    );
  }
  const session = c.get("session");
  const role = session ? await deps.wikis.roleOf(wiki, session.record.did) : null;
  const allowed = mayRead(wiki.visibility, { signedIn: session !== null, role });
  if (!allowed) {
    const here = deps.urls.wiki(slug, c.req.path) + new URL(c.req.url).search;
    if (session === null && passiveCheckApplies(c)) {
      const b = await handoffBinding(c);
      const handoff = `${deps.urls.platform("/auth/handoff")}?to=${encodeURIComponent(here)}&b=${b}`;
      c.header("Cache-Control", "no-store");
      return c.redirect(handoff, 302);
    }
    const login = `${deps.urls.wiki(slug, "/-/auth/login")}?return_to=${encodeURIComponent(here)}`;
    return errorResponse(
      c,
      403,
      "forbidden",
      "This wiki is private",
      session ? NOT_A_MEMBER : PRIVATE_MESSAGES[wiki.visibility as Exclude<Visibility, "public">],
      session ? null : h("p", null, h("a", { class: "button", href: login }, "Sign in")),
    );
  }
  c.set("role", role);
  c.set("wiki", wiki);
  c.set("pages", deps.wikis.pages(wiki));
  await next();
};

/** A browser page load on a wiki origin other than the platform's, before the passive check ran. */
function passiveCheckApplies(c: Context<WikiEnv>): boolean {
  const { urls } = c.get("deps");
  return c.req.method === "GET" && requestOrigin(c) !== urls.origin && !getCookie(c, SSO_COOKIE) &&
    !prefersJson(c.req.header("accept"));
}
