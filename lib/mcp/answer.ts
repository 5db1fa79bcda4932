/**
 * @module
 * How the SDK answers an authenticated, parsed MCP request (lib/mcp/endpoint.ts has done every check before). The
 * request's era decides, then the cheapest way that gives the SDK's answer:
 *
 * 1. 2026-07-28 requests: the SDK's `createMcpHandler` (`legacy: "reject"`) with a server built for the request.
 * 2. 2025-era requests (classified by the SDK's `isLegacyRequest`) go to the SDK's stateless
 *    `WebStandardStreamableHTTPServerTransport` with JSON answers: the user-land routing the SDK documents, chosen
 *    because its built-in legacy leg always answers SSE, which measured ~40% slower per request. On that leg, after
 *    params the SDK would misreport are refused (lib/mcp/params_check.ts):
 *    - a repeated `initialize` or `tools/list` gets the SDK's earlier answer again (lib/mcp/replay.ts);
 *    - a single request other than `initialize` is served by a pooled, request-independent server with the tools of
 *      the caller's scopes (lib/mcp/server_pool.ts);
 *    - anything else (`initialize`, batches, notifications, a call of a tool the caller may not call, answered with
 *      the reason) by a server built for the request.
 *
 * What `tools/list` shows depends on the caller's scopes (lib/mcp/tool_access.ts): the replayed answer is per scope
 * set (the `replayScope` names it), and so is each pooled server.
 *
 * The SDK gets the body parsed (`parsedBody`) and never reads the request's own body.
 */
import {
  createMcpHandler,
  isLegacyRequest,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { AuthInfo } from "@modelcontextprotocol/server";
import { createWikiServer, toolScope } from "./server.ts";
import { lists } from "./tool_access.ts";
import type { ToolContext } from "./tool.ts";
import { ReplayCache } from "./replay.ts";
import { poolable, ServerPool } from "./server_pool.ts";
import { invalidParamsAnswer } from "./params_check.ts";
import type { RpcBody } from "./rpc.ts";

/** SDK rejections caused by the client's request (answered 4xx): not worth a log line. */
const CLIENT_MISTAKE =
  /Rejected inbound request|Unsupported protocol version|Method not allowed|Parse error|Invalid Request|Unsupported Media Type|Not Acceptable/i;

/**
 * Answers `req` (its body already read as `body`) for the caller in `authInfo` (whose `extra` carries the
 * `toolContext`, the names of the tools the request calls, `calledTools`, and for a single tool call, `onlyTool`);
 * `replayScope` names what else a replayed answer depends on (the wiki and the caller's scopes).
 */
export type SdkAnswer = (req: Request, body: RpcBody, authInfo: AuthInfo, replayScope: string) => Promise<Response>;

/** Builds the answerer; `maxBody` is the endpoint's body limit (the SDK checks it again on its own paths). */
export function createSdkAnswer(maxBody: number): SdkAnswer {
  const modern = createMcpHandler((c) => requestServer(c.authInfo), {
    legacy: "reject",
    maxRequestBodySize: maxBody,
    onerror: (err) => {
      if (!CLIENT_MISTAKE.test(err.message)) console.error("mcp:", err.message);
    },
  });
  const replays = new ReplayCache();
  const pool = new ServerPool();

  /** The 2025-era leg: replayed, pooled, or a server of its own. */
  async function answerLegacy(req: Request, body: RpcBody, authInfo: AuthInfo, replayScope: string) {
    const invalid = invalidParamsAnswer(body.messages);
    if (invalid) return invalid;
    const replayKey = replays.keyFor(req, body.parsed, replayScope);
    const id = (body.parsed as { id?: unknown }).id;
    const replayed = replayKey === null ? null : replays.replay(replayKey, id);
    if (replayed) return replayed;
    const res = poolable(body.parsed) && !callsUnlistedTool(authInfo)
      ? await onPooledServer(req, body.parsed, authInfo)
      : await onRequestServer(req, body.parsed, authInfo);
    return replayKey === null ? res : await replays.remember(replayKey, id, res);
  }

  /** A JSON answer is complete when handleRequest returns: the server is idle again and goes back to the pool. */
  async function onPooledServer(req: Request, parsed: unknown, authInfo: AuthInfo): Promise<Response> {
    const server = pool.acquire(toolContextOf(authInfo).principal.scopes);
    const res = await handleOn(server, req, parsed, authInfo);
    await pool.release(server);
    return res;
  }

  /**
   * Not closed afterwards: a JSON answer is complete when returned and the instance holds no timers or streams;
   * closing builds a connection-closed error (stack capture) per request for nothing (~4% CPU).
   */
  async function onRequestServer(req: Request, parsed: unknown, authInfo: AuthInfo): Promise<Response> {
    return await handleOn(requestServer(authInfo), req, parsed, authInfo);
  }

  return async (req, body, authInfo, replayScope) => {
    if (await isLegacyRequest(req, body.parsed, { maxRequestBodySize: maxBody })) {
      return await answerLegacy(req, body, authInfo, replayScope);
    }
    return await modern.fetch(req, { parsedBody: body.parsed, authInfo });
  };
}

/** Connects `server` to a fresh stateless JSON transport and lets it answer the request. */
async function handleOn(server: McpServer, req: Request, parsed: unknown, authInfo: AuthInfo): Promise<Response> {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  return await transport.handleRequest(req, { parsedBody: parsed, authInfo });
}

/** The tool context the endpoint put in `authInfo` (a request without one is a bug: it throws). */
function toolContextOf(authInfo: AuthInfo | undefined): ToolContext {
  const ctx = authInfo?.extra?.toolContext as ToolContext | undefined;
  if (!ctx) throw new Error("MCP server built without an authenticated tool context");
  return ctx;
}

/** True when the request is a call of one tool that the caller may not call (pooled servers do not have it). */
function callsUnlistedTool(authInfo: AuthInfo): boolean {
  const only = authInfo.extra?.onlyTool as string | undefined;
  const scope = only === undefined ? undefined : toolScope(only);
  return scope !== undefined && !lists(toolContextOf(authInfo).principal, { name: only!, scope });
}

/**
 * A server built for one request, bound to its tool context (only `onlyTool` when the request calls just it; the
 * tools it calls among `calledTools`, listed or not, so that each call is answered by the tool).
 */
function requestServer(authInfo: AuthInfo | undefined): McpServer {
  const ctx = toolContextOf(authInfo);
  const extra = authInfo?.extra;
  return createWikiServer(ctx, extra?.onlyTool as string | undefined, extra?.calledTools as string[] | undefined);
}
