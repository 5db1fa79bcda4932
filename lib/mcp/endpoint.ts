/**
 * @module
 * The MCP endpoint of every wiki on web-standard Request/Response (framework-free; lib/mcp/fast_path.ts serves it
 * from the app's fetch handler). `handle` runs one path of small steps, cheapest first, each of which either lets
 * the request on or answers it:
 *
 * 1. `refuseMethod`: POST only (else 405).
 * 2. `refuseHost`: Host and Origin must be the wiki's (DNS rebinding; 403).
 * 3. `authenticateCaller`: the bearer token (401 with a challenge pointing at the protected-resource metadata; ONE
 *    KV round trip: the wiki's slug entry and the token record in one `getMany`).
 * 4. `readRpcBody` (lib/mcp/rpc.ts): body size and JSON (4xx JSON-RPC errors, never 500).
 * 5. `refuseScopes`: the scope of every tool called: 403 `insufficient_scope` before the SDK runs when the credential
 *    could get the scope by authorizing again (step-up); a credential that can never get it (a viewer, a read-only
 *    token) goes on, and the tool answers with an `isError` result saying why (lib/mcp/tool_access.ts).
 * 6. `answerFor`: the SDK answers (lib/mcp/answer.ts chooses how); a tool call that found the store unavailable
 *    turns the whole answer into a JSON-RPC 503 (`rpcUnavailable`), like a failure before the SDK.
 */
import { validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server";
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Limits } from "../config.ts";
import type { Urls } from "../urls.ts";
import type { Wikis } from "../wiki/wikis.ts";
import type { WikiRecord } from "../wiki/types.ts";
import type { Principal, Scope, Verifier } from "../auth/principal.ts";
import { scopeKey, SCOPES, scopeStanding } from "../auth/access.ts";
import { authenticate, bearerChallenge } from "../auth/authenticate.ts";
import { toolScope } from "./server.ts";
import type { ToolContext } from "./tool.ts";
import { createSdkAnswer } from "./answer.ts";
import { calledTool, readRpcBody, RPC, type RpcBody, rpcError, rpcId, type RpcMessage, rpcUnavailable } from "./rpc.ts";
import { oauthErrorResponse, UnknownWikiError } from "../oauth/errors.ts";

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

/** CORS headers of the public metadata documents (browser-based MCP clients fetch them). */
export const METADATA_CORS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
  "access-control-allow-headers": "authorization, mcp-protocol-version",
};

/** Who calls: the principal and the wiki it was authenticated for. */
interface Caller {
  principal: Principal;
  wiki: WikiRecord;
}

