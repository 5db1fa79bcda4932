/**
 * The wiki web UI as a reader sees it: the whole app in-process (tests/fixture/app.ts) on in-memory KV, requests
 * through `app.fetch`, assertions on status, headers and the HTML.
 */
import type { App } from "../../../main.ts";
import type { Config } from "../../../lib/config.ts";
import { appFixture } from "../../fixture/app.ts";
import type { Actor, WikiRecord } from "../../../lib/wiki/types.ts";
import type { PageStore } from "../../../lib/wiki/store.ts";
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { HANDBOOK } from "../../wiki/meaning/section_helpers.ts";

const ACTOR: Actor = { id: "local:tester", name: "tester", client: "mcp:claude-test" };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

interface Fixture {
  app: App;
  kv: Deno.Kv;
  wiki: WikiRecord;
  pages: PageStore;
  /** Revision ids of Notes: [first, second, third (current)]. */
  notesRevs: string[];
  base: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

/** An app with a public wiki `pub` (pages, history, attachments), a private wiki `secret`, and a deleted page. */
async function setup(overrides: Partial<Config> = {}, host = "http://localhost:8000/w/pub"): Promise<Fixture> {
  const f = await appFixture({ config: overrides });
  const { app, kv } = f;
  const wikis = app.deps.wikis;
  const wiki = await wikis.create(
    { slug: "pub", title: "Public Notes", ownerDid: "local:tester", visibility: "public", seed: false },
    ACTOR,
  );
  const pages = wikis.pages(wiki);
  await pages.write(
    "Home",
    "# Welcome home\n\nStart at [[Projects/Plan|the plan]] or [[Nowhere]].\n\nInline `[[Code Link]]` stays.\n",
    {},
    ACTOR,
  );
  await pages.write(
    "Projects/Plan",
    "---\ncategory: Planning\ntags: [roadmap, q4]\n---\n# The Plan\n\nShip the **wiki**. Back to [[Home]].\n",
    {},
    ACTOR,
  );
  const first = await pages.write("Notes", "line one\nline two\nline three\n", {}, ACTOR);
  const second = await pages.write(
    "Notes",
    "line one\nline 2 changed\nline three\n",
    { revision: first.revision, message: "Second version" },
    ACTOR,
  );
  const third = await pages.write(
    "Notes",
    "line one\nline 2 changed\nline three\nline four added\n",
    { revision: second.revision },
    ACTOR,
  );
  await pages.write("mcp/notes", "Reserved first segment.\n", {}, ACTOR);
  await pages.write(
    "Hostile",
    "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n",
    {},
    ACTOR,
  );
  const gone = await pages.write("Gone", "soon deleted\n", {}, ACTOR);
  await pages.delete("Gone", { revision: gone.revision }, ACTOR);
  await pages.putAttachment("Projects/Plan", "chart.png", PNG, { mime: "image/png" }, ACTOR);
  await pages.putAttachment(
    "Projects/Plan",
    "evil.svg",
    new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    { mime: "image/svg+xml" },
    ACTOR,
  );
  await pages.putAttachment(
    "Projects/Plan",
    "page.html",
    new TextEncoder().encode("<html><script>alert(1)</script></html>"),
    { mime: "text/html" },
    ACTOR,
  );
  await pages.putAttachment(
    "Projects/Plan",
    "fake.png",
    new TextEncoder().encode("<html><script>alert(1)</script></html>"),
    { mime: "image/png" },
    ACTOR,
  );
  const secret = await wikis.create(
    { slug: "secret", title: "Secret Wiki", ownerDid: "local:tester", visibility: "private", seed: false },
    ACTOR,
  );
  await wikis.pages(secret).write("Home", "TOP SECRET CONTENT\n", {}, ACTOR);
  return {
    app,
    kv,
    wiki,
    pages,
    notesRevs: [first.revision, second.revision, third.revision],
    base: host,
    get: (path, init) => app.fetch(new Request(host + path, init)),
    close: () => void f.close(),
  };
}

async function withFixture(fn: (f: Fixture) => Promise<void>, overrides: Partial<Config> = {}, host?: string) {
  const f = await setup(overrides, host);
  try {
    await fn(f);
  } finally {
    f.close();
  }
}

function assertSecurityHeaders(res: Response, where: string): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  assertOk(csp !== "", `no CSP on ${where}`);
  assertIncludes(csp, "object-src 'none'", `CSP on ${where}`);
  assertIncludes(csp, "frame-ancestors 'none'", `CSP on ${where}`);
  assertEquals(res.headers.get("x-content-type-options"), "nosniff", `nosniff on ${where}`);
  assertEquals(res.headers.get("x-frame-options"), "DENY", `X-Frame-Options on ${where}`);
  assertOk(res.headers.get("referrer-policy"), `Referrer-Policy on ${where}`);
}

