/**
 * mcp-remote 0.15.1 (the stdio <-> HTTP bridge many desktop MCP clients use) on Node 20 completes the OAuth flow
 * against a path-mode wiki on a real loopback socket, unmodified: on the 401 it discovers, registers (DCR), opens
 * the authorization URL through its `BROWSER` hook (tests/peers/mcp_remote/browser.sh hands the URL to this
 * test), the wiki owner approves in headless Chromium, the browser lands on mcp-remote's own loopback callback,
 * it exchanges the code, and `initialize` + `tools/list` + `tools/call list_notes` sent on its stdin come back from
 * the wiki. A restarted mcp-remote then reuses its stored tokens without the browser. Run three times: in path mode
 * at the wiki's own `{origin}/w/alice/mcp`, and at `{origin}/mcp` with `PRIMARY_WIKI=alice` (the origin root's
 * issuer: root metadata, root `/register`, `/authorize`, `/token`); and in subdomain mode at
 * `https://alice.localhost:P/mcp`. mcp-remote's SDK refuses a non-https token endpoint on any host but `localhost`
 * itself (`InsecureTokenEndpointError`), so subdomain mode runs over TLS: the app serves a certificate from a
 * throwaway CA that node trusts through `NODE_EXTRA_CA_CERTS`, and node_localhost_preload.cjs resolves
 * `*.localhost` to 127.0.0.1 inside mcp-remote's process.
 *
 * Install the peer with `sh tests/peers/mcp_remote/install.sh` (needs node >= 20 and npm). Without it, or without
 * Chromium, the test is skipped loudly; under CI=true it FAILS.
 */
import { assertEquals, assertIncludes, assertOk } from "../assert.ts";
import {
  approveInChromium,
  Changes,
  CHROMIUM,
  exists,
  freePort,
  type Mode,
  peerMissing,
  seenAt,
  signedInBrowser,
  startApp,
  waitFor,
} from "./harness.ts";

const PEERS_DIR = Deno.env.get("PEERS_DIR") ?? `${Deno.env.get("HOME")}/.cache/robot-wtf-peers`;
const PROXY = `${PEERS_DIR}/mcp-remote/node_modules/mcp-remote/dist/proxy.js`;
const BROWSER_SCRIPT = new URL("../peers/mcp_remote/browser.sh", import.meta.url).pathname;
const NODE_PRELOAD = new URL("./node_localhost_preload.cjs", import.meta.url).pathname;

/** The node on PATH, if it is at least version 20. */
async function node20(): Promise<boolean> {
  try {
    const out = await new Deno.Command("node", { args: ["--version"], stdout: "piped", stderr: "null" }).output();
    const major = Number(new TextDecoder().decode(out.stdout).trim().replace(/^v/, "").split(".")[0]);
    return out.success && major >= 20;
  } catch {
    return false;
  }
}

