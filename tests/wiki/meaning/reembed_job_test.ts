/**
 * The remote re-embed job (issue 12 item 4) against a local OpenAI-compatible server: a pass gives every live page
 * one vector of the configured model and reports done/total; a pass that is interrupted resumes from its KV cursor
 * (on another runner, once the lease expired) without embedding a page twice; at most one runner works; a change of
 * model re-embeds everything; pages written since are embedded from the change feed alone; an endpoint that is down
 * pauses the pass, which resumes when it answers; vectors are never stored for a page changed since its text was
 * read, nor for a deleted wiki, and a wiki's deletion forgets them.
 */
import { assertEquals, assertOk } from "../../assert.ts";
import { readReembedState } from "../../../lib/wiki/meaning/reembed_state.ts";
import { runReembedPass } from "../../../lib/wiki/meaning/reembed_job.ts";
import { pageEmbedText } from "../../../lib/wiki/meaning/page_source.ts";
import { unit } from "../../../lib/wiki/meaning/remote_embedder.ts";
import { K } from "../../../lib/wiki/keys.ts";
import type { PageHead } from "../../../lib/wiki/records.ts";
import { RemoteKeys } from "../../../lib/wiki/meaning/remote_store.ts";
import { ALICE, storedModels, world } from "./reembed_helpers.ts";
import { fakeVector } from "./fake_embeddings_server.ts";

