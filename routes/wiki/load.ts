/**
 * @module
 * The wiki loader: finds the wiki named by the request's slug and puts it, with its page store, on the context.
 * Until login exists the web UI serves only public wikis; others get a 403 page without any of their content.
 */
import type { MiddlewareHandler } from "hono";
import type { Visibility } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import { errorResponse } from "../errors.tsx";

/** Paths served without loading the wiki (the stylesheet must load on "no such wiki" and "private" pages too). */
const WIKILESS_PREFIX = "/static/";

/** Why a non-public wiki is not shown. */
const PRIVATE_MESSAGES: Record<Exclude<Visibility, "public">, string> = {
  private: "Only its members can read it, and signing in to wikis is not available yet.",
  logged_in: "Only signed-in people can read it, and signing in to wikis is not available yet.",
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
  if (wiki.visibility !== "public") {
    return errorResponse(c, 403, "forbidden", "This wiki is private", PRIVATE_MESSAGES[wiki.visibility]);
  }
  c.set("wiki", wiki);
  c.set("pages", deps.wikis.pages(wiki));
  await next();
};
