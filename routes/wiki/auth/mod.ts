/**
 * @module
 * Sign-in on a wiki origin (/-/auth/*): login entry point and hand-off redemption (routes.tsx); sign-out is the
 * platform's one sign-out route (routes/auth/logout.ts), sending the browser to the wiki's home.
 */
import type { Hono } from "hono";
import type { WikiEnv } from "../../env.ts";
import { wikiHandoffRoute, wikiLoginRoute } from "./routes.tsx";
import { logoutRoute } from "../../auth/logout.ts";

/** Path prefix of these routes inside a wiki (the wiki loader lets it through without the visibility check). */
export const WIKI_AUTH_PREFIX = "/-/auth/";

/** Registers this group's routes. */
export function registerWikiAuthRoutes(app: Hono<WikiEnv>): void {
  app.get("/-/auth/login", wikiLoginRoute);
  app.get("/-/auth/handoff", wikiHandoffRoute);
  app.post("/-/auth/logout", logoutRoute<WikiEnv>((c) => c.get("deps").urls.wiki(c.env.slug, "/")));
}