Deno.test("ui - home page renders Markdown with WikiLinks, nav and stylesheet", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
    const html = await res.text();
    assertOk(html.startsWith("<!DOCTYPE html>"));
    assertIncludes(html, '<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    assertIncludes(html, '<h1 id="welcome-home">Welcome home</h1>');
    assertIncludes(html, '<a href="http://localhost:8000/w/pub/Projects/Plan" class="wikilink">the plan</a>');
    assertIncludes(html, 'class="wikilink missing"');
    assertIncludes(html, "<code>[[Code Link]]</code>");
    assertIncludes(html, '<a class="brand" href="http://localhost:8000/w/pub/">Public Notes</a>');
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/index"');
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/changes"');
    assertIncludes(html, 'action="http://localhost:8000/w/pub/-/search"');
    assertIncludes(html, 'rel="stylesheet" href="http://localhost:8000/static/app.css?v=');
  });
});

Deno.test("ui - page view: metadata table, backlinks, attachments, last changed", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/Projects/Plan");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, '<h1 id="the-plan">The Plan</h1>');
    assertIncludes(
      html,
      '<nav class="breadcrumbs" aria-label="Parent pages"><a href="http://localhost:8000/w/pub/-/index?prefix=Projects%2F">' +
        'Projects</a><span class="sep">/</span><span>Plan</span></nav>',
      "a parent without a page links to the index of its subpages",
    );
    assertExcludes(html, "category: Planning", "frontmatter must not be rendered as text");
    assertIncludes(html, '<a href="http://localhost:8000/w/pub/-/index?category=Planning">Planning</a>');
    assertIncludes(html, '<a class="tag" href="http://localhost:8000/w/pub/-/index?tag=roadmap">roadmap</a>');
    assertIncludes(html, "<h2>Linked from</h2>");
    assertIncludes(html, '<a href="http://localhost:8000/w/pub/Home">Home</a>');
    assertIncludes(html, '<a href="http://localhost:8000/w/pub/-/attachment/Projects/Plan/chart.png">chart.png</a>');
    assertIncludes(html, "by tester");
    assertIncludes(html, "via mcp:claude-test");
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/history/Projects/Plan"');
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/raw/Projects/Plan"');
  });
});

