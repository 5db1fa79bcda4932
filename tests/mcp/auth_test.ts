/**
 * HTTP-level behaviour of the MCP endpoint: challenges (401/403 with exact WWW-Authenticate), protected-resource
 * metadata, methods, Host/Origin validation, malformed and oversized bodies, token lifecycle.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { rawPost, setupMcp } from "./helpers.ts";
import { TokenKeys } from "../../lib/auth/token_store.ts";
import { callTool, WIKI_TOOLS } from "../../lib/mcp/server.ts";
import { connectApp } from "../app/helpers.ts";
import { DEFAULT_LIMITS } from "../../lib/config.ts";

const EDITOR = "did:plc:editor0000000000000000";

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
});
const PRM = "http://localhost:8000/.well-known/oauth-protected-resource/w/alice/mcp";

function call(name: string, args: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } });
}

Deno.test("no token: 401 with the bare challenge naming the PRM and both scopes", async () => {
  const f = await setupMcp();
  try {
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), INIT);
    assertEquals(res.status, 401);
    assertEquals(
      res.headers.get("www-authenticate"),
      `Bearer resource_metadata="${PRM}", scope="wiki:read wiki:write"`,
    );
    const body = await res.json();
    assertEquals(body.error.code, -32001);
    assertIncludes(body.error.message, "Authentication required");
  } finally {
    await f.close();
  }
});

Deno.test("invalid, revoked and other-wiki tokens: 401 invalid_token", async () => {
  const f = await setupMcp();
  try {
    const garbage = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: "Bearer rwtf_nope" });
    assertEquals(garbage.status, 401);
    assertEquals(
      garbage.headers.get("www-authenticate"),
      `Bearer resource_metadata="${PRM}", error="invalid_token", scope="wiki:read wiki:write", ` +
        `error_description="Invalid token: The token is unknown or was revoked."`,
    );
    await garbage.body?.cancel();

    const other = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: `Bearer ${f.bobToken}` });
    assertEquals(other.status, 401);
    assertIncludes(other.headers.get("www-authenticate")!, 'error="invalid_token"');
    assertIncludes(other.headers.get("www-authenticate")!, "another wiki");
    await other.body?.cancel();

    const foreign = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: "Bearer eyJhbGciOi.x.y" });
    assertEquals(foreign.status, 401);
    await foreign.body?.cancel();

    const malformed = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: "Basic abc" });
    assertEquals(malformed.status, 401);
    assertIncludes(malformed.headers.get("www-authenticate")!, 'error="invalid_token"');
    await malformed.body?.cancel();

    const ok = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: `Bearer ${f.rw}` });
    assertEquals(ok.status, 200);
    await ok.body?.cancel();

    const [laptop] = (await f.tokens.list(f.alice.id)).filter((t) => t.label === "laptop");
    await f.tokens.revoke(f.alice.id, laptop.id);
    const revoked = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: `Bearer ${f.rw}` });
    assertEquals(revoked.status, 401);
    assertIncludes(revoked.headers.get("www-authenticate")!, 'error="invalid_token"');
    await revoked.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("missing scope the role allows: 403 insufficient_scope before the SDK runs (step-up); reads work", async () => {
  const f = await setupMcp();
  try {
    await f.app.deps.wikis.setMember(f.alice.id, EDITOR, "editor", "local:alice");
    const readGrant = await connectApp(f.app, "alice", EDITOR, "wiki:read");
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), call("write_note", { path: "X", content: "x" }), {
      authorization: `Bearer ${readGrant}`,
    });
    assertEquals(res.status, 403);
    assertEquals(
      res.headers.get("www-authenticate"),
      `Bearer resource_metadata="${PRM}", error="insufficient_scope", scope="wiki:write", ` +
        `error_description="Insufficient scope: write_note needs wiki:write; this credential has wiki:read."`,
    );
    await res.body?.cancel();
    // A batch hiding a write behind a read is refused too.
    const batch = `[${call("read_note", { path: "Home" })},${call("delete_note", { path: "Home" })}]`;
    const b = await rawPost(f.fetch, f.mcpUrl("alice"), batch, { authorization: `Bearer ${readGrant}` });
    assertEquals(b.status, 403);
    await b.body?.cancel();
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("X"), null);
    const read = await rawPost(f.fetch, f.mcpUrl("alice"), call("read_note", { path: "Home" }), {
      authorization: `Bearer ${readGrant}`,
    });
    assertEquals(read.status, 200);
    assertIncludes(await read.text(), "Path: Home");
  } finally {
    await f.close();
  }
});

Deno.test("read-only token: a write tool answers 200 with an isError result saying why (it can never write)", async () => {
  const f = await setupMcp();
  try {
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), call("write_note", { path: "X", content: "x" }), {
      authorization: `Bearer ${f.ro}`,
    });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("www-authenticate"), null);
    const body = await res.json();
    assertEquals(body.result.isError, true);
    assertIncludes(body.result.content[0].text, "this token (reader) is read-only");
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("X"), null);
  } finally {
    await f.close();
  }
});

Deno.test("unknown wiki with a token: 404 JSON-RPC error", async () => {
  const f = await setupMcp();
  try {
    const res = await rawPost(f.fetch, f.mcpUrl("nobody"), INIT, { authorization: `Bearer ${f.rw}` });
    assertEquals(res.status, 404);
    assertEquals((await res.json()).error.message, 'No wiki called "nobody" exists.');
  } finally {
    await f.close();
  }
});

Deno.test("GET and DELETE /mcp: 405 with Allow: POST, never a redirect", async () => {
  const f = await setupMcp();
  try {
    for (const method of ["GET", "DELETE", "PUT"]) {
      const res = await f.fetch(f.mcpUrl("alice"), { method, headers: { authorization: `Bearer ${f.rw}` } });
      assertEquals(res.status, 405, method);
      assertEquals(res.headers.get("allow"), "POST");
      await res.body?.cancel();
    }
  } finally {
    await f.close();
  }
});

Deno.test("malformed JSON: 400 -32700; not JSON-RPC: 400 -32600; never 500", async () => {
  const f = await setupMcp();
  try {
    const auth = { authorization: `Bearer ${f.rw}` };
    const bad = await rawPost(f.fetch, f.mcpUrl("alice"), "{not json", auth);
    assertEquals(bad.status, 400);
    assertEquals((await bad.json()).error, {
      code: -32700,
      message: "Parse error: the request body is not valid JSON.",
    });
    for (const body of ['"hello"', "[]", '{"id":1,"method":"ping"}', "42", '{"jsonrpc":"2.0","method":5}']) {
      const res = await rawPost(f.fetch, f.mcpUrl("alice"), body, auth);
      assertEquals(res.status, 400, body);
      assertEquals((await res.json()).error.code, -32600, body);
    }
    const unknownMethod = await rawPost(
      f.fetch,
      f.mcpUrl("alice"),
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "nope/nothing", params: {} }),
      { ...auth, "mcp-protocol-version": "2025-11-25" },
    );
    assertOk(unknownMethod.status < 500, `status ${unknownMethod.status}`);
    await unknownMethod.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("oversized body: 413, never 500 (Content-Length and streamed)", async () => {
  const f = await setupMcp("path", {
    limits: { ...DEFAULT_LIMITS, maxBodyBytes: 64 * 1024 },
  });
  try {
    const big = call("write_note", { path: "Big", content: "x".repeat(100 * 1024) });
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), big, { authorization: `Bearer ${f.rw}` });
    assertEquals(res.status, 413);
    // main.ts's app-wide body limit answers first (text/plain); lib/mcp/endpoint.ts answers JSON-RPC -32600 when
    // it is the one to see the excess. Either way: a clear 413, never a 500.
    assertIncludes((await res.text()).toLowerCase(), "too large");
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res2 = await f.fetch(f.mcpUrl("alice"), {
      method: "POST",
      body: stream,
      headers: { authorization: `Bearer ${f.rw}`, "content-type": "application/json", accept: "application/json" },
    });
    assertEquals(res2.status, 413);
    await res2.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("Host and Origin validation: foreign values 403, absent Origin passes", async () => {
  const f = await setupMcp();
  try {
    const auth = { authorization: `Bearer ${f.rw}` };
    const evilOrigin = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { ...auth, origin: "https://evil.example" });
    assertEquals(evilOrigin.status, 403);
    await evilOrigin.body?.cancel();
    const evilHost = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { ...auth, host: "evil.example" });
    assertEquals(evilHost.status, 403);
    await evilHost.body?.cancel();
    const sameOrigin = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { ...auth, origin: "http://localhost:8000" });
    assertEquals(sameOrigin.status, 200);
    await sameOrigin.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("protected-resource metadata at the path-inserted and root well-knowns, with CORS", async () => {
  for (const mode of ["path", "subdomain"] as const) {
    const f = await setupMcp(mode);
    try {
      const urls = f.app.deps.urls;
      const expected = {
        resource: urls.mcp("alice"),
        authorization_servers: [urls.issuer("alice")],
        scopes_supported: ["wiki:read", "wiki:write"],
        bearer_methods_supported: ["header"],
        resource_name: "alice (robot.wtf wiki)",
      };
      const prmUrl = urls.protectedResourceMetadata("alice");
      const root = mode === "path"
        ? "http://localhost:8000/.well-known/oauth-protected-resource/w/alice"
        : "http://alice.localhost:8000/.well-known/oauth-protected-resource";
      for (const u of [prmUrl, root]) {
        const res = await f.fetch(u);
        assertEquals(res.status, 200, u);
        assertEquals(res.headers.get("access-control-allow-origin"), "*");
        assertEquals(await res.json(), expected);
      }
      const pre = await f.fetch(prmUrl, { method: "OPTIONS" });
      assertEquals(pre.status, 204);
      const missing = await f.fetch(urls.protectedResourceMetadata("nobody"));
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
    } finally {
      await f.close();
    }
  }
});

Deno.test("tokens: shown once, stored only as a hash, listed with scopes, last use recorded lazily", async () => {
  const f = await setupMcp();
  try {
    const { token, record } = await f.tokens.create(f.alice, { label: "ci" });
    assertOk(/^rwtf_[A-Za-z0-9_-]{43}$/.test(token), token);
    const dump: string[] = [];
    for await (const e of f.kv.list({ prefix: [] })) dump.push(JSON.stringify(e.key) + JSON.stringify(e.value));
    assertOk(!dump.some((l) => l.includes(token.slice(5))), "the secret is not stored");
    const list = await f.tokens.list(f.alice.id);
    assertEquals(list.map((t) => [t.label, t.scopes]).sort(), [
      ["ci", ["wiki:read", "wiki:write"]],
      ["laptop", ["wiki:read", "wiki:write"]],
      ["reader", ["wiki:read"]],
    ]);
    assertEquals(record.lastUsedAt, null);
    const hash = await f.app.deps.keys.hmac("token-hash", token);
    assertEquals(
      (await f.kv.get(TokenKeys.tokenByHash(hash))).value,
      record,
      "stored under the registry's token-hash HMAC",
    );
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), INIT, { authorization: `Bearer ${token}` });
    await res.body?.cancel();
    const after = (await f.tokens.list(f.alice.id)).find((t) => t.id === record.id)!;
    assertOk(after.lastUsedAt !== null && after.lastUsedAt > 0);
  } finally {
    await f.close();
  }
});

Deno.test("tools check their scope again (defense in depth behind the HTTP layer)", async () => {
  const f = await setupMcp();
  try {
    const write = WIKI_TOOLS.find((t) => t.name === "write_note")!;
    const r = await callTool(write, { path: "Sneaky", content: "x" }, {
      principal: {
        subject: "token:x",
        wikiId: f.alice.id,
        scopes: new Set(["wiki:read"]),
        attainable: new Set(["wiki:read"]),
        clientName: "reader",
        via: "wiki-token",
      },
      wiki: f.alice,
      pages: f.app.deps.wikis.pages(f.alice),
      limits: f.app.deps.config.limits,
      kv: f.kv,
      urls: f.app.deps.urls,
    });
    assertEquals(r.isError, true);
    assertEquals(
      r.content[0].text,
      "You can only read this wiki: this token (reader) is read-only, so write_note (it needs wiki:write) is not " +
        "available. Nothing was changed. Ask the wiki's owner for a read-write token if you need to change pages.",
    );
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("Sneaky"), null);
  } finally {
    await f.close();
  }
});