Deno.test("re-embed job - a pass embeds every live page once, with done/total; the next pass sends nothing", async () => {
  const w = await world();
  try {
    const a = await w.wiki("alpha", 7);
    const b = await w.wiki("beta", 5);
    await w.wikis.pages(b).delete("P/00", {}, ALICE);
    const e = w.embedder();
    assertEquals(await runReembedPass(w.job(e)), "finished");
    const st = (await readReembedState(w.kv))!;
    assertEquals([st.model, st.pass, st.phase, st.done, st.total, st.embedded], ["remote:m1", 1, "idle", 11, 11, 11]);
    assertEquals(w.srv.inputs().length, 11, "each live page sent once");
    assertEquals((await storedModels(w.kv, a.id)).size, 7);
    assertEquals([...(await storedModels(w.kv, b.id)).values()], Array(4).fill("remote:m1"));
    // The stored vector is the model's vector of the page's text (title, path, plain body).
    const head = (await w.kv.get<PageHead>(K.page(a.id, "P/03"))).value!;
    const text = pageEmbedText(head, "Page 3 of alpha about topic 0.");
    assertOk(w.srv.inputs().includes(text), "the page's text was sent");
    const [v] = (await w.sink.get(a.id, [head.pageId], "remote:m1")).values();
    const want = unit(fakeVector(text, 8));
    // Stored as int8 in `page_vec` (one scale, max |x| / 127): within quantisation error of the model's vector.
    assertOk(v.every((x, i) => Math.abs(x - want[i]) < 0.01), "vector of the page's text");
    assertOk(w.logs.some((l) => l.includes("finished: 11/11 pages")), w.logs.join("\n"));

    const before = w.srv.requests.length;
    assertEquals(await runReembedPass(w.job(e)), "finished");
    assertEquals(w.srv.requests.length, before, "nothing changed, nothing sent");
    const again = (await readReembedState(w.kv))!;
    assertEquals([again.pass, again.done, again.total, again.embedded], [2, 11, 11, 0]);
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - an interrupted pass resumes from its cursor on another runner once the lease expires", async () => {
  const w = await world();
  try {
    await w.wiki("alpha", 6);
    await w.wiki("beta", 6);
    const e = w.embedder();
    assertEquals(await runReembedPass(w.job(e, "r1"), { maxBatches: 3 }), "stopped"); // a crash after 3 batches
    const mid = (await readReembedState(w.kv))!;
    // The first wiki's 6 pages (batches of 3), then the second's first 3.
    assertEquals([mid.phase, mid.done, mid.total], ["running", 9, 12]);
    assertEquals(mid.cursor.walking?.afterPath, "P/02", "inside the second wiki's walk");
    assertEquals(w.srv.inputs().length, 9);
    // The first runner's lease still holds: another one waits.
    assertEquals(await runReembedPass(w.job(e, "r2")), "busy");
    w.clock.t += 61_000;
    assertEquals(await runReembedPass(w.job(e, "r2")), "finished");
    const st = (await readReembedState(w.kv))!;
    assertEquals([st.phase, st.pass, st.done, st.total, st.embedded], ["idle", 1, 12, 12, 12]);
    const sent = w.srv.inputs();
    assertEquals(sent.length, 12, "no page embedded twice");
    assertEquals(new Set(sent).size, 12);
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - the runner that lost its lease cannot move the cursor", async () => {
  const w = await world();
  try {
    await w.wiki("alpha", 7);
    const e = w.embedder();
    let other: Promise<unknown> | null = null;
    const deps = w.job(e, "slow");
    const origPut = deps.sink.put;
    deps.sink = {
      ...deps.sink,
      put: async (...args) => {
        // While the slow runner is inside its first batch, its lease expires and another runner takes over.
        if (other === null) {
          w.clock.t += 61_000;
          other = runReembedPass(w.job(e, "fast"));
          await other;
        }
        return await origPut(...args);
      },
    };
    assertEquals(await runReembedPass(deps), "busy");
    assertEquals(await other, "finished");
    const st = (await readReembedState(w.kv))!;
    assertEquals([st.phase, st.done, st.total], ["idle", 7, 7]);
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - two runners at once: one works, the other is refused", async () => {
  const w = await world();
  try {
    await w.wiki("alpha", 6);
    const e = w.embedder();
    const outcomes = await Promise.all([runReembedPass(w.job(e, "r1")), runReembedPass(w.job(e, "r2"))]);
    assertEquals(outcomes.sort(), ["busy", "finished"]);
    assertEquals(w.srv.inputs().length, 6);
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - a change of model re-embeds every page with the new model", async () => {
  const w = await world();
  try {
    const a = await w.wiki("alpha", 5);
    assertEquals(await runReembedPass(w.job(w.embedder("m1"))), "finished");
    assertEquals(new Set((await storedModels(w.kv, a.id)).values()), new Set(["remote:m1"]));
    const n = w.srv.requests.length;
    assertEquals(await runReembedPass(w.job(w.embedder("m2"))), "finished");
    const st = (await readReembedState(w.kv))!;
    assertEquals([st.model, st.pass, st.done, st.total, st.embedded], ["remote:m2", 1, 5, 5, 5]);
    assertOk(w.srv.requests.slice(n).every((r) => r.model === "m2"));
    assertEquals(w.srv.requests.slice(n).flatMap((r) => r.inputs).length, 5);
    assertEquals(new Set((await storedModels(w.kv, a.id)).values()), new Set(["remote:m2"]));
    assertOk(w.logs.some((l) => l.includes("model changed remote:m1 -> remote:m2")));
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - pages written since the last pass are embedded from the change feed alone", async () => {
  const w = await world();
  try {
    const a = await w.wiki("alpha", 8);
    const e = w.embedder();
    assertEquals(await runReembedPass(w.job(e)), "finished");
    const store = w.wikis.pages(a);
    const rev = (await store.read("P/02")).revision;
    await store.write("P/02", "Rewritten: about gardening now.", { revision: rev }, ALICE);
    await store.write("New/Page", "A brand new page.", {}, ALICE);
    const n = w.srv.requests.length;
    assertEquals(await runReembedPass(w.job(e)), "finished");
    const sent = w.srv.requests.slice(n).flatMap((r) => r.inputs);
    assertEquals(sent.length, 2);
    assertOk(sent.some((t) => t.includes("gardening")) && sent.some((t) => t.includes("brand new")));
    const st = (await readReembedState(w.kv))!;
    assertEquals([st.done, st.total, st.embedded], [9, 9, 2]);
    const mark = (await w.kv.get<{ seq: number }>(RemoteKeys.mark(a.id))).value!;
    assertEquals(mark.seq, (await w.kv.get<{ seq: number }>(K.wikiState(a.id))).value!.seq);
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - the endpoint down pauses the pass (lastError); it resumes when the endpoint answers", async () => {
  const w = await world();
  try {
    await w.wiki("alpha", 7);
    const e = w.embedder();
    w.srv.script = ["ok", "500"];
    assertEquals(await runReembedPass(w.job(e)), "unavailable");
    const paused = (await readReembedState(w.kv))!;
    assertEquals([paused.phase, paused.done], ["running", 3]);
    assertOk(paused.lastError?.includes("HTTP 500"), paused.lastError ?? "no error");
    assertOk(w.logs.some((l) => l.includes("paused at 3/7")), w.logs.join("\n"));
    assertEquals(await runReembedPass(w.job(e)), "finished");
    const st = (await readReembedState(w.kv))!;
    assertEquals([st.phase, st.done, st.embedded, st.lastError], ["idle", 7, 7, null]);
    assertEquals(w.srv.inputs().length, 7);
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - no vector for a page changed since its text was read, nor for a deleted wiki", async () => {
  const w = await world();
  try {
    const a = await w.wiki("alpha", 2);
    const e = w.embedder();
    const entry = await w.kv.get<PageHead>(K.page(a.id, "P/00"));
    const target = { pageId: entry.value!.pageId, path: "P/00", revision: entry.value!.revision };
    const vector = (await e.embed(["x"]))[0];
    const store = w.wikis.pages(a);
    await store.write("P/00", "changed", { revision: entry.value!.revision }, ALICE);
    assertEquals(await w.sink.put(a.id, [{ ...target, headVersionstamp: entry.versionstamp!, vector }], e.model), 0);
    assertEquals((await storedModels(w.kv, a.id)).size, 0);

    assertEquals(await runReembedPass(w.job(e)), "finished");
    assertEquals((await storedModels(w.kv, a.id)).size, 2);
    const fresh = await w.kv.get<PageHead>(K.page(a.id, "P/01"));
    await w.wikis.delete(a.id);
    const t2 = { pageId: fresh.value!.pageId, path: "P/01", revision: fresh.value!.revision };
    assertEquals(await w.sink.put(a.id, [{ ...t2, headVersionstamp: fresh.versionstamp!, vector }], e.model), 0);
    const left: string[] = [];
    for (const type of ["page_vec", "remote_mark"]) {
      for await (const k of w.kv.list({ prefix: [type, a.id] })) left.push(JSON.stringify(k.key));
    }
    assertEquals(left, [], "the wiki's deletion forgot its vectors and mark");
  } finally {
    await w.close();
  }
});

Deno.test("re-embed job - a wiki deleted during its walk: nothing of it is left, not even in the job's cursor", async () => {
  const w = await world();
  try {
    const a = await w.wiki("alpha", 7);
    const e = w.embedder();
    const deps = w.job(e);
    const put = deps.sink.put;
    let deleted = false;
    deps.sink = {
      ...deps.sink,
      put: async (wikiId, items, model) => {
        const n = await put(wikiId, items, model);
        if (!deleted) { // after the first batch is stored and before the cursor moves
          deleted = true;
          await w.wikis.delete(a.id);
        }
        return n;
      },
    };
    assertEquals(await runReembedPass(deps), "busy", "the deletion rewrote the state under the runner");
    assertEquals(await runReembedPass(w.job(e)), "finished");
    const named: string[] = [];
    for await (const entry of w.kv.list({ prefix: [] })) {
      if (JSON.stringify(entry.key).includes(a.id) && entry.key[0] !== "wiki_slug") {
        named.push(JSON.stringify(entry.key));
      }
      if (entry.key[0] === "remote_job" && JSON.stringify(entry.value).includes(a.id)) named.push("remote_job value");
    }
    assertEquals(named, []);
  } finally {
    await w.close();
  }
});
