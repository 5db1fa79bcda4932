/**
 * @module
 * The wiki loader: finds the wiki named by the request's slug and puts it, with its page store, on the context.
 * Access: public wikis are readable by anyone; `logged_in` wikis by anyone signed in; private wikis by members only.
 * The signed-in person's role (or null) is put on the context as `role` for the routes' write checks.
 */
import type { MiddlewareHandler } from "hono";
import type { Visibility } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import { errorResponse } from "../errors.tsx";

/** Paths served without loading the wiki (the stylesheet must load on "no such wiki" and "private" pages too). */
const WIKILESS_PREFIX = "/static/";

/** Why a non-public wiki is not shown. */
const PRIVATE_MESSAGES: Record<Exclude<Visibility, "public">, string> = {
  private: "Only its members can read it. Sign in with an account that has access, or ask the owner to add you.",
  logged_in: "Only signed-in people can read it. Sign in to continue.",
};

/** Middleware: sets `wiki` and `pages` on the context, or answers 404 (unknown wiki) or 403 (not public). */
export const loadWiki: MiddlewareHandler<WikiEnv> = async (c, next) => {
  if (c.req.path.startsWith(WIKILESS_PREFIX)) return await next();
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
  const allowed = wiki.visibility === "public" || (wiki.visibility === "logged_in" ? session !== null : role !== null);
  if (!allowed) {
    return errorResponse(
      c,
      403,
      "forbidden",
      "This wiki is private",
      PRIVATE_MESSAGES[wiki.visibility as Exclude<Visibility, "public">],
    );
  }
  c.set("role", role);
  c.set("wiki", wiki);
  c.set("pages", deps.wikis.pages(wiki));
  await next();
};
