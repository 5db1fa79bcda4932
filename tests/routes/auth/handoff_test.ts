/**
 * The cross-host hand-off through the routes (subdomain mode: platform `localhost:8000`, wikis `*.localhost:8000`):
 * explicit sign-in from a wiki, the passive check on a private wiki, single use, wrong origin, parent logged out,
 * refused targets; wiki-side logout; path mode (no hand-off). Expiry is in session_lib_test.ts.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { ACCOUNTS, hiddenField, setupAuth, signInThroughForm } from "./helpers.ts";
import { HANDOFF_REFUSED_TITLE } from "../../../routes/auth/handoff.ts";

const ALICE = ACCOUNTS["alice.test"];
const PLATFORM = "http://localhost:8000";
const WIKI = "http://alice.localhost:8000";
const CB = "http://127.0.0.1:8000";

/**
 * Asks the platform for a hand-off code the way a wiki host does (through the wiki's sign-in entry, which binds the
 * code to this browser); returns the platform's answer (a redirect to the redeem URL).
 */
async function mint(b: { fetch(url: string): Promise<Response> }, to = `${WIKI}/`): Promise<Response> {
  const start = await b.fetch(`${WIKI}/-/auth/login?return_to=${encodeURIComponent(to)}`);
  return await b.fetch(start.headers.get("location")!);
}

/** A platform hand-off URL as a wiki host builds it: `to`, optional `mode=login`, then this browser's binding. */
function assertHandoffUrl(actual: string | null, to: string, login: boolean): void {
  const prefix = `${PLATFORM}/auth/handoff?to=${encodeURIComponent(to)}${login ? "&mode=login" : ""}&b=`;
  assertOk(actual?.startsWith(prefix), `${actual} starts with ${prefix}`);
  assertOk(/^[0-9a-f]{64}$/.test(actual!.slice(prefix.length)), "the binding is an HMAC");
}

async function subdomainFixture() {
  const f = await setupAuth({ addressing: "subdomain", wikiDomain: "localhost" });
  const owner = { id: ALICE, name: "alice.test", client: "test" };
  await f.app.deps.wikis.create({ slug: "alice", ownerDid: ALICE, visibility: "private" }, owner);
  await f.app.deps.wikis.create({ slug: "open", ownerDid: ALICE, visibility: "public" }, owner);
  return f;
}

Deno.test("handoff - signed in on the platform, a private wiki's first visit signs in passively (no click)", async () => {
  const f = await subdomainFixture();
  try {
    const b = f.browser();
    await signInThroughForm(b, PLATFORM, "alice.test", { callbackOrigin: CB });
    const first = await b.fetch(`${WIKI}/Home?x=1`);
    assertEquals(first.status, 302);
    const toPlatform = first.headers.get("location")!;
    assertHandoffUrl(toPlatform, `${WIKI}/Home?x=1`, false);
    const minted = await b.fetch(toPlatform);
    assertEquals(minted.status, 303);
    const redeemUrl = new URL(minted.headers.get("location")!);
    assertEquals(redeemUrl.origin + redeemUrl.pathname, `${WIKI}/-/auth/handoff`);
    const redeemed = await b.fetch(redeemUrl.href);
    assertEquals(redeemed.status, 303);
    assertEquals(redeemed.headers.get("location"), `${WIKI}/Home?x=1`);
    const cookies = redeemed.headers.getSetCookie();
    assertOk(cookies.some((c) => c.startsWith("rw_session=") && c.includes("HttpOnly") && c.includes("SameSite=Lax")));
    assertOk(cookies.some((c) => c.startsWith("rw_sso=1")));
    assertOk(b.cookie(WIKI, "rw_session") !== b.cookie(PLATFORM, "rw_session"), "the wiki has its own session id");
    const page = await b.page(`${WIKI}/Home?x=1`);
    assertEquals(page.res.status, 200);
    assertIncludes(page.html, '<span class="whoami" title="Signed in as">alice.test</span>');
    assertIncludes(page.html, `<form method="post" action="${WIKI}/-/auth/logout" class="signout">`);

    // Single use: the same code again is refused with a way forward.
    const again = await b.fetch(redeemUrl.href);
    assertEquals(again.status, 400);
    const html = await again.text();
    assertIncludes(html, "This sign-in link has expired or was already used");
    assertIncludes(html, `href="${WIKI}/-/auth/login?return_to=`);
  } finally {
    f.close();
  }
});

