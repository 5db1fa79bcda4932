/**
 * The MCP SDK's own OAuth client, v1 (`@modelcontextprotocol/sdk` 1.32.2 (the 2025-era SDK most shipped clients embed)), against a wiki: DCR and client ID metadata document
 * registration, consent approved in headless Chromium, tools/call, refresh, tools/call; path and subdomain mode, and
 * path mode with `PRIMARY_WIKI` against the origin root's `{origin}/mcp` (root metadata, /register, /authorize, /token).
 * The flow and its checks are in sdk_flow.ts.
 *
 * Needs /usr/bin/chromium: skipped loudly without it, FAILS under CI=true.
 */
import { sdkFlow } from "./sdk_flow.ts";

for (const mode of ["path", "subdomain"] as const) {
  for (const registration of ["dcr", "cimd"] as const) {
    Deno.test({
      name:
        `MCP SDK v1 auth(): ${registration.toUpperCase()} -> consent in Chromium -> tools/call -> refresh, ${mode} mode`,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: () => sdkFlow("v1", mode, registration),
    });
  }
}

Deno.test({
  name: "MCP SDK v1 auth(): DCR at {origin}/mcp (PRIMARY_WIKI) -> consent in Chromium -> tools/call -> refresh",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => sdkFlow("v1", "path", "dcr", { primaryWiki: true }),
});