/** Builds the endpoint. */
export function createMcpEndpoint(deps: McpEndpointDeps): McpEndpoint {
  const maxBody = deps.limits.maxBodyBytes;
  const answer = createSdkAnswer(maxBody);
  const hostOf = wikiHosts(deps.urls);
  const allScopes = SCOPES.join(" ");

  /** A 401 or 403 JSON-RPC error with the RFC 6750 challenge of `slug`'s protected resource. */
  function challenge(
    slug: string,
    status: 401 | 403,
    kind: Parameters<typeof bearerChallenge>[1],
    scope: string,
    msg: string,
  ): Response {
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

  /** The caller behind the bearer token, or the 401 (404 when the wiki does not exist) that refuses it. */
  async function authenticateCaller(req: Request, slug: string): Promise<Caller | Response> {
    const auth = await authenticate(deps.kv, req, slug, deps.verifiers);
    if (auth.result.ok) return { principal: auth.result.principal, wiki: auth.wiki! };
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

  /**
   * The 403 `insufficient_scope` for the first request whose scope the caller lacks but could get by authorizing
   * again (a tool call, a resource or prompt request), else null. A tool whose scope the caller can never get is
   * explained by the tool's result instead; a resource or prompt request without the scope is refused all the same.
   */
  function refuseScopes(messages: RpcMessage[], principal: Principal, slug: string): Response | null {
    for (const m of messages) {
      const { name, needed } = scopeNeeded(m) ?? {};
      if (!needed) continue;
      const standing = scopeStanding(principal, needed);
      if (standing === "step-up" || (standing === "never" && calledTool(m) === undefined)) {
        return challenge(
          slug,
          403,
          "insufficient_scope",
          needed,
          `Insufficient scope: ${name} needs ${needed}; this credential has ` +
            `${[...principal.scopes].join(" ") || "no scopes"}.`,
        );
      }
    }
    return null;
  }

  /** The SDK's answer for `caller`, or a JSON-RPC 503 when a tool call found the store unavailable. */
  async function answerFor(req: Request, body: RpcBody, { principal, wiki }: Caller): Promise<Response> {
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
      extra: {
        toolContext,
        principal,
        onlyTool: singleToolCall(body.messages),
        calledTools: batchCalls(body.messages),
      },
    };
    // What tools/list shows depends on the scopes: a replayed answer is per wiki and scope set.
    const res = await answer(req, body, authInfo, `${wiki.id} ${scopeKey(principal.scopes)}`);
    if (!toolContext.storeUnavailable) return res;
    // A tool call found the store unavailable: the whole request is answered 503 so that the client retries.
    await res.body?.cancel().catch(() => {});
    return rpcUnavailable(body.messages.length === 1 ? rpcId(body.messages[0]) : null);
  }

  return {
    async handle(req, slug) {
      const refused = refuseMethod(req) ?? refuseHost(req, hostOf(slug));
      if (refused) return refused;
      const caller = await authenticateCaller(req, slug);
      if (caller instanceof Response) return caller;
      const body = await readRpcBody(req, maxBody);
      if (body instanceof Response) return body;
      return refuseScopes(body.messages, caller.principal, slug) ?? await answerFor(req, body, caller);
    },

    async metadata(slug) {
      const wiki = await deps.wikis.bySlug(slug);
      if (wiki === null) {
        const res = oauthErrorResponse(new UnknownWikiError(`No wiki called "${slug}".`));
        for (const [k, v] of Object.entries(METADATA_CORS)) res.headers.set(k, v);
        return res;
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

/** Requests other than tool calls that read the wiki's pages (lib/mcp/resources.ts, prompts.ts): they need wiki:read. */
const READ_METHODS: ReadonlySet<string> = new Set([
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "completion/complete",
]);

/** What `m` calls and the scope that needs: a tool's own; wiki:read for resources, completion and prompts. */
function scopeNeeded(m: RpcMessage): { name: string; needed: Scope } | undefined {
  const tool = calledTool(m);
  if (tool !== undefined) {
    const needed = toolScope(tool);
    return needed === undefined ? undefined : { name: tool, needed };
  }
  if (m.method !== undefined && READ_METHODS.has(m.method)) return { name: m.method, needed: "wiki:read" };
  return undefined;
}

/** The 405 for anything but POST (the endpoint is stateless: no GET stream, no DELETE of a session), else null. */
function refuseMethod(req: Request): Response | null {
  if (req.method === "POST") return null;
  return rpcError(405, RPC.invalidRequest, "Method not allowed: this MCP endpoint is stateless and takes POST only.", {
    allow: "POST",
  });
}

/** The 403 when the Host or Origin header names another host than the wiki's `wikiHost` (DNS rebinding), else null. */
function refuseHost(req: Request, wikiHost: string): Response | null {
  const host = validateHostHeader(req.headers.get("host") ?? new URL(req.url).host, [wikiHost]);
  if (!host.ok) return rpcError(403, RPC.forbidden, `Forbidden: ${host.message}`);
  const origin = validateOriginHeader(req.headers.get("origin"), [wikiHost]);
  if (!origin.ok) return rpcError(403, RPC.forbidden, `Forbidden: ${origin.message}`);
  return null;
}

/** slug -> the wiki's hostname (URL parsing showed up in profiles); bounded, oldest first out. */
function wikiHosts(urls: Urls): (slug: string) => string {
  const hosts = new Map<string, string>();
  return (slug) => {
    let h = hosts.get(slug);
    if (h === undefined) {
      h = new URL(urls.wikiOrigin(slug)).hostname;
      if (hosts.size >= 1000) hosts.delete(hosts.keys().next().value!);
      hosts.set(slug, h);
    }
    return h;
  };
}

/** The names of the known tools a batch calls (a server built for the batch registers them); none for one message. */
function batchCalls(messages: RpcMessage[]): string[] | undefined {
  if (messages.length < 2) return undefined;
  const out: string[] = [];
  for (const m of messages) {
    const name = calledTool(m);
    if (name !== undefined && toolScope(name) !== undefined) out.push(name);
  }
  return out;
}

/** The tool name when the request is exactly one `tools/call` of a known tool (the server then registers only it). */
function singleToolCall(messages: RpcMessage[]): string | undefined {
  if (messages.length !== 1) return undefined;
  const name = calledTool(messages[0]);
  return name !== undefined && toolScope(name) !== undefined ? name : undefined;
}
