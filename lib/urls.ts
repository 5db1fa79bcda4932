/**
 * @module
 * Every URL the app emits is built here, and every incoming request is mapped to a tenant here.
 *
 * Two addressing modes (see lib/config.ts):
 * - path mode: platform at `{origin}/`, wiki `alice` at `{origin}/w/alice/`;
 * - subdomain mode: platform at `{origin}/`, wiki `alice` at `{scheme}://alice.{wikiDomain}{:port}/`.
 *
 * Inside a wiki, URLs are relative to the wiki base (`wikiBase`): pages at `/{Path}` (spaces as underscores),
 * wiki system pages under `/-/`, protocol endpoints (`/mcp`, `/authorize`, `/token`, `/register`, `/revoke`) at the
 * base, RFC 8414 / RFC 9728 metadata at the origin's `/.well-known/` with the wiki path inserted in path mode.
 */
import type { Config } from "./config.ts";

/** First path segments inside a wiki that are not page names; pages starting with one are served under `/-/page/`. */
export const RESERVED_WIKI_SEGMENTS: ReadonlySet<string> = new Set([
  "-",
  "mcp",
  "authorize",
  "token",
  "register",
  "revoke",
  "static",
  "healthz",
  ".well-known",
  "favicon.ico",
  "robots.txt",
  "wiki.git",
]);

/** Where a request is addressed. `rest` is the path inside the wiki, always starting with `/`. */
export type Tenant =
  | { kind: "platform" }
  | { kind: "wiki"; slug: string; rest: string }
  | { kind: "unknown-host" };

const SLUG_SHAPE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** URL builder and request resolver for one configuration. */
export class Urls {
  readonly origin: string;
  readonly mode: Config["addressing"];
  readonly #scheme: string;
  readonly #port: string;
  readonly #platformHost: string;
  readonly #wikiDomain: string | null;
  /** The wiki the origin root serves as its own issuer (`PRIMARY_WIKI`, path mode only), or null. */
  readonly primaryWiki: string | null;
  /**
   * `http://127.0.0.1:{port}` when the public origin is `http://localhost:{port}`: where the ATProto loopback
   * client's callback lands in local development (PDSes refuse `localhost` redirect URIs). Requests to it are
   * platform requests; it is not a place to send people (not an "own URL"). Null otherwise.
   */
  readonly loopbackAlias: string | null;

  constructor(
    config: Pick<Config, "publicOrigin" | "addressing" | "wikiDomain"> & Partial<Pick<Config, "primaryWiki">>,
  ) {
    const u = new URL(config.publicOrigin);
    this.origin = u.origin;
    this.mode = config.addressing;
    this.#scheme = u.protocol.slice(0, -1);
    this.#port = u.port ? `:${u.port}` : "";
    this.#platformHost = u.hostname.toLowerCase();
    this.#wikiDomain = config.wikiDomain;
    this.primaryWiki = config.addressing === "path" ? config.primaryWiki ?? null : null;
    this.loopbackAlias = u.protocol === "http:" && this.#platformHost === "localhost"
      ? `http://127.0.0.1${this.#port}`
      : null;
  }

  // ---- platform ----

  /** Absolute URL of a platform path, e.g. `platform("/app/")`. */
  platform(path = "/"): string {
    return this.origin + ensureSlash(path);
  }

  // ---- wikis ----

  /** Base URL of a wiki, no trailing slash: also its OAuth issuer (RFC 8414 §2). */
  wikiBase(slug: string): string {
    return this.mode === "subdomain"
      ? `${this.#scheme}://${slug}.${this.#wikiDomain}${this.#port}`
      : `${this.origin}/w/${slug}`;
  }

  /** Origin of a wiki (differs from the platform origin only in subdomain mode). */
  wikiOrigin(slug: string): string {
    return new URL(this.wikiBase(slug)).origin;
  }

  /** Absolute URL of a path inside a wiki, e.g. `wiki("alice", "/-/search?q=x")`. */
  wiki(slug: string, path = "/"): string {
    return this.wikiBase(slug) + ensureSlash(path);
  }

  /** Absolute URL of a page view; `query` is appended as given (without `?`). */
  page(slug: string, pagePath: string, query?: string): string {
    return this.wiki(slug, pagePathUrl(pagePath)) + (query ? `?${query}` : "");
  }

  /** Absolute URL of a wiki system page under `/-/`, e.g. `system("alice", "history", "Design/Auth")`. */
  system(slug: string, action: string, pagePath?: string, query?: string): string {
    const tail = pagePath === undefined ? "" : "/" + encodePagePath(pagePath);
    return this.wiki(slug, `/-/${action}${tail}`) + (query ? `?${query}` : "");
  }

  /** Absolute URL of an attachment download. */
  attachment(slug: string, pagePath: string, filename: string): string {
    return this.wiki(slug, `/-/attachment/${encodePagePath(pagePath)}/${encodeURIComponent(filename.toWellFormed())}`);
  }

  /** The wiki's MCP endpoint: its protected resource identifier (RFC 8707 / RFC 9728). */
  mcp(slug: string): string {
    return this.wiki(slug, "/mcp");
  }

