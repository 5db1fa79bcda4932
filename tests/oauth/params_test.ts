import { assertEquals } from "../assert.ts";
import { canonicalResource, redirectUriMatches, redirectUriProblem } from "../../lib/oauth/params.ts";
import { cacheTtl, metadataDocumentUrlProblem } from "../../lib/oauth/clients.ts";
import { DEFAULT_OAUTH_SETTINGS } from "../../lib/oauth/context.ts";

Deno.test("params - loopback redirect matching ignores only the port", () => {
  assertEquals(redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:9999/cb"), true);
  assertEquals(redirectUriMatches("http://[::1]:80/cb", "http://[::1]:1234/cb"), true);
  assertEquals(redirectUriMatches("http://localhost/cb", "http://localhost:1/cb"), true);
  assertEquals(redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:9999/cb2"), false);
  assertEquals(redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:9999/cb?x=1"), false);
  assertEquals(redirectUriMatches("http://127.0.0.1/cb", "https://127.0.0.1:9999/cb"), false);
  assertEquals(redirectUriMatches("http://127.0.0.1/cb", "http://user@127.0.0.1:9999/cb"), false);
  assertEquals(redirectUriMatches("https://a.example/cb", "https://a.example:444/cb"), false);
});

Deno.test("params - redirect URI rules", () => {
  assertEquals(redirectUriProblem("https://claude.ai/api/mcp/auth_callback"), null);
  assertEquals(redirectUriProblem("http://[::1]:3000/cb"), null);
  assertEquals(redirectUriProblem("vbscript:msgbox"), "redirect URI scheme vbscript: is not allowed; use https");
  assertEquals(
    redirectUriProblem("https://u:p@a.example/cb"),
    "redirect URI https://u:p@a.example/cb contains user info",
  );
  assertEquals(redirectUriProblem("/relative"), "redirect URI /relative is not an absolute URL");
});

Deno.test("params - canonical resource: case of scheme/host and trailing slash only", () => {
  assertEquals(canonicalResource("HTTPS://Alice.Robot.WTF/mcp/"), "https://alice.robot.wtf/mcp");
  assertEquals(canonicalResource("https://alice.robot.wtf:443/mcp"), "https://alice.robot.wtf/mcp");
  assertEquals(canonicalResource("https://alice.robot.wtf/MCP"), "https://alice.robot.wtf/MCP");
  assertEquals(canonicalResource("https://alice.robot.wtf/mcp#x"), null);
});

Deno.test("CIMD - cache lifetime clamps max-age into 5 min .. 24 h", () => {
  const ctx = { settings: DEFAULT_OAUTH_SETTINGS };
  assertEquals(cacheTtl(null, ctx), 300_000);
  assertEquals(cacheTtl("no-store", ctx), 300_000);
  assertEquals(cacheTtl("public, max-age=3600", ctx), 3_600_000);
  assertEquals(cacheTtl("max-age=31536000", ctx), 86_400_000);
});

Deno.test("CIMD - client_id URL shape", () => {
  assertEquals(metadataDocumentUrlProblem("https://claude.ai/oauth/mcp-oauth-client-metadata"), null);
  assertEquals(
    metadataDocumentUrlProblem("https://a.example/x/../y"),
    "it must be in canonical form (no dot segments, lowercase host, no default port)",
  );
  assertEquals(
    metadataDocumentUrlProblem("https://A.example/y"),
    "it must be in canonical form (no dot segments, lowercase host, no default port)",
  );
  assertEquals(metadataDocumentUrlProblem("https://a.example/y#f"), "it must not have a fragment");
  assertEquals(metadataDocumentUrlProblem("https://u@a.example/y"), "it must not contain user info");
});
