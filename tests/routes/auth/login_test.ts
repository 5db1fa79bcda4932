/**
 * The sign-in routes on the platform origin with a fake ATProto login (no PDS): the form and its CSRF check,
 * readable errors, the callback on the public origin and through the loopback callback origin (login transfer),
 * login CSRF (a callback finished in another browser), cookies, return_to, logout, client documents.
 */
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../../assert.ts";
import { ACCOUNTS, Browser, hiddenField, setupAuth, signInThroughForm } from "./helpers.ts";
import { OTHER_BROWSER_MESSAGE, STALE_FORM_MESSAGE } from "../../../routes/auth/login.tsx";
import { getUser } from "../../../lib/platform/users.ts";
import { type AppFixture, appFixture } from "../../fixture/app.ts";

const ALICE = ACCOUNTS["alice.test"];

Deno.test("auth - login page: form with a CSRF token bound to an HttpOnly rw_csrf cookie; CSP lets the form reach a PDS", async () => {
  const f = await setupAuth();
  try {
    const b = f.browser();
    const { res, html } = await b.page(`${f.origin}/auth/login`);
    assertEquals(res.status, 200);
    assertIncludes(html, "Sign in to robot.wtf");
    assertIncludes(html, '<input type="text" id="identifier" name="identifier"');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("rw_csrf="));
    assertOk(setCookie, "rw_csrf cookie set");
    assertIncludes(setCookie, "HttpOnly");
    assertIncludes(setCookie, "SameSite=Lax");
    assertIncludes(setCookie, "Path=/");
    assertExcludes(setCookie, "Secure"); // loopback origin
    assertExcludes(setCookie.toLowerCase(), "domain=");
    assertIncludes(res.headers.get("content-security-policy")!, "form-action 'self' https:");
    assertEquals(res.headers.get("cache-control"), "no-store");
    // The nonce is reused on the next visit (the form stays valid in other tabs).
    const again = await b.page(`${f.origin}/auth/login`);
    assertEquals(again.res.headers.getSetCookie().length, 0);
    assertEquals(hiddenField(again.html, "csrf"), hiddenField(html, "csrf"));
  } finally {
    f.close();
  }
});

Deno.test("auth - POST /auth/login refuses a missing, wrong or other browser's CSRF token and starts nothing", async () => {
  const f = await setupAuth();
  try {
    const b = f.browser();
    const { html } = await b.page(`${f.origin}/auth/login`);
    const token = hiddenField(html, "csrf");
    for (const csrf of ["", "0".repeat(64), token.slice(0, -1) + (token.endsWith("a") ? "b" : "a")]) {
      const res = await b.post(`${f.origin}/auth/login`, { identifier: "alice.test", csrf });
      assertEquals(res.status, 403);
      assertIncludes(await res.text(), STALE_FORM_MESSAGE);
    }
    // Another browser (no rw_csrf cookie, or its own) cannot use this browser's token.
    const other = f.browser();
    const res = await other.post(`${f.origin}/auth/login`, { identifier: "alice.test", csrf: token });
    assertEquals(res.status, 403);
    await res.body?.cancel();
    assertEquals(f.atproto.started.length, 0);
    // The right token works.
    const ok = await b.post(`${f.origin}/auth/login`, { identifier: "alice.test", csrf: token });
    assertEquals(ok.status, 303);
    assertEquals(new URL(ok.headers.get("location")!).origin, "https://pds.example");
    assertEquals(f.atproto.started.length, 1);
    assertOk(f.atproto.started[0].binding, "the login is bound to the browser");
  } finally {
    f.close();
  }
});

Deno.test("auth - a login error is shown on the form, with the input kept and HTML escaped", async () => {
  const f = await setupAuth();
  try {
    const b = f.browser();
    const { html } = await b.page(`${f.origin}/auth/login`);
    const res = await b.post(`${f.origin}/auth/login`, {
      identifier: "<b>nobody.test",
      csrf: hiddenField(html, "csrf"),
    });
    assertEquals(res.status, 400);
    const body = await res.text();
    assertIncludes(
      body,
      `<p class="form-error" role="alert">We couldn't find the handle &quot;&lt;b>nobody.test&quot;`,
    );
    assertIncludes(body, 'value="&lt;b>nobody.test"');
  } finally {
    f.close();
  }
});

