/**
 * @module
 * Browser routes: the wiki's pages and editing forms (`/-/…`), the dashboard (`/app/…`, with hostile slugs, token
 * ids, grant ids and form fields), the sign-in routes (`/auth/…`, `/-/auth/…`), odd methods, and requests with
 * hostile headers (Host, Cookie, Authorization, Accept, Content-Type, Origin and friends). Forms carry the
 * person's valid CSRF token most of the time, so the handlers, not only the guards, see the hostile values.
 */
import type { Rng } from "./rng.ts";
import type { FuzzCase } from "./oracle.ts";
import { type Credentials, WHO, type Who, type World } from "./world.ts";
import { hostileString, longString, rawForm, rawPathTail, rawValue } from "./values.ts";
import { describe, headerSafe } from "./gen_mcp.ts";

const FORM = "application/x-www-form-urlencoded";

/** Query parameters the routes read. */
const QUERY_NAMES = [
  "rev",
  "from",
  "to",
  "q",
  "return_to",
  "path",
  "filename",
  "tag",
  "category",
  "prefix",
  "b",
  "mode",
  "code",
  "handoff",
  "error",
  "uploaded",
  "removed",
  "notice",
  "flash",
  "state",
  "iss",
];

/** Form fields the routes read. */
const FIELD_NAMES = [
  "path",
  "content",
  "revision",
  "message",
  "to",
  "filename",
  "action",
  "title",
  "slug",
  "label",
  "read_only",
  "visibility",
  "handle",
  "role",
  "did",
  "identifier",
  "return_to",
];

/** Slugs and handles a fuzzed `confirm` must never equal (it would delete the world's wikis or accounts). */
const PROTECTED = /^\s*@?(alice|bob|alice\.test|stranger\.test|viewer\.test)\s*$/i;

/** A query string of 0 to 3 hostile parameters. */
function query(rng: Rng): string {
  const n = rng.int(0, 3);
  if (n === 0) return "";
  return "?" + Array.from({ length: n }, () => `${rng.pick(QUERY_NAMES)}=${rawValue(rng)}`).join("&");
}

