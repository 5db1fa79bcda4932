/**
 * Costs and limits: an authenticated read_note takes at most two KV round trips in steady state; the per-principal
 * write rate limit is counted in KV (so a second app on the same store sees the same budget).
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connect, rawPost, setupMcp } from "./helpers.ts";
import { takeWrite } from "../../lib/mcp/rate_limit.ts";
import { createMcpEndpoint } from "../../lib/mcp/endpoint.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";

function readNote(id: number): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "read_note", arguments: { path: "Home" } },
  });
}

Deno.test("read_note costs at most two KV round trips in steady state (2025-era stateless call)", async () => {
  const f = await setupMcp();
  try {
    const headers = { authorization: `Bearer ${f.rw}`, "mcp-protocol-version": "2025-11-25" };
    // Warm up: first use records lastUsedAt; list_notes builds the in-process catalog that serves backlinks.
    const list = await rawPost(f.fetch, f.mcpUrl("alice"), readNote(0).replace('"read_note"', '"list_notes"'), headers);
    await list.text();
    for (let i = 0; i < 2; i++) {
      const res = await rawPost(f.fetch, f.mcpUrl("alice"), readNote(i), headers);
      assertEquals(res.status, 200);
      await res.text();
    }
    for (let i = 0; i < 3; i++) {
      f.counter.reset();
      const res = await rawPost(f.fetch, f.mcpUrl("alice"), readNote(10 + i), headers);
      const text = await res.text();
      assertIncludes(text, "Path: Home");
      assertOk(f.counter.count <= 2, `round trips: ${f.counter.count} (${f.counter.calls.join(", ")})`);
      assertEquals(f.counter.calls[0], "getMany");
    }
  } finally {
    await f.close();
  }
});

Deno.test("write rate limit: refused with a retry time once the budget is spent, shared through KV", async () => {
  const f = await setupMcp();
  try {
    const t = 1_800_000_010_000; // 10 s into a minute
    for (let i = 0; i < 3; i++) assertEquals((await takeWrite(f.kv, "token:x", { now: t, limit: 3 })).ok, true);
    assertEquals(await takeWrite(f.kv, "token:x", { now: t + 1000, limit: 3 }), { ok: false, retryAfterSeconds: 49 });
    assertEquals((await takeWrite(f.kv, "token:y", { now: t, limit: 3 })).ok, true, "budgets are per principal");
    assertEquals((await takeWrite(f.kv, "token:x", { now: t + 60_000, limit: 3 })).ok, true, "next minute");

    // Two endpoints (as two isolates would be) on the same KV share one budget.
    const tokens = createWikiTokens({ kv: f.kv, keys: f.app.deps.keys });
    const mk = () =>
      createMcpEndpoint({
        kv: f.kv,
        urls: f.app.deps.urls,
        wikis: f.app.deps.wikis,
        limits: f.app.deps.config.limits,
        verifiers: [tokens.verifier()],
        writesPerMinute: 2,
      });
    const a = mk();
    const b = mk();
    const url = f.mcpUrl("alice");
    const fa = async (u: string | URL, i?: RequestInit) => await a.handle(new Request(u, i), "alice");
    const fb = async (u: string | URL, i?: RequestInit) => await b.handle(new Request(u, i), "alice");
    const ca = await connect("v1", url, f.rw, fa);
    const cb = await connect("v1", url, f.rw, fb);
    assertEquals((await ca.call("write_note", { path: "R1", content: "x" })).isError, false);
    assertEquals((await cb.call("write_note", { path: "R2", content: "x" })).isError, false);
    const third = await ca.call("write_note", { path: "R3", content: "x" });
    assertEquals(third.isError, true);
    assertOk(
      /^Rate limited: too many writes this minute with this credential\. Nothing was changed; retry in \d+ seconds\.$/
        .test(third.text),
      third.text,
    );
    assertEquals((await cb.call("read_note", { path: "R1" })).isError, false, "reads are not limited");
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("R3"), null);
    await ca.close();
    await cb.close();
  } finally {
    await f.close();
  }
});
