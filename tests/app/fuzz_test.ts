/**
 * A small fuzz-ish sweep: odd requests (bad percent-encoding, invalid UTF-8, missing, huge or duplicated fields,
 * wrong content types, unknown methods) to every route of the platform and of a wiki, in both addressing modes,
 * signed out, as a non-member and as the owner. None may answer 5xx.
 */
import { assertOk } from "../assert.ts";
import { PEOPLE, setupEdit, type Who } from "../edit/helpers.ts";

/** Platform routes (paths on the platform origin). */
const PLATFORM_PATHS = [
  "/",
  "/healthz",
  "/auth/login",
  "/auth/callback",
  "/auth/transfer",
  "/auth/logout",
  "/auth/handoff",
  "/auth/signup",
  "/auth/client-metadata.json",
  "/auth/jwks.json",
  "/app",
  "/app/",
  "/app/wikis",
  "/app/wikis/alice",
  "/app/wikis/alice/tokens",
  "/app/wikis/alice/tokens/x/revoke",
  "/app/wikis/alice/apps/x/revoke",
  "/app/wikis/alice/visibility",
  "/app/wikis/alice/members",
  "/app/wikis/alice/members/role",
  "/app/wikis/alice/members/remove",
  "/app/wikis/alice/delete",
  "/app/wikis/%ZZ",
  "/app/wikis/%FF%FE/tokens",
  "/app/account",
  "/app/account/delete",
  "/static/app.css",
  "/static/%ZZ",
  "/%ZZ",
  "/%C0%AF",
];

/** Wiki routes (paths inside the wiki). */
const WIKI_PATHS = [
  "/",
  "/Home",
  "/%ZZ",
  "/%FF%FE",
  "/%00",
  "/a%2F..%2F..%2Fb",
  "/" + "x".repeat(5000),
  "/-/index",
  "/-/search",
  "/-/changes",
  "/-/history/Home",
  "/-/history/%ZZ",
  "/-/diff/Home",
  "/-/raw/Home",
  "/-/raw/%E0%A4%A",
  "/-/attachment/Home/a.txt",
  "/-/attachment/%ZZ/%ZZ",
  "/-/page/mcp",
  "/-/nothing",
  "/-/new",
  "/-/edit/Home",
  "/-/edit/%ZZ",
  "/-/edit/%FF",
  "/-/rename/Home",
  "/-/delete/Home",
  "/-/restore/Home",
  "/-/attach/Home",
  "/-/detach/Home",
  "/-/detach/%ZZ",
  "/-/auth/login",
  "/-/auth/handoff",
  "/-/auth/logout",
  "/authorize",
  "/token",
  "/register",
  "/revoke",
  "/mcp",
  "/.well-known/oauth-authorization-server",
  "/.well-known/oauth-protected-resource",
];

/** Odd query strings appended to GETs. */
const QUERIES = [
  "",
  "?return_to=%ZZ",
  "?return_to=javascript:alert(1)&to=%FF&code=%00&q=%E0%A4%A&rev=zz&from=%ZZ&handoff=none",
  "?to=http://localhost:8000/%ZZ&mode=login",
  "?code=" + "a".repeat(3000) + "&state=x&iss=%ZZ",
  "?q=" + "%FF".repeat(500),
  "?a=1&a=2&return_to=//evil.example&return_to=/app/",
];

/** Odd POST bodies: [content-type, body]. */
const BODIES: [string | null, BodyInit | null][] = [
  [null, null],
  ["application/x-www-form-urlencoded", ""],
  ["application/x-www-form-urlencoded", "csrf=x&content=%ZZ&title=%FF&slug=%E0%A4%A&handle=&role=owner"],
  ["application/x-www-form-urlencoded", new Uint8Array([0x63, 0x73, 0x72, 0x66, 0x3d, 0xff, 0xfe, 0x26, 0xc0])],
  ["application/x-www-form-urlencoded", "content=" + "x".repeat(200_000) + "&path=" + "y".repeat(10_000)],
  ["application/x-www-form-urlencoded", "csrf=a&csrf=b&path=a&path=b&slug=a&slug=b"],
  ["application/json", '{"csrf": 1, "content": ['],
  ["text/plain", "hello"],
  ["multipart/form-data", "no boundary here"],
  ["multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nbroken"],
];

Deno.test("no route answers 5xx to odd requests, in either addressing mode", async (t) => {
  for (const mode of ["path", "subdomain"] as const) {
    await t.step(mode, async () => {
      const f = await setupEdit(mode);
      const origin = f.app.deps.urls.origin;
      const platformSession = await f.app.deps.sessions.create(
        { did: PEOPLE.stranger.did, handle: PEOPLE.stranger.handle, displayName: null },
        origin,
      );
      const failures: string[] = [];
      const send = async (url: string, init: RequestInit, label: string) => {
        const res = await f.app.fetch(new Request(url, init));
        await res.body?.cancel();
        if (res.status >= 500) failures.push(`${res.status} ${label} ${init.method ?? "GET"} ${url.slice(0, 120)}`);
      };
      try {
        await f.pages.write("Home", "# Home\n", {}, { id: PEOPLE.alice.did, name: "alice", client: "web" });
        const whoCookies: [Who, string | null][] = [
          ["anon", null],
          ["stranger", f.cookies.stranger],
          ["alice", f.cookies.alice],
        ];
        for (const [who, cookie] of whoCookies) {
          const wikiHeaders: Record<string, string> = cookie ? { cookie: `rw_session=${cookie}` } : {};
          const platformHeaders: Record<string, string> = who === "anon"
            ? {}
            : { cookie: `rw_session=${mode === "path" ? cookie : platformSession.id}; rw_csrf=${"n".repeat(20)}` };
          const targets: [string, Record<string, string>][] = [
            ...PLATFORM_PATHS.map((p) => [origin + p, platformHeaders] as [string, Record<string, string>]),
            ...WIKI_PATHS.map((p) => [f.base + p, wikiHeaders] as [string, Record<string, string>]),
          ];
          for (const [url, headers] of targets) {
            for (const q of QUERIES) {
              await send(url + q, { headers }, who);
              await send(url + q, { headers: { ...headers, accept: "application/json" } }, `${who} json`);
            }
            for (const [type, body] of BODIES) {
              const h = { ...headers, ...(type ? { "content-type": type } : {}) };
              await send(url, { method: "POST", headers: h, body }, `${who} ${type}`);
            }
            await send(url, { method: "PUT", headers, body: "x" }, who);
            await send(url, { method: "DELETE", headers }, who);
          }
        }
      } finally {
        f.close();
      }
      assertOk(failures.length === 0, `5xx answers:\n${failures.join("\n")}`);
    });
  }
});
