/**
 * @module
 * The MCP endpoint of every wiki on web-standard Request/Response (framework-free; routes/wiki/protocol.ts mounts
 * it). Order of checks, cheapest first: method (POST only, else 405), Host and Origin (DNS rebinding), bearer
 * token (401 with a challenge pointing at the protected-resource metadata; this read costs ONE KV round trip:
 * the wiki's slug entry and the token record in one `getMany`), body size and JSON (4xx JSON-RPC errors, never
 * 500), scope of the requested tool (403 `insufficient_scope` before the SDK runs), then the SDK with a fresh
 * server per request bound to the principal. 2026-07-28 requests go to `createMcpHandler` (`legacy: "reject"`);
 * 2025-era requests (classified by the SDK's `isLegacyRequest`) to the SDK's stateless
 * `WebStandardStreamableHTTPServerTransport` with JSON answers: the user-land routing the SDK documents, chosen
 * because its built-in legacy leg always answers SSE, which measured ~40% slower per request. On that leg a repeated
 * `initialize` or `tools/list` gets the SDK's earlier answer again (lib/mcp/replay.ts), and single requests other
 * than `initialize` are served by a pooled, request-independent server (lib/mcp/server_pool.ts). A tool call that
 * finds the store unavailable turns the whole answer into a JSON-RPC 503 (`rpcUnavailable`), like a failure before
 * the SDK (lib/mcp/fast_path.ts).
 */
import {
  createMcpHandler,
  isLegacyRequest,
  validateHostHeader,
  validateOriginHeader,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Limits } from "../config.ts";
import type { Urls } from "../urls.ts";
import type { Wikis } from "../wiki/wikis.ts";
import type { Principal, Verifier } from "../auth/principal.ts";
import { hasScope, SCOPES } from "../auth/access.ts";
import { authenticate, bearerChallenge } from "../auth/authenticate.ts";
import { createWikiServer, toolScope } from "./server.ts";
import type { ToolContext } from "./tool.ts";
import { ReplayCache } from "./replay.ts";
import { poolable, ServerPool } from "./server_pool.ts";
import { KV_RETRY_AFTER_SECONDS } from "../kv/unavailable.ts";
import { invalidParamsAnswer } from "./params_check.ts";

/** JSON-RPC error codes used by the HTTP layer. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  unauthorized: -32001,
  forbidden: -32003,
} as const;

/** SDK rejections caused by the client's request (answered 4xx): not worth a log line. */
const CLIENT_MISTAKE =
  /Rejected inbound request|Unsupported protocol version|Method not allowed|Parse error|Invalid Request|Unsupported Media Type|Not Acceptable/i;

/** What the endpoint needs. */
export interface McpEndpointDeps {
  kv: Deno.Kv;
  urls: Urls;
  wikis: Wikis;
  limits: Limits;
  /** The authentication chain (per-wiki tokens first; the OAuth issue appends its verifier). */
  verifiers: readonly Verifier[];
  /** Writes per minute per principal (default WRITES_PER_MINUTE). */
  writesPerMinute?: number;
}

/** The endpoint: `handle` serves `{wiki}/mcp`, `metadata` the RFC 9728 document. */
export interface McpEndpoint {
  handle(req: Request, slug: string): Promise<Response>;
  metadata(slug: string): Promise<Response>;
}

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

/** CORS headers of the public metadata documents (browser-based MCP clients fetch them). */
export const METADATA_CORS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
  "access-control-allow-headers": "authorization, mcp-protocol-version",
};

