/**
 * Two fuzz tests:
 *
 * 1. A fixed sweep: odd requests (bad percent-encoding, invalid UTF-8, missing, huge or duplicated fields, wrong
 *    content types, unknown methods) to every route of the platform and of a wiki, in both addressing modes, signed
 *    out, as a non-member and as the owner. None may answer 5xx.
 * 2. The seeded fuzz battery (tests/app/fuzz/): at least 10,000 generated requests over `/mcp` (malformed JSON-RPC,
 *    hostile arguments for every tool), the OAuth endpoints, page, editing, dashboard and sign-in routes and hostile
 *    headers, in both addressing modes, plus a bounded set of very large inputs. It fails on any 5xx, internal
 *    error, stack trace, file path or error name in an answer, answer slower than 5 s, error logged by the server,
 *    or RSS growth over 100 MB, and prints the seed and the request's id to reproduce each failure.
 *
 * The battery runs in a child process (tests/app/fuzz/main.ts) so that RSS is measured after full garbage
 * collections and a request that never returns can be stopped. Its environment: `FUZZ_SEED` (default
 * `robot.wtf/9`), `FUZZ_REQUESTS` (random requests over both modes, default 10,000; raise it for a longer run),
 * `FUZZ_ONLY` (comma-separated ids such as `path:123` or `path:h7`: replay only those), `FUZZ_EXCLUDE`
 * (comma-separated label fragments to skip, for local runs only; empty by default).
 */
import { assertOk } from "../assert.ts";
import { csrfToken } from "../../lib/session/csrf.ts";
import { PEOPLE, setupEdit, type Who } from "../routes/wiki/edit/helpers.ts";
import { report } from "./fuzz/runner.ts";
import type { BatteryResult } from "./fuzz/main.ts";

/** Largest allowed growth of the resident set over the battery (after the warm-up). */
const MAX_RSS_GROWTH = 100 * 1024 * 1024;
/** The battery program (run in a child process: see its module comment). */
const BATTERY = new URL("./fuzz/main.ts", import.meta.url);
/** Longest the battery may run, per 1,000 random requests (plus a fixed allowance): beyond, it hangs. */
const MS_PER_1000 = 30_000;

