/**
 * @module
 * The MCP server of one wiki for one request: the wiki tools the caller may call registered on a fresh McpServer
 * (lib/mcp/tool_access.ts decides which), bound to the caller's principal and the wiki's page store. Each call
 * checks the tool's scope again (a credential that can never have it gets an `isError` result saying why; the HTTP
 * layer already answered a 403 step-up challenge to one that could), takes a write from the rate limit for write
 * tools, and maps failures to `isError` results (an unavailable store also marks the context, so that the endpoint
 * answers a 503).
 */
import { McpServer, type StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Scope } from "../auth/principal.ts";
import { scopeCapability } from "../auth/access.ts";
import { lists, refusalOf } from "./tool_access.ts";
import { fail, toolError, type ToolText, unavailableResult } from "./errors.ts";
import { isKvFailure, KvUnavailableError } from "../kv/unavailable.ts";
import { takeWrite } from "./rate_limit.ts";
import type { ToolContext, WikiTool } from "./tool.ts";
import { READ_TOOLS } from "./tools_read.ts";
import { WRITE_TOOLS } from "./tools_write.ts";
import { ATTACHMENT_TOOLS } from "./tools_attachments.ts";
import { CONNECTOR_TOOLS } from "./tools_connectors.ts";
import { MEANING_TOOLS } from "./tools_meaning.ts";
import { registerPageResources } from "./resources.ts";
import { PROMPT_NAMES, registerPrompts } from "./prompts.ts";

/** Every tool, in the order clients list them. */
export const WIKI_TOOLS: readonly WikiTool[] = [
  ...READ_TOOLS,
  ...MEANING_TOOLS,
  ...WRITE_TOOLS,
  ...ATTACHMENT_TOOLS,
  ...CONNECTOR_TOOLS,
];

const SCOPE_BY_TOOL: ReadonlyMap<string, Scope> = new Map(WIKI_TOOLS.map((t) => [t.name, t.scope]));

/** JSON Schema dialect the SDK converts tool schemas to (its `JSON_SCHEMA_CONVERSION_TARGET`). */
const JSON_SCHEMA_TARGET = "draft-2020-12";

/**
 * A tool's input schema as the SDK takes it (a Standard Schema with JSON Schema): validation stays zod's, the JSON
 * Schema is converted once here. The SDK converts on every `tools/list` and for every tool, and a server lives for
 * one request, so without this each `tools/list` converted all the wiki's schemas again (~0.5 ms).
 */
export function precomputedSchema(schema: z.ZodObject): StandardSchemaWithJSON {
  const std = schema["~standard"];
  return withJsonSchema(schema, (value: unknown) => std.validate(value));
}

/**
 * A tool's output schema as the SDK takes it: the JSON Schema clients see (converted once, as
 * {@link precomputedSchema}), and a `validate` that takes the value as it is. The SDK validates every structured
 * result against the output schema again before sending it (~2-3% of a read_note's server CPU); our tools build
 * their structured content to their schema (lib/mcp/output.ts; `fitData` only shortens lists and texts), which
 * tests/mcp/structured_test.ts checks for every data tool and each form of its result, through both SDK clients
 * (which validate what they receive against the advertised schema).
 */
export function trustedOutputSchema(schema: z.ZodObject): StandardSchemaWithJSON {
  return withJsonSchema(schema, (value: unknown) => ({ value }));
}

