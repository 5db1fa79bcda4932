/**
 * The connection check (lib/platform/connection_check.ts) reports where an endpoint stops answering as an agent
 * expects, reads SSE answers, and revokes its token whatever happened.
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { checkConnection, type CheckDeps } from "../../lib/platform/connection_check.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";

const WIKI = { id: "w_1", slug: "notes" } as WikiRecord;

/** Fake deps: `answer` gives the response of each JSON-RPC method; records created and revoked token ids. */
function fake(answer: (method: string) => Response) {
  const created: string[] = [];
  const revoked: string[] = [];
  const deps: CheckDeps = {
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
  return { deps, created, revoked };
}

Deno.test("connection check: a refused initialize is reported with its message; the token is revoked", async () => {
  const f = fake(() =>
    Response.json({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Invalid token: revoked" } }, {
      status: 401,
    })
  );
  const r = await checkConnection(f.deps, WIKI, true);
  assertEquals([r.ok, r.steps.length, r.steps[0].ok], [false, 1, false]);
  assertIncludes(r.steps[0].detail, "HTTP 401: Invalid token: revoked");
  assertEquals(f.revoked, ["tok_1"]);
});

Deno.test("connection check: SSE answers are read; a failing tools/list is the failed step", async () => {
  const sse = (body: unknown) =>
    new Response(`event: message\ndata: ${JSON.stringify(body)}\n\n`, {
      headers: { "content-type": "text/event-stream" },
    });
  const f = fake((method) =>
    method === "initialize"
      ? sse({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "robot.wtf", version: "1.0" } } })
      : new Response("oops", { status: 500 })
  );
  const r = await checkConnection(f.deps, WIKI, false);
  assertEquals(r.server, "robot.wtf 1.0");
  assertEquals(r.steps.map((s) => [s.name, s.ok]), [["initialize", true], ["tools/list", false]]);
  assertIncludes(r.steps[1].detail, "HTTP 500: not a JSON-RPC answer");
  assertEquals([r.ok, f.revoked], [false, ["tok_1"]]);
});

Deno.test("connection check: a handler that throws still revokes the token", async () => {
  const f = fake(() => {
    throw new Error("boom");
  });
  let thrown = false;
  try {
    await checkConnection(f.deps, WIKI, true);
  } catch {
    thrown = true;
  }
  assertEquals([thrown, f.revoked], [true, ["tok_1"]]);
});
