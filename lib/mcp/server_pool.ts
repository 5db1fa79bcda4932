/**
 * @module
 * A pool of idle request-independent wiki servers (`createSharedWikiServer`), so that the 2025-era hot path does
 * not build an McpServer and register every tool per request: building one allocates enough to make garbage
 * collection the largest single CPU cost of a `tools/call` (measured: fresh server + transport + connect + call
 * ~90 µs CPU, pooled ~50 µs). Reuse follows the SDK's own rule: a server serves one transport at a time, and is
 * closed (`close()`, which resets its protocol state) before it connects to the next one.
 *
 * Only single JSON-RPC requests other than `initialize` are served from the pool (`initialize` records the
 * client's identity and capabilities on the server; notifications are still being handled when their 202 is
 * returned). A server whose request failed in the transport is dropped, not reused.
 *
 * A server has the tools of one scope set (what `tools/list` shows a caller holding those scopes), so idle servers
 * are kept per scope set: a server built for a read-only caller never serves a read-write one, nor the reverse.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import type { Scope } from "../auth/principal.ts";
import { scopeKey } from "../auth/access.ts";
import { createSharedWikiServer } from "./server.ts";

/** Idle servers kept per scope set (about the number of requests served at once by one process). */
export const SERVER_POOL_SIZE = 64;

/** True when `message` may be served by a pooled server: one request (it has an id), not `initialize`. */
export function poolable(message: unknown): boolean {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return false;
  const m = message as { id?: unknown; method?: unknown };
  return m.id !== undefined && m.id !== null && typeof m.method === "string" && m.method !== "initialize";
}

/** A pool of shared wiki servers, per scope set. */
export class ServerPool {
  /** Idle servers by scope set (lib/auth/access.ts `scopeKey`); at most four sets exist. */
  readonly #idle = new Map<string, McpServer[]>();
  /** The scope set each server was built for, to put it back in the right place. */
  readonly #keyOf = new WeakMap<McpServer, string>();
  readonly #max: number;
  /** Servers created so far (tests and diagnostics). */
  created = 0;

  constructor(max = SERVER_POOL_SIZE) {
    this.#max = max;
  }

  /** An idle server with the tools of `scopes`, or a new one. It is not connected to any transport. */
  acquire(scopes: ReadonlySet<Scope>): McpServer {
    const key = scopeKey(scopes);
    const s = this.#idle.get(key)?.pop();
    if (s) return s;
    this.created++;
    const server = createSharedWikiServer(scopes);
    this.#keyOf.set(server, key);
    return server;
  }

  /** Closes `server` (resetting its protocol state) and keeps it for a later request, unless the pool is full. */
  async release(server: McpServer): Promise<void> {
    try {
      await server.close(); // ~7 µs: far less than building a server with every tool
    } catch {
      return; // a server that cannot be closed cleanly is not reused
    }
    const key = this.#keyOf.get(server);
    if (key === undefined) return; // not one of this pool's
    let idle = this.#idle.get(key);
    if (!idle) this.#idle.set(key, idle = []);
    if (idle.length < this.#max) idle.push(server);
  }

  /** Idle servers now, all scope sets. */
  get idle(): number {
    let n = 0;
    for (const servers of this.#idle.values()) n += servers.length;
    return n;
  }
}