/** `schema` with its JSON Schema converted once, and `validate`. */
function withJsonSchema(schema: z.ZodObject, validate: (value: unknown) => unknown): StandardSchemaWithJSON {
  const std = schema["~standard"];
  const input = deepFreeze(std.jsonSchema.input({ target: JSON_SCHEMA_TARGET }));
  const output = deepFreeze(std.jsonSchema.output({ target: JSON_SCHEMA_TARGET }));
  return {
    "~standard": {
      version: 1,
      vendor: std.vendor,
      validate: validate as StandardSchemaWithJSON["~standard"]["validate"],
      jsonSchema: { input: () => input, output: () => output },
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The input schema of a tool registered only to refuse it (a call by a credential that can never use it): any
 * arguments pass, so the caller learns why it may not call the tool rather than what its arguments lack.
 */
const ANY_ARGUMENTS = precomputedSchema(z.looseObject({}));

/**
 * Per tool, what registerTool gets: built once per process, shared by every per-request server. `refused` is its
 * registration for a caller who can never call it (never listed to them; see {@link createWikiServer}).
 */
const REGISTRATIONS = WIKI_TOOLS.map((t) => {
  const config = {
    title: t.title,
    description: t.description,
    inputSchema: precomputedSchema(t.input),
    ...(t.output ? { outputSchema: trustedOutputSchema(t.output) } : {}),
    annotations: Object.freeze({ title: t.title, ...t.annotations }),
  };
  return { tool: t, config, refused: { ...config, inputSchema: ANY_ARGUMENTS } };
});

/** The scope a tool needs, or undefined for an unknown tool name. */
export function toolScope(name: string): Scope | undefined {
  return SCOPE_BY_TOOL.get(name);
}

/** Server name and version announced to clients. */
export const SERVER_INFO = { name: "robot.wtf wiki", version: "0.1.0" } as const;

/** Instructions sent at initialization: how to use the wiki as memory. */
export const INSTRUCTIONS =
  "This is a wiki used as shared memory by people and agents. Start by reading Home (read_note) and " +
  "get_recent_changes. Read a page before changing it and pass its revision on writes; on a conflict, read it " +
  "again and retry. Prefer edit_note for small changes. Link new pages from Home or an index page. Do not " +
  "rename or delete pages unless asked. The page Agent Guide has the conventions.";

/** Runs one tool call for `ctx`: scope check (lib/mcp/tool_access.ts), write budget, the tool, error mapping. */
export async function callTool(t: WikiTool, args: unknown, ctx: ToolContext): Promise<ToolText> {
  const refusal = refusalOf(ctx.principal, t);
  if (refusal !== undefined) return fail(refusal);
  try {
    if (scopeCapability(t.scope) === "write") {
      const d = await takeWrite(ctx.kv, ctx.principal.subject, { limit: ctx.writesPerMinute });
      if (!d.ok && d.reason === "limit") {
        return fail(
          `Rate limited: too many writes this minute with this credential. Nothing was changed; retry in ` +
            `${d.retryAfterSeconds} seconds.`,
        );
      }
      // The limit could not be counted (KV failed): the write is refused, as every request is while KV is down
      // (a 503 with a JSON-RPC error, lib/kv/unavailable.ts).
      if (!d.ok) throw new KvUnavailableError(new Error("write limit not counted"));
    }
    return await t.run(args as never, ctx);
  } catch (err) {
    if (isKvFailure(err)) {
      // The endpoint answers the whole request with a JSON-RPC 503 (lib/mcp/endpoint.ts); the result is the
      // fallback for a client that still gets it.
      ctx.storeUnavailable = true;
      return unavailableResult();
    }
    return toolError(err);
  }
}

/** The tool context a request carries in its AuthInfo (set by lib/mcp/endpoint.ts), or undefined. */
export function toolContextOf(extra: unknown): ToolContext | undefined {
  const http = (extra as { http?: { authInfo?: { extra?: { toolContext?: unknown } } } } | undefined)?.http;
  return http?.authInfo?.extra?.toolContext as ToolContext | undefined;
}

/**
 * Builds an McpServer with the tools a credential holding `scopes` may call, bound to no request: each call takes
 * its ToolContext from the request's AuthInfo (`authInfo.extra.toolContext`), so one instance can serve one request
 * after another of callers with the same scopes (see lib/mcp/server_pool.ts). A call without that context is
 * refused; a call of a tool it does not have is not for it (lib/mcp/answer.ts sends those to a request's server).
 */
export function createSharedWikiServer(scopes: ReadonlySet<Scope>): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  for (const r of REGISTRATIONS) {
    if (!scopes.has(r.tool.scope)) continue;
    server.registerTool(r.tool.name, r.config, (args: unknown, extra: unknown) => {
      const ctx = toolContextOf(extra);
      if (!ctx) return fail("Internal error in the wiki service: the call carried no credentials. Try again.");
      return callTool(r.tool, args, ctx);
    });
  }
  registerPageResources(server, toolContextOf, PROMPT_NAMES);
  registerPrompts(server, toolContextOf);
  return server;
}

/**
 * Builds the McpServer of one request with the tools, page resources and prompts bound to `ctx`: the tools the caller
 * may call now (those `tools/list` shows) and the resources and prompts, or only `onlyTool` when the request is known
 * to be a call of that tool (a per-request server answers exactly one request, so registering the rest would be
 * wasted work on the hot path).
 *
 * A tool the caller may not call is registered only when the request calls it (`onlyTool`, or among `called` in a
 * batch), with any arguments accepted, so that the call is answered by a tool result saying why (callTool), not by
 * the SDK's "tool not found" error. (A 2025-03-26 batch that both calls such a tool and lists the tools would see it
 * listed in that one answer.)
 */
export function createWikiServer(ctx: ToolContext, onlyTool?: string, called: readonly string[] = []): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  for (const r of REGISTRATIONS) {
    const name = r.tool.name;
    if (onlyTool !== undefined && name !== onlyTool) continue;
    const listed = lists(ctx.principal, r.tool);
    if (!listed && onlyTool === undefined && !called.includes(name)) continue;
    server.registerTool(name, listed ? r.config : r.refused, (args: unknown) => callTool(r.tool, args, ctx));
  }
  if (onlyTool === undefined) {
    registerPageResources(server, () => ctx, PROMPT_NAMES);
    registerPrompts(server, () => ctx);
  }
  return server;
}
