/**
 * Capabilities follow the role, always (issue 11 item 2), through the MCP SDK clients (v1: the 2025-era leg with
 * its replayed answers and pooled servers; v2: the 2026-era leg): `tools/list` shows only the tools the credential
 * may call now (its scopes capped by the user's current role); a write tool called by a credential that can never
 * write answers an `isError` result saying why; one that could write after authorizing again keeps the 403
 * `insufficient_scope` step-up challenge.
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { connect, type McpFixture, rawPost, setupMcp } from "./helpers.ts";
import { connectApp } from "../app/helpers.ts";
import { WIKI_TOOLS } from "../../lib/mcp/server.ts";
import type { Role } from "../../lib/wiki/types.ts";

const EDITOR = "did:plc:editor0000000000000000";
const OWNER = "local:alice";
const READ_TOOLS = WIKI_TOOLS.filter((t) => t.scope === "wiki:read").map((t) => t.name).sort();
const ALL_TOOLS = WIKI_TOOLS.map((t) => t.name).sort();
const GENS = ["v1", "v2"] as const;

async function setRole(f: McpFixture, did: string, role: Role): Promise<void> {
  await f.app.deps.wikis.setMember(f.alice.id, did, role, OWNER);
}

async function toolNames(f: McpFixture, gen: "v1" | "v2", token: string): Promise<string[]> {
  const c = await connect(gen, f.mcpUrl("alice"), token, f.fetch);
  try {
    return (await c.listTools()).map((t) => t.name).sort();
  } finally {
    await c.close();
  }
}

function call(id: number, name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}

Deno.test("capabilities - a viewer is offered only read tools; a write answers isError with the reason", async () => {
  const f = await setupMcp();
  try {
    await setRole(f, EDITOR, "viewer");
    const access = await connectApp(f.app, "alice", EDITOR); // asks read+write; the consent grants read
    for (const gen of GENS) {
      assertEquals(await toolNames(f, gen, access), READ_TOOLS, gen);
      const c = await connect(gen, f.mcpUrl("alice"), access, f.fetch);
      try {
        const r = await c.call("write_note", { path: `By viewer ${gen}`, content: "x" });
        assertEquals(r.isError, true, gen);
        assertIncludes(r.text, "You can only read this wiki: your role is viewer");
        assertIncludes(r.text, "write_note (it needs wiki:write)");
        // Arguments the write tool would refuse do not hide the reason.
        const bad = await c.call("delete_note", { nonsense: 1 });
        assertEquals(bad.isError, true, gen);
        assertIncludes(bad.text, "your role is viewer");
        assertIncludes((await c.call("read_note", { path: "Home" })).text, "Path: Home");
      } finally {
        await c.close();
      }
      assertEquals(await f.app.deps.wikis.pages(f.alice).meta(`By viewer ${gen}`), null);
    }
    // Raw, on the 2025-era leg: HTTP 200 with the result, not a 403 and not a JSON-RPC error.
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), call(9, "write_note", { path: "Raw", content: "x" }), {
      authorization: `Bearer ${access}`,
      "mcp-protocol-version": "2025-11-25",
    });
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals([body.id, body.error, body.result.isError], [9, undefined, true]);
  } finally {
    await f.close();
  }
});

Deno.test("capabilities - a read-only token sees only read tools; a write says the token is read-only", async () => {
  const f = await setupMcp();
  try {
    for (const gen of GENS) {
      assertEquals(await toolNames(f, gen, f.ro), READ_TOOLS, gen);
      const c = await connect(gen, f.mcpUrl("alice"), f.ro, f.fetch);
      try {
        const r = await c.call("write_note", { path: "By reader", content: "x" });
        assertEquals(r.isError, true, gen);
        assertIncludes(r.text, "You can only read this wiki: this token (reader) is read-only");
      } finally {
        await c.close();
      }
    }
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("By reader"), null);
    // A batch hiding a write behind a read: the read is answered, the write refused with the reason.
    const batch = `[${call(1, "read_note", { path: "Home" })},${call(2, "delete_note", { path: "Home" })}]`;
    const b = await rawPost(f.fetch, f.mcpUrl("alice"), batch, { authorization: `Bearer ${f.ro}` });
    assertEquals(b.status, 200);
    const answers = (await b.json()) as { id: number; result: { isError?: boolean; content: { text: string }[] } }[];
    const byId = new Map(answers.map((a) => [a.id, a.result]));
    assertIncludes(byId.get(1)!.content[0].text, "Path: Home");
    assertEquals(byId.get(2)!.isError, true);
    assertIncludes(byId.get(2)!.content[0].text, "read-only");
    assertEquals((await f.app.deps.wikis.pages(f.alice).read("Home")).deleted, false);
  } finally {
    await f.close();
  }
});

Deno.test("capabilities - an admin (OAuth) and a read-write token see every tool", async () => {
  const f = await setupMcp();
  try {
    const access = await connectApp(f.app, "alice", OWNER);
    for (const gen of GENS) {
      assertEquals(await toolNames(f, gen, access), ALL_TOOLS, gen);
      assertEquals(await toolNames(f, gen, f.rw), ALL_TOOLS, gen);
    }
  } finally {
    await f.close();
  }
});

Deno.test("capabilities - replayed and pooled tools/list answers are per scope set", async () => {
  const f = await setupMcp();
  try {
    const list = async (token: string, id: number) => {
      const res = await rawPost(
        f.fetch,
        f.mcpUrl("alice"),
        JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" }),
        {
          authorization: `Bearer ${token}`,
          "mcp-protocol-version": "2025-11-25",
        },
      );
      const body = await res.json();
      return (body.result.tools as { name: string }[]).map((t) => t.name).sort();
    };
    // Alternating credentials, twice each: the second answer of each is a replay.
    for (let i = 0; i < 2; i++) {
      assertEquals(await list(f.rw, 10 + i), ALL_TOOLS);
      assertEquals(await list(f.ro, 20 + i), READ_TOOLS);
    }
  } finally {
    await f.close();
  }
});

Deno.test("capabilities - an editor demoted mid-session: the next tools/list shrinks, a write explains", async () => {
  const f = await setupMcp();
  try {
    await setRole(f, EDITOR, "editor");
    const access = await connectApp(f.app, "alice", EDITOR);
    for (const gen of GENS) {
      await setRole(f, EDITOR, "editor");
      const c = await connect(gen, f.mcpUrl("alice"), access, f.fetch);
      try {
        assertEquals((await c.listTools()).map((t) => t.name).sort(), ALL_TOOLS, gen);
        assertEquals((await c.call("write_note", { path: `Before ${gen}`, content: "x" })).isError, false);
        await setRole(f, EDITOR, "viewer");
        assertEquals((await c.listTools()).map((t) => t.name).sort(), READ_TOOLS, gen);
        const r = await c.call("write_note", { path: `After ${gen}`, content: "x" });
        assertEquals(r.isError, true, gen);
        assertIncludes(r.text, "your role is viewer");
      } finally {
        await c.close();
      }
      assertEquals(await f.app.deps.wikis.pages(f.alice).meta(`After ${gen}`), null);
    }
  } finally {
    await f.close();
  }
});

Deno.test("capabilities - an editor's read-only grant: read tools listed; a write keeps the 403 step-up", async () => {
  const f = await setupMcp();
  try {
    await setRole(f, EDITOR, "editor");
    const access = await connectApp(f.app, "alice", EDITOR, "wiki:read");
    for (const gen of GENS) assertEquals(await toolNames(f, gen, access), READ_TOOLS, gen);
    const res = await rawPost(f.fetch, f.mcpUrl("alice"), call(3, "write_note", { path: "Step", content: "x" }), {
      authorization: `Bearer ${access}`,
    });
    assertEquals(res.status, 403);
    assertEquals(
      res.headers.get("www-authenticate"),
      `Bearer resource_metadata="http://localhost:8000/.well-known/oauth-protected-resource/w/alice/mcp", ` +
        `error="insufficient_scope", scope="wiki:write", ` +
        `error_description="Insufficient scope: write_note needs wiki:write; this credential has wiki:read."`,
    );
    await res.body?.cancel();
    assertEquals(await f.app.deps.wikis.pages(f.alice).meta("Step"), null);
  } finally {
    await f.close();
  }
});
