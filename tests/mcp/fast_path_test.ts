/**
 * The MCP fast path (lib/mcp/fast_path.ts): `/mcp` served before the wiki's Hono app, with the security headers
 * and the endpoint's own JSON-RPC body limit. The last test drives the whole app: it fails if main.ts stops routing
 * `/mcp` to the fast path (Hono's global body limit would answer text/plain first).
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { rawPost, setupMcp } from "./helpers.ts";
import { createMcpFastPath, MCP_PATH } from "../../lib/mcp/fast_path.ts";
import { protocolSecurityHeaders } from "../../lib/web/security_headers.ts";
import { DEFAULT_LIMITS, type Limits } from "../../lib/config.ts";

const LIMITS: Limits = { ...DEFAULT_LIMITS, maxBodyBytes: 64 * 1024 };
const TOO_LARGE = {
  jsonrpc: "2.0",
  id: null,
  error: { code: -32600, message: "Request body too large: the limit is 65536 bytes." },
};

function readNote(path: string): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 5,
    method: "tools/call",
    params: { name: "read_note", arguments: { path } },
  });
}

function bigWrite(): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 6,
    method: "tools/call",
    params: { name: "write_note", arguments: { path: "Big", content: "x".repeat(100 * 1024) } },
  });
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.length) return c.close();
      c.enqueue(bytes.slice(off, off + 16 * 1024));
      off += 16 * 1024;
    },
  });
}

Deno.test("fast path: only the wiki-relative /mcp path is taken", async () => {
  const f = await setupMcp("path");
  try {
    const fast = createMcpFastPath(f.app.deps.mcp, { https: false });
    const req = new Request(f.mcpUrl("alice"), { method: "POST", body: "{}" });
    for (const rest of ["/", "/mcp/", "/Home", "/.well-known/oauth-protected-resource/mcp", "/MCP"]) {
      assertEquals(fast(req, "alice", rest), null, rest);
    }
    assertEquals(MCP_PATH, "/mcp");
    const res = await fast(req, "alice", "/mcp");
    assertEquals(res?.status, 401);
    await res?.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("fast path: answers read_note with the security headers (HSTS only over https)", async () => {
  const f = await setupMcp("subdomain");
  try {
    for (const https of [false, true]) {
      const fast = createMcpFastPath(f.app.deps.mcp, { https });
      const res = await fast(
        new Request(f.mcpUrl("alice"), {
          method: "POST",
          body: readNote("Home"),
          headers: {
            authorization: `Bearer ${f.rw}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
        }),
        "alice",
        "/mcp",
      )!;
      assertEquals(res.status, 200);
      assertIncludes(await res.text(), "Path: Home");
      for (const [name, value] of protocolSecurityHeaders(https)) assertEquals(res.headers.get(name), value, name);
      assertEquals(res.headers.get("x-frame-options"), "DENY");
      assertEquals(res.headers.get("content-security-policy")?.includes("frame-ancestors 'none'"), true);
      assertEquals(res.headers.has("strict-transport-security"), https);
    }
  } finally {
    await f.close();
  }
});

Deno.test("fast path: oversized bodies get a JSON-RPC 413 (declared length and streamed)", async () => {
  const f = await setupMcp("path", { limits: LIMITS });
  try {
    const fast = createMcpFastPath(f.app.deps.mcp, { https: false });
    const headers = {
      authorization: `Bearer ${f.rw}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const declared = new Request(f.mcpUrl("alice"), {
      method: "POST",
      body: bigWrite(),
      headers: { ...headers, "content-length": String(bigWrite().length) },
    });
    const streamed = new Request(f.mcpUrl("alice"), { method: "POST", body: streamOf(bigWrite()), headers });
    for (const req of [declared, streamed]) {
      const res = await fast(req, "alice", "/mcp")!;
      assertEquals(res.status, 413);
      assertEquals(res.headers.get("content-type"), "application/json");
      assertEquals(await res.json(), TOO_LARGE);
    }
    // Nothing was written.
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("Big"), null);
  } finally {
    await f.close();
  }
});

Deno.test("app: an oversized /mcp body gets the endpoint's JSON-RPC 413 (main.ts routes /mcp to the fast path)", async () => {
  const f = await setupMcp("path", { limits: LIMITS });
  try {
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), bigWrite(), { authorization: `Bearer ${f.rw}` });
    assertEquals(res.status, 413);
    assertEquals(res.headers.get("content-type"), "application/json");
    assertEquals(await res.json(), TOO_LARGE);
  } finally {
    await f.close();
  }
});
