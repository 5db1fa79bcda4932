/**
 * Real `git clone` and `git fetch` of a wiki's history over HTTP (lib/git/, `{wiki}/wiki.git`), in both addressing
 * modes: every revision a commit with its author, message and time; files equal to the pages; incremental fetch;
 * ids that never change; access like the MCP endpoint.
 */
import { assertEquals, assertOk as assert } from "../../assert.ts";
import { type AppFixture, appFixture } from "../../fixture/app.ts";
import type { Actor } from "../../../lib/wiki/types.ts";
import { checkoutFiles, fetchCounted, git, gitAvailable, gitOk } from "../../git/git_cli.ts";
import { attachmentFileSegments, pageFileSegments } from "../../../lib/git/replay.ts";

const OWNER: Actor = { id: "did:plc:alice", name: "alice.test", client: "web" };
const AGENT: Actor = { id: "token:t1", name: "Claude", client: "mcp:Claude", connection: "token:t1" };
const HAS_GIT = gitAvailable();

/** A served app with wikis `alice` (public or private) and `bob` (private). */
async function served(opts: { subdomain?: boolean; visibility?: "public" | "private" } = {}): Promise<AppFixture> {
  return await appFixture({
    serve: true,
    addressing: opts.subdomain ? "subdomain" : "path",
    config: (port) => ({ publicOrigin: `http://localhost:${port}` }),
    wikis: [
      { slug: "alice", ownerDid: OWNER.id, visibility: opts.visibility ?? "public", actor: OWNER },
      { slug: "bob", ownerDid: "did:plc:bob", visibility: "private", actor: { ...OWNER, id: "did:plc:bob" } },
    ],
  });
}

function repoUrl(f: AppFixture, slug = "alice", subdomain = false, password?: string): string {
  const auth = password ? `x:${password}@` : "";
  return subdomain
    ? `http://${auth}${slug}.localhost:${f.port}/wiki.git`
    : `http://${auth}localhost:${f.port}/w/${slug}/wiki.git`;
}

const PNG_V1 = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const PNG_V2 = new Uint8Array(70_000).map((_, i) => i % 251); // over the inline size: a blob

/** Writes a history with a person and an agent, an edit, attachments (replaced, detached), a rename, a deletion. */
async function writeHistory(f: AppFixture): Promise<void> {
  const store = f.app.deps.wikis.pages(f.wikis.alice);
  await store.write("Design/Auth", "---\ntags: [auth]\n---\n# Auth\nTokens.\n", { message: "First notes" }, OWNER);
  await store.putAttachment("Design/Auth", "diagram.png", PNG_V1, {}, OWNER);
  await store.putAttachment("Design/Auth", "diagram.png", PNG_V2, { message: "Better diagram" }, AGENT);
  await store.putAttachment("Design/Auth", "notes.txt", new TextEncoder().encode("draft"), {}, OWNER);
  await store.deleteAttachment("Design/Auth", "notes.txt", {}, OWNER);
  const r = await store.write("Log", "day one\n", {}, AGENT);
  await store.write("Log", "day one\nday two\n", { revision: r.revision, message: "Day two" }, AGENT);
  await store.write("Scratch", "temporary\n", {}, OWNER);
  await store.delete("Scratch", {}, OWNER);
  await store.rename("Design/Auth", "Design/Login", {}, OWNER);
}

/** Checks the clone in `dir` against the wiki: one commit per revision in order, and the files. */
async function assertMirrors(f: AppFixture, dir: string): Promise<void> {
  const store = f.app.deps.wikis.pages(f.wikis.alice);
  const revisions = (await store.recentChanges(1000)).reverse();
  const log = (await gitOk(dir, ["log", "--reverse", "--format=%an|%ae|%at|%s|%(trailers:key=Revision,valueonly)"]))
    .trim().split("\n").filter((l) => l !== "");
  assertEquals(log.length, revisions.length, "one commit per revision");
  revisions.forEach((r, i) => {
    const [name, email, at, subject, trailer] = log[i].split("|");
    assertEquals(name, r.client.startsWith("mcp:") ? `${r.authorName} via mcp` : r.authorName);
    assertEquals(email, `${r.author.replace(/[^A-Za-z0-9._:+-]/g, "-")}@robot.wtf`);
    assertEquals(Number(at), Math.floor(r.time / 1000));
    assertEquals(subject, r.message.split("\n")[0]);
    assertEquals(trailer.trim(), r.id);
  });
  const files = await checkoutFiles(dir);
  const pages = await store.list();
  const pageFiles = [...files.keys()].filter((p) => !p.startsWith("_attachments/"));
  assertEquals(pageFiles.length, pages.length, "one file per live page");
  for (const p of pages) {
    assertEquals(files.get(pageFileSegments(p.path).join("/")), (await store.read(p.path)).content, p.path);
  }
  const attachmentFiles = [...files.keys()].filter((p) => p.startsWith("_attachments/"));
  const expected: string[] = [];
  for (const p of pages) {
    for (const a of await store.listAttachments(p.path)) {
      const file = attachmentFileSegments(p.path, a.filename).join("/");
      expected.push(file);
      const { data } = await store.getAttachment(p.path, a.filename);
      assertEquals(await Deno.readFile(`${dir}/${file}`), data, file);
    }
  }
  assertEquals(attachmentFiles.sort(), expected.sort(), "attachments beside their pages");
}

