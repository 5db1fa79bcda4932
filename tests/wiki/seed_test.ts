import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { seedPages } from "../../lib/wiki/seed.ts";
import { DEMO_OWNER, seedDemoWiki } from "../../lib/wiki/demo.ts";
import { ALICE } from "./store_helpers.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";

Deno.test("seed - a new wiki gets Home, Getting Started and Agent Guide, linked to each other, by the system", async () => {
  const kv = await Deno.openKv(":memory:");
  const wikis = createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA);
  const w = await wikis.create({ slug: "fresh", ownerDid: ALICE.id }, ALICE);
  const pages = wikis.pages(w);
  assertEquals((await pages.list()).map((p) => p.path), ["Agent Guide", "Getting Started", "Home"]);
  const home = await pages.read("Home");
  assertEquals(home.links, ["Agent Guide", "Getting Started"]);
  assertEquals(home.lastRevision.author, "system");
  assertEquals(home.lastRevision.authorName, "robot.wtf");
  assertEquals(home.lastRevision.client, "system");
  assertEquals((await pages.read("Getting Started")).links, ["Agent Guide", "Home"]);
  assertEquals((await pages.read("Agent Guide")).links, ["Getting Started", "Home"]);
  assertEquals(await pages.orphans(), []);
  const guide = (await pages.read("Agent Guide")).content;
  for (
    const tool of [
      "read_note",
      "write_note",
      "edit_note",
      "list_notes",
      "search_notes",
      "semantic_search",
      "find_related",
      "get_links",
      "get_history",
      "get_recent_changes",
      "get_diff",
      "restore_note",
      "rename_note",
      "delete_note",
      "find_orphaned_notes",
      "list_attachments",
      "upload_attachment",
      "download_attachment",
      "delete_attachment",
    ]
  ) assertIncludes(guide, `\`${tool}\``);
  assertIncludes((await pages.read("Getting Started")).content, "[[Projects/Launch Plan|the launch plan]]");
  assertEquals((await pages.usage()).pages, 3);
  assertEquals(seedPages().map((p) => p.path), ["Home", "Getting Started", "Agent Guide"]);
  kv.close();
});

Deno.test("seed - the demo wiki is public, has linked example pages, and seeding twice changes nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  const wikis = createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA);
  await seedDemoWiki(wikis);
  const demo = await wikis.bySlug("demo");
  assertOk(demo);
  assertEquals([demo.visibility, demo.ownerDid], ["public", DEMO_OWNER]);
  const pages = wikis.pages(demo);
  const seq = (await pages.recentChanges(1))[0].seq;
  assertEquals((await pages.list()).map((p) => p.path), [
    "Agent Guide",
    "Getting Started",
    "Home",
    "Ideas",
    "Projects/robot.wtf",
    "Projects/robot.wtf/Roadmap",
  ]);
  assertEquals((await pages.list({ category: "project" })).length, 2);
  assertEquals((await pages.read("Home")).links.includes("Ideas"), true);
  assertEquals(await pages.orphans(), []);
  await seedDemoWiki(wikis);
  assertEquals((await pages.recentChanges(1))[0].seq, seq);
  kv.close();
});