Deno.test("handoff - signed out: the passive check comes back, remembers it ran, and the page offers Sign in", async () => {
  const f = await subdomainFixture();
  try {
    const b = f.browser();
    const first = await b.fetch(`${WIKI}/`);
    const back = await b.fetch(first.headers.get("location")!);
    assertEquals(back.status, 303);
    assertEquals(
      back.headers.get("location"),
      `${WIKI}/-/auth/handoff?handoff=none&return_to=${encodeURIComponent(`${WIKI}/`)}`,
    );
    const none = await b.fetch(back.headers.get("location")!);
    assertEquals(none.status, 303);
    assertEquals(none.headers.get("location"), `${WIKI}/`);
    assertEquals(b.cookie(WIKI, "rw_sso"), "1");
    const page = await b.page(`${WIKI}/`);
    assertEquals(page.res.status, 403);
    // Styled from its own host (the CSP allows only 'self' stylesheets).
    assertIncludes(page.html, `<link rel="stylesheet" href="${WIKI}/static/app.css?v=`);
    const login = `${WIKI}/-/auth/login?return_to=${encodeURIComponent(`${WIKI}/`)}`;
    assertIncludes(page.html, `<a class="button" href="${login.replaceAll("&", "&amp;")}">Sign in</a>`);
    // API clients get JSON, never a redirect dance.
    const api = await f.browser().fetch(`${WIKI}/`, { headers: { accept: "application/json" } });
    assertEquals(api.status, 403);
    assertEquals((await api.json()).error, "forbidden");
    // Public wikis never redirect.
    const open = await f.browser().fetch("http://open.localhost:8000/");
    assertEquals(open.status, 200);
    assertIncludes(await open.text(), '<a class="button" href="http://open.localhost:8000/-/auth/login?return_to=');
  } finally {
    f.close();
  }
});

Deno.test("handoff - explicit Sign in from a wiki: login first when the platform is signed out, then back to the page", async () => {
  const f = await subdomainFixture();
  try {
    const b = f.browser();
    const start = await b.fetch(`${WIKI}/-/auth/login?return_to=${encodeURIComponent(`${WIKI}/Notes`)}`);
    assertEquals(start.status, 303);
    const handoff = start.headers.get("location")!;
    assertHandoffUrl(handoff, `${WIKI}/Notes`, true);
    const toLogin = await b.fetch(handoff);
    assertEquals(toLogin.headers.get("location"), `${PLATFORM}/auth/login?return_to=${encodeURIComponent(handoff)}`);
    // Known user (second login), so the login returns to the hand-off.
    await signInThroughForm(f.browser(), PLATFORM, "alice.test", { callbackOrigin: CB });
    const signedIn = await signInThroughForm(b, PLATFORM, "alice.test", { returnTo: handoff, callbackOrigin: CB });
    assertEquals(signedIn.headers.get("location"), handoff);
    const minted = await b.fetch(handoff);
    const redeemed = await b.fetch(minted.headers.get("location")!);
    assertEquals(redeemed.headers.get("location"), `${WIKI}/Notes`);
    assertOk(b.cookie(WIKI, "rw_session"));
    // return_to outside this wiki is replaced by the wiki's home.
    for (const evil of ["https://evil.example/", "http://bob.localhost:8000/", `${PLATFORM}/app/`]) {
      const res = await f.browser().fetch(`${WIKI}/-/auth/login?return_to=${encodeURIComponent(evil)}`);
      assertHandoffUrl(res.headers.get("location"), `${WIKI}/`, true);
    }
  } finally {
    f.close();
  }
});

Deno.test("handoff - codes are bound to their origin, and die with the platform session", async () => {
  const f = await subdomainFixture();
  try {
    const b = f.browser();
    await signInThroughForm(b, PLATFORM, "alice.test", { callbackOrigin: CB });
    // Minted for alice's wiki, presented on bob's: refused (and consumed).
    const minted = await mint(b);
    const code = new URL(minted.headers.get("location")!).searchParams.get("code")!;
    const wrong = await b.fetch(`http://bob.localhost:8000/-/auth/handoff?code=${encodeURIComponent(code)}`);
    assertEquals(wrong.status, 400);
    await wrong.body?.cancel();
    assertEquals(b.cookie("http://bob.localhost:8000", "rw_session"), undefined);
    const reuse = await b.fetch(`${WIKI}/-/auth/handoff?code=${encodeURIComponent(code)}`);
    assertEquals(reuse.status, 400);
    await reuse.body?.cancel();

    // A code minted before the platform signs out cannot be redeemed after.
    const m2 = await mint(b);
    const late = m2.headers.get("location")!;
    const { html } = await b.page(`${PLATFORM}/`);
    await b.post(`${PLATFORM}/auth/logout`, { csrf: hiddenField(html, "csrf") });
    const redeemed = await b.fetch(late);
    assertEquals(redeemed.status, 400);
    await redeemed.body?.cancel();
    assertEquals(b.cookie(WIKI, "rw_session"), undefined);
  } finally {
    f.close();
  }
});

Deno.test("handoff - refuses targets that are not ours (no open redirect)", async () => {
  const f = await subdomainFixture();
  try {
    const b = f.browser();
    await signInThroughForm(b, PLATFORM, "alice.test", { callbackOrigin: CB });
    for (
      const to of [
        "https://evil.example/",
        "http://alice.localhost.evil.example:8000/",
        "http://alice.localhost:8001/",
        "https://alice.localhost:8000/",
        "http://user:pw@alice.localhost:8000/",
        "/\\evil.example",
        "//evil.example/",
        "",
      ]
    ) {
      const res = await b.fetch(`${PLATFORM}/auth/handoff?to=${encodeURIComponent(to)}`);
      assertEquals(res.status, 400, to);
      assertIncludes(await res.text(), HANDOFF_REFUSED_TITLE);
    }
    // The platform itself: no code needed, just go there.
    const self = await b.fetch(`${PLATFORM}/auth/handoff?to=${encodeURIComponent(`${PLATFORM}/app/`)}`);
    assertEquals(self.headers.get("location"), `${PLATFORM}/app/`);
  } finally {
    f.close();
  }
});

