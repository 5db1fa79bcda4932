/**
 * Security review findings on the dashboard: malformed bodies are client errors (never 500), and `?notice=` shows
 * only the app's own notices (names of Object.prototype members are not notices).
 */
import { assertEquals, assertExcludes, assertIncludes } from "../../assert.ts";
import { ORIGIN, setup } from "../../app/helpers.ts";

Deno.test("dashboard security - a multipart POST without a boundary is a 403 (form unreadable), not a 500", async () => {
  const f = await setup();
  try {
    await f.wikiOf("alice.test", "alice");
    const alice = await f.signIn("alice.test");
    for (const path of ["/app/wikis", "/app/wikis/alice/visibility", "/app/account/delete"]) {
      const res = await f.app.fetch(
        new Request(ORIGIN + path, {
          method: "POST",
          headers: { cookie: `rw_session=${alice.sessionId}`, "content-type": "multipart/form-data" },
          body: "csrf=x",
        }),
      );
      assertEquals(res.status, 403, path);
      assertEquals(await f.app.deps.wikis.bySlug("alice").then((w) => w?.visibility), "private");
      await res.body?.cancel();
    }
  } finally {
    f.close();
  }
});

Deno.test("dashboard security - ?notice= shows nothing for codes that are not notices (constructor, toString)", async () => {
  const f = await setup();
  try {
    await f.wikiOf("alice.test", "alice");
    const alice = await f.signIn("alice.test");
    for (const code of ["constructor", "toString", "hasOwnProperty"]) {
      assertExcludes(await alice.page(`/app/?notice=${code}`), 'class="notice notice-ok"', code);
      assertExcludes(await alice.page(`/app/wikis/alice?notice=${code}`), 'class="notice notice-ok"', code);
    }
  } finally {
    f.close();
  }
});

Deno.test("dashboard security - removing or re-roling a 'DID' longer than a KV key is a 422 with the form, not a 500", async () => {
  const f = await setup();
  try {
    await f.wikiOf("alice.test", "alice");
    const alice = await f.signIn("alice.test");
    for (const path of ["/app/wikis/alice/members/remove", "/app/wikis/alice/members/role"]) {
      const res = await alice.post(path, { did: "did:plc:" + "x".repeat(5000), role: "viewer" }, {
        from: "/app/wikis/alice",
      });
      assertEquals(res.status, 422, path);
      assertIncludes(await res.text(), "That person is not a collaborator on this wiki (any more). Reload the page.");
    }
  } finally {
    f.close();
  }
});