  /** The wiki's OAuth issuer identifier (no trailing slash). */
  issuer(slug: string): string {
    return this.wikiBase(slug);
  }

  /** The origin root's MCP endpoint `{origin}/mcp` (served only with a primary wiki): its resource identifier. */
  rootMcp(): string {
    return `${this.origin}/mcp`;
  }

  /**
   * The issuer that granted `resource` on wiki `slug`: the origin itself for the primary wiki's root resource
   * (`{origin}/mcp`), else the wiki's issuer.
   */
  issuerFor(slug: string, resource: string): string {
    return slug === this.primaryWiki && resource === this.rootMcp() ? this.origin : this.issuer(slug);
  }

  /** RFC 9728 §3.1 protected-resource metadata URL for the wiki's MCP endpoint (path-inserted). */
  protectedResourceMetadata(slug: string): string {
    const mcp = new URL(this.mcp(slug));
    return `${mcp.origin}/.well-known/oauth-protected-resource${mcp.pathname}`;
  }

  /** RFC 8414 §3.1 authorization server metadata URL for the wiki's issuer (path-inserted in path mode). */
  authorizationServerMetadata(slug: string): string {
    const iss = new URL(this.issuer(slug));
    const path = iss.pathname === "/" ? "" : iss.pathname;
    return `${iss.origin}/.well-known/oauth-authorization-server${path}`;
  }

  // ---- incoming requests ----

  /**
   * Maps a request URL (with its Host) to a tenant. In path mode `/w/{slug}/...` is a wiki; in subdomain mode a
   * host `{slug}.{wikiDomain}` is. Well-known metadata with an inserted wiki path (`/.well-known/x/w/{slug}/...`)
   * belongs to that wiki; `rest` is then `/.well-known/x` followed by the rest inside the wiki.
   */
  resolve(url: URL, hostHeader?: string | null): Tenant {
    const host = (hostHeader ?? url.host).toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
    if (this.mode === "subdomain" && this.#wikiDomain) {
      if (host === this.#platformHost) return { kind: "platform" };
      if (this.loopbackAlias && host === "127.0.0.1") return { kind: "platform" };
      const suffix = "." + this.#wikiDomain;
      if (host.endsWith(suffix)) {
        const label = host.slice(0, -suffix.length);
        if (SLUG_SHAPE.test(label)) return { kind: "wiki", slug: label, rest: url.pathname || "/" };
      }
      return { kind: "unknown-host" };
    }
    const wk = url.pathname.match(/^\/\.well-known\/([a-z-]+)\/w\/([^/]+)(\/.*)?$/);
    if (wk) {
      return SLUG_SHAPE.test(wk[2])
        ? { kind: "wiki", slug: wk[2], rest: `/.well-known/${wk[1]}${wk[3] ?? ""}` }
        : { kind: "platform" };
    }
    const m = url.pathname.match(/^\/w\/([^/]+)(\/.*)?$/);
    if (m && SLUG_SHAPE.test(m[1])) return { kind: "wiki", slug: m[1], rest: m[2] ?? "/" };
    return { kind: "platform" };
  }

  /** True when `url` belongs to this app (platform or any wiki host): the only allowed redirect targets. */
  isOwnUrl(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol !== `${this.#scheme}:` || u.username || u.password) return false;
    if (u.origin === this.origin) return true;
    if (this.mode !== "subdomain" || !this.#wikiDomain) return false;
    const suffix = "." + this.#wikiDomain;
    const host = u.hostname.toLowerCase();
    return host.endsWith(suffix) && SLUG_SHAPE.test(host.slice(0, -suffix.length)) &&
      (u.port ? `:${u.port}` : "") === this.#port;
  }
}

/** Encodes a canonical page path for a URL: spaces become underscores, each segment percent-encoded. */
export function encodePagePath(pagePath: string): string {
  // toWellFormed: a stored name with broken Unicode (an unpaired surrogate) must not make every page that links
  // to it throw (encodeURIComponent does); it links to the name with U+FFFD instead.
  return pagePath.split("/").map((s) => encodeURIComponent(s.replaceAll(" ", "_").toWellFormed())).join("/");
}

/** The path inside a wiki where a page is viewed (`/Design/Auth`, or `/-/page/mcp` for reserved first segments). */
export function pagePathUrl(pagePath: string): string {
  const first = pagePath.split("/")[0];
  return RESERVED_WIKI_SEGMENTS.has(first) ? `/-/page/${encodePagePath(pagePath)}` : `/${encodePagePath(pagePath)}`;
}

/** Decodes a URL path tail back into a page path input (underscores stay; the wiki core canonicalizes them). */
export function decodePagePath(urlTail: string): string {
  return urlTail.split("/").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  }).join("/");
}

function ensureSlash(path: string): string {
  return path.startsWith("/") ? path : "/" + path;
}

/**
 * `text` without its trailing slashes, in one pass (the regex `/\/+$/` is quadratic on a long run of slashes that is
 * not at the end, and these strings come from requests and remote documents).
 */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end === text.length ? text : text.slice(0, end);
}
