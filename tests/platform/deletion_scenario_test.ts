/**
 * Deletion leaves nothing behind (issue 10): a full scenario through the app (sign up, create a wiki, write pages
 * and a large attachment over MCP, add a collaborator, mint a wiki token, connect an OAuth client, use both), then
 * delete the wiki and delete the account. Every key written during the scenario is listed (through a recording
 * store); each one's type must be registered (lib/platform/key_registry.ts), and after the deletions no key and no
 * value anywhere in KV may name the deleted wiki's id or the deleted person's DID.
 *
 * Two documented records outlive the deletions on purpose and are the only exceptions:
 * - `rate` counters (docs/kv-schema.md "Rate limits", SECURITY.md): a subject may name a wiki id; they only count,
 *   and the limiter sweeps them once their window has passed;
 * - the deleted wiki's `wiki_slug` tombstone (docs/kv-schema.md "`wiki` and `wiki_slug`"): it reserves the slug for
 *   the 30-day cooling-off period and names the wiki id and its owner, so the owner can finish an interrupted
 *   deletion.
 * Removing any part's deletion hook from lib/platform/wiki_lifecycle.ts makes this test fail.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { connectApp, csrfFrom, location, mcpCall, ORIGIN, PEOPLE, setup, unescapeHtml } from "../app/helpers.ts";
import { faultyKv } from "../kv/faulty_kv.ts";
import { KEY_PREFIXES } from "../../lib/platform/key_registry.ts";
import { embeddingsEndpoint } from "../../lib/config.ts";
import { startFakeEmbeddings } from "../wiki/meaning/fake_embeddings_server.ts";

/** Every string inside a KV value (records, arrays, nested objects), for "does it name X" checks. */
function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 20) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) { for (const v of value) stringsIn(v, out, depth + 1); }
  else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value)) stringsIn(v, out, depth + 1);
  }
  return out;
}

/** The keys in KV that name `id` in a key part or anywhere in their value, except the outliving records. */
async function remnants(kv: Deno.Kv, id: string, tombstone: Deno.KvKey): Promise<string[]> {
  const left: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    if (e.key[0] === "rate") continue; // counters outlive deletion, swept by the limiter (SECURITY.md)
    if (JSON.stringify(e.key) === JSON.stringify(tombstone)) continue; // the slug's cooling-off tombstone
    const named = e.key.some((part) => typeof part === "string" && part.includes(id)) ||
      stringsIn(e.value).some((s) => s.includes(id));
    if (named) left.push(JSON.stringify(e.key));
  }
  return left;
}