Deno.test("ui - hostile page content is inert in the page", async () => {
  await withFixture(async (f) => {
    const html = await (await f.get("/Hostile")).text();
    assertExcludes(html, "<script");
    assertExcludes(html, "<img");
    assertExcludes(html, 'href="javascript:');
    assertIncludes(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

Deno.test("ui - security headers on every kind of response", async () => {
  await withFixture(async (f) => {
    const paths = [
      "/",
      "/Notes",
      "/Nowhere",
      "/Gone",
      "/-/index",
      "/-/search?q=plan",
      "/-/changes",
      "/-/history/Notes",
      "/-/diff/Notes",
      "/-/raw/Notes",
      "/-/attachment/Projects/Plan/chart.png",
      "/-/nothing-here",
      `/Notes?rev=ffffffff`,
    ];
    for (const p of paths) {
      const res = await f.get(p);
      await res.body?.cancel();
      assertSecurityHeaders(res, p);
      assertEquals(res.headers.get("strict-transport-security"), null, `no HSTS over http (${p})`);
    }
    const page = await f.get("/");
    await page.body?.cancel();
    const csp = page.headers.get("content-security-policy")!;
    assertOk(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/.test(csp), csp);
    assertIncludes(csp, "default-src 'self'");
    assertIncludes(csp, "style-src 'self'");
    assertIncludes(csp, "base-uri 'none'");
    const platform = await f.app.fetch(new Request("http://localhost:8000/"));
    await platform.body?.cancel();
    assertSecurityHeaders(platform, "platform /");
  });
});

Deno.test("ui - nonce differs per request", async () => {
  await withFixture(async (f) => {
    const a = await f.get("/");
    const b = await f.get("/");
    await a.body?.cancel();
    await b.body?.cancel();
    assertOk(a.headers.get("content-security-policy") !== b.headers.get("content-security-policy"));
  });
});

Deno.test("ui - HSTS only when the public origin is https", async () => {
  await withFixture(
    async (f) => {
      const res = await f.get("/");
      await res.body?.cancel();
      assertEquals(res.headers.get("strict-transport-security"), "max-age=31536000; includeSubDomains");
    },
    { publicOrigin: "https://robot.example" },
    "https://robot.example/w/pub",
  );
});

Deno.test("ui - missing page: 404 with search and index links and backlinks", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/Nowhere");
    assertEquals(res.status, 404);
    const html = await res.text();
    assertIncludes(html, "There is no page called <strong>Nowhere</strong> in this wiki yet.");
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/search?q=Nowhere"');
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/index"');
    assertIncludes(html, "<h2>Linked from</h2>");
  });
});

Deno.test("ui - deleted page: notice with a link to its history", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/Gone");
    assertEquals(res.status, 404);
    const html = await res.text();
    assertIncludes(html, "This page was deleted on");
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/history/Gone"');
    assertExcludes(html, "soon deleted");
  });
});

Deno.test("ui - old revision by prefix shows a banner and the old content", async () => {
  await withFixture(async (f) => {
    const res = await f.get(`/Notes?rev=${f.notesRevs[0].slice(0, 8)}`);
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, "You are viewing an old revision, ");
    assertIncludes(html, `<code>${f.notesRevs[0].slice(0, 8)}</code>`);
    assertIncludes(html, "line two");
    assertExcludes(html, "line four added");
    const current = await (await f.get("/Notes")).text();
    assertExcludes(current, "You are viewing");
    assertIncludes(current, "line four added");
  });
});

Deno.test("ui - unknown revision: 404 page, or JSON when the client asks for JSON", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/Notes?rev=fffffff0");
    assertEquals(res.status, 404);
    assertIncludes(res.headers.get("content-type")!, "text/html");
    await res.body?.cancel();
    const json = await f.get("/Notes?rev=fffffff0", { headers: { accept: "application/json" } });
    assertEquals(json.status, 404);
    const body = await json.json();
    assertEquals(body.error, "not_found");
    assertOk(typeof body.message === "string" && body.message.length > 0);
  });
});

Deno.test("ui - history lists revisions newest first with view and diff links", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/-/history/Notes");
    assertEquals(res.status, 200);
    const html = await res.text();
    const [r1, r2, r3] = f.notesRevs;
    const i3 = html.indexOf(`?rev=${r3}`);
    const i2 = html.indexOf(`?rev=${r2}`);
    const i1 = html.indexOf(`?rev=${r1}`);
    assertOk(i3 > 0 && i2 > i3 && i1 > i2, "newest first");
    assertIncludes(html, `href="http://localhost:8000/w/pub/-/diff/Notes?from=${r2}&amp;to=${r3}"`);
    assertIncludes(html, `href="http://localhost:8000/w/pub/-/diff/Notes?from=${r1}&amp;to=${r2}"`);
    assertExcludes(html, `to=${r1}"`, "the first revision has no diff link");
    assertIncludes(html, "Second version");
  });
});

