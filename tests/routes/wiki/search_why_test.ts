/** The browser search page says why each result matched, showing a forgiven word as the page's word. */
import { appFixture } from "../../fixture/app.ts";
import type { Actor } from "../../../lib/wiki/types.ts";
import { assertEquals, assertIncludes } from "../../assert.ts";

const ACTOR: Actor = { id: "local:tester", name: "tester", client: "web" };

Deno.test("search page - shows the matched words, with typos and stems as the page's words", async () => {
  const f = await appFixture({});
  try {
    const wikis = f.app.deps.wikis;
    const wiki = await wikis.create(
      { slug: "pub", title: "Public", ownerDid: "local:tester", visibility: "public", seed: false },
      ACTOR,
    );
    const pages = wikis.pages(wiki);
    await pages.write("Security/Authentication", "People sign in with their handle.\n", {}, ACTOR);
    await pages.write("Kitchen/Sourdough", "Feed the starter, then bake bread.\n", {}, ACTOR);
    const get = (q: string) => f.app.fetch(new Request(`http://localhost:8000/w/pub/-/search?q=${q}`));
    const res = await get("authentcation%20handles");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertIncludes(html, 'href="http://localhost:8000/w/pub/Security/Authentication"');
    assertIncludes(html, '<p class="why">Matched: <mark>authentication</mark> (for “authentcation”), ');
    assertIncludes(html, "<mark>handle</mark> (form of “handles”)</p>");
    const exact = await (await get("starter")).text();
    assertIncludes(exact, '<p class="why">Matched: <mark>starter</mark></p>');
  } finally {
    f.close();
  }
});