Deno.test("auth - first login on the public origin: session cookie (HttpOnly, Lax, Secure on https, host-only), user created, signup next", async () => {
  const f = await setupAuth({ publicOrigin: "https://robot.example" }, "confidential");
  try {
    const b = f.browser();
    const res = await signInThroughForm(b, f.origin, "alice.test");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "https://robot.example/auth/signup");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("rw_session="));
    assertOk(cookie);
    for (const attr of ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"]) assertIncludes(cookie, attr);
    assertExcludes(cookie.toLowerCase(), "domain=");
    const maxAge = Number(cookie.match(/Max-Age=(\d+)/)![1]);
    assertOk(maxAge > 29 * 24 * 3600 && maxAge <= 30 * 24 * 3600, `max-age ${maxAge}`);
    const user = await getUser(f.kv, ALICE);
    assertEquals(user?.handle, "alice.test");
    // Signed in: the header shows the handle and a sign-out form; the login page goes straight on.
    const { html } = await b.page(`${f.origin}/`);
    assertIncludes(html, '<span class="whoami" title="Signed in as">alice.test</span>');
    assertIncludes(html, '<form method="post" action="https://robot.example/auth/logout" class="signout">');
    const login = await b.fetch(`${f.origin}/auth/login`);
    assertEquals(login.status, 303);
    assertEquals(login.headers.get("location"), "https://robot.example/app/");
  } finally {
    f.close();
  }
});

Deno.test("auth - a callback finished in another browser is refused (login CSRF)", async () => {
  const f = await setupAuth({ publicOrigin: "https://robot.example" }, "confidential");
  try {
    const attacker = f.browser();
    const { html } = await attacker.page(`${f.origin}/auth/login`);
    const started = await attacker.post(`${f.origin}/auth/login`, {
      identifier: "bob.test",
      csrf: hiddenField(html, "csrf"),
    });
    const state = new URL(started.headers.get("location")!).searchParams.get("state");
    const victim = f.browser();
    await victim.page(`${f.origin}/auth/login`); // the victim has a nonce of their own
    const res = await victim.fetch(`${f.origin}/auth/callback?state=${state}&code=x&iss=y`);
    assertEquals(res.status, 403);
    assertIncludes(await res.text(), OTHER_BROWSER_MESSAGE.replaceAll("(", "(").slice(0, 40));
    assertEquals(victim.cookie(f.origin, "rw_session"), undefined);
  } finally {
    f.close();
  }
});

Deno.test("auth - loopback client: the callback on 127.0.0.1 transfers the login to the public origin, once, to the same browser", async () => {
  const f = await setupAuth(); // http://localhost:8000, path mode
  try {
    const b = f.browser();
    const { html } = await b.page(`${f.origin}/auth/login`);
    const started = await b.post(`${f.origin}/auth/login`, {
      identifier: "alice.test",
      csrf: hiddenField(html, "csrf"),
    });
    const state = new URL(started.headers.get("location")!).searchParams.get("state");
    const cb = await b.fetch(`http://127.0.0.1:8000/auth/callback?state=${state}&code=x&iss=y`);
    assertEquals(cb.status, 303);
    const transfer = new URL(cb.headers.get("location")!);
    assertEquals(transfer.origin + transfer.pathname, "http://localhost:8000/auth/transfer");
    assertEquals(cb.headers.getSetCookie().length, 0, "no session on 127.0.0.1");

    // Another browser cannot use the transfer link.
    const other = f.browser();
    const stolen = await other.fetch(transfer.href);
    assertEquals(stolen.status, 403);
    assertIncludes(await stolen.text(), "This sign-in was started in another browser");
    assertEquals(other.cookie(f.origin, "rw_session"), undefined);

    // ...and the code was consumed by that attempt: single use.
    const late = await b.fetch(transfer.href);
    assertEquals(late.status, 400);
    assertIncludes(await late.text(), "This sign-in link has expired or was already used. Sign in again.");

    // A fresh login completes in the right browser.
    const res = await signInThroughForm(b, f.origin, "alice.test", { callbackOrigin: "http://127.0.0.1:8000" });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "http://localhost:8000/auth/signup");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("rw_session="))!;
    assertExcludes(cookie, "Secure"); // loopback
    const session = await f.app.deps.sessions.get(b.cookie(f.origin, "rw_session"), "http://localhost:8000");
    assertEquals(session?.did, ALICE);
  } finally {
    f.close();
  }
});