Deno.test("ui - diff table with added and removed lines; to defaults to current, from to the previous", async () => {
  await withFixture(async (f) => {
    const [r1, r2] = f.notesRevs;
    const res = await f.get(`/-/diff/Notes?from=${r1}&to=${r2}`);
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, '<table class="diff">');
    assertOk(
      /<tr class="diff-del"><td class="ln">2<\/td><td class="ln"><\/td><td class="text">.*line two<\/td>/.test(html),
    );
    assertOk(
      /<tr class="diff-add"><td class="ln"><\/td><td class="ln">2<\/td><td class="text">.*line 2 changed/.test(html),
    );
    const latest = await (await f.get("/-/diff/Notes")).text();
    assertIncludes(latest, "line four added");
    assertOk(/<tr class="diff-add">.*line four added/.test(latest));
    assertExcludes(latest, 'class="diff-del"');
    const first = await (await f.get(`/-/diff/Notes?to=${r1}`)).text();
    assertIncludes(first, "This is the first revision of the page");
  });
});

Deno.test("ui - index lists pages and filters by tag and prefix", async () => {
  await withFixture(async (f) => {
    const all = await (await f.get("/-/index")).text();
    assertIncludes(all, '<a href="http://localhost:8000/w/pub/Projects/Plan">Plan</a>');
    assertIncludes(all, '<a href="http://localhost:8000/w/pub/Notes">Notes</a>');
    assertIncludes(all, '<a href="http://localhost:8000/w/pub/-/page/mcp/notes">notes</a>');
    assertExcludes(all, ">Gone<", "deleted pages are not listed");
    const tagged = await (await f.get("/-/index?tag=roadmap")).text();
    assertIncludes(tagged, '<a href="http://localhost:8000/w/pub/Projects/Plan">Plan</a>');
    assertExcludes(tagged, 'href="http://localhost:8000/w/pub/Notes"');
    assertIncludes(tagged, "1 page");
    const prefixed = await (await f.get("/-/index?prefix=Projects")).text();
    assertIncludes(prefixed, '<a href="http://localhost:8000/w/pub/Projects/Plan">Plan</a>');
    assertExcludes(prefixed, 'href="http://localhost:8000/w/pub/Home"');
  });
});

Deno.test("ui - search shows ranked results with snippets; empty query shows the form", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/-/search?q=wiki");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, '<a class="result-title" href="http://localhost:8000/w/pub/Projects/Plan">Plan</a>');
    assertIncludes(html, 'class="snippet"');
    assertOk(/class="score" title="Relevance">[01]\.\d\d</.test(html));
    assertIncludes(html, 'value="wiki"');
    assertExcludes(html, 'class="search-box"', "one search form on the search page");
    const empty = await f.get("/-/search");
    assertEquals(empty.status, 200);
    const form = await empty.text();
    assertIncludes(form, 'class="search-form"');
    assertExcludes(form, 'class="results"');
    const none = await (await f.get("/-/search?q=zebraxylophone")).text();
    assertIncludes(none, "No pages match “zebraxylophone”.");
  });
});

Deno.test("ui - recent changes lists revisions with messages and pages", async () => {
  await withFixture(async (f) => {
    const html = await (await f.get("/-/changes")).text();
    assertIncludes(html, "Second version");
    assertIncludes(html, '<a href="http://localhost:8000/w/pub/Notes">Notes</a>');
    assertOk(html.indexOf("Delete: Gone") < html.indexOf("Create: Home"), "newest first");
  });
});

Deno.test("ui - raw text is text/plain with the exact content", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/-/raw/Projects/Plan");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assertEquals(
      await res.text(),
      "---\ncategory: Planning\ntags: [roadmap, q4]\n---\n# The Plan\n\nShip the **wiki**. Back to [[Home]].\n",
    );
    const old = await f.get(`/-/raw/Notes?rev=${f.notesRevs[0]}`);
    assertEquals(await old.text(), "line one\nline two\nline three\n");
  });
});

