/**
 * @module
 * Sign-in on a wiki origin (/-/auth/*): login entry point, hand-off redemption, logout (routes.tsx).
 */
import type { Hono } from "hono";
import type { WikiEnv } from "../../env.ts";
import { wikiHandoffRoute, wikiLoginRoute, wikiLogoutRoute } from "./routes.tsx";

/** Path prefix of these routes inside a wiki (the wiki loader lets it through without the visibility check). */
export const WIKI_AUTH_PREFIX = "/-/auth/";

/** Registers this group's routes. */
export function registerWikiAuthRoutes(app: Hono<WikiEnv>): void {
  app.get("/-/auth/login", wikiLoginRoute);
  app.get("/-/auth/handoff", wikiHandoffRoute);
  app.post("/-/auth/logout", wikiLogoutRoute);
}