Deno.test("auth - callback errors: denied at the PDS and an expired attempt are readable; on 127.0.0.1 they go back to the form", async () => {
  const f = await setupAuth({ publicOrigin: "https://robot.example" }, "confidential");
  try {
    const b = f.browser();
    const { html } = await b.page(`${f.origin}/auth/login`);
    const started = await b.post(`${f.origin}/auth/login`, {
      identifier: "alice.test",
      csrf: hiddenField(html, "csrf"),
    });
    const state = new URL(started.headers.get("location")!).searchParams.get("state");
    const denied = await b.fetch(`${f.origin}/auth/callback?state=${state}&error=access_denied&iss=y`);
    assertEquals(denied.status, 403);
    assertIncludes(await denied.text(), "You declined the sign-in at your PDS, so you are not signed in.");
    const expired = await b.fetch(`${f.origin}/auth/callback?state=${state}&code=x&iss=y`);
    assertEquals(expired.status, 400);
    assertIncludes(await expired.text(), "This sign-in attempt has expired or was already used.");
  } finally {
    f.close();
  }
  const g = await setupAuth();
  try {
    const b = g.browser();
    const res = await b.fetch(`http://127.0.0.1:8000/auth/callback?state=nope&code=x&iss=y`);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "http://localhost:8000/auth/login?error=expired");
    const page = await b.page(res.headers.get("location")!);
    assertEquals(page.res.status, 400);
    assertIncludes(page.html, "This sign-in attempt has expired or was already used. Start again from the login page.");
  } finally {
    g.close();
  }
});

Deno.test("auth - return_to: own URLs are kept through the login; other hosts are dropped (no open redirect)", async () => {
  const f = await setupAuth({ addressing: "subdomain", wikiDomain: "localhost" });
  try {
    const b = f.browser();
    await signInThroughForm(b, f.origin, "alice.test", { callbackOrigin: "http://127.0.0.1:8000" });
    // Known user now: return_to is followed when it is ours...
    const ours = "http://alice.localhost:8000/Some_Page";
    const res = await signInThroughForm(f.browser(), f.origin, "alice.test", {
      returnTo: ours,
      callbackOrigin: "http://127.0.0.1:8000",
    });
    assertEquals(res.headers.get("location"), ours);
    // ...and never when it is not.
    for (
      const evil of [
        "https://evil.example/",
        "//evil.example/x",
        "http://alice.localhost.evil.example:8000/",
        "http://alice.localhost:9999/",
        "javascript:alert(1)",
      ]
    ) {
      const page = await f.browser().page(`${f.origin}/auth/login?return_to=${encodeURIComponent(evil)}`);
      assertExcludes(page.html, 'name="return_to"', evil);
      const signedIn = await b.fetch(`${f.origin}/auth/login?return_to=${encodeURIComponent(evil)}`);
      assertEquals(signedIn.headers.get("location"), "http://localhost:8000/app/", evil);
    }
    // A forged return_to posted with the form is dropped as well.
    const e = f.browser();
    const { html } = await e.page(`${f.origin}/auth/login`);
    await e.post(`${f.origin}/auth/login`, {
      identifier: "alice.test",
      csrf: hiddenField(html, "csrf"),
      return_to: "https://evil.example/",
    });
    assertEquals(f.atproto.started.at(-1)?.returnTo, undefined);
  } finally {
    f.close();
  }
});

