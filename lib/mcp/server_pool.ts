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
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { createSharedWikiServer } from "./server.ts";

/** Idle servers kept (about the number of requests served at once by one process). */
export const SERVER_POOL_SIZE = 64;

/** True when `message` may be served by a pooled server: one request (it has an id), not `initialize`. */
export function poolable(message: unknown): boolean {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return false;
  const m = message as { id?: unknown; method?: unknown };
  return m.id !== undefined && m.id !== null && typeof m.method === "string" && m.method !== "initialize";
}

/** A pool of shared wiki servers. */
export class ServerPool {
  readonly #idle: McpServer[] = [];
  readonly #max: number;
  /** Servers created so far (tests and diagnostics). */
  created = 0;

  constructor(max = SERVER_POOL_SIZE) {
    this.#max = max;
  }

  /** An idle server, or a new one. It is not connected to any transport. */
  acquire(): McpServer {
    const s = this.#idle.pop();
    if (s) return s;
    this.created++;
    return createSharedWikiServer();
  }

  /** Closes `server` (resetting its protocol state) and keeps it for a later request, unless the pool is full. */
  async release(server: McpServer): Promise<void> {
    try {
      await server.close(); // ~7 µs: far less than building a server with every tool
    } catch {
      return; // a server that cannot be closed cleanly is not reused
    }
    if (this.#idle.length < this.#max) this.#idle.push(server);
  }

  /** Idle servers now. */
  get idle(): number {
    return this.#idle.length;
  }
}
