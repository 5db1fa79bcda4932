/**
 * @module
 * The wiki web UI's routing table (URLs relative to the wiki base; see lib/urls.ts). Specific `/-/` routes come
 * first, then the reserved-path page view, then the catch-all page view.
 */
import type { Hono } from "hono";
import type { WikiEnv } from "../env.ts";
import { serveAssets } from "../components/assets.ts";
import { notFound } from "../errors.tsx";
import { attachmentRoute } from "./attachment.ts";
import { changesRoute } from "./changes.tsx";
import { diffRoute } from "./diff.tsx";
import { historyRoute } from "./history.tsx";
import { homeRoute } from "./home.tsx";
import { indexRoute } from "./index_page.tsx";
import { pageRoute } from "./page.tsx";
import { rawRoute } from "./raw.ts";
import { searchRoute } from "./search.tsx";
import { registerWikiAuthRoutes } from "./auth/mod.ts";
import { registerWikiEditRoutes } from "./edit/mod.ts";

/** Registers the wiki's browser pages on the wiki app (after the wiki loader). */
export function registerWikiPages(app: Hono<WikiEnv>): void {
  app.get("/static/*", serveAssets(), notFound);
  registerWikiAuthRoutes(app);
  registerWikiEditRoutes(app);
  app.get("/", homeRoute);
  app.get("/-/index", indexRoute);
  app.get("/-/search", searchRoute);
  app.get("/-/changes", changesRoute);
  app.get("/-/history/*", historyRoute);
  app.get("/-/diff/*", diffRoute);
  app.get("/-/raw/*", rawRoute);
  app.get("/-/attachment/*", attachmentRoute);
  app.get("/-/page/*", pageRoute);
  app.get("/-/*", notFound);
  app.get("/*", pageRoute);
}
