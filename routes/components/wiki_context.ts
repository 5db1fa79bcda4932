/**
 * @module
 * What wiki route modules need from the request context: the wiki, its page store, the URL builder, the header
 * navigation, and page paths taken from the URL.
 */
import type { Context } from "hono";
import { decodePagePath, type Urls } from "../../lib/urls.ts";
import type { PageStore } from "../../lib/wiki/store.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import type { WikiNav } from "./Layout.tsx";

/** The loaded wiki of a request (set by routes/wiki/load.ts). */
export interface WikiContext {
  urls: Urls;
  wiki: WikiRecord;
  slug: string;
  pages: PageStore;
  nav: WikiNav;
}

/** The wiki, store and URL builder of a request whose wiki has been loaded. */
export function wikiContext(c: Context<WikiEnv>): WikiContext {
  const wiki = c.get("wiki");
  return {
    urls: c.get("deps").urls,
    wiki,
    slug: wiki.slug,
    pages: c.get("pages"),
    nav: { slug: wiki.slug, title: wiki.title },
  };
}

/**
 * The page path in the request URL after `prefix` (e.g. `/-/history/`), percent-decoded per segment; underscores
 * are kept (the wiki core canonicalizes them to spaces). Empty when the URL does not start with `prefix`.
 */
export function pathAfter(c: Context, prefix: string): string {
  const raw = new URL(c.req.url).pathname;
  return raw.startsWith(prefix) ? decodePagePath(raw.slice(prefix.length)) : "";
}
