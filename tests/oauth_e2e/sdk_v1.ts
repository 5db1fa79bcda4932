/**
 * @module
 * Typed imports of the v1 MCP SDK (`@modelcontextprotocol/sdk` 1.32.2) client and its OAuth flow, for the
 * 2025-era `auth()` end-to-end test: its deep imports type as `any` under Deno without these `@ts-types` directives.
 */
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
export { StreamableHTTPClientTransport as V1Transport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/client/index"
export { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/auth"
export { auth as v1Auth, UnauthorizedError as V1UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
