/**
 * scripts/create_wiki.ts end to end: creates a wiki in a KV file, prints a token and the `claude mcp add` line; the
 * printed token then works against an app opened on the same file; tokens can be listed and revoked.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { appFixture } from "../fixture/app.ts";
import { rawPost } from "./helpers.ts";

const SCRIPT = new URL("../../scripts/create_wiki.ts", import.meta.url).pathname;

async function cli(kvPath: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    env: { KV_PATH: kvPath, SEED_DEMO: "false", PUBLIC_ORIGIN: "http://localhost:8000" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr) };
}

Deno.test("wiki:create prints a working token and the claude line; tokens list and revoke", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cli-test-" });
  const kvPath = `${dir}/robot.kv`;
  try {
    const created = await cli(kvPath, "wiki", "cli-wiki", "--label", "laptop");
    assertEquals(created.code, 0, created.out);
    const token = created.out.match(/rwtf_[A-Za-z0-9_-]{43}/)?.[0];
    assertOk(token, created.out);
    assertIncludes(
      created.out,
      `claude mcp add --transport http cli-wiki-wiki http://localhost:8000/w/cli-wiki/mcp --header ` +
        `"Authorization: Bearer ${token}"`,
    );
    const again = await cli(kvPath, "wiki", "cli-wiki");
    assertEquals(again.code, 1);
    assertIncludes(again.out, "exists already");
    const ro = await cli(kvPath, "token", "cli-wiki", "--label", "reader", "--read-only");
    assertEquals(ro.code, 0, ro.out);
    assertIncludes(ro.out, "(wiki:read, label");
    const list = await cli(kvPath, "tokens", "cli-wiki");
    assertIncludes(list.out, "laptop");
    assertIncludes(list.out, "reader");
    const readerId = list.out.split("\n").find((l) => l.includes("reader"))!.split(/\s+/)[0];

    const f = await appFixture({ kvPath, config: { kvPath, publicOrigin: "http://localhost:8000" } });
    try {
      const app = f.app;
      const fetch = async (u: string | URL, i?: RequestInit) => await f.fetch(u, i);
      const init = JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      });
      const res = await rawPost(fetch, app.deps.urls.mcp("cli-wiki"), init, { authorization: `Bearer ${token}` });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    } finally {
      await f.close();
    }
    const revoked = await cli(kvPath, "revoke", "cli-wiki", readerId);
    assertEquals(revoked.code, 0, revoked.out);
    assertEquals((await cli(kvPath, "tokens", "cli-wiki")).out.includes("reader"), false);
    const missing = await cli(kvPath, "token", "no-such-wiki");
    assertEquals(missing.code, 1);
    assertIncludes(missing.out, 'There is no wiki called "no-such-wiki"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
