/**
 * @module
 * The shape of a wiki tool: name, required scope, description and annotations for the model, an input schema,
 * and a `run` that adapts one wiki core call to plain text. lib/mcp/server.ts registers them on an McpServer.
 */
import type { z } from "zod";
import type { Limits } from "../config.ts";
import type { Principal, Scope } from "../auth/principal.ts";
import type { PageStore } from "../wiki/store.ts";
import type { Actor, WikiRecord } from "../wiki/types.ts";
import { oauthConnection } from "../wiki/connections.ts";
import type { Urls } from "../urls.ts";
import type { ToolText } from "./errors.ts";
import { guardBudget, resultBudget } from "./budget.ts";
import { fitData } from "./output.ts";

/** Everything a tool call may use: who calls, the wiki's page store, limits, and KV for the rate limit. */
export interface ToolContext {
  principal: Principal;
  wiki: WikiRecord;
  pages: PageStore;
  limits: Limits;
  kv: Deno.Kv;
  /** URLs of this deployment: the page links of the search and fetch tools. */
  urls: Urls;
  /** Writes per minute per principal (default lib/mcp/rate_limit.ts WRITES_PER_MINUTE). */
  writesPerMinute?: number;
  /** Set by a tool call that failed because the store is unavailable: the request is then answered with a 503. */
  storeUnavailable?: boolean;
}

/** MCP tool annotations (hints for the client and model). */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** A wiki tool. */
export interface WikiTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** `wiki:read` tools only read; `wiki:write` tools create a revision (and count against the rate limit). */
  scope: Scope;
  description: string;
  annotations: ToolHints;
  input: S;
  /**
   * The schema of the result's `structuredContent` (lib/mcp/output.ts), for tools that return data: every result
   * that is not `isError` must then carry structured content valid against it.
   */
  output?: z.ZodObject;
  run(args: z.infer<S>, ctx: ToolContext): Promise<ToolText>;
  /**
   * What a result cut by the budget guard tells the caller to do (a tool that pages its own results never gets
   * cut; this is for those whose results are normally small). Default: DEFAULT_CUT_HINT.
   */
  cutHint?: string;
}

/** The advice of a result cut by the budget guard when its tool gives none. */
export const DEFAULT_CUT_HINT = "Ask for less: narrow the request (a path prefix, a section, a query).";

/**
 * Declares a tool (keeps the argument type of `run` tied to its schema). Its results are held to the result budget
 * (lib/mcp/budget.ts `guardBudget`): a result over it is cut with a note and the tool's `cutHint`; structured content
 * over it is shortened and marked `truncated` (lib/mcp/output.ts `fitData`).
 */
export function tool<S extends z.ZodObject>(def: WikiTool<S>): WikiTool {
  const run = def.run;
  const hint = def.cutHint ?? DEFAULT_CUT_HINT;
  const guarded: WikiTool<S> = {
    ...def,
    run: async (args, ctx) => {
      const budget = resultBudget(ctx.limits);
      const r = guardBudget(await run(args, ctx), budget, hint);
      const data = r.structuredContent as Record<string, unknown> | undefined;
      return data === undefined ? r : { ...r, structuredContent: fitData(data, budget) };
    },
  };
  return guarded as unknown as WikiTool;
}

/** The actor recorded on a write made through MCP, with the connection (OAuth grant or token) that made it. */
export function actorOf(p: Principal): Actor {
  const connection = p.via === "oauth" && p.grantId !== undefined ? oauthConnection(p.grantId) : p.subject;
  return { id: p.subject, name: p.clientName, client: `mcp:${p.clientName}`, connection };
}

/** Hints of a read-only tool. */
export const READ: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
