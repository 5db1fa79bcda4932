/**
 * The MCP SDK's own OAuth client, v2 (`@modelcontextprotocol/client` 2.4.0), against a wiki: DCR and client ID metadata document
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
        `MCP SDK v2 auth(): ${registration.toUpperCase()} -> consent in Chromium -> tools/call -> refresh, ${mode} mode`,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: () => sdkFlow("v2", mode, registration),
    });
  }
}

for (const registration of ["dcr", "cimd"] as const) {
  Deno.test({
    name:
      `MCP SDK v2 auth(): ${registration.toUpperCase()} at {origin}/mcp (PRIMARY_WIKI) -> consent -> tools/call -> refresh`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => sdkFlow("v2", "path", registration, { primaryWiki: true }),
  });
}

Deno.test({
  name: "MCP SDK v2 auth(): DCR -> consent in Chromium -> tools/call -> refresh, subdomain mode over TLS",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => sdkFlow("v2", "subdomain", "dcr", { tls: true }),
});
