/**
 * @module
 * The wiki's front page: `/` shows the page `Home`.
 */
import type { Context } from "hono";
import type { WikiEnv } from "../env.ts";
import { wikiContext } from "../components/wiki_context.ts";
import { showPage } from "./page.tsx";

/** Path of the page shown at the wiki's root. */
export const HOME_PAGE = "Home";

/** GET `/`. */
export async function homeRoute(c: Context<WikiEnv>): Promise<Response> {
  return await showPage(c, wikiContext(c), HOME_PAGE, c.req.query("rev") ?? null);
}
