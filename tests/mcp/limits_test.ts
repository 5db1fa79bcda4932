/**
 * Costs and limits: an authenticated read_note takes at most two KV round trips in steady state; the per-principal
 * write rate limit is counted in KV (so a second app on the same store sees the same budget).
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { brokenKv } from "../kv/broken_kv.ts";
import { connect, rawPost, setupMcp } from "./helpers.ts";
import type { FetchFn } from "./helpers.ts";
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
    const refused = await takeWrite(f.kv, "token:x", { now: t + 1000, limit: 3 });
    // Sliding window (10 s buckets): the three writes at t weigh fully until t + 60 s, then fade out over 10 s.
    assertEquals(refused, { ok: false, retryAfterSeconds: 63, reason: "limit" });
    assertEquals((await takeWrite(f.kv, "token:y", { now: t, limit: 3 })).ok, true, "budgets are per principal");
    assertEquals((await takeWrite(f.kv, "token:x", { now: t + 1000 + 62_000, limit: 3 })).ok, false, "too early");
    assertEquals((await takeWrite(f.kv, "token:x", { now: t + 1000 + 63_000, limit: 3 })).ok, true, "retry time");

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

/** 300 concurrent takes of one subject, the clock moving 1 ms per take from `start`; returns how many were allowed. */
async function burst(kv: Deno.Kv, subject: string, start: number, n = 300): Promise<number> {
  const all = await Promise.all(
    Array.from({ length: n }, (_, i) => takeWrite(kv, subject, { now: start + i, limit: 120 })),
  );
  return all.filter((d) => d.ok).length;
}

Deno.test("write rate limit: 300 concurrent takes allow at most 130, wherever in the minute the burst starts", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const minute = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    for (const offset of [0, 100, 30_000, 59_800, 59_900, 59_950]) {
      // The burst spans 300 ms: from 59.8 s and 59.9 s on it straddles the minute boundary.
      const allowed = await burst(kv, `token:o${offset}`, minute + offset);
      assertOk(allowed <= 130 && allowed >= 100, `offset ${offset} ms: ${allowed} allowed`);
      // A second burst right after the first (same minute or the next) gets nothing more.
      const again = await burst(kv, `token:o${offset}`, minute + offset + 400);
      assertOk(allowed + again <= 130, `offset ${offset} ms: ${allowed} + ${again} allowed in two bursts`);
    }
    // Under the limit nothing is refused: 100 concurrent takes straddling the boundary all pass.
    assertEquals(await burst(kv, "token:under", minute + 59_950, 100), 100);
  } finally {
    kv.close();
  }
});

Deno.test("write rate limit fails closed: a take whose commits fail is refused with a retry time", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (const mode of ["lose", "throw"] as const) {
      const d = await takeWrite(brokenKv(kv, mode), "token:f", { now: 1_800_000_000_000, limit: 120 });
      assertEquals(d.ok, false, mode);
      assertOk(!d.ok && d.retryAfterSeconds >= 1, JSON.stringify(d));
    }
  } finally {
    kv.close();
  }
});

function writeNote(id: number, path: string): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "write_note", arguments: { path, content: `note ${id}` } },
  });
}

/** Sends `n` concurrent write_note calls with one token; counts successes and rate-limit refusals. */
async function concurrentWrites(
  fetch: FetchFn,
  url: string,
  token: string,
  n: number,
  prefix: string,
): Promise<{ ok: number; limited: number; other: string[] }> {
  const headers = { authorization: `Bearer ${token}`, "mcp-protocol-version": "2025-11-25" };
  const results = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const res = await rawPost(fetch, url, writeNote(i, `${prefix}/N${i}`), headers);
    const body = await res.json() as { result?: { isError?: boolean; content: { text: string }[] } };
    return body.result ?? { isError: true, content: [{ text: `HTTP ${res.status}` }] };
  }));
  const out = { ok: 0, limited: 0, other: [] as string[] };
  for (const r of results) {
    if (!r.isError) out.ok++;
    else if (r.content[0].text.startsWith("Rate limited")) out.limited++;
    else out.other.push(r.content[0].text);
  }
  return out;
}

Deno.test("MCP: 300 concurrent write_note with one token: at most 130 succeed; 100 concurrent all pass", async () => {
  const f = await setupMcp();
  try {
    const under = await concurrentWrites(f.fetch, f.mcpUrl("alice"), f.rw, 100, "Under");
    assertEquals(under, { ok: 100, limited: 0, other: [] });
    const g = await setupMcp();
    try {
      const over = await concurrentWrites(g.fetch, g.mcpUrl("alice"), g.rw, 300, "Over");
      assertOk(over.ok <= 130 && over.ok >= 100, JSON.stringify({ ...over, other: over.other.slice(0, 3) }));
      assertEquals(over.other, [], "every refusal is the rate limit's");
      assertEquals(over.ok + over.limited, 300);
    } finally {
      await g.close();
    }
  } finally {
    await f.close();
  }
});