/** A running mcp-remote with a JSON-RPC line channel on its stdio. */
interface Remote {
  send(msg: unknown): Promise<void>;
  /** Waits for the answer with `id` (fails with mcp-remote's stderr). */
  answer(id: number, what: string, ms: number): Promise<Record<string, unknown>>;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts mcp-remote for `mcpUrl` with its BROWSER hook and token store in `work`; `*.localhost` resolves to
 * 127.0.0.1 in it, and with `caFile` it trusts that CA.
 */
function startRemote(mcpUrl: string, cbPort: number, work: string, caFile: string | null): Remote {
  const child = new Deno.Command("node", {
    args: ["--require", NODE_PRELOAD, PROXY, mcpUrl, String(cbPort), "--host", "127.0.0.1"],
    cwd: work,
    env: {
      ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
      BROWSER: BROWSER_SCRIPT,
      MCP_REMOTE_BROWSER_LOG: `${work}/browser-urls.log`,
      MCP_REMOTE_CONFIG_DIR: `${work}/mcp-auth`,
      // A headless box: no desktop environment, so xdg-open falls back to $BROWSER.
      DISPLAY: "",
      XDG_CURRENT_DESKTOP: "",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const responses = new Map<number, Record<string, unknown>>();
  const answered = new Changes();
  let stderr = "";
  const readLines = async () => {
    const d = new TextDecoder();
    let buf = "";
    for await (const chunk of child.stdout) {
      buf += d.decode(chunk, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          const msg = JSON.parse(line);
          if (typeof msg.id === "number") responses.set(msg.id, msg);
        } catch { /* not JSON-RPC */ }
      }
      answered.notify();
    }
    answered.notify(); // the output ended: waiters check once more, then time out
  };
  const readErr = async () => {
    const d = new TextDecoder();
    for await (const chunk of child.stderr) stderr += d.decode(chunk, { stream: true });
  };
  const pumps = Promise.all([readLines(), readErr()]).catch(() => {});
  const writer = child.stdin.getWriter();
  return {
    send: (msg) => writer.write(new TextEncoder().encode(JSON.stringify(msg) + "\n")),
    answer: (id, what, ms) =>
      waitFor(() => responses.get(id), ms, what, answered).catch((err) => {
        throw new Error(`${err.message}\nmcp-remote stderr:\n${stderr.slice(-3000)}`);
      }),
    stderr: () => stderr,
    async stop() {
      await writer.close().catch(() => {});
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      await child.status.catch(() => {});
      await pumps;
    },
  };
}

/** Text of a tools/call answer (fails on a tool error). */
function callText(call: Record<string, unknown>, tool: string): string {
  const result = call.result as { content?: { text?: string }[]; isError?: boolean } | undefined;
  assertOk(result && result.isError !== true, `${tool} failed: ${JSON.stringify(call)}`);
  return (result.content ?? []).map((c) => c.text ?? "").join("\n");
}

/**
 * initialize, initialized, tools/list, tools/call `list_notes` and `read_note {path: readPath}` through `r`;
 * returns the tool names, the listing and the page's text.
 */
async function listTools(
  r: Remote,
  readPath: string,
  authorize?: () => Promise<void>,
): Promise<{ names: string[]; notes: string; page: string }> {
  await r.send({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e-driver", version: "1" } },
  });
  if (authorize) await authorize();
  const init = await r.answer(1, "the initialize answer through mcp-remote", 30_000);
  assertOk(init.result, JSON.stringify(init));
  await r.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  await r.send({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
  const tools = await r.answer(2, "the tools/list answer through mcp-remote", 15_000);
  const names = ((tools.result as { tools?: { name: string }[] })?.tools ?? []).map((t) => t.name);
  await r.send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_notes", arguments: {} } });
  const notes = callText(
    await r.answer(3, "the tools/call list_notes answer through mcp-remote", 15_000),
    "list_notes",
  );
  const read = { name: "read_note", arguments: { path: readPath } };
  await r.send({ jsonrpc: "2.0", id: 4, method: "tools/call", params: read });
  const page = callText(await r.answer(4, "the tools/call read_note answer through mcp-remote", 15_000), "read_note");
  return { names, notes, page };
}

/** Where mcp-remote connects: a mode, and in path mode the wiki's own MCP URL or the origin root's (`PRIMARY_WIKI`). */
interface Target {
  mode: Mode;
  primaryWiki: boolean;
  label: string;
}

const TARGETS: Target[] = [
  { mode: "path", primaryWiki: false, label: "path mode, {origin}/w/alice/mcp" },
  { mode: "path", primaryWiki: true, label: "path mode, {origin}/mcp (PRIMARY_WIKI)" },
  { mode: "subdomain", primaryWiki: false, label: "subdomain mode over TLS, https://alice.localhost:P/mcp" },
];

/**
 * The whole mcp-remote run against wiki `alice` at `target` (subdomain mode over TLS). Skips loudly without a peer
 * (fails under CI=true).
 */
async function remoteFlow({ mode, primaryWiki }: Target): Promise<void> {
  if (!exists(CHROMIUM)) {
    peerMissing("Chromium (/usr/bin/chromium)", "apt-get install -y chromium");
    return;
  }
  if (!(await node20())) {
    peerMissing("node >= 20", "install Node.js 20 or later");
    return;
  }
  if (!exists(PROXY)) {
    peerMissing(`mcp-remote (${PROXY})`, "run: sh tests/peers/mcp_remote/install.sh");
    return;
  }
  const e = await startApp(mode, { primaryWiki, tls: mode === "subdomain" });
  const browser = await signedInBrowser(e);
  const work = await Deno.makeTempDir({ prefix: "mcp-remote-e2e-" });
  const browserUrls = () => {
    try {
      return Deno.readTextFileSync(`${work}/browser-urls.log`).split("\n").filter((l) => l.startsWith("http"));
    } catch {
      return [];
    }
  };
  let remote: Remote | null = null;
  try {
    const seeded = await e.app.deps.wikis.pages(e.wiki).list();
    assertOk(seeded.length > 0, "the wiki has no seeded page");
    const home = await e.app.deps.wikis.pages(e.wiki).read(seeded[0].path);
    const cbPort = freePort();
    remote = startRemote(e.mcpUrl, cbPort, work, e.caFile);
    const r = remote;
    const { names, notes, page } = await listTools(r, home.path, async () => {
      // mcp-remote hits the 401, registers, and "opens a browser": the hook hands us the authorization URL.
      const authUrl = await waitFor(() => browserUrls()[0], 30_000, "mcp-remote to open the authorization URL")
        .catch((err) => {
          throw new Error(`${err.message}\nmcp-remote stderr:\n${r.stderr().slice(-3000)}`);
        });
      const url = new URL(authUrl);
      assertEquals(url.origin + url.pathname, `${e.issuer}/authorize`);
      assertEquals(url.searchParams.get("code_challenge_method"), "S256");
      assertEquals(url.searchParams.get("resource"), e.mcpUrl);
      assertOk(e.seen.includes(seenAt(e, "POST", "/register")), e.seen.join("\n"));
      const redirect = url.searchParams.get("redirect_uri")!;
      assertIncludes(redirect, `:${cbPort}/`);
      // The owner approves; the browser really lands on mcp-remote's callback listener.
      const consent = await approveInChromium(browser, authUrl, redirect, { timeoutMs: 20_000 });
      assertEquals(consent.callback.searchParams.get("iss"), e.issuer);
    });
    for (const must of ["read_note", "write_note", "search_notes"]) {
      assertOk(names.includes(must), `tools/list lacks ${must}: ${names.join(", ")}`);
    }
    assertOk(seeded.every((p) => notes.includes(p.path)), `list_notes: ${notes}`);
    const firstLine = home.content.split("\n").find((l) => l.trim() !== "")!;
    assertIncludes(page, firstLine.trim(), "read_note returns the page's text");
    assertOk(e.seen.includes(seenAt(e, "POST", "/token")), e.seen.join("\n"));
    const grants = await e.app.deps.oauth.listGrants(e.wiki.id);
    assertEquals(grants.length, 1);
    assertOk(grants[0].lastUsedAt !== null, "the grant was never used on /mcp");
    await r.stop();
    remote = null;

    // A restarted mcp-remote reuses its stored tokens: no browser, no registration, no consent.
    const seenBefore = e.seen.length;
    remote = startRemote(e.mcpUrl, cbPort, work, e.caFile);
    const again = await listTools(remote, home.path);
    assertOk(again.names.includes("read_note"), again.names.join(", "));
    assertEquals(browserUrls().length, 1, "the restart must not open the browser again");
    const later = e.seen.slice(seenBefore);
    assertOk(!later.some((s) => /\/(register|authorize)$/.test(s)), later.join("\n"));
    assertEquals((await e.app.deps.oauth.listGrants(e.wiki.id)).length, 1);
  } finally {
    await remote?.stop();
    await browser.close();
    await e.close();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

for (const target of TARGETS) {
  Deno.test({
    name: `mcp-remote 0.15.1: DCR + PKCE + consent in Chromium via its BROWSER hook, tools/list, tools/call, restart ` +
      `reuses tokens; ${target.label}`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => remoteFlow(target),
  });
}