Deno.test("handoff - wiki-side logout needs CSRF, then signs out the wiki host and the platform", async () => {
  const f = await subdomainFixture();
  try {
    const b = f.browser();
    await signInThroughForm(b, PLATFORM, "alice.test", { callbackOrigin: CB });
    const minted = await mint(b);
    await b.fetch(minted.headers.get("location")!);
    const { html } = await b.page(`${WIKI}/`);
    const refused = await b.post(`${WIKI}/-/auth/logout`, { csrf: "x" });
    assertEquals(refused.status, 403);
    await refused.body?.cancel();
    const res = await b.post(`${WIKI}/-/auth/logout`, { csrf: hiddenField(html, "csrf") });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `${WIKI}/`);
    assertEquals(b.cookie(WIKI, "rw_session"), undefined);
    const platform = await b.page(`${PLATFORM}/`);
    assertExcludes(platform.html, "whoami");
    assertEquals(f.atproto.loggedOut, [ALICE]);
  } finally {
    f.close();
  }
});

Deno.test("handoff - path mode: the platform cookie serves the wiki; Sign in goes to the login form", async () => {
  const f = await setupAuth();
  try {
    await f.app.deps.wikis.create({ slug: "alice", ownerDid: ALICE, visibility: "private" }, {
      id: ALICE,
      name: "alice.test",
      client: "test",
    });
    const b = f.browser();
    const denied = await b.page(`${PLATFORM}/w/alice/`);
    assertEquals(denied.res.status, 403, "no passive redirect on the platform origin");
    const login = await b.fetch(
      `${PLATFORM}/w/alice/-/auth/login?return_to=${encodeURIComponent(`${PLATFORM}/w/alice/X`)}`,
    );
    assertEquals(
      login.headers.get("location"),
      `${PLATFORM}/auth/login?return_to=${encodeURIComponent(`${PLATFORM}/w/alice/X`)}`,
    );
    await signInThroughForm(b, PLATFORM, "alice.test", { callbackOrigin: CB });
    const page = await b.page(`${PLATFORM}/w/alice/`);
    assertEquals(page.res.status, 200);
    assertIncludes(page.html, `action="${PLATFORM}/w/alice/-/auth/logout"`);
    // A return_to into another wiki is not "this wiki".
    const other = await b.fetch(
      `${PLATFORM}/w/alice/-/auth/login?return_to=${encodeURIComponent(`${PLATFORM}/w/bob/`)}`,
    );
    assertEquals(other.headers.get("location"), `${PLATFORM}/w/alice/`);
  } finally {
    f.close();
  }
});

Deno.test("handoff - a code minted through another browser cannot sign this browser in (login CSRF)", async () => {
  const f = await subdomainFixture();
  try {
    // The attacker, signed in on the platform, starts a hand-off to the victim's wiki host but stops before
    // redeeming, and sends the redeem link to the victim.
    const attacker = f.browser();
    await signInThroughForm(attacker, PLATFORM, "alice.test", { callbackOrigin: CB });
    const first = await attacker.fetch(`${WIKI}/-/auth/login?return_to=${encodeURIComponent(`${WIKI}/`)}`);
    const minted = await attacker.fetch(first.headers.get("location")!);
    const redeemUrl = minted.headers.get("location")!;
    assertOk(new URL(redeemUrl).searchParams.get("code"));
    const victim = f.browser();
    const res = await victim.fetch(redeemUrl);
    assertEquals(res.status, 400);
    assertIncludes(await res.text(), "This sign-in link has expired or was already used");
    assertEquals(victim.cookie(WIKI, "rw_session"), undefined, "the victim is not signed in as the attacker");
    // Minting straight from the platform with a made-up binding does not help either.
    const forged = await attacker.fetch(
      `${PLATFORM}/auth/handoff?to=${encodeURIComponent(`${WIKI}/`)}&b=${"A".repeat(43)}`,
    );
    const forgedRes = await victim.fetch(forged.headers.get("location")!);
    await forgedRes.body?.cancel();
    assertEquals(victim.cookie(WIKI, "rw_session"), undefined);
    // Without a binding the platform mints nothing: it sends the browser to the wiki's sign-in entry first.
    const unbound = await attacker.fetch(`${PLATFORM}/auth/handoff?to=${encodeURIComponent(`${WIKI}/`)}`);
    assertEquals(unbound.status, 303);
    assertExcludes(unbound.headers.get("location")!, "code=");
  } finally {
    f.close();
  }
});
