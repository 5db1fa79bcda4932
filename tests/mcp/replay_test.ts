/**
 * Replayed initialize / tools/list answers (lib/mcp/replay.ts): what is replayable, and that a replay is the SDK's
 * own answer with the new request's id, through the endpoint.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { rawPost, setupMcp } from "./helpers.ts";
import { ReplayCache } from "../../lib/mcp/replay.ts";

const req = (headers: Record<string, string> = {}) =>
  new Request("http://x/mcp", {
    method: "POST",
    headers: { accept: "application/json, text/event-stream", "content-type": "application/json", ...headers },
  });
const init = (id: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" }, ...extra },
});

Deno.test("replay - only single initialize / tools/list requests without extra inputs are replayable", () => {
  const c = new ReplayCache();
  assertOk(c.keyFor(req(), init(1), "w"));
  assertOk(c.keyFor(req(), { jsonrpc: "2.0", id: "a", method: "tools/list" }, "w"));
  assertOk(c.keyFor(req(), { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }, "w"));
  for (
    const m of [
      [init(1)],
      { ...init(1), id: undefined },
      init(1, { _meta: { progressToken: 1 } }),
      { jsonrpc: "2.0", id: 2, method: "tools/list", params: { cursor: "x" } },
      { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: {} } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "read_note" } },
      { jsonrpc: "2.0", id: 2, method: "ping" },
      { ...init(1), params: { capabilities: {} } },
    ]
  ) {
    assertEquals(c.keyFor(req(), m, "w"), null, JSON.stringify(m));
  }
  // Different result inputs or validated headers: different keys.
  const k = c.keyFor(req(), init(1), "w");
  assertEquals(c.keyFor(req(), init(9, { clientInfo: { name: "other", version: "2" } }), "w"), k);
  for (
    const other of [
      c.keyFor(req(), init(1, { protocolVersion: "2025-06-18" }), "w"),
      c.keyFor(req({ accept: "application/json" }), init(1), "w"),
      c.keyFor(req({ "mcp-protocol-version": "2025-06-18" }), init(1), "w"),
      c.keyFor(req(), init(1), "w2"),
    ]
  ) assertOk(other !== k);
});

Deno.test("replay - remembers only a 200 JSON answer to the same id; replays it with the new id", async () => {
  const c = new ReplayCache(2);
  const answer = { jsonrpc: "2.0", id: 1, result: { tools: [] } };
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  assertEquals(await (await c.remember("e", 1, json({ ...answer, id: 2 }))).json(), { ...answer, id: 2 });
  await c.remember("s", 1, json(answer, 400));
  await c.remember(
    "x",
    1,
    new Response("event: message\ndata: {}\n\n", { headers: { "content-type": "text/event-stream" } }),
  );
  await c.remember("r", 1, json({ jsonrpc: "2.0", id: 1, error: { code: 1, message: "no" } }));
  assertEquals(c.size, 0);
  assertEquals(await (await c.remember("k", 1, json(answer))).json(), answer);
  const again = c.replay("k", "abc")!;
  assertEquals([again.status, again.headers.get("content-type")], [200, "application/json"]);
  assertEquals(await again.json(), { jsonrpc: "2.0", id: "abc", result: { tools: [] } });
  assertEquals(c.replay("missing", 1), null);
  await c.remember("k2", 1, json(answer));
  await c.remember("k3", 1, json(answer));
  assertEquals([c.size, c.replay("k", 1)], [2, null]);
});

Deno.test("replay - through the endpoint: repeated initialize and tools/list answer like the first", async () => {
  const f = await setupMcp();
  try {
    const h = { authorization: `Bearer ${f.rw}` };
    const post = async (body: unknown, headers: Record<string, string> = {}) => {
      const res = await rawPost(f.fetch, f.mcpUrl("alice"), JSON.stringify(body), { ...h, ...headers });
      return { status: res.status, body: await res.json() };
    };
    const first = await post(init(1));
    const second = await post(init("two", { clientInfo: { name: "other", version: "9" } }));
    assertEquals(second.status, 200);
    assertEquals(second.body, { ...first.body, id: "two" });
    assertEquals(first.body.result.protocolVersion, "2025-11-25");
    const older = await post(init(3, { protocolVersion: "2025-06-18" }));
    assertEquals(older.body.result.protocolVersion, "2025-06-18");
    const list1 = await post({ jsonrpc: "2.0", id: 4, method: "tools/list" });
    const list2 = await post({ jsonrpc: "2.0", id: 5, method: "tools/list" });
    assertEquals(list2.body, { ...list1.body, id: 5 });
    assertEquals(list1.body.result.tools.length, 21);
    // The SDK still validates what it validated before: an unsupported version header is a 400 every time.
    for (let i = 0; i < 2; i++) {
      const bad = await post({ jsonrpc: "2.0", id: 6, method: "tools/list" }, { "mcp-protocol-version": "1999-01-01" });
      assertEquals(bad.status, 400);
    }
  } finally {
    await f.close();
  }
});
