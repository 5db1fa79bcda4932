/**
 * The export's `wiki.bundle` (lib/git/bundle.ts through lib/archive/export.ts): `deno task export` writes the wiki's
 * history as a git bundle in the zip, and the real `git clone` of that bundle has one commit per revision, with the
 * pages as files.
 */
import { assertEquals } from "../assert.ts";
import { main } from "../../scripts/archive.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";
import { createWikis } from "../../lib/wiki/wikis.ts";
import { FOREIGN_WIKI_DATA } from "../../lib/platform/wiki_lifecycle.ts";
import { archiveLimits } from "../../lib/archive/archive.ts";
import { fileSource, readZipDirectory, readZipEntry } from "../../lib/archive/zip_read.ts";
import { GIT_BUNDLE_ENTRY } from "../../lib/archive/export_format.ts";
import { git, gitAvailable } from "../git/git_cli.ts";
import { ALICE } from "./helpers.ts";

Deno.test({
  name: "deno task export: the zip holds the history as a git bundle that git clones, one commit per revision",
  ignore: !gitAvailable(),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "export-bundle-" });
    try {
      const kv = await Deno.openKv(`${dir}/robot.kv`);
      let revisions = 0;
      let wiki;
      try {
        const wikis = createWikis({ kv, limits: DEFAULT_LIMITS }, FOREIGN_WIKI_DATA);
        wiki = await wikis.create({ slug: "src", ownerDid: ALICE.id }, ALICE);
        const pages = wikis.pages(wiki);
        const first = await pages.write("Notes/Plan", "# Plan\nfirst", {}, ALICE);
        await pages.write(
          "Notes/Plan",
          "# Plan\nsecond",
          { message: "Second thoughts", revision: first.revision },
          ALICE,
        );
        revisions = (await pages.recentChanges(100)).length;
      } finally {
        kv.close();
      }
      assertEquals(await main(["export", "src", `${dir}/out.zip`, "--kv", `${dir}/robot.kv`], () => {}), 0);
      const src = await fileSource(`${dir}/out.zip`);
      try {
        const entries = await readZipDirectory(src, archiveLimits(wiki, DEFAULT_LIMITS));
        const bundle = entries.find((e) => e.name === GIT_BUNDLE_ENTRY);
        assertEquals(bundle !== undefined, true, "the zip has wiki.bundle");
        await Deno.writeFile(`${dir}/wiki.bundle`, await readZipEntry(src, bundle!));
      } finally {
        src.close();
      }
      const clone = await git(dir, ["clone", "-q", "wiki.bundle", "repo"]);
      assertEquals(clone.code, 0, clone.stderr);
      const log = await git(`${dir}/repo`, ["log", "--format=%s"]);
      assertEquals(log.stdout.trim().split("\n").length, revisions);
      assertEquals(log.stdout.split("\n")[0], "Second thoughts");
      assertEquals(await Deno.readTextFile(`${dir}/repo/Notes/Plan.md`), "# Plan\nsecond");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
