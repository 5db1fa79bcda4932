/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance@0.2.0-alpha.12`, run with Deno) against a
 * wiki's /mcp endpoint on a real socket, for both protocol revisions, with the expected failures in baseline files
 * (each with its reason). The CLI cannot send an Authorization header, so the test serves the app behind a tiny
 * loopback proxy that adds the wiki token; production has no unauthenticated mount.
 *
 * If the npm package cannot be fetched: under CI (`CI=true`) the test FAILS; locally it is skipped loudly.
 */
import { assertEquals, assertIncludes } from "../assert.ts";
import { appFixture } from "../fixture/app.ts";
import { createWikiTokens } from "../../lib/auth/tokens.ts";

const PACKAGE = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";
const HERE = new URL(".", import.meta.url).pathname;
const RUNS = [
  { requirements: "2025-11-25", baseline: `${HERE}baseline.yml` },
  { requirements: "2026-07-28", baseline: `${HERE}baseline-2026-07-28.yml` },
];

Deno.test({
  name: "conformance suite: fixture-free scenarios pass, the rest match the baselines",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The socket is for the suite's CLI only, which cannot send an Authorization header: it adds the wiki token.
    let token = "";
    const f = await appFixture({
      serve: {
        through: (req, app) => {
          const headers = new Headers(req.headers);
          headers.set("authorization", `Bearer ${token}`);
          return app.fetch(new Request(req, { headers }));
        },
      },
      config: (port) => ({ publicOrigin: `http://localhost:${port}` }),
      wikis: [{ slug: "alice", ownerDid: "local:alice", actor: { id: "local:test", name: "test", client: "cli" } }],
    });
    const work = await Deno.makeTempDir({ prefix: "mcp-conformance-" });
    try {
      const { app, kv, port, wikis: { alice: wiki } } = f;
      token = (await createWikiTokens({ kv, keys: app.deps.keys }).create(wiki, { label: "conformance" })).token;
      const url = app.deps.urls.mcp("alice");

      // Without the proxy the endpoint refuses the suite's first request.
      const bare = await app.fetch(
        new Request(url, { method: "POST", body: "{}", headers: { host: `localhost:${port}` } }),
      );
      assertEquals(bare.status, 401);
      await bare.body?.cancel();

      for (const run of RUNS) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--no-lock",
            "--no-config",
            PACKAGE,
            "server",
            "--url",
            url,
            "--requirements",
            run.requirements,
            "--expected-failures",
            run.baseline,
            "-o",
            `${work}/results-${run.requirements}`,
          ],
          cwd: work,
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        if (!text.includes("SUMMARY") && /npm|fetch|registry|resolve|download/i.test(text)) {
          const msg = `conformance suite unavailable (${PACKAGE} could not be fetched):\n${text.slice(0, 800)}`;
          if (Deno.env.get("CI") === "true") throw new Error(msg);
          console.warn(`\n!!!!! SKIPPED: ${msg}\n!!!!! (this fails under CI=true)\n`);
          return;
        }
        const summary = text.slice(text.indexOf("=== SUMMARY ==="));
        assertEquals(out.code, 0, `conformance ${run.requirements} failed:\n${summary}`);
        assertIncludes(summary, "Baseline check passed");
        for (const must of ["tools-list", "dns-rebinding-protection", "resources-list", "prompts-list"]) {
          assertIncludes(summary, `✓ ${must}:`, `${run.requirements}: ${must} must pass`);
        }
        if (run.requirements === "2025-11-25") {
          for (const must of ["server-initialize", "ping"]) assertIncludes(summary, `✓ ${must}:`);
        } else {
          assertIncludes(summary, "✓ http-header-validation:");
        }
      }
    } finally {
      await f.close();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