/** Builds the endpoint. */
export function createMcpEndpoint(deps: McpEndpointDeps): McpEndpoint {
  const maxBody = deps.limits.maxBodyBytes;
  const serverFor = (authInfo: AuthInfo | undefined) => {
    const ctx = authInfo?.extra?.toolContext as ToolContext | undefined;
    if (!ctx) throw new Error("MCP server built without an authenticated tool context");
    return createWikiServer(ctx, authInfo?.extra?.onlyTool as string | undefined);
  };
  const modern = createMcpHandler((c) => serverFor(c.authInfo), {
    legacy: "reject",
    maxRequestBodySize: maxBody,
    onerror: (err) => {
      if (!CLIENT_MISTAKE.test(err.message)) console.error("mcp:", err.message);
    },
  });

  function challenge(
    slug: string,
    status: 401 | 403,
    kind: Parameters<typeof bearerChallenge>[1],
    scope: string,
    msg: string,
  ) {
    const www = bearerChallenge(
      deps.urls.protectedResourceMetadata(slug),
      kind,
      scope,
      kind === "missing" ? undefined : msg,
    );
    return rpcError(status, status === 401 ? RPC.unauthorized : RPC.forbidden, msg, {
      "www-authenticate": www,
      "access-control-expose-headers": "WWW-Authenticate",
    });
  }

  // initialize and tools/list answers of the SDK, replayed for identical later requests (lib/mcp/replay.ts).
  const replays = new ReplayCache();
  // Request-independent servers for single 2025-era requests (lib/mcp/server_pool.ts).
  const pool = new ServerPool();

  // slug -> the wiki's hostname (URL parsing showed up in profiles); bounded, oldest first out.
  const hosts = new Map<string, string>();
  const hostOf = (slug: string): string => {
    let h = hosts.get(slug);
    if (h === undefined) {
      h = new URL(deps.urls.wikiOrigin(slug)).hostname;
      if (hosts.size >= 1000) hosts.delete(hosts.keys().next().value!);
      hosts.set(slug, h);
    }
    return h;
  };

  /**
   * The SDK's answer to an authenticated, parsed request. The body was read by `handle`; the SDK gets it parsed
   * (`parsedBody`) and never reads the request's own body.
   */
  async function sdkAnswer(req: Request, parsed: unknown, authInfo: AuthInfo, wikiId: string): Promise<Response> {
    if (await isLegacyRequest(req, parsed, { maxRequestBodySize: maxBody })) {
      const invalid = invalidParamsAnswer(Array.isArray(parsed) ? parsed : [parsed]);
      if (invalid) return invalid;
      const replayKey = replays.keyFor(req, parsed, `${wikiId} ${authInfo.scopes.join(" ")}`);
      const id = (parsed as { id?: unknown }).id;
      const replayed = replayKey === null ? null : replays.replay(replayKey, id);
      if (replayed) return replayed;
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      if (poolable(parsed)) {
        // A JSON answer is complete when handleRequest returns: the server is idle again and goes back.
        const server = pool.acquire();
        await server.connect(transport);
        const res = await transport.handleRequest(req, { parsedBody: parsed, authInfo });
        await pool.release(server);
        return replayKey === null ? res : await replays.remember(replayKey, id, res);
      }
      const server = serverFor(authInfo);
      await server.connect(transport);
      // Not closed afterwards: a JSON answer is complete when returned and the instance holds no timers or
      // streams; closing builds a connection-closed error (stack capture) per request for nothing (~4% CPU).
      const res = await transport.handleRequest(req, { parsedBody: parsed, authInfo });
      return replayKey === null ? res : await replays.remember(replayKey, id, res);
    }
    return await modern.fetch(req, { parsedBody: parsed, authInfo });
  }

  return {
    async handle(req, slug) {
      if (req.method !== "POST") {
        return rpcError(
          405,
          RPC.invalidRequest,
          "Method not allowed: this MCP endpoint is stateless and takes POST only.",
          {
            allow: "POST",
          },
        );
      }
      const wikiHost = hostOf(slug);
      const host = validateHostHeader(req.headers.get("host") ?? new URL(req.url).host, [wikiHost]);
      if (!host.ok) return rpcError(403, RPC.forbidden, `Forbidden: ${host.message}`);
      const origin = validateOriginHeader(req.headers.get("origin"), [wikiHost]);
      if (!origin.ok) return rpcError(403, RPC.forbidden, `Forbidden: ${origin.message}`);

      const auth = await authenticate(deps.kv, req, slug, deps.verifiers);
      const allScopes = SCOPES.join(" ");
      if (!auth.result.ok) {
        if (auth.result.failure.kind === "missing") {
          return challenge(
            slug,
            401,
            "missing",
            allScopes,
            "Authentication required: send Authorization: Bearer <token> with a token of this wiki.",
          );
        }
        if (auth.wiki === null) return rpcError(404, RPC.invalidRequest, `No wiki called "${slug}" exists.`);
        return challenge(slug, 401, "invalid_token", allScopes, `Invalid token: ${auth.result.failure.description}`);
      }
      const principal = auth.result.principal;
      const wiki = auth.wiki!;

      const body = await readBody(req, maxBody);
      if (body === null) {
        return rpcError(413, RPC.invalidRequest, `Request body too large: the limit is ${maxBody} bytes.`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return rpcError(400, RPC.parseError, "Parse error: the request body is not valid JSON.");
      }
      const messages = Array.isArray(parsed) ? parsed : [parsed];
      if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
        return rpcError(
          400,
          RPC.invalidRequest,
          'Invalid Request: expected a JSON-RPC 2.0 message ({"jsonrpc":"2.0", ...}).',
        );
      }
      for (const m of messages) {
        const needed = requiredScope(m);
        if (needed && !hasScope(principal.scopes, needed)) {
          return challenge(
            slug,
            403,
            "insufficient_scope",
            needed,
            `Insufficient scope: ${(m.params as { name: string }).name} needs ${needed}; this credential has ` +
              `${[...principal.scopes].join(" ") || "no scopes"}.`,
          );
        }
      }

      const toolContext: ToolContext = {
        principal,
        wiki,
        pages: deps.wikis.pages(wiki),
        limits: deps.limits,
        kv: deps.kv,
        urls: deps.urls,
        writesPerMinute: deps.writesPerMinute,
      };
      const authInfo: AuthInfo = {
        token: "",
        clientId: principal.clientId ?? principal.subject,
        scopes: [...principal.scopes],
        extra: { toolContext, principal: principal as Principal, onlyTool: singleToolCall(messages) },
      };
      const res = await sdkAnswer(req, parsed, authInfo, wiki.id);
      if (!toolContext.storeUnavailable) return res;
      // A tool call found the store unavailable: the whole request is answered 503 so that the client retries.
      await res.body?.cancel().catch(() => {});
      return rpcUnavailable(messages.length === 1 ? rpcId(messages[0]) : null);
    },

    async metadata(slug) {
      const wiki = await deps.wikis.bySlug(slug);
      if (wiki === null) {
        return new Response(JSON.stringify({ error: "not_found", error_description: `No wiki called "${slug}".` }), {
          status: 404,
          headers: { "content-type": "application/json", ...METADATA_CORS },
        });
      }
      const doc = {
        resource: deps.urls.mcp(slug),
        authorization_servers: [deps.urls.issuer(slug)],
        scopes_supported: [...SCOPES],
        bearer_methods_supported: ["header"],
        resource_name: `${wiki.title} (robot.wtf wiki)`,
      };
      return new Response(JSON.stringify(doc), {
        headers: { "content-type": "application/json", "cache-control": "public, max-age=300", ...METADATA_CORS },
      });
    },
  };
}

