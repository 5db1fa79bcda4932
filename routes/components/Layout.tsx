/**
 * @module
 * The page frame shared by every server-rendered page: head (viewport, stylesheet), header with the wiki's
 * navigation and search box (or the platform's) and the visitor's sign-in state (handle, Dashboard, Sign out; or
 * Sign in), main content, footer. The sign-in state comes from the session middleware of the request being
 * rendered (`headerAuth()`), so pages need not pass it.
 */
import type { ComponentChildren } from "preact";
import type { Urls } from "../../lib/urls.ts";
import { faviconUrl, stylesheetUrl } from "./assets.ts";
import { headerAuth } from "../_middleware/session.ts";

/** The wiki a page belongs to, for the header navigation. */
export interface WikiNav {
  slug: string;
  title: string;
  /** Leave the header search box out (the search page has its own form). */
  hideSearch?: boolean;
}

/** Props of {@link Layout}. */
export interface LayoutProps {
  /** Page title (the wiki or site name is appended). */
  title: string;
  urls: Urls;
  /** The wiki, when the page is inside one; null for platform pages and wiki-less errors. */
  wiki?: WikiNav | null;
  children: ComponentChildren;
}

/** A whole HTML document. */
export function Layout({ title, urls, wiki = null, children }: LayoutProps) {
  const site = wiki ? wiki.title : "robot.wtf";
  const assetSlug = wiki?.slug ?? headerAuth()?.wikiSlug ?? null;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === site ? title : `${title} · ${site}`}</title>
        <link rel="stylesheet" href={stylesheetUrl(urls, assetSlug)} />
        <link rel="icon" type="image/svg+xml" href={faviconUrl(urls, assetSlug)} />
      </head>
      <body>
        <header class="site-header">
          <div class="bar">
            {wiki ? <WikiHeader urls={urls} wiki={wiki} /> : <PlatformHeader urls={urls} />}
            <AuthNav />
          </div>
        </header>
        <main class="main">{children}</main>
        <footer class="site-footer">
          <p>
            <a href={urls.platform("/")}>robot.wtf</a> · memory for your agents, in a wiki for you
            {wiki
              ? (
                <>
                  {" · "}Agents connect at <code>{urls.mcp(wiki.slug)}</code>
                </>
              )
              : null}
          </p>
        </footer>
      </body>
    </html>
  );
}

/** Wiki title, Home / Index / Recent changes, search box. */
function WikiHeader({ urls, wiki }: { urls: Urls; wiki: WikiNav }) {
  return (
    <>
      <a class="brand" href={urls.wiki(wiki.slug, "/")}>{wiki.title}</a>
      <nav class="nav" aria-label="Wiki">
        <a href={urls.wiki(wiki.slug, "/")}>Home</a>
        <a href={urls.system(wiki.slug, "index")}>Index</a>
        <a href={urls.system(wiki.slug, "changes")}>Recent changes</a>
      </nav>
      {wiki.hideSearch
        ? null
        : (
          <form class="search-box" role="search" method="get" action={urls.system(wiki.slug, "search")}>
            <input type="search" name="q" placeholder="Search this wiki" aria-label="Search" />
            <button type="submit">Search</button>
          </form>
        )}
    </>
  );
}

/** robot.wtf brand and the demo link. */
function PlatformHeader({ urls }: { urls: Urls }) {
  return (
    <>
      <a class="brand" href={urls.platform("/")}>robot.wtf</a>
      <nav class="nav" aria-label="Site">
        <a href={urls.wiki("demo", "/")}>Demo wiki</a>
      </nav>
    </>
  );
}

/** Signed in: handle, Dashboard link and a Sign out button (a CSRF-protected POST form); signed out: Sign in. */
function AuthNav() {
  const auth = headerAuth();
  if (auth === null) return null;
  if (auth.user === null) {
    if (auth.signInUrl === null) return null;
    return (
      <nav class="auth-nav" aria-label="Account">
        <a class="button" href={auth.signInUrl}>Sign in</a>
      </nav>
    );
  }
  return (
    <nav class="auth-nav" aria-label="Account">
      <span class="whoami" title="Signed in as">{auth.user.handle}</span>
      <a href={auth.dashboardUrl}>Dashboard</a>
      <form method="post" action={auth.user.signOutAction} class="signout">
        <input type="hidden" name="csrf" value={auth.user.csrf} />
        <button type="submit" class="link-button">Sign out</button>
      </form>
    </nav>
  );
}
