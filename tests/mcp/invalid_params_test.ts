/**
 * Client mistakes on /mcp are answered as client mistakes: bad params of `initialize`, `tools/list` and `ping` on
 * the 2025-era leg get -32602 naming the field (the SDK alone answers -32603 "internal error" with raw schema
 * issues), and a wrong Content-Type is refused without an error line in the server's log. Found by the fuzz
 * battery (tests/app/fuzz_test.ts).
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { rawPost, setupMcp } from "./helpers.ts";

const INIT_PARAMS = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } };

Deno.test("2025-era initialize and tools/list with bad params: -32602 naming the field, never -32603", async () => {
  const f = await setupMcp("path");
  try {
    const cases: [string, unknown, string][] = [
      ["initialize", { a: 1 }, "params.protocolVersion"],
      ["initialize", { ...INIT_PARAMS, protocolVersion: 5 }, "params.protocolVersion"],
      ["initialize", { ...INIT_PARAMS, capabilities: { sampling: 5 } }, "params.capabilities.sampling"],
      ["initialize", { ...INIT_PARAMS, clientInfo: "x" }, "params.clientInfo"],
      ["tools/list", { cursor: 5 }, "params.cursor"],
    ];
    for (const version of [null, "2025-11-25", "2025-06-18"]) {
      for (const [method, params, field] of cases) {
        const headers: Record<string, string> = { authorization: `Bearer ${f.rw}` };
        if (version) headers["mcp-protocol-version"] = version;
        const res = await rawPost(
          f.fetch,
          f.mcpUrl("alice"),
          JSON.stringify({ jsonrpc: "2.0", id: 9, method, params }),
          headers,
        );
        const text = await res.text();
        const what = `${method} ${JSON.stringify(params)} (${version ?? "no version header"}): ${text}`;
        assertEquals(res.status, 200, what);
        const body = JSON.parse(text);
        assertEquals(body.id, 9, what);
        assertEquals(body.error?.code, -32602, what);
        assertIncludes(body.error.message, `Invalid params for ${method}: ${field}`, what);
      }
    }
    // Good params still work.
    const ok = await rawPost(
      f.fetch,
      f.mcpUrl("alice"),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: INIT_PARAMS }),
      { authorization: `Bearer ${f.rw}` },
    );
    assertEquals((await ok.json()).result.protocolVersion, "2025-11-25");
  } finally {
    await f.close();
  }
});

Deno.test("a wrong Content-Type on /mcp is a 415 and not an error in the server log", async () => {
  const f = await setupMcp("path");
  const logged: string[] = [];
  const saved = console.error;
  console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
  try {
    for (const version of ["2026-07-28", "2025-11-25"]) {
      const res = await f.fetch(f.mcpUrl("alice"), {
        method: "POST",
        headers: {
          "content-type": "text/plain",
          accept: "application/json, text/event-stream",
          authorization: `Bearer ${f.rw}`,
          "mcp-protocol-version": version,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      await res.body?.cancel();
      assertOk(res.status === 415 || res.status < 500, `${version}: ${res.status}`);
    }
  } finally {
    console.error = saved;
    await f.close();
  }
  assertEquals(logged, []);
});