Deno.test("auth - logout: CSRF required; ends the session (and wiki hosts' child sessions) and revokes the ATProto tokens", async () => {
  const f = await setupAuth({ addressing: "subdomain", wikiDomain: "localhost" });
  try {
    const b = f.browser();
    await signInThroughForm(b, f.origin, "alice.test", { callbackOrigin: "http://127.0.0.1:8000" });
    const id = b.cookie(f.origin, "rw_session")!;
    const child = await f.app.deps.sessions.createHandoff(
      id,
      "http://alice.localhost:8000",
      "http://alice.localhost:8000/",
    );
    const redeemed = await f.app.deps.sessions.redeemHandoff(child!, "http://alice.localhost:8000");
    assertOk(redeemed);

    const refused = await b.post(`${f.origin}/auth/logout`, { csrf: "nope" });
    assertEquals(refused.status, 403);
    assertIncludes(await refused.text(), "so you are still signed in");
    assertOk(await f.app.deps.sessions.get(id, f.origin), "still signed in");

    const { html } = await b.page(`${f.origin}/`);
    const res = await b.post(`${f.origin}/auth/logout`, { csrf: hiddenField(html, "csrf") });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "http://localhost:8000/");
    assertEquals(b.cookie(f.origin, "rw_session"), undefined, "cookie cleared");
    assertEquals(await f.app.deps.sessions.get(id, f.origin), null);
    assertEquals(await f.app.deps.sessions.get(redeemed.id, "http://alice.localhost:8000"), null, "child ended");
    assertEquals(f.atproto.loggedOut, [ALICE]);
    const after = await b.page(`${f.origin}/`);
    assertIncludes(after.html, '<a class="button" href="http://localhost:8000/auth/login">Sign in</a>');
  } finally {
    f.close();
  }
});

Deno.test("auth - client documents: served in confidential mode, 404 for the loopback client", async () => {
  const f = await appFixture({ config: { publicOrigin: "https://robot.example" } });
  try {
    const app = f.app;
    const meta = await app.fetch(new Request("https://robot.example/auth/client-metadata.json"));
    assertEquals(meta.status, 200);
    const doc = await meta.json();
    assertEquals(doc.client_id, "https://robot.example/auth/client-metadata.json");
    assertEquals(doc.redirect_uris, ["https://robot.example/auth/callback"]);
    assertEquals(doc.scope, "atproto");
    const jwks = await app.fetch(new Request("https://robot.example/auth/jwks.json"));
    const keys = (await jwks.json()).keys;
    assertEquals(keys.length, 1);
    assertEquals(keys[0].d, undefined, "no private part");
    const local = await appFixture({ kv: f.kv });
    const none = await local.fetch("http://localhost:8000/auth/client-metadata.json");
    assertEquals(none.status, 404);
    await none.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("auth - development on a non-loopback http origin: the app runs, and the form says sign-in is unavailable", async () => {
  const warn = console.warn;
  console.warn = () => {};
  let f: AppFixture | undefined;
  try {
    f = await appFixture({ config: { publicOrigin: "http://robot.lan:8000" } });
    const app = f.app;
    console.warn = warn;
    const b = new Browser(app);
    const { html } = await b.page("http://robot.lan:8000/auth/login");
    const res = await b.post("http://robot.lan:8000/auth/login", {
      identifier: "alice.test",
      csrf: hiddenField(html, "csrf"),
    });
    assertEquals(res.status, 502);
    assertIncludes(
      await res.text(),
      "Sign-in is not available on this instance: ATProto login needs an https PUBLIC_ORIGIN",
    );
  } finally {
    console.warn = warn;
    await f?.close();
  }
});

Deno.test("auth - path mode answers any host, but a callback on a host other than ours signs nobody in", async () => {
  const f = await setupAuth({ publicOrigin: "https://robot.example" }, "confidential");
  try {
    const b = f.browser();
    const { html } = await b.page(`${f.origin}/auth/login`);
    const started = await b.post(`${f.origin}/auth/login`, {
      identifier: "alice.test",
      csrf: hiddenField(html, "csrf"),
    });
    const state = new URL(started.headers.get("location")!).searchParams.get("state");
    const res = await b.fetch(`https://evil.example/auth/callback?state=${state}&code=x&iss=y`);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "https://robot.example/auth/login?error=invalid_callback");
    assertEquals(res.headers.getSetCookie().length, 0);
  } finally {
    f.close();
  }
});
