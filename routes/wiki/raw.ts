/**
 * @module
 * Raw page text: `/-/raw/{path}` (optionally `?rev=`), the content as stored, frontmatter included, as text/plain.
 */
import type { Context } from "hono";
import { canonicalPath } from "../../lib/wiki/paths.ts";
import type { WikiEnv } from "../env.ts";
import { pathAfter, wikiContext } from "../components/wiki_context.ts";
import { SANDBOX_CSP } from "./attachment.ts";

/** GET `/-/raw/{path}`. */
export async function rawRoute(c: Context<WikiEnv>): Promise<Response> {
  const { pages } = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/raw/"));
  const rev = c.req.query("rev");
  const page = await pages.read(path, rev ? { revision: rev, includeDeleted: true } : {});
  return c.body(page.content, 200, {
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": SANDBOX_CSP,
  });
}
