/**
 * @module
 * Static assets (./static): the file server used by the platform and by wiki hosts (in subdomain mode a wiki
 * page may only load styles from its own origin), and versioned asset URLs for long-lived caching.
 */
import type { MiddlewareHandler } from "hono";
import { serveStatic } from "hono/deno";
import { fileURLToPath } from "node:url";
import type { Urls } from "../../lib/urls.ts";

/** Project root: static files are served from `{root}/static/`. */
const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Cache lifetime of a versioned asset URL (one year, immutable). */
const VERSIONED_CACHE = "public, max-age=31536000, immutable";
/** Cache lifetime of an unversioned asset URL. */
const UNVERSIONED_CACHE = "public, max-age=3600";

/** Version tag of the stylesheet: a hash of its content, so a changed file gets a new URL. */
export const STYLESHEET_VERSION: string = contentVersion("static/app.css");

/** Version tag of the site icon (content hash, like {@link STYLESHEET_VERSION}). */
export const FAVICON_VERSION: string = contentVersion("static/favicon.svg");

/**
 * URL of the stylesheet for a page: on the wiki's own origin for wiki pages when it differs from the platform's
 * (subdomain mode), else on the platform.
 */
export function stylesheetUrl(urls: Urls, slug: string | null): string {
  return assetUrl(urls, slug, `/static/app.css?v=${STYLESHEET_VERSION}`);
}

/** URL of the site icon for a page, on the same origin as {@link stylesheetUrl}. */
export function faviconUrl(urls: Urls, slug: string | null): string {
  return assetUrl(urls, slug, `/static/favicon.svg?v=${FAVICON_VERSION}`);
}

/** `path` on the wiki's own origin when it differs from the platform's (subdomain mode), else on the platform. */
function assetUrl(urls: Urls, slug: string | null, path: string): string {
  if (slug !== null && urls.wikiOrigin(slug) !== urls.origin) return urls.wiki(slug, path);
  return urls.platform(path);
}

/** Serves `/static/*` from ./static; versioned URLs (`?v=`) are cached for a year. */
export function serveAssets(): MiddlewareHandler {
  return serveStatic({
    root: PROJECT_ROOT,
    onFound: (_path, c) => {
      c.header("Cache-Control", c.req.query("v") ? VERSIONED_CACHE : UNVERSIONED_CACHE);
    },
  });
}

/** FNV-1a hash (hex) of a project file, or `0` when it cannot be read. */
function contentVersion(relativePath: string): string {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(PROJECT_ROOT + relativePath);
  } catch {
    return "0";
  }
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16);
}
