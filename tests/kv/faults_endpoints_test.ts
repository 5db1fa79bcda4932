/**
 * Every kind of endpoint while KV is down (issue 9 item 9): wiki pages, forms, the dashboard, signup, the health
 * check and /mcp (failing before the SDK, or inside a tool call, in both protocol eras) answer 503 in their own
 * shape with Retry-After, leaking nothing, and all work again when KV recovers. A slow store only slows them down.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { editToken, setupEdit } from "../routes/wiki/edit/helpers.ts";
import { mcpCall } from "../app/helpers.ts";
import { connect, type FetchFn } from "../mcp/helpers.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";
import { type FaultController, faultyKv } from "./faulty_kv.ts";
import { assertUnavailable } from "./fault_helpers.ts";

const actor = { id: "local:t", name: "t", client: "cli" };

async function fixture() {
  let faults!: FaultController;
  const f = await setupEdit("path", {}, (kv) => {
    const w = faultyKv(kv);
    faults = w.faults;
    return w.kv;
  });
  const rev = (await f.pages.write("Plan", "The plan.\n", {}, actor)).revision;
  const token = (await createWikiTokens({ kv: f.app.deps.kv, keys: f.app.deps.keys }).create(f.wiki, {
    label: "agent",
  })).token;
  const csrf = editToken(await (await f.get("/-/edit/Plan")).text())!;
  const origin = "http://localhost:8000";
  const cookie = `rw_session=${f.cookies.alice}`;
  const platform = (path: string, init: RequestInit = {}) =>
    f.app.fetch(new Request(origin + path, { ...init, headers: { cookie, ...init.headers } }));
  const mcpUrl = f.app.deps.urls.mcp("alice");
  return { f, faults, rev, token, csrf, platform, mcpUrl, secrets: [token, f.cookies.alice, csrf] };
}

function rpc(url: string, token: string, method: string, params: unknown, headers: Record<string, string> = {}) {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
  });
}

Deno.test("KV faults - while KV is down every endpoint answers 503 in its own shape; all work again after", async () => {
  const { f, faults, rev, token, csrf, platform, mcpUrl, secrets } = await fixture();
  try {
    const requests: [string, "page" | "json" | "rpc", () => Promise<Response>, number][] = [
      ["page", "page", () => f.get("/Plan"), 200],
      [
        "page as JSON",
        "json",
        () => f.app.fetch(new Request(f.base + "/Plan", { headers: { accept: "application/json" } })),
        200,
      ],
      [
        "edit form post",
        "page",
        () => f.post("/-/edit/Plan", { csrf, revision: rev, content: "New.\n", action: "save" }),
        303,
      ],
      ["dashboard", "page", () => platform("/app/"), 200],
      ["signup form", "page", () => platform("/auth/signup"), 200],
      ["health check", "page", () => platform("/healthz"), 200],
      ["mcp initialize", "rpc", () =>
        f.app.fetch(rpc(mcpUrl, token, "initialize", {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "t", version: "1" },
        })), 200],
      ["mcp tools/call", "rpc", () => mcpCall(f.app, mcpUrl, token, "read_note", { path: "Plan" }), 200],
    ];
    faults.failAll({ kind: "locked" });
    for (const [name, shape, send] of requests) {
      const body = await assertUnavailable(await send(), shape, secrets, name);
      // Authentication fails before the body is read: the id is unknown (null, as JSON-RPC says).
      if (shape === "rpc") assertEquals(JSON.parse(body).id, null, `${name}: the id`);
    }
    faults.recover();
    for (const [name, , send, status] of requests) {
      const res = await send();
      assertEquals(res.status, status, `${name} after recovery: ${(await res.text()).slice(0, 200)}`);
    }
    assertEquals((await f.pages.read("Plan")).content, "New.\n");
  } finally {
    f.close();
  }
});

Deno.test("KV faults - a store failing inside a tool call answers a JSON-RPC 503, in both protocol eras", async () => {
  const { f, faults, token, mcpUrl, secrets } = await fixture();
  try {
    // Only page records fail: authentication works, the tool's read does not.
    faults.failAll({ prefix: ["page"], kind: "network" });
    const legacy = await mcpCall(f.app, mcpUrl, token, "read_note", { path: "Plan" });
    const body = JSON.parse(await assertUnavailable(legacy, "rpc", secrets, "2025 era"));
    assertEquals(body.id, 1);
    faults.recover();

    const seen: Response[] = [];
    const fetch: FetchFn = async (u, i) => {
      const res = await f.app.fetch(new Request(u, i));
      seen.push(res.clone());
      return res;
    };
    const client = await connect("v2", mcpUrl, token, fetch);
    try {
      assertEquals(client.protocolVersion, "2026-07-28");
      faults.failAll({ prefix: ["page"], kind: "closed" });
      let failed = false;
      try {
        await client.call("read_note", { path: "Plan" });
      } catch {
        failed = true;
      }
      assertOk(failed, "the 2026-era client was told the call failed");
      await assertUnavailable(seen[seen.length - 1], "rpc", secrets, "2026 era");
      faults.recover();
      assertEquals((await client.call("read_note", { path: "Plan" })).isError, false);
    } finally {
      await client.close();
    }
  } finally {
    f.close();
  }
});

Deno.test("KV faults - a slow store delays answers but they succeed", async () => {
  const { f, faults, rev, csrf, token, mcpUrl } = await fixture();
  try {
    faults.delay(20);
    const started = Date.now();
    const saved = await f.post("/-/edit/Plan", { csrf, revision: rev, content: "Slow.\n", action: "save" });
    assertEquals(saved.status, 303);
    const read = await mcpCall(f.app, mcpUrl, token, "read_note", { path: "Plan" });
    assertEquals(read.status, 200);
    assertOk((await read.text()).includes("Slow."));
    const elapsed = Date.now() - started;
    assertOk(elapsed >= 40 && elapsed < 10_000, `took ${elapsed} ms`); // delayed, and no hang
  } finally {
    f.close();
  }
});

Deno.test("KV faults - a missing page whose second look-up fails is a 503, not 'this page does not exist'", async () => {
  const { f, faults, secrets } = await fixture();
  try {
    faults.failNth(2, { prefix: ["page", f.wiki.id, "Missing"] });
    await assertUnavailable(await f.get("/Missing"), "page", secrets, "missing page");
    assertEquals(faults.injected, 1);
    const res = await f.get("/Missing");
    await res.body?.cancel();
    assertEquals(res.status, 404);
  } finally {
    f.close();
  }
});
