/**
 * @module
 * JSON-RPC over HTTP, the MCP endpoint's vocabulary before the SDK runs: the error codes and error responses the
 * HTTP layer answers with, the 503 of an unavailable store, and reading a request body into JSON-RPC messages
 * (bounded by lib/net/body.ts; every refusal a 4xx JSON-RPC error, never a 500).
 */
import { KV_RETRY_AFTER_SECONDS } from "../kv/unavailable.ts";
import { BodyError, readJson } from "../net/body.ts";

/** JSON-RPC error codes used by the HTTP layer. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  unauthorized: -32001,
  forbidden: -32003,
} as const;

/** A JSON-RPC error response with an HTTP status (and extra headers). */
export function rpcError(status: number, code: number, message: string, headers: HeadersInit = {}): Response {
  const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } });
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  h.set("cache-control", "no-store");
  return new Response(body, { status, headers: h });
}

/**
 * The answer when the store is unavailable (lib/kv/unavailable.ts): HTTP 503 with `Retry-After` and a JSON-RPC
 * internal error (-32603) saying to retry, for the request `id` when there was exactly one.
 */
export function rpcUnavailable(id: string | number | null = null): Response {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id,
    error: { code: RPC.internalError, message: "Service temporarily unavailable, try again in a moment." },
  });
  return new Response(body, {
    status: 503,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "retry-after": String(KV_RETRY_AFTER_SECONDS),
    },
  });
}

/** One JSON-RPC 2.0 message (request, notification or response), as far as the HTTP layer looks into it. */
export interface RpcMessage {
  jsonrpc: "2.0";
  method?: string;
  params?: unknown;
}

/** A request body read as JSON-RPC: the parsed JSON (what the SDK gets) and its messages (one, or a batch). */
export interface RpcBody {
  parsed: unknown;
  messages: RpcMessage[];
}

/**
 * Reads `req`'s body (at most `max` bytes) as JSON-RPC messages, or the error answer: 413 over the limit, 400
 * "Parse error" for JSON that does not parse, 400 "Invalid Request" for JSON that is not JSON-RPC 2.0.
 */
export async function readRpcBody(req: Request, max: number): Promise<RpcBody | Response> {
  let parsed: unknown;
  try {
    parsed = await readJson(req, max);
  } catch (err) {
    if (!(err instanceof BodyError)) throw err;
    return err.reason === "too-large"
      ? rpcError(413, RPC.invalidRequest, `Request body too large: the limit is ${max} bytes.`)
      : rpcError(400, RPC.parseError, "Parse error: the request body is not valid JSON.");
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
    return rpcError(
      400,
      RPC.invalidRequest,
      'Invalid Request: expected a JSON-RPC 2.0 message ({"jsonrpc":"2.0", ...}).',
    );
  }
  return { parsed, messages };
}

function isJsonRpcMessage(m: unknown): m is RpcMessage {
  return typeof m === "object" && m !== null && !Array.isArray(m) && (m as RpcMessage).jsonrpc === "2.0" &&
    ((m as RpcMessage).method === undefined || typeof (m as RpcMessage).method === "string");
}

/** The id of a JSON-RPC message (null when it has none or an invalid one). */
export function rpcId(m: RpcMessage): string | number | null {
  const id = (m as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** The tool a message calls (`tools/call` with a string name), else undefined. */
export function calledTool(m: RpcMessage): string | undefined {
  if (m.method !== "tools/call") return undefined;
  const name = (m.params as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}