interface RpcMessage {
  jsonrpc: "2.0";
  method?: string;
  params?: unknown;
}

function isJsonRpcMessage(m: unknown): m is RpcMessage {
  return typeof m === "object" && m !== null && !Array.isArray(m) && (m as RpcMessage).jsonrpc === "2.0" &&
    ((m as RpcMessage).method === undefined || typeof (m as RpcMessage).method === "string");
}

function requiredScope(m: RpcMessage) {
  if (m.method !== "tools/call") return undefined;
  const name = (m.params as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? toolScope(name) : undefined;
}

/** The id of a JSON-RPC message (null when it has none or an invalid one). */
function rpcId(m: RpcMessage): string | number | null {
  const id = (m as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** The tool name when the request is exactly one `tools/call` of a known tool (the server then registers only it). */
function singleToolCall(messages: RpcMessage[]): string | undefined {
  if (messages.length !== 1 || messages[0].method !== "tools/call") return undefined;
  const name = (messages[0].params as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && toolScope(name) !== undefined ? name : undefined;
}

/**
 * Reads a body as text, refusing (null) once it exceeds `max` bytes, whether or not Content-Length says so: a
 * declared length over the limit is refused before reading, and a body without one is read as a stream and
 * cancelled as soon as it passes the limit (never buffered whole).
 */
async function readBody(req: Request, max: number): Promise<string | null> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await req.body?.cancel().catch(() => {});
    return null;
  }
  if (!req.body) return "";
  if (Number.isFinite(declared)) {
    // On the wire the declared length frames the body (at most `max` bytes here); the byte check guards in-process
    // callers whose header understates the body.
    const bytes = await req.bytes();
    return bytes.byteLength > max ? null : UTF8.decode(bytes);
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return UTF8.decode(all);
}

const UTF8 = new TextDecoder();
