/**
 * Maintenance mode (`MAINTENANCE=1`, README.md "Backup and restore"): the app answers every request but `/healthz`
 * with 503 and Retry-After, so it writes nothing while the operator backs the store up; it costs the write paths
 * nothing (a configuration flag, no KV read).
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { appFixture } from "../fixture/app.ts";
import { loadConfig } from "../../lib/config.ts";

Deno.test("maintenance mode - every request but /healthz gets 503 with Retry-After, and nothing is written", async () => {
  const f = await appFixture({ config: { maintenance: true } });
  try {
    const before: string[] = [];
    for await (const e of f.kv.list({ prefix: [] })) before.push(JSON.stringify(e.key));
    const requests: [string, RequestInit][] = [
      ["/", {}],
      ["/w/demo/Home", {}],
      ["/app/wikis", { method: "POST", body: new URLSearchParams({ slug: "x" }) }],
      ["/w/demo/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }],
      ["/w/demo/token", { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code" }) }],
    ];
    for (const [path, init] of requests) {
      const res = await f.fetch(`http://localhost:8000${path}`, init);
      assertEquals(res.status, 503, path);
      assertEquals(res.headers.get("retry-after"), "120", path);
      assertIncludes(await res.text(), "maintenance", path);
    }
    const health = await f.fetch("http://localhost:8000/healthz");
    assertEquals(health.status, 200);
    await health.body?.cancel();
    const after: string[] = [];
    for await (const e of f.kv.list({ prefix: [] })) after.push(JSON.stringify(e.key));
    assertEquals(after, before);
  } finally {
    await f.close();
  }
});

Deno.test("maintenance mode - MAINTENANCE=1 turns it on; unset, it is off", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(loadConfig(env({ MAINTENANCE: "1" })).maintenance, true);
  assertEquals(loadConfig(env({})).maintenance, false);
});
