/**
 * Both SDK client generations (v2: 2026-07-28 era; v1 1.32.2: 2025 era, as Claude.ai speaks) against both
 * addressing modes, in-process (custom fetch) and over a real socket on 127.0.0.1.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import { connect, type FetchFn, type Mode, setupMcp } from "./helpers.ts";
import { appFixture } from "../fixture/app.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";

const ERA: Record<"v1" | "v2", RegExp> = { v1: /^2025-/, v2: /^2026-07-28$/ };

async function exercise(gen: "v1" | "v2", url: string, token: string, fetch?: FetchFn) {
  const c = await connect(gen, url, token, fetch);
  try {
    assertOk(ERA[gen].test(c.protocolVersion ?? ""), `${gen} negotiated ${c.protocolVersion}`);
    assertEquals((await c.listTools()).length, 21);
    const w = await c.call("write_note", { path: `From ${gen}`, content: "hello [[Home]]\n" });
    assertEquals(w.isError, false, w.text);
    const r = await c.call("read_note", { path: `From ${gen}` });
    assertIncludes(r.text, `Path: From ${gen}\n`);
    const missing = await c.call("read_note", { path: "Missing" });
    assertEquals(missing.isError, true);
  } finally {
    await c.close();
  }
}

for (const mode of ["path", "subdomain"] as Mode[]) {
  for (const gen of ["v2", "v1"] as const) {
    Deno.test(`${gen} client, ${mode} mode, in-process`, async () => {
      const f = await setupMcp(mode);
      try {
        await exercise(gen, f.mcpUrl("alice"), f.rw, f.fetch);
        // A token of alice is refused by bob's endpoint.
        const refused = await connect(gen, f.mcpUrl("bob"), f.rw, f.fetch).then(() => null, (e) => e);
        assertOk(refused instanceof Error, "connect to bob with alice's token must fail");
      } finally {
        await f.close();
      }
    });
  }
}

for (const mode of ["path", "subdomain"] as Mode[]) {
  Deno.test(`v1 and v2 clients over a real socket, ${mode} mode`, async () => {
    const f = await appFixture({
      serve: true,
      addressing: mode,
      config: (port) => ({ publicOrigin: mode === "path" ? `http://127.0.0.1:${port}` : `http://localhost:${port}` }),
      wikis: [{ slug: "alice", ownerDid: "local:alice", actor: { id: "local:t", name: "t", client: "cli" } }],
    });
    const clients: (Deno.HttpClient | null)[] = [];
    try {
      const { app, kv, port, wikis: { alice: wiki } } = f;
      const { token } = await createWikiTokens({ kv, keys: app.deps.keys }).create(wiki, { label: "sock" });
      const url = app.deps.urls.mcp("alice");
      // Subdomain hosts do not resolve outside browsers: send the requests through 127.0.0.1:port as an HTTP
      // proxy, so the socket is ours and the request carries the wiki's URL and Host.
      const proxied = mode === "path" ? null : Deno.createHttpClient({ proxy: { url: `http://127.0.0.1:${port}` } });
      clients.push(proxied);
      const viaSocket: FetchFn | undefined = proxied === null
        ? undefined
        : async (u, i) => await fetch(u, { ...i, client: proxied } as RequestInit);
      for (const gen of ["v2", "v1"] as const) await exercise(gen, url, token, viaSocket);
      const noToken = await (viaSocket ?? fetch)(url, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      assertEquals(noToken.status, 401);
      assertIncludes(noToken.headers.get("www-authenticate")!, app.deps.urls.protectedResourceMetadata("alice"));
      await noToken.body?.cancel();
    } finally {
      for (const c of clients) c?.close();
      await f.close();
    }
  });
}