Deno.test("seeded fuzz battery: no 5xx, internal error, leak, hang or memory growth", async () => {
  const total = Number(Deno.env.get("FUZZ_REQUESTS") || 10_000);
  assertOk(Number.isInteger(total) && total > 0, `FUZZ_REQUESTS must be a positive integer, not ${total}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", BATTERY.pathname],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const limitMs = 600_000 + (total / 1000) * MS_PER_1000;
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  let lastProgress = "(none)";
  let resultLine: string | null = null;
  let buffer = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("progress ")) lastProgress = line.slice(9);
        else if (line.startsWith("result ")) resultLine = line.slice(7);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const status = await child.status;
  assertOk(
    resultLine !== null,
    `the fuzz battery did not finish (exit ${status.code}${status.signal ? `, ${status.signal}` : ""}; limit ` +
      `${limitMs / 1000} s); the last request started was ${lastProgress} or one shortly after it (reproduce: ` +
      `FUZZ_ONLY=${lastProgress} deno test -A tests/app/fuzz_test.ts)`,
  );
  const result = JSON.parse(resultLine) as BatteryResult;
  const growth = result.rssFinal - result.rssBaseline;
  console.log(
    `fuzz battery: seed ${JSON.stringify(result.seed)}, ${result.sent} requests in ${result.seconds.toFixed(1)} s` +
      `${result.skipped ? `, ${result.skipped} skipped (FUZZ_EXCLUDE)` : ""}, RSS growth after warm-up ` +
      `${(growth / 1048576).toFixed(1)} MB${result.gc ? "" : " (no forced GC)"}, ` +
      `${result.findingCount ?? result.findings.length} failing`,
  );
  const replaying = (Deno.env.get("FUZZ_ONLY") ?? "") !== "";
  assertOk(replaying || result.sent + result.skipped >= total, `only ${result.sent} of ${total} requests were sent`);
  assertOk(result.findings.length === 0, report(result.seed, result.findings, result.findingCount));
  assertOk(
    growth <= MAX_RSS_GROWTH,
    `RSS grew by ${(growth / 1048576).toFixed(1)} MB over the battery (limit 100 MB; seed ${
      JSON.stringify(result.seed)
    })`,
  );
});

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
  "/w/%ZZ/",
  "/w/alice%ZZ/-/edit/Home",
  "/.well-known/oauth-authorization-server/w/%ZZ",
  "/.well-known/oauth-protected-resource/w/alice/%ZZ",
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
  "?notice=constructor&error=constructor&flash=constructor&mode=constructor",
  "?notice=__proto__&error=toString&rev=constructor&action=__proto__",
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
  ["multipart/form-data; boundary=zz", '--zz\r\nContent-Disposition: form-data; name="file"\r\n\r\nbroken'],
];

/** Field names of the app's forms, each sent with every odd value. */
const ODD_FIELDS = [
  "slug",
  "title",
  "label",
  "read_only",
  "visibility",
  "handle",
  "role",
  "did",
  "confirm",
  "path",
  "content",
  "revision",
  "message",
  "to",
  "filename",
  "action",
  "request_id",
  "decision",
  "identifier",
  "return_to",
];

/** Odd (already urlencoded) field values. */
const ODD_VALUES = [
  "",
  "%ZZ",
  "%ED%A0%80",
  "%00",
  "..%2F..%2Fx",
  "x".repeat(70_000),
  "%E2%80%AE%F0%9F%92%A9",
  "-1e999",
  "__proto__",
  "http%3A%2F%2Fevil.example%2F",
];

/** Odd Cookie headers. */
const ODD_COOKIES = [
  "rw_session=%ZZ",
  'rw_session="x',
  "rw_session=" + "a".repeat(5000),
  "rw_csrf=%FF%FE; rw_session=%E0%A4%A",
  "rw_session",
  "=; ;;=x",
  "rw_sso=%ZZ; rw_csrf=" + "%".repeat(50),
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
      const ownerPlatform = await f.app.deps.sessions.create(
        { did: PEOPLE.alice.did, handle: PEOPLE.alice.handle, displayName: null },
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
            await send(url, { method: "HEAD", headers }, who);
            await send(url, { method: "OPTIONS", headers: { ...headers, origin: "https://evil.example" } }, who);
          }
        }
        // Odd field values behind a valid CSRF token (so the handlers, not the guards, see them), as the owner.
        const keys = f.app.deps.keys;
        const appCsrf = await csrfToken(keys, mode === "path" ? f.cookies.alice : ownerPlatform.id, "app");
        const editCsrf = await csrfToken(keys, f.cookies.alice, `wiki-edit:${f.wiki.id}`);
        const ownerPlatformHeaders = {
          cookie: `rw_session=${mode === "path" ? f.cookies.alice : ownerPlatform.id}`,
          "content-type": "application/x-www-form-urlencoded",
        };
        const ownerWikiHeaders = {
          cookie: `rw_session=${f.cookies.alice}`,
          "content-type": "application/x-www-form-urlencoded",
        };
        for (const value of ODD_VALUES) {
          const fields = (csrf: string) =>
            `csrf=${encodeURIComponent(csrf)}&` + ODD_FIELDS.map((k) => `${k}=${value}`).join("&");
          for (const p of PLATFORM_PATHS.filter((p) => p.startsWith("/app/") && !p.endsWith("/delete"))) {
            await send(
              origin + p,
              { method: "POST", headers: ownerPlatformHeaders, body: fields(appCsrf) },
              "owner+csrf",
            );
          }
          for (const p of WIKI_PATHS.filter((p) => /^\/-\/(new|edit|rename|delete|restore|attach|detach)/.test(p))) {
            await send(f.base + p, { method: "POST", headers: ownerWikiHeaders, body: fields(editCsrf) }, "owner+csrf");
          }
        }

        // Odd cookies.
        for (const cookie of ODD_COOKIES) {
          for (const url of [origin + "/", origin + "/app/", origin + "/auth/login", f.base + "/", f.base + "/-/new"]) {
            await send(url, { headers: { cookie } }, `cookie ${cookie.slice(0, 30)}`);
            await send(url, {
              method: "POST",
              headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
              body: "csrf=x",
            }, `cookie ${cookie.slice(0, 30)}`);
          }
        }

        // Odd Host headers (subdomain mode maps hosts to tenants).
        for (
          const host of ["ALICE.LOCALHOST:8000", "evil.example", "a..localhost:8000", "-x.localhost", "localhost."]
        ) {
          await send(f.base + "/", { headers: { host } }, `host ${host}`);
          await send(origin + "/app/", { headers: { host } }, `host ${host}`);
        }
      } finally {
        f.close();
      }
      assertOk(failures.length === 0, `5xx answers:\n${failures.join("\n")}`);
    });
  }
});
