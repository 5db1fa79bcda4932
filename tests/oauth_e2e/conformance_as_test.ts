/**
 * The official MCP conformance suite's authorization-server command (`@modelcontextprotocol/conformance@0.2.0-
 * alpha.12 authorization`, run with Deno) against a wiki's issuer on a real loopback socket: its
 * `authorization-server-metadata-endpoint` and `authorization-code-grant` scenarios. The suite has no client
 * registration of its own, so the test registers a public client through DCR first (redirect URI
 * `http://127.0.0.1:<port>/callback`, the suite's callback listener); the suite prints an authorize URL and waits,
 * and the test opens it in headless Chromium signed in as the wiki owner and clicks Approve. In path mode and in
 * subdomain mode (the suite reaches `alice.localhost` through a preload that resolves `*.localhost` to 127.0.0.1 for its undici).
 *
 * Needs /usr/bin/chromium and the npm package: skipped loudly without them, FAILS under CI=true.
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
  signedInBrowser,
  startApp,
  waitFor,
} from "./harness.ts";

const PACKAGE = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";
const PRELOAD = new URL("./localhost_preload.mjs", import.meta.url).pathname;

async function run(mode: Mode): Promise<void> {
  if (!exists(CHROMIUM)) {
    peerMissing("Chromium (/usr/bin/chromium)", "apt-get install -y chromium");
    return;
  }
  const e = await startApp(mode);
  const browser = await signedInBrowser(e);
  const work = await Deno.makeTempDir({ prefix: "oauth-conformance-" });
  let child: Deno.ChildProcess | null = null;
  try {
    const port = freePort();
    const callback = `http://127.0.0.1:${port}/callback`;
    const reg = await e.fetch(e.app.deps.urls.wiki("alice", "/register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "MCP conformance suite",
        redirect_uris: [callback],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        response_types: ["code"],
      }),
    });
    const client = await reg.json();
    assertEquals(reg.status, 201, JSON.stringify(client));

    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-lock",
        "--no-config",
        // The suite requests with undici, which resolves names itself: map *.localhost to 127.0.0.1 (subdomain mode).
        ...(mode === "subdomain" ? [`--preload=${PRELOAD}`] : []),
        PACKAGE,
        "authorization",
        "--url",
        e.issuer,
        "--client-id",
        client.client_id,
        "--resource",
        e.mcpUrl,
        "-p",
        String(port),
        "-o",
        `${work}/results`,
      ],
      cwd: work,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    let out = "";
    const printed = new Changes();
    const decode = async (s: ReadableStream<Uint8Array>) => {
      const d = new TextDecoder();
      for await (const chunk of s) {
        out += d.decode(chunk, { stream: true });
        printed.notify();
      }
    };
    const drained = Promise.all([decode(child.stdout), decode(child.stderr)]);
    const status = child.status;
    let exited = false;
    status.then(() => {
      exited = true;
      printed.notify();
    });

    // The suite prints the authorize URL and waits for its callback.
    const authUrl = await waitFor(
      () => {
        const m = out.match(/(http\S+\/authorize\?\S+)/);
        if (m) return m[1];
        if (exited) return "";
        return null;
      },
      45_000,
      "the conformance suite's authorize URL",
      printed,
    ).catch((err) => {
      throw new Error(`${err.message}; output so far:\n${out.slice(0, 1500)}`);
    });
    if (!authUrl) {
      if (/npm|registry|resolve|download|fetch/i.test(out) && !/authorization-server-metadata/i.test(out)) {
        peerMissing(`${PACKAGE}`, `could not be fetched:\n${out.slice(0, 800)}`);
        return;
      }
      throw new Error(`the conformance suite exited before authorizing:\n${out}\napp saw:\n${e.seen.join("\n")}`);
    }
    assertOk(authUrl.startsWith(e.app.deps.urls.wiki("alice", "/authorize")), authUrl);
    const consent = await approveInChromium(browser, authUrl, callback);
    assertIncludes(consent.heading, "MCP conformance suite");
    assertEquals(consent.callback.searchParams.get("iss"), e.issuer);

    const code = await Promise.race([
      status.then((s) => s.code),
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error("conformance did not finish")), 30_000)),
    ]);
    await drained;
    const summary = out.slice(Math.max(0, out.indexOf("SUMMARY") - 20)) || out;
    assertEquals(code, 0, `conformance authorization failed (${mode} mode):\n${out}`);
    if (Deno.env.get("E2E_VERBOSE")) console.log(summary);
    for (const scenario of ["authorization-server-metadata-endpoint", "authorization-code-grant"]) {
      assertOk(new RegExp(`✓ ${scenario}`).test(out), `${scenario} must pass:\n${summary}`);
    }
    assertOk(!/✗|FAILURE|failed: [1-9]/.test(out), `no check may fail:\n${out}`);
  } finally {
    if (child) {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      await child.status.catch(() => {});
    }
    await browser.close();
    await e.close();
    if (!Deno.env.get("KEEP_E2E")) await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

for (const mode of ["path", "subdomain"] as const) {
  Deno.test({
    name:
      `conformance authorization (AS metadata + authorization-code grant) passes against a wiki issuer, ${mode} mode`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => run(mode),
  });
}