Deno.test("ui - attachments: raster images inline, SVG/HTML/spoofed files only as downloads", async () => {
  await withFixture(async (f) => {
    const png = await f.get("/-/attachment/Projects/Plan/chart.png");
    assertEquals(png.status, 200);
    assertEquals(png.headers.get("content-type"), "image/png");
    assertOk(png.headers.get("content-disposition")!.startsWith("inline;"));
    assertEquals(new Uint8Array(await png.arrayBuffer()), PNG);
    assertIncludes(png.headers.get("content-security-policy")!, "sandbox");
    for (const name of ["evil.svg", "page.html", "fake.png"]) {
      const res = await f.get(`/-/attachment/Projects/Plan/${name}`);
      assertEquals(res.status, 200, name);
      await res.body?.cancel();
      assertEquals(res.headers.get("content-disposition"), `attachment; filename="${name}"; filename*=UTF-8''${name}`);
      assertEquals(res.headers.get("x-content-type-options"), "nosniff", name);
      assertIncludes(res.headers.get("content-security-policy")!, "sandbox", name);
      assertIncludes(res.headers.get("content-security-policy")!, "default-src 'none'", name);
    }
    const missing = await f.get("/-/attachment/Projects/Plan/nope.txt");
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("ui - private wiki: 403 without content; unknown wiki: 404", async () => {
  await withFixture(async (f) => {
    for (const p of ["/", "/Home", "/-/raw/Home", "/-/search?q=secret", "/-/index"]) {
      const res = await f.app.fetch(new Request("http://localhost:8000/w/secret" + p));
      assertEquals(res.status, 403, p);
      const html = await res.text();
      assertIncludes(html, "This wiki is private", p);
      assertExcludes(html, "TOP SECRET", p);
      assertExcludes(html, "Secret Wiki", p);
    }
    const unknown = await f.app.fetch(new Request("http://localhost:8000/w/nosuchwiki/"));
    assertEquals(unknown.status, 404);
    assertIncludes(await unknown.text(), "No wiki called nosuchwiki");
  });
});

Deno.test("ui - unknown system page is a 404 page", async () => {
  await withFixture(async (f) => {
    const res = await f.get("/-/nothing-here");
    assertEquals(res.status, 404);
    const html = await res.text();
    assertIncludes(html, "Page not found");
    assertIncludes(html, 'href="http://localhost:8000/w/pub/-/index"');
  });
});

Deno.test("ui - page URLs: reserved first segment under /-/page/, spaces redirect to underscores", async () => {
  await withFixture(async (f) => {
    const reserved = await f.get("/-/page/mcp/notes");
    assertEquals(reserved.status, 200);
    assertIncludes(await reserved.text(), "Reserved first segment.");
    const spaced = await f.get("/Projects/Plan%20");
    assertEquals(spaced.status, 301);
    assertEquals(spaced.headers.get("location"), "http://localhost:8000/w/pub/Projects/Plan");
    const slash = await f.get("/Notes/");
    assertEquals(slash.status, 301);
    assertEquals(slash.headers.get("location"), "http://localhost:8000/w/pub/Notes");
    const invalid = await f.get("/a%5Bb");
    assertEquals(invalid.status, 422);
    assertIncludes(await invalid.text(), "Invalid page path");
  });
});

Deno.test("ui - subdomain mode: wiki at {slug}.localhost with its own links and stylesheet", async () => {
  await withFixture(
    async (f) => {
      const res = await f.get("/Projects/Plan");
      assertEquals(res.status, 200);
      const html = await res.text();
      assertIncludes(html, '<a href="http://pub.localhost:8000/Home">Home</a>');
      assertIncludes(html, 'href="http://pub.localhost:8000/-/attachment/Projects/Plan/chart.png"');
      const css = html.match(/rel="stylesheet" href="(http:\/\/pub\.localhost:8000\/static\/app\.css\?v=\w+)"/);
      assertOk(css, "stylesheet on the wiki's own origin");
      const sheet = await f.app.fetch(new Request(css[1]));
      assertEquals(sheet.status, 200);
      assertIncludes(sheet.headers.get("content-type")!, "text/css");
      assertEquals(sheet.headers.get("cache-control"), "public, max-age=31536000, immutable");
      await sheet.body?.cancel();
      // A private wiki: first the passive sign-in check through the platform, then (check done) a 403 page.
      const passive = await f.app.fetch(new Request("http://secret.localhost:8000/"));
      assertEquals(passive.status, 302);
      // (`b=`: this browser's hand-off binding, an HMAC; see tests/routes/auth/handoff_test.ts.)
      assertOk(
        /^http:\/\/localhost:8000\/auth\/handoff\?to=http%3A%2F%2Fsecret\.localhost%3A8000%2F&b=[0-9a-f]{64}$/.test(
          passive.headers.get("location")!,
        ),
      );
      const secret = await f.app.fetch(
        new Request("http://secret.localhost:8000/", { headers: { cookie: "rw_sso=1" } }),
      );
      assertEquals(secret.status, 403);
      await secret.body?.cancel();
    },
    { addressing: "subdomain", wikiDomain: "localhost" },
    "http://pub.localhost:8000",
  );
});

Deno.test("ui - platform landing page and static files", async () => {
  await withFixture(async (f) => {
    const res = await f.app.fetch(new Request("http://localhost:8000/"));
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, "Memory for your agents, in a wiki for you.");
    assertIncludes(html, '<a class="button" href="http://localhost:8000/auth/login">Sign in and get your wiki</a>');
    assertIncludes(html, '<a class="cta-secondary" href="http://localhost:8000/w/demo/">or look at the demo wiki</a>');
    assertIncludes(html, "Sign in with Bluesky");
    const css = await f.app.fetch(new Request("http://localhost:8000/static/app.css"));
    assertEquals(css.status, 200);
    assertEquals(css.headers.get("cache-control"), "public, max-age=3600");
    await css.body?.cancel();
    const traversal = await f.app.fetch(new Request("http://localhost:8000/static/..%2fdeno.json"));
    assertEquals(traversal.status, 404);
    await traversal.body?.cancel();
    const missing = await f.app.fetch(new Request("http://localhost:8000/nope"));
    assertEquals(missing.status, 404);
    assertIncludes(await missing.text(), "Page not found");
  });
});

Deno.test("ui - search uses the hybrid ranking and says why; the page view lists related pages, not linked ones", async () => {
  await withFixture(async (f) => {
    await f.pages.write("Garage/Automobile Maintenance", "Change the car oil; check the tyres.\n", {}, ACTOR);
    await f.pages.write("Garage/Bicycle", "Oil the bike chain and pump the tyres.\n", {}, ACTOR);
    await f.pages.write("Garage/Index", "See [[Garage/Automobile Maintenance]].\n", {}, ACTOR);
    const html = await (await f.get("/-/search?q=vehicle+upkeep")).text();
    const first = html.indexOf('class="result-title"');
    assertOk(first > 0, "a result");
    assertIncludes(html.slice(first, first + 200), "Garage/Automobile Maintenance");
    assertIncludes(html, '<span class="match match-meaning">similar meaning</span>');
    const words = await (await f.get("/-/search?q=tyres")).text();
    assertIncludes(words, "matching words");
    await f.pages.write("Handbook/Everything", HANDBOOK, {}, ACTOR);
    const sections = await (await f.get("/-/search?q=vehicle+upkeep")).text();
    assertIncludes(sections, '<span class="match-section">(section “Fleet”)</span>', "the section that matched");
    const page = await (await f.get("/Garage/Automobile_Maintenance")).text();
    const at = page.indexOf("<h2>Related pages</h2>");
    assertOk(at > 0, "related block");
    const block = page.slice(at, page.indexOf("</section>", at));
    assertIncludes(block, 'href="http://localhost:8000/w/pub/Garage/Bicycle"');
    assertExcludes(block, "Garage/Index", "a page linking to it is not listed");
  });
});
