/**
 * An attachment name with broken Unicode (an unpaired UTF-16 surrogate, sent over MCP where JSON allows it) made
 * the page it is attached to answer 500 for everyone, for good: rendering its download link threw in
 * `encodeURIComponent`. Found by the fuzz battery (tests/app/fuzz_test.ts). Names are now cleaned of unpaired
 * surrogates, and links to a name stored before that still render.
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { ALICE, callTool, MODES, setupHttp, toolText } from "../routes/wiki/oauth/http_helpers.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { K } from "../../lib/wiki/keys.ts";
import type { PageHead } from "../../lib/wiki/records.ts";

const ACTOR = { id: ALICE, name: "alice", client: "web" };

for (const mode of MODES) {
  Deno.test(`${mode}: an attachment named with an unpaired surrogate does not break its page`, async () => {
    const f = await setupHttp(mode);
    try {
      const { kv, keys, wikis } = f.app.deps;
      await wikis.pages(f.alice).write("Home", "# Home\n", {}, ACTOR);
      const token = (await createWikiTokens({ kv, keys }).create(f.alice, { label: "t" })).token;
      const up = await callTool(f, token, "upload_attachment", {
        path: "Home",
        filename: "a\ud800b.txt",
        content: "aGVsbG8=",
      });
      assertIncludes(await toolText(up), "Uploaded ab.txt");

      // A name stored before names were cleaned still renders (its link carries U+FFFD).
      const head = (await kv.get<PageHead>(K.page(f.alice.id, "Home"))).value!;
      const old = (await kv.get(K.attachment(f.alice.id, head.pageId, "ab.txt"))).value as Record<string, unknown>;
      await kv.set(K.attachment(f.alice.id, head.pageId, "c\udc00d.txt"), { ...old, filename: "c\udc00d.txt" });

      const cookie = await f.cookie(ALICE);
      for (const path of ["/Home", "/", "/-/attach/Home"]) {
        const res = await f.fetch(f.urls.wiki("alice", path), { headers: { cookie } });
        const html = await res.text();
        assertEquals(res.status, 200, `${path}: ${html.slice(0, 300)}`);
      }
      const page = await (await f.fetch(f.urls.wiki("alice", "/Home"), { headers: { cookie } })).text();
      assertIncludes(page, "/-/attachment/Home/ab.txt");
      assertIncludes(page, "/-/attachment/Home/c%EF%BF%BDd.txt");
    } finally {
      f.close();
    }
  });
}