Deno.test({
  name: "git: clone in path mode gives every revision as a commit and every page as a file",
  ignore: !HAS_GIT,
  async fn() {
    const f = await served();
    const tmp = await Deno.makeTempDir({ prefix: "git-clone-" });
    try {
      await writeHistory(f);
      await gitOk(tmp, ["clone", "--quiet", repoUrl(f), "c"]);
      await assertMirrors(f, `${tmp}/c`);
      const files = await checkoutFiles(`${tmp}/c`);
      assert(files.has("Design/Login.md") && !files.has("Design/Auth.md"), "the rename moved the file");
      assert(!files.has("Scratch.md"), "the deleted page is gone");
      assert(files.has("_attachments/Design/Login/diagram.png"), "attachments follow the rename");
      assert(!files.has("_attachments/Design/Login/notes.txt"), "the detached file is gone");
      // The first version of the replaced attachment is still in the history, where it was attached.
      const first = (await gitOk(`${tmp}/c`, ["log", "--reverse", "--format=%H", "--", "_attachments"])).split("\n")[0];
      const v1 = await new Deno.Command("/usr/bin/git", {
        args: ["show", `${first}:_attachments/Design/Auth/diagram.png`],
        cwd: `${tmp}/c`,
        stdout: "piped",
      }).output();
      assertEquals(v1.stdout, PNG_V1);
      assertEquals(await gitOk(`${tmp}/c`, ["log", "-1", "--format=%an", "--", "Log.md"]), "Claude via mcp\n");
      const fsck = await git(`${tmp}/c`, ["fsck", "--strict"]);
      assertEquals(fsck.code, 0, fsck.stderr);
    } finally {
      await f.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "git: clone in subdomain mode (alice.localhost), then fetch transfers only the new revisions",
  ignore: !HAS_GIT,
  async fn() {
    const f = await served({ subdomain: true });
    const tmp = await Deno.makeTempDir({ prefix: "git-fetch-" });
    try {
      await writeHistory(f);
      await gitOk(tmp, ["clone", "--quiet", repoUrl(f, "alice", true), "c"]);
      await assertMirrors(f, `${tmp}/c`);
      const store = f.app.deps.wikis.pages(f.wikis.alice);
      const log = await store.read("Log");
      await store.write("Log", log.content + "day three\n", { revision: log.revision }, AGENT);
      await store.write("Ideas", "an idea\n", {}, OWNER);
      const fetched = await fetchCounted(`${tmp}/c`);
      assertEquals(fetched.run.code, 0, fetched.run.stderr);
      assert(!/forced update/.test(fetched.run.stderr), "the fetch fast-forwards");
      // Two revisions of top-level pages: a blob, the root tree and the commit each; nothing older again.
      assertEquals(fetched.objects, 6);
      await gitOk(`${tmp}/c`, ["merge", "--ff-only", "--quiet", "origin/main"]);
      await assertMirrors(f, `${tmp}/c`);
      const again = await fetchCounted(`${tmp}/c`);
      assertEquals(again.run.code, 0, again.run.stderr);
      assertEquals(again.objects, 0, "nothing new: nothing transferred");
    } finally {
      await f.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "git: commit ids are deterministic: two clones agree, and a changed handle changes no id",
  ignore: !HAS_GIT,
  async fn() {
    const f = await served();
    const tmp = await Deno.makeTempDir({ prefix: "git-ids-" });
    try {
      await writeHistory(f);
      await gitOk(tmp, ["clone", "--quiet", repoUrl(f), "a"]);
      const first = await gitOk(`${tmp}/a`, ["log", "--format=%H"]);
      await gitOk(tmp, ["clone", "--quiet", repoUrl(f), "b"]);
      assertEquals(await gitOk(`${tmp}/b`, ["log", "--format=%H"]), first);
      // The person renames their handle: the stored revisions keep the name they were written under.
      const { upsertUserOnLogin } = await import("../../../lib/platform/users.ts");
      await upsertUserOnLogin(f.kv, { did: OWNER.id, handle: "alice-renamed.test", displayName: null });
      await gitOk(tmp, ["clone", "--quiet", repoUrl(f), "c"]);
      assertEquals(await gitOk(`${tmp}/c`, ["log", "--format=%H"]), first);
    } finally {
      await f.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
