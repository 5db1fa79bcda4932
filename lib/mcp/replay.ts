/**
 * @module
 * Replayed SDK answers for the two 2025-era requests whose result never varies: `initialize` (negotiated version,
 * capabilities, server info, instructions) and `tools/list` (every tool with its JSON Schema). A client opening a
 * stateless session sends both, and building all the tools' definitions is the costliest thing a per-request
 * server does. The SDK answers the first request of each kind; later identical ones (same method, same result
 * inputs, same headers the SDK validates, same wiki and scopes) get a copy of that answer with their own `id`.
 * So the SDK stays the protocol implementation: this only remembers what it said.
 *
 * Not replayed: batches, notifications, requests with `_meta` (progress tokens, 2026-era envelopes) or any
 * parameter the result could depend on (a `tools/list` cursor), and anything but a 200 JSON answer.
 */

/** Entries kept (distinct header combinations x wikis x scope sets); the oldest is dropped first. */
export const REPLAY_CACHE_SIZE = 256;

/** The request headers the SDK's legacy transport looks at before answering. */
const HEADERS = ["accept", "content-type", "mcp-protocol-version"] as const;

interface Replay {
  status: number;
  headers: [string, string][];
  /** The JSON-RPC answer without its id. */
  answer: Record<string, unknown>;
}

/** A bounded cache of replayable SDK answers. */
export class ReplayCache {
  readonly #entries = new Map<string, Replay>();
  readonly #max: number;

  constructor(max = REPLAY_CACHE_SIZE) {
    this.#max = max;
  }

  /**
   * The cache key of `message` when it is replayable, else null. `context` names what else the server's answer
   * is built from (the wiki and the caller's scopes).
   */
  keyFor(req: Request, message: unknown, context: string): string | null {
    if (typeof message !== "object" || message === null || Array.isArray(message)) return null;
    const m = message as { method?: unknown; id?: unknown; params?: unknown };
    if (m.id === undefined || m.id === null) return null;
    const params = m.params as Record<string, unknown> | undefined;
    if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params))) return null;
    let inputs: string;
    if (m.method === "initialize") {
      const keys = Object.keys(params ?? {});
      if (keys.some((k) => !["protocolVersion", "capabilities", "clientInfo"].includes(k))) return null;
      if (typeof params?.protocolVersion !== "string") return null;
      inputs = params.protocolVersion;
    } else if (m.method === "tools/list") {
      if (params !== undefined && Object.keys(params).length > 0) return null;
      inputs = "";
    } else {
      return null;
    }
    const headers = HEADERS.map((h) => req.headers.get(h) ?? "").join("\u0000");
    return `${m.method}\u0000${inputs}\u0000${headers}\u0000${context}`;
  }

  /** A replay of the answer stored under `key`, with `id`; null when none is stored. */
  replay(key: string, id: unknown): Response | null {
    const r = this.#entries.get(key);
    if (!r) return null;
    return new Response(JSON.stringify({ jsonrpc: "2.0", id, ...r.answer }), {
      status: r.status,
      headers: r.headers,
    });
  }

  /**
   * Remembers the SDK's answer `res` to the request `id` under `key` when it is a complete 200 JSON answer to
   * that request; returns a response with the same content for the client (the original's body is consumed).
   */
  async remember(key: string, id: unknown, res: Response): Promise<Response> {
    if (res.status !== 200 || !(res.headers.get("content-type") ?? "").startsWith("application/json")) return res;
    const text = await res.text();
    const out = new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return out;
    }
    const p = parsed as { jsonrpc?: unknown; id?: unknown; result?: unknown } | null;
    if (p === null || typeof p !== "object" || p.jsonrpc !== "2.0" || p.id !== id || p.result === undefined) {
      return out;
    }
    const { jsonrpc: _j, id: _i, ...answer } = p as Record<string, unknown>;
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { status: res.status, headers: [...res.headers], answer });
    return out;
  }

  /** Number of stored answers. */
  get size(): number {
    return this.#entries.size;
  }
}
