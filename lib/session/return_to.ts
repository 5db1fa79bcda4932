/**
 * @module
 * `return_to` handling: people are only ever sent back to the app's own URLs (no open redirect).
 */
import type { Urls } from "../urls.ts";

/**
 * The absolute URL to return to, or null when `raw` is absent or not ours. A path (`/app/`, never `//host`) is taken
 * relative to the platform; an absolute URL must be one of the app's own (`Urls.isOwnUrl`).
 */
export function safeReturnTo(urls: Urls, raw: string | null | undefined): string | null {
  if (!raw || raw.length > 2000) return null;
  if (raw.startsWith("/") && !raw.startsWith("//") && !raw.startsWith("/\\")) {
    const url = new URL(raw, urls.origin);
    return url.origin === urls.origin ? url.href : null;
  }
  return urls.isOwnUrl(raw) ? new URL(raw).href : null;
}

/** True when `url` is inside the wiki `slug` (its base URL or below). */
export function isInWiki(urls: Urls, slug: string, url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(urls.wikiBase(slug));
  if (u.origin !== base.origin || u.username || u.password) return false;
  const basePath = base.pathname.replace(/\/$/, "");
  return basePath === "" || u.pathname === basePath || u.pathname.startsWith(basePath + "/");
}
