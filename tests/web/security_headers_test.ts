/**
 * The one security-header policy (lib/web/security_headers.ts): pages (Hono, routes/_middleware/security.ts) and
 * `/mcp` (lib/mcp/fast_path.ts) carry the same headers but the CSP (a nonce'd page policy, a deny-all protocol
 * policy), HSTS only over https; a handler's own CSP and Referrer-Policy are kept, responses with immutable headers
 * are copied.
 */
import { assertEquals, assertOk } from "../assert.ts";
import { rawPost, setupMcp } from "../mcp/helpers.ts";
import {
  contentSecurityPolicy,
  PROTOCOL_CSP,
  securityHeaderSet,
  withSecurityHeaders,
} from "../../lib/web/security_headers.ts";

Deno.test("security headers: pages and /mcp share one policy; only the CSP differs", async () => {
  for (const https of [false, true]) {
    const f = await setupMcp("path", { publicOrigin: `${https ? "https" : "http"}://localhost:8000` });
    try {
      const page = await f.fetch(f.app.deps.urls.wikiBase("alice") + "/");
      await page.body?.cancel();
      const mcp = await rawPost(f.fetch, f.mcpUrl("alice"), "{}", { authorization: `Bearer ${f.rw}` });
      await mcp.body?.cancel();
      for (const [name, value] of securityHeaderSet("unused", https)) {
        if (name === "content-security-policy") continue;
        assertEquals(page.headers.get(name), value, `page ${name} (https ${https})`);
        assertEquals(mcp.headers.get(name), value, `/mcp ${name} (https ${https})`);
      }
      assertEquals(page.headers.has("strict-transport-security"), https);
      assertEquals(mcp.headers.get("content-security-policy"), PROTOCOL_CSP);
      const nonce = page.headers.get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
      assertOk(nonce, "the page CSP carries a nonce");
      assertEquals(page.headers.get("content-security-policy"), contentSecurityPolicy(nonce));
    } finally {
      await f.close();
    }
  }
});

Deno.test("security headers: a handler's CSP and Referrer-Policy are kept; the others always set", () => {
  const res = new Response("x", {
    headers: {
      "content-security-policy": "sandbox",
      "referrer-policy": "no-referrer",
      "x-frame-options": "SAMEORIGIN",
    },
  });
  const out = withSecurityHeaders(res, securityHeaderSet(PROTOCOL_CSP, false));
  assertOk(out === res, "mutable headers are set in place");
  assertEquals(out.headers.get("content-security-policy"), "sandbox");
  assertEquals(out.headers.get("referrer-policy"), "no-referrer");
  assertEquals(out.headers.get("x-frame-options"), "DENY");
  assertEquals(out.headers.get("x-content-type-options"), "nosniff");
});

Deno.test("security headers: a response with immutable headers is copied, status and location kept", () => {
  const res = Response.redirect("http://localhost:8000/elsewhere", 302);
  const out = withSecurityHeaders(res, securityHeaderSet(PROTOCOL_CSP, true));
  assertOk(out !== res);
  assertEquals(out.status, 302);
  assertEquals(out.headers.get("location"), "http://localhost:8000/elsewhere");
  assertEquals(out.headers.get("content-security-policy"), PROTOCOL_CSP);
  assertOk(out.headers.get("strict-transport-security")?.startsWith("max-age="));
});
