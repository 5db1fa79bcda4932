/**
 * @module
 * Typed imports of the v1 SDK (`@modelcontextprotocol/sdk` 1.32.2) for tests that play a 2025-era client: its deep
 * imports type as `any` under Deno without these `@ts-types` directives (deno-stack.md §4).
 */
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
export { StreamableHTTPClientTransport as V1Transport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/client/index"
export { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
