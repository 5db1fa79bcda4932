/**
 * The connection check (lib/platform/connection_check.ts) reports where an endpoint stops answering as an agent
 * expects, reads SSE answers, and revokes its token whatever happened; a person may run CHECKS_PER_MINUTE a minute.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { checkConnection, type CheckDeps, CHECKS_PER_MINUTE } from "../../lib/platform/connection_check.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";

const WIKI = { id: "w_1", slug: "notes" } as WikiRecord;
const DID = "did:plc:tester";

/**
 * Fake deps on a KV store of their own: `answer` gives the response of each JSON-RPC method; records created and
 * revoked token ids. `using`: the store is closed at the end of the test.
 */
async function fake(answer: (method: string) => Response) {
  const kv = await Deno.openKv(":memory:");
  const created: string[] = [];
  const revoked: string[] = [];
  const deps: CheckDeps = {
    kv,
    tokens: {
      create: (_wiki, opts) => {
        created.push(opts.label);
        return Promise.resolve({ token: "rwtf_x", record: { id: "tok_1" } as never });
      },
      revoke: (_wikiId, id) => {
        revoked.push(id);
        return Promise.resolve();
      },
    },
    urls: { mcp: (slug) => `http://localhost:8000/w/${slug}/mcp` },
    handle: async (req) => answer(((await req.json()) as { method: string }).method),
  };
  const dispose = () => {
    try {
      kv.close();
    } catch { /* closed by the test */ }
  };
  return { deps, created, revoked, [Symbol.dispose]: dispose };
}

Deno.test("connection check: a refused initialize is reported with its message; the token is revoked", async () => {
  using f = await fake(() =>
    Response.json({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Invalid token: revoked" } }, {
      status: 401,
    })
  );
  const r = await checkConnection(f.deps, WIKI, true, DID);
  assertEquals([r.ok, r.steps.length, r.steps[0].ok], [false, 1, false]);
  assertIncludes(r.steps[0].detail, "HTTP 401: Invalid token: revoked");
  assertEquals(f.revoked, ["tok_1"]);
});

Deno.test("connection check: SSE answers are read; a failing tools/list is the failed step", async () => {
  const sse = (body: unknown) =>
    new Response(`event: message\ndata: ${JSON.stringify(body)}\n\n`, {
      headers: { "content-type": "text/event-stream" },
    });
  using f = await fake((method) =>
    method === "initialize"
      ? sse({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "robot.wtf", version: "1.0" } } })
      : new Response("oops", { status: 500 })
  );
  const r = await checkConnection(f.deps, WIKI, false, DID);
  assertEquals(r.server, "robot.wtf 1.0");
  assertEquals(r.steps.map((s) => [s.name, s.ok]), [["initialize", true], ["tools/list", false]]);
  assertIncludes(r.steps[1].detail, "HTTP 500: not a JSON-RPC answer");
  assertEquals([r.ok, f.revoked], [false, ["tok_1"]]);
});

Deno.test("connection check: a handler that throws still revokes the token", async () => {
  using f = await fake(() => {
    throw new Error("boom");
  });
  let thrown = false;
  try {
    await checkConnection(f.deps, WIKI, true, DID);
  } catch {
    thrown = true;
  }
  assertEquals([thrown, f.revoked], [true, ["tok_1"]]);
});

Deno.test("connection check: a person may run CHECKS_PER_MINUTE a minute; past it nothing runs and no token is made", async () => {
  let calls = 0;
  using f = await fake(() => {
    calls++;
    return Response.json({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "robot.wtf" }, tools: [] } });
  });
  const now = Date.UTC(2026, 11, 5, 12, 0, 5);
  for (let i = 0; i < CHECKS_PER_MINUTE; i++) {
    const r = await checkConnection(f.deps, WIKI, true, DID, { now: now + i });
    assertEquals([r.ok, r.refused], [true, undefined]);
  }
  assertEquals([calls, f.created.length], [2 * CHECKS_PER_MINUTE, CHECKS_PER_MINUTE]);
  const refused = await checkConnection(f.deps, WIKI, true, DID, { now: now + 10 });
  assertEquals([refused.ok, refused.refused?.reason, refused.steps.map((s) => s.name)], [false, "limit", [
    "rate limit",
  ]]);
  assertOk(refused.refused!.retryAfterSeconds >= 1, `retry after ${refused.refused!.retryAfterSeconds} s`);
  assertIncludes(refused.steps[0].detail, `At most ${CHECKS_PER_MINUTE} connection tests a minute`);
  assertEquals([calls, f.created.length], [2 * CHECKS_PER_MINUTE, CHECKS_PER_MINUTE], "nothing ran");
  // Another person is not limited by this one; a minute later this one may test again.
  assertEquals((await checkConnection(f.deps, WIKI, true, "did:plc:other", { now: now + 10 })).ok, true);
  assertEquals((await checkConnection(f.deps, WIKI, true, DID, { now: now + 70_000 })).ok, true);
});

Deno.test("connection check: when the limit cannot be counted, nothing runs (fails closed)", async () => {
  using f = await fake(() => Response.json({ jsonrpc: "2.0", id: 1, result: {} }));
  f.deps.kv.close();
  const r = await checkConnection(f.deps, WIKI, true, DID);
  assertEquals([r.ok, r.refused?.reason, f.created.length], [false, "unavailable", 0]);
  assertIncludes(r.steps[0].detail, "could not be counted");
});