Deno.test("deletion scenario - after deleting the wiki and the account, nothing of either is left in KV", async () => {
  const written = new Set<string>();
  // A remote embedder (issue 12) on a local server: the writes leave remote vectors and marks to forget too.
  const embedSrv = startFakeEmbeddings(8);
  const f = await setup({
    embeddings: {
      endpoint: embeddingsEndpoint(embedSrv.url),
      model: "scenario-embed",
      key: null,
      dimensions: null,
      batchSize: 8,
      timeoutMs: 5_000,
    },
    wrapKv: (real) => {
      const { kv, faults } = faultyKv(real);
      faults.onCall = (call) => {
        if (call.op === "set" || call.op === "commit") { for (const k of call.keys) written.add(String(k[0])); }
      };
      return kv;
    },
  });
  try {
    // Sign up and create a wiki from the dashboard; bob has a wiki of his own, shared with alice.
    const alice = await f.signIn("alice.test");
    const bob = await f.signIn("bob.test");
    const created = await alice.post("/app/wikis", { slug: "alice" });
    assertEquals(created.status, 303);
    const wiki = (await f.app.deps.wikis.bySlug("alice"))!;
    const bobs = await f.wikiOf("bob.test", "bobs");
    assertEquals((await alice.post("/app/wikis/alice/members", { handle: "bob.test", role: "editor" })).status, 303);
    assertEquals((await bob.post("/app/wikis/bobs/members", { handle: "alice.test", role: "editor" })).status, 303);

    // A wiki token (shown once through a flash) and an OAuth client, both used over MCP to write.
    const minted = await alice.post("/app/wikis/alice/tokens", { label: "cli" });
    const token = /<code>(rwtf_[A-Za-z0-9_-]+)<\/code>/.exec(unescapeHtml(await alice.page(location(minted))))![1];
    const oauth = await connectApp(f.app, "alice", alice.did);
    const aliceOnBobs = await connectApp(f.app, "bobs", alice.did);
    const bobOnBobs = await connectApp(f.app, "bobs", bob.did);
    const mcp = "http://alice.localhost:8000/mcp";
    const calls: [string, string, Record<string, unknown>][] = [
      [token, "write_note", { path: "Notes/One", content: "Links to [[Notes/Two]] and [[Home]]." }],
      [oauth, "write_note", { path: "Notes/Two", content: "x ".repeat(200_000) }],
      [oauth, "upload_attachment", {
        path: "Notes/One",
        filename: "big.bin",
        content: btoa(Array.from({ length: 150_000 }, (_, i) => String.fromCharCode(i % 251)).join("")),
      }],
    ];
    for (const [credential, tool, args] of calls) {
      const res = await mcpCall(f.app, mcp, credential, tool, args);
      const body = await res.text();
      assertEquals(res.status, 200, body);
      assertOk(!body.includes('"isError":true'), body);
    }
    const read = await mcpCall(f.app, "http://bobs.localhost:8000/mcp", aliceOnBobs, "read_note", { path: "Home" });
    assertEquals(read.status, 200);
    await read.body?.cancel();

    // An archive uploaded for import and never confirmed stays staged (lib/archive/upload_store.ts) until deleted.
    const form = new FormData();
    form.set("archive", new File([new Uint8Array([1, 2, 3])], "notes.zip"));
    const csrf = encodeURIComponent(csrfFrom(await alice.page("/app/wikis/alice")));
    const staged = await f.app.fetch(
      new Request(`${ORIGIN}/app/wikis/alice/import?csrf=${csrf}`, {
        method: "POST",
        headers: { cookie: `rw_session=${alice.sessionId}` },
        body: form,
      }),
    );
    assertEquals(staged.status, 303);
    // The remote embedder's deferred writes and one pass of its job (which marks the wikis done).
    await f.app.deps.embeddings!.queue.idle();
    const job = f.app.deps.embeddings!.startJob();
    while (job.outcomes.length === 0) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    assertEquals(job.outcomes, ["finished"]);

    for await (const e of f.kv.list({ prefix: [] })) written.add(String(e.key[0]));
    // The remote vectors are `page_vec` records of the `remote:` model: some exist before the deletion.
    let remoteVectors = 0;
    for await (const e of f.kv.list<{ model: string }>({ prefix: ["page_vec", wiki.id] })) {
      if (e.value.model === "remote:scenario-embed") remoteVectors++;
    }
    assertOk(remoteVectors > 0, "the wiki's pages have remote vectors before the deletion");

    // Delete the wiki: nothing names its id any more.
    const deleted = await alice.post("/app/wikis/alice/delete", { confirm: "alice" });
    assertEquals(location(deleted), "/app/?notice=wiki-deleted");
    assertEquals(await remnants(f.kv, wiki.id, ["wiki_slug", "alice"]), []);

    // Delete the account: nothing names alice's DID any more; bob's wiki and his own app are untouched.
    const gone = await alice.post("/app/account/delete", { confirm: "@alice.test" });
    assertEquals(gone.status, 303);
    assertEquals(await remnants(f.kv, PEOPLE["alice.test"], ["wiki_slug", "alice"]), []);
    // The scenario reached every part: it wrote every registered type that holds a wiki's or a person's data, but
    // `atproto_session` (the test sign-in is a stand-in; account deletion calls its logout, tests/atproto cover it).
    const unwritten = KEY_PREFIXES.filter((p) => p.scope !== "global" && !written.has(p.type)).map((p) => p.type);
    assertEquals(unwritten, ["atproto_session"]);
    const registered = new Set(KEY_PREFIXES.map((p) => p.type));
    assertEquals([...written].filter((t) => !registered.has(t)).sort(), [], "every written type is registered");
    const tombstone = (await f.kv.get<Record<string, unknown>>(["wiki_slug", "alice"])).value!;
    assertEquals("record" in tombstone, false, "only a tombstone is left of the slug");
    assertEquals((await f.app.deps.oauth.listGrants(bobs.id)).map((g) => g.did), [bob.did]);
    const kept = await mcpCall(f.app, "http://bobs.localhost:8000/mcp", bobOnBobs, "read_note", { path: "Home" });
    assertEquals(kept.status, 200);
    await kept.body?.cancel();
  } finally {
    f.close();
    await embedSrv.close();
  }
});