/** Form fields with hostile values and (usually) the person's CSRF token. */
function form(rng: Rng, creds: Credentials, names: readonly string[]): { body: string; note: string } {
  const fields: [string, string][] = [];
  const notes: string[] = [];
  if (creds.csrf && rng.chance(0.8)) fields.push(["csrf", encodeURIComponent(creds.csrf)]);
  else notes.push("no csrf");
  for (let n = rng.int(1, 4); n > 0; n--) {
    const name = rng.pick(names);
    const value = rawValue(rng);
    fields.push([name, value]);
    notes.push(`${name}=${describe(value)}`);
  }
  if (rng.chance(0.2)) {
    let confirm = rawValue(rng);
    if (PROTECTED.test(safeDecode(confirm))) confirm = "no";
    fields.push(["confirm", confirm]);
  }
  return { body: rawForm(fields), note: notes.join(" ") };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Headers of a person on an origin. */
function who(creds: Credentials, extra: Record<string, string> = {}): Record<string, string> {
  return creds.cookie ? { cookie: creds.cookie, ...extra } : { ...extra };
}

/** A request to a wiki page or system route. */
export function wikiCase(rng: Rng, w: World): FuzzCase {
  const person: Who = rng.pick(WHO);
  const creds = w.wiki[person];
  const slug = rng.chance(0.9) ? "alice" : "bob";
  const base = w.base[slug];
  const tail = rawPathTail(rng);
  const route = rng.pick([
    "/",
    `/${tail}`,
    "/-/index",
    "/-/search",
    "/-/changes",
    `/-/history/${tail}`,
    `/-/diff/${tail}`,
    `/-/raw/${tail}`,
    `/-/attachment/${tail}/${rng.chance(0.5) ? "a.txt" : rawPathTail(rng)}`,
    `/-/page/${tail}`,
    "/-/new",
    `/-/edit/${tail}`,
    `/-/rename/${tail}`,
    `/-/delete/${tail}`,
    `/-/restore/${tail}`,
    `/-/attach/${tail}`,
    `/-/detach/${tail}`,
    "/-/auth/login",
    "/-/auth/handoff",
    "/-/auth/logout",
    `/-/${tail}`,
    "/static/app.css",
  ]);
  const edit = /^\/-\/(new|edit|rename|delete|restore|attach|detach|auth\/logout)/.test(route);
  const method = edit && rng.chance(0.6) ? "POST" : rng.pick(["GET", "GET", "GET", "HEAD", "POST", "PUT", "OPTIONS"]);
  const url = base + route + query(rng);
  if (method !== "POST") {
    return { label: `wiki ${method} as ${person}`, method, url, headers: who(creds) };
  }
  if (route.startsWith("/-/attach/") && rng.chance(0.5)) {
    const name = rng.chance(0.5) ? "a.txt" : hostileString(rng);
    const make = () => {
      const fd = new FormData();
      if (creds.csrf && rng.chance(0.8)) fd.set("csrf", creds.csrf);
      fd.set("file", new File([rng.chance(0.5) ? "hello" : longString(rng, rng.int(0, 70_000))], name));
      if (rng.chance(0.3)) fd.set("filename", hostileString(rng));
      return fd;
    };
    return {
      label: `wiki multipart as ${person} file name=${describe(name)}`,
      method,
      url,
      headers: who(creds),
      body: make(),
    };
  }
  const { body, note } = form(rng, creds, FIELD_NAMES);
  return {
    label: `wiki POST as ${person} ${note}`,
    method,
    url,
    headers: who(creds, { "content-type": FORM, origin: new URL(base).origin }),
    body,
  };
}

/** A dashboard or sign-in request on the platform origin. */
export function platformCase(rng: Rng, w: World): FuzzCase {
  const person: Who = rng.pick(WHO);
  const creds = w.platform[person];
  const slug = rng.chance(0.4) ? rng.pick(["alice", "bob"]) : rawPathTail(rng);
  const id = rng.chance(0.3) ? "tok_aaaaaaaaaaaaaaaaaaaa" : rawPathTail(rng);
  const route = rng.pick([
    "/",
    "/healthz",
    "/app",
    "/app/",
    "/app/wikis",
    `/app/wikis/${slug}`,
    `/app/wikis/${slug}/tokens`,
    `/app/wikis/${slug}/tokens/${id}/revoke`,
    `/app/wikis/${slug}/apps/${id}/revoke`,
    `/app/wikis/${slug}/visibility`,
    `/app/wikis/${slug}/members`,
    `/app/wikis/${slug}/members/role`,
    `/app/wikis/${slug}/members/remove`,
    `/app/wikis/${slug}/delete`,
    "/app/account",
    "/auth/login",
    "/auth/callback",
    "/auth/transfer",
    "/auth/handoff",
    "/auth/signup",
    "/auth/logout",
    "/auth/client-metadata.json",
    "/auth/jwks.json",
    `/w/${slug}/`,
    `/w/${slug}/${rawPathTail(rng)}`,
    `/.well-known/oauth-authorization-server/w/${slug}`,
    `/.well-known/oauth-protected-resource/w/${slug}/mcp`,
    `/${rawPathTail(rng)}`,
  ]);
  const postable = route.startsWith("/app/") || /^\/auth\/(login|signup|logout)$/.test(route);
  const method = postable && rng.chance(0.5) ? "POST" : rng.pick(["GET", "GET", "HEAD", "POST", "DELETE"]);
  const url = w.origin + route + query(rng);
  if (method !== "POST") return { label: `platform ${method} as ${person}`, method, url, headers: who(creds) };
  const { body, note } = form(rng, creds, FIELD_NAMES);
  return {
    label: `platform POST as ${person} ${note}`,
    method,
    url,
    headers: who(creds, { "content-type": FORM, origin: w.origin }),
    body,
  };
}

/** A hostile value for a header (sendable). */
function headerValue(rng: Rng): string {
  return headerSafe(rng.chance(0.2) ? longString(rng, rng.pick([100, 3000, 10_000])) : hostileString(rng));
}

/** A request to any route with hostile headers. */
export function headersCase(rng: Rng, w: World): FuzzCase {
  const inner = rng.weighted({ wiki: 2, platform: 2, mcp: 1 }) === "mcp"
    ? {
      label: "mcp",
      method: "POST",
      url: w.f.urls.mcp("alice"),
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${w.rwTokens[0]}`,
      } as Record<string, string>,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "read_note", arguments: { path: "Home" } },
      }),
    }
    : rng.chance(0.5)
    ? wikiCase(rng, w)
    : platformCase(rng, w);
  const headers: Record<string, string> = { ...inner.headers };
  const notes: string[] = [];
  for (let n = rng.int(1, 3); n > 0; n--) {
    const name = rng.pick([
      "host",
      "host",
      "cookie",
      "cookie",
      "authorization",
      "accept",
      "content-type",
      "origin",
      "referer",
      "x-forwarded-host",
      "x-forwarded-proto",
      "user-agent",
      "accept-language",
      "mcp-protocol-version",
      "sec-fetch-site",
      "if-none-match",
      "range",
    ]);
    let value: string;
    if (name === "host") value = hostValue(rng, w);
    else if (name === "cookie") value = cookieValue(rng, w);
    else if (name === "accept" && rng.chance(0.5)) {
      value = rng.pick([
        "application/json;q=abc, text/html;q=2",
        "*/*;q=0",
        "application/json;q=0.5, */*;q=0.9",
        "text/html;level=1;q=1e999",
      ]);
    } else value = headerValue(rng);
    headers[name] = value;
    notes.push(`${name}: ${describe(value)}`);
  }
  return { ...inner, label: `${inner.label} with ${notes.join(", ")}`, headers };
}

/** A hostile Host header: long or odd wiki labels, other domains, ports. */
function hostValue(rng: Rng, w: World): string {
  const port = new URL(w.origin).port;
  const label = rng.pick([
    longString(rng, rng.pick([64, 3000, 10_000]), "abcdefghijklmnopqrstuvwxyz0123456789-"),
    "ALICE",
    "alice",
    "-x",
    "a..b",
    "xn--80ak6aa92e",
    "a_b",
    "",
    "%41lice",
  ]);
  return rng.pick([
    `${label}.localhost:${port}`,
    `${label}.localhost`,
    `${label}.localhost.:${port}`,
    "evil.example",
    `localhost:${rng.pick(["0", "99999", "abc", port])}`,
    "127.0.0.1",
    "[::1]:8000",
    headerSafe(hostileString(rng)),
  ]);
}

/** A hostile Cookie header: long, broken or someone else's session values, many cookies. */
function cookieValue(rng: Rng, w: World): string {
  const real = rng.pick(WHO.map((p) => w.wiki[p].cookie).filter((c) => c !== null)) as string;
  return headerSafe(rng.pick([
    `rw_session=${longString(rng, rng.pick([201, 3000, 10_000]))}`,
    `rw_session=${rawValue(rng)}`,
    `${real}; ${real}x`,
    `${real}; rw_session=${rawValue(rng)}`,
    `rw_csrf=${rawValue(rng)}; rw_login=${rawValue(rng)}; rw_sso=${rawValue(rng)}`,
    Array.from({ length: rng.int(50, 500) }, (_, i) => `c${i}=${i}`).join("; "),
    "rw_session",
    "=; ;;=x",
    `rw_session="${rawValue(rng)}`,
  ]));
}
