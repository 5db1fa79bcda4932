/**
 * @module
 * SDK clients of both generations (v2 2026-era, v1 1.32.2 2025-era) with their whole API, for the tests of
 * structured tool output, resources, completion and prompts (tests/mcp/helpers.ts `connect` reduces results to text).
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { V1Client, V1Transport } from "./sdk_v1.ts";
import type { FetchFn } from "./helpers.ts";

/** The client calls the tests use, the same for both generations. */
export interface RawClient {
  gen: "v1" | "v2";
  // deno-lint-ignore no-explicit-any
  client: any;
  close(): Promise<void>;
}

/** Connects a client of generation `gen` to `url` with the bearer `token`, through `fetch`. */
export async function rawClient(gen: "v1" | "v2", url: string, token: string, fetch: FetchFn): Promise<RawClient> {
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (gen === "v2") {
    const client = new Client({ name: "raw-v2", version: "1.0.0" }, {
      versionNegotiation: { mode: { pin: "2026-07-28" } },
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit, fetch }));
    return { gen, client, close: () => client.close() };
  }
  const client = new V1Client({ name: "raw-v1", version: "1.0.0" });
  await client.connect(new V1Transport(new URL(url), { requestInit, fetch }));
  return { gen, client, close: () => client.close() };
}

/** The text of a result's content items, joined by newlines. */
export function textOf(r: { content?: unknown }): string {
  return (r.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
}
