/**
 * The git endpoint (lib/git/endpoint.ts) with OAuth access tokens: a token with wiki:read opens the wiki's
 * repository as the password of HTTP Basic (any user name) or as a Bearer token; the same token on another wiki is
 * refused with 403, not a new challenge.
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { connectPublic, setup } from "../oauth/helpers.ts";
import { createGitFastPath } from "../../lib/git/endpoint.ts";
import { slugLookupKey, wikiOfSlugEntry } from "../../lib/wiki/keys.ts";

Deno.test("git endpoint: an OAuth access token with wiki:read is accepted as Basic password and Bearer", async () => {
  const fx = await setup();
  try {
    const { access } = await connectPublic(fx);
    const git = createGitFastPath({
      kv: fx.kv,
      wikis: { bySlug: async (slug) => wikiOfSlugEntry(await fx.kv.get(slugLookupKey(slug))) },
      verifiers: [fx.oauth.verifier()],
      maxBodyBytes: 1 << 20,
      https: false,
    });
    const refs = (slug: string, authorization?: string) =>
      git(
        new Request(`http://localhost:8000/w/${slug}/wiki.git/info/refs?service=git-upload-pack`, {
          headers: { "git-protocol": "version=2", ...(authorization ? { authorization } : {}) },
        }),
        slug,
        "/wiki.git/info/refs",
      )!;
    const none = await refs("alice");
    assertEquals(none.status, 401);
    await none.body?.cancel();
    for (const auth of [`Basic ${btoa(`git:${access}`)}`, `Bearer ${access}`]) {
      const ok = await refs("alice", auth);
      assertEquals(ok.status, 200, auth.slice(0, 6));
      assertIncludes(await ok.text(), "ls-refs");
    }
    const other = await refs("bob", `Basic ${btoa(`git:${access}`)}`);
    assertEquals(other.status, 403);
    assertIncludes(await other.text(), "another wiki");
  } finally {
    fx.close();
  }
});
