/**
 * @module
 * The MCP server of one wiki for one request: every wiki tool registered on a fresh McpServer, bound to the
 * caller's principal and the wiki's page store. Each call checks the tool's scope again (the HTTP layer already
 * refused missing scopes with a 403), takes a write from the rate limit for write tools, and maps failures to
 * `isError` results.
 */
import { McpServer } from "@modelcontextprotocol/server";
import type { Scope } from "../auth/principal.ts";
import { fail, toolError, type ToolText } from "./errors.ts";
import { takeWrite } from "./rate_limit.ts";
import type { ToolContext, WikiTool } from "./tool.ts";
import { READ_TOOLS } from "./tools_read.ts";
import { WRITE_TOOLS } from "./tools_write.ts";
import { ATTACHMENT_TOOLS } from "./tools_attachments.ts";

/** Every tool, in the order clients list them. */
export const WIKI_TOOLS: readonly WikiTool[] = [...READ_TOOLS, ...WRITE_TOOLS, ...ATTACHMENT_TOOLS];

const SCOPE_BY_TOOL: ReadonlyMap<string, Scope> = new Map(WIKI_TOOLS.map((t) => [t.name, t.scope]));

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

/** Runs one tool call for `ctx`: scope check, write budget, the tool, error mapping. */
export async function callTool(t: WikiTool, args: unknown, ctx: ToolContext): Promise<ToolText> {
  if (!ctx.principal.scopes.has(t.scope)) {
    return fail(
      `Not allowed: ${t.name} needs the ${t.scope} scope and this credential (${ctx.principal.clientName}) does ` +
        `not have it. Ask the wiki's owner for a read-write token.`,
    );
  }
  try {
    if (t.scope === "wiki:write") {
      const d = await takeWrite(ctx.kv, ctx.principal.subject, { limit: ctx.writesPerMinute });
      if (!d.ok) {
        return fail(
          `Rate limited: too many writes this minute with this credential. Nothing was changed; retry in ` +
            `${d.retryAfterSeconds} seconds.`,
        );
      }
    }
    return await t.run(args as never, ctx);
  } catch (err) {
    return toolError(err);
  }
}

/**
 * Builds the McpServer of one request with the tools bound to `ctx`: every tool, or only `onlyTool` when the
 * request is known to be a call of that tool (a per-request server answers exactly one request, so registering
 * the other 16 would be wasted work on the hot path).
 */
export function createWikiServer(ctx: ToolContext, onlyTool?: string): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  const tools = onlyTool === undefined ? WIKI_TOOLS : WIKI_TOOLS.filter((t) => t.name === onlyTool);
  for (const t of tools) {
    server.registerTool(t.name, {
      title: t.title,
      description: t.description,
      inputSchema: t.input,
      annotations: { title: t.title, ...t.annotations },
    }, (args: unknown) => callTool(t, args, ctx));
  }
  return server;
}
