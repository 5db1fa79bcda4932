/**
 * @module
 * Shared setup of the MCP tests: an app (path or subdomain mode) on in-memory KV, wikis `alice` and `bob`, tokens,
 * SDK clients (v2 2026-era and v1 2025-era) in-process through a custom fetch or over a real socket, and a KV
 * wrapper counting round trips.
 */
import type { App } from "../../main.ts";
import type { Config } from "../../lib/config.ts";
import { appFixture } from "../fixture/app.ts";
import { createWikiTokens, type WikiTokens } from "../../lib/auth/tokens.ts";
import type { WikiRecord } from "../../lib/wiki/types.ts";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { V1Client, V1Transport } from "./sdk_v1.ts";

/** Addressing mode under test. */
export type Mode = "path" | "subdomain";

/** A fetch-shaped function. */
export type FetchFn = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** A running test app with two wikis and three tokens. */
export interface McpFixture {
  app: App;
  kv: Deno.Kv;
  counter: KvCounter;
  alice: WikiRecord;
  bob: WikiRecord;
  tokens: WikiTokens;
  /** Read-write token of alice. */
  rw: string;
  /** Read-only token of alice. */
  ro: string;
  /** Read-write token of bob. */
  bobToken: string;
  /** MCP URL of a wiki. */
  mcpUrl(slug: string): string;
  /** In-process fetch into the app. */
  fetch: FetchFn;
  close(): Promise<void>;
}

/** Counts KV round trips: each get, getMany, list and atomic commit is one. */
export interface KvCounter {
  count: number;
  calls: string[];
  reset(): void;
}

/** Wraps a KV store so that every round trip is counted. */
export function countingKv(kv: Deno.Kv): { kv: Deno.Kv; counter: KvCounter } {
  const counter: KvCounter = {
    count: 0,
    calls: [],
    reset() {
      this.count = 0;
      this.calls = [];
    },
  };
  const hit = (name: string) => {
    counter.count++;
    counter.calls.push(name);
  };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getMany" || prop === "list") {
        return (...args: unknown[]) => {
          hit(String(prop));
          return value.apply(target, args);
        };
      }
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const opProxy: Deno.AtomicOperation = new Proxy(op, {
            get(t, p) {
              const v = Reflect.get(t, p, t);
              if (typeof v !== "function") return v;
              return (...a: unknown[]) => {
                if (p === "commit") hit("commit");
                const r = v.apply(t, a);
                return r === t ? opProxy : r;
              };
            },
          });
          return opProxy;
        };
      }
      return value.bind(target);
    },
  });
  return { kv: proxy, counter };
}

/** Builds the app in `mode` with wikis alice and bob and their tokens. */
export async function setupMcp(mode: Mode = "path", overrides: Partial<Config> = {}): Promise<McpFixture> {
  let counter: KvCounter | undefined;
  const actor = { id: "local:test", name: "test", client: "cli" };
  const f = await appFixture({
    addressing: mode,
    config: overrides,
    wrapKv: (real) => {
      const counted = countingKv(real);
      counter = counted.counter;
      return counted.kv;
    },
    wikis: [{ slug: "alice", ownerDid: "local:alice", actor }, { slug: "bob", ownerDid: "local:bob", actor }],
  });
  const { app, store: kv, wikis: { alice, bob } } = f;
  const tokens = createWikiTokens({ kv, keys: app.deps.keys });
  const rw = (await tokens.create(alice, { label: "laptop" })).token;
  const ro = (await tokens.create(alice, { label: "reader", readOnly: true })).token;
  const bobToken = (await tokens.create(bob, { label: "bob" })).token;
  const fetch: FetchFn = async (u, i) => await f.fetch(u, i);
  return {
    app,
    kv,
    counter: counter!,
    alice,
    bob,
    tokens,
    rw,
    ro,
    bobToken,
    mcpUrl: (slug) => app.deps.urls.mcp(slug),
    fetch,
    close: async () => {
      await f.close();
    },
  };
}

/** A connected client of either SDK generation, reduced to what the tests use. */
export interface TestClient {
  protocolVersion: string | undefined;
  listTools(): Promise<{ name: string; annotations?: Record<string, unknown> }[]>;
  call(name: string, args?: Record<string, unknown>): Promise<{ text: string; isError: boolean }>;
  close(): Promise<void>;
}

/** Connects a v2 (2026-era capable) or v1 (2025-era) SDK client to `url` with `token`, through `fetch`. */
export async function connect(
  gen: "v1" | "v2",
  url: string,
  token: string,
  fetch?: FetchFn,
): Promise<TestClient> {
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (gen === "v2") {
    const client = new Client({ name: "test-v2", version: "1.0.0" }, {
      versionNegotiation: { mode: { pin: "2026-07-28" } },
    });
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit, fetch });
    await client.connect(transport);
    return wrap(client, () => client.getNegotiatedProtocolVersion());
  }
  const client = new V1Client({ name: "test-v1", version: "1.0.0" });
  const transport = new V1Transport(new URL(url), { requestInit, fetch });
  await client.connect(transport);
  return wrap(client, () => transport.protocolVersion);
}

// deno-lint-ignore no-explicit-any
function wrap(client: any, version: () => string | undefined): TestClient {
  return {
    get protocolVersion() {
      return version();
    },
    async listTools() {
      return (await client.listTools()).tools;
    },
    async call(name, args = {}) {
      const r = await client.callTool({ name, arguments: args });
      const text = (r.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
      return { text, isError: r.isError === true };
    },
    close: () => client.close(),
  };
}

/** Serves the app on 127.0.0.1 with an ephemeral port; the config's public origin must be set before. */
export function serveOnSocket(
  handler: (req: Request) => Promise<Response>,
): { port: number; shutdown(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { port: server.addr.port, shutdown: () => server.shutdown() };
}

/** A raw JSON-RPC POST to the MCP endpoint. */
export async function rawPost(
  fetch: FetchFn,
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
  });
}
