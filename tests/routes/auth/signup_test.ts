/**
 * Signup (`/auth/signup`): signed-in only, slug default from the handle, slug rules with exact messages, taken and
 * cooling-off slugs, CSRF, the one-wiki-per-user limit (configurable), and the created wiki (private, owned).
 * Also: 127.0.0.1 is the platform when the public origin is localhost (loopback callback host).
 */
import { assertEquals, assertIncludes, assertOk } from "../../assert.ts";
import { ACCOUNTS, type Browser, hiddenField, setupAuth, signInThroughForm } from "./helpers.ts";
import { Urls } from "../../../lib/urls.ts";
import { testConfig } from "../../../lib/config.ts";

const P = "http://localhost:8000";
const CB = "http://127.0.0.1:8000";

async function signupForm(b: Browser): Promise<{ html: string; csrf: string }> {
  const { res, html } = await b.page(`${P}/auth/signup`);
  assertEquals(res.status, 200, html);
  return { html, csrf: hiddenField(html, "csrf", 'class="auth-form"') };
}

Deno.test("signup - needs a session; proposes a slug from the handle", async () => {
  const f = await setupAuth();
  try {
    const anon = await f.browser().fetch(`${P}/auth/signup`);
    assertEquals(anon.status, 302);
    assertEquals(anon.headers.get("location"), `${P}/auth/login?return_to=${encodeURIComponent(`${P}/auth/signup`)}`);
    const b = f.browser();
    await signInThroughForm(b, P, "alice.test", { callbackOrigin: CB });
    const { html } = await signupForm(b);
    assertIncludes(html, "Welcome, alice.test");
    assertIncludes(html, 'name="slug" value="alice"');
    assertIncludes(html, `<span class="slug-affix">${P}/w/</span>`);
  } finally {
    f.close();
  }
});

Deno.test("signup - slug rules, reserved and taken names give readable errors and create nothing", async () => {
  const f = await setupAuth();
  try {
    await f.app.deps.wikis.create({ slug: "taken", ownerDid: "did:plc:someoneelse", seed: false }, {
      id: "x",
      name: "x",
      client: "test",
    });
    const gone = await f.app.deps.wikis.create({ slug: "gone", ownerDid: "did:plc:someoneelse", seed: false }, {
      id: "x",
      name: "x",
      client: "test",
    });
    await f.app.deps.wikis.delete(gone.id);
    const b = f.browser();
    await signInThroughForm(b, P, "alice.test", { callbackOrigin: CB });
    const { csrf } = await signupForm(b);
    const cases: [string, number, string][] = [
      ["ab", 400, "The wiki name must be at least 3 characters."],
      ["a".repeat(31), 400, "The wiki name must be at most 30 characters."],
      ["my_wiki", 400, "The wiki name may contain only lowercase letters, digits, and hyphens."],
      ["-alice", 400, "The wiki name must not start or end with a hyphen."],
      ["admin", 400, 'The wiki name "admin" is reserved.'],
      ["taken", 409, 'The name "taken" is already taken by another wiki. Choose another name.'],
      ["gone", 409, 'The name "gone" belonged to a wiki deleted recently; it can be used again after'],
    ];
    for (const [slug, status, message] of cases) {
      const res = await b.post(`${P}/auth/signup`, { slug, csrf });
      assertEquals(res.status, status, slug);
      const html = await res.text();
      assertIncludes(html.replaceAll("&quot;", '"'), message, slug);
      assertIncludes(html, `name="slug" value="`, "the form is shown again");
    }
    assertEquals((await f.app.deps.wikis.forUser(ACCOUNTS["alice.test"])).length, 0);
  } finally {
    f.close();
  }
});

Deno.test("signup - CSRF refused; then creates a private wiki owned by the person and lands on /app/; one wiki only", async () => {
  const f = await setupAuth();
  try {
    const b = f.browser();
    await signInThroughForm(b, P, "alice.test", { callbackOrigin: CB });
    const { csrf } = await signupForm(b);
    const forged = await b.post(`${P}/auth/signup`, { slug: "alices-notes", csrf: "0".repeat(64) });
    assertEquals(forged.status, 403);
    await forged.body?.cancel();
    assertEquals(await f.app.deps.wikis.bySlug("alices-notes"), null);

    const res = await b.post(`${P}/auth/signup`, { slug: " Alices-Notes ", csrf });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `${P}/app/`);
    const wiki = await f.app.deps.wikis.bySlug("alices-notes");
    assertOk(wiki);
    assertEquals(wiki.ownerDid, ACCOUNTS["alice.test"]);
    assertEquals(wiki.visibility, "private");

    // One wiki per user by default: the form is replaced by a pointer to the dashboard, and POST is refused.
    const again = await b.page(`${P}/auth/signup`);
    assertIncludes(again.html, "You already have a wiki");
    assertIncludes(again.html, `href="${P}/w/alices-notes/"`);
    const second = await b.post(`${P}/auth/signup`, { slug: "second", csrf });
    assertEquals(second.status, 409);
    await second.body?.cancel();
    assertEquals(await f.app.deps.wikis.bySlug("second"), null);
    // A known user who owns a wiki goes to the dashboard after signing in, not to signup.
    const later = await signInThroughForm(f.browser(), P, "alice.test", { callbackOrigin: CB });
    assertEquals(later.headers.get("location"), `${P}/app/`);
  } finally {
    f.close();
  }
});

Deno.test("signup - WIKIS_PER_USER raises the limit", async () => {
  const f = await setupAuth({ wikisPerUser: 2 });
  try {
    const b = f.browser();
    await signInThroughForm(b, P, "bob.test", { callbackOrigin: CB });
    for (const slug of ["bob-one", "bob-two"]) {
      const { csrf } = await signupForm(b);
      assertEquals((await b.post(`${P}/auth/signup`, { slug, csrf })).status, 303);
    }
    const { html } = await b.page(`${P}/auth/signup`);
    assertIncludes(html, "You already have 2 wikis");
  } finally {
    f.close();
  }
});

Deno.test("urls - 127.0.0.1 on the same port is the platform when the public origin is localhost (not an own URL)", () => {
  const urls = new Urls(testConfig({ addressing: "subdomain", wikiDomain: "localhost" }));
  assertEquals(urls.loopbackAlias, "http://127.0.0.1:8000");
  assertEquals(urls.resolve(new URL("http://127.0.0.1:8000/auth/callback")), { kind: "platform" });
  assertEquals(urls.isOwnUrl("http://127.0.0.1:8000/app/"), false);
  const prod = new Urls(
    testConfig({ publicOrigin: "https://robot.wtf", addressing: "subdomain", wikiDomain: "robot.wtf" }),
  );
  assertEquals(prod.loopbackAlias, null);
  assertEquals(prod.resolve(new URL("http://127.0.0.1:8000/")), { kind: "unknown-host" });
});
