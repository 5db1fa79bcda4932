/**
 * @module
 * The wiki's pages as MCP resources, for clients that browse resources (Claude Code's `@` mentions): one resource
 * template `wiki://page/{+path}` (the page path, `/` kept, other characters percent-encoded), a listing of every page
 * in parts by cursor (`resources/list`), `resources/read` of a page as markdown (cut to the result budget with a note
 * saying how to read the rest with read_note), and completion of page paths (`completion/complete`, for the
 * template's `path` and the prompts' `page` argument). Claude.ai shows only tools, so nothing depends on these: every
 * page is also reached with read_note and list_notes.
 *
 * The SDK's own `resources/list` handler passes no cursor and its completion callbacks no request context, so those
 * two handlers are set here on the underlying Server; `resources/read` goes through the SDK's template matching.
 * Each handler takes the request's ToolContext with `contextOf` (bound for a per-request server, from the AuthInfo
 * for a pooled one).
 */
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
} from "@modelcontextprotocol/server";
import { WikiError } from "../errors.ts";
import { isKvFailure } from "../kv/unavailable.ts";
import { capText, resultBudget } from "./budget.ts";
import { makeCursor, readCursor } from "./cursor.ts";
import type { ToolContext } from "./tool.ts";
import type { PageMeta } from "../wiki/types.ts";

/** The URI template of a page. */
export const PAGE_URI_TEMPLATE = "wiki://page/{+path}";

/** Resources per `resources/list` part. */
export const RESOURCES_PER_LIST = 100;

/** Most values a completion answers with (the spec's limit). */
export const MAX_COMPLETIONS = 100;

/** How a handler finds the request's tool context in the SDK's handler context. */
export type ContextOf = (extra: unknown) => ToolContext | undefined;

/** The resource URI of the page at `path`. */
export function pageUri(path: string): string {
  return "wiki://page/" + path.split("/").map(encodeURIComponent).join("/");
}

/** The tool context of a request, or the JSON-RPC error a request without credentials gets. */
export function requireContext(contextOf: ContextOf, extra: unknown): ToolContext {
  const ctx = contextOf(extra);
  if (!ctx) throw new ProtocolError(ProtocolErrorCode.InternalError, "The request carried no credentials.");
  return ctx;
}

/**
 * Runs `fn` for a resource or prompt handler of `ctx`: a store failure marks the context (the endpoint answers
 * 503), a wiki error becomes `invalid params` with its message (`notFound` for a missing page, when given), and any
 * other failure a generic internal error (logged; never a stack trace).
 */
export async function guarded<T>(ctx: ToolContext, fn: () => Promise<T>, notFound?: () => Error): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isKvFailure(err)) {
      ctx.storeUnavailable = true;
      throw new ProtocolError(ProtocolErrorCode.InternalError, "The wiki's storage is temporarily unavailable.");
    }
    if (err instanceof ProtocolError) throw err;
    if (err instanceof WikiError) {
      if (err.code === "not_found" && notFound) throw notFound();
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, err.message);
    }
    console.error("mcp resource or prompt failed:", err);
    throw new ProtocolError(ProtocolErrorCode.InternalError, "Internal error in the wiki service; try again.");
  }
}

/** Page paths starting with `prefix` (case-insensitive; `_` stands for a space), in path order. */
export async function completePaths(ctx: ToolContext, prefix: string): Promise<string[]> {
  const want = prefix.replaceAll("_", " ").toLowerCase();
  const pages = await guarded(ctx, () => ctx.pages.list());
  return pages.map((p) => p.path).filter((p) => p.toLowerCase().startsWith(want));
}

/** The `completion/complete` result for `values`. */
function completion(values: string[]) {
  return {
    completion: {
      values: values.slice(0, MAX_COMPLETIONS),
      total: values.length,
      hasMore: values.length > MAX_COMPLETIONS,
    },
  };
}

/** The `resources/list` entry of a page. */
function pageResource(p: PageMeta) {
  return { uri: pageUri(p.path), name: p.path, title: p.title, mimeType: "text/markdown", size: p.bytes };
}

/**
 * Registers the page resources and path completion on `server` (before it connects). `prompts` names the server's
 * prompts: a prompt argument called `page` completes to page paths.
 */
export function registerPageResources(server: McpServer, contextOf: ContextOf, prompts: readonly string[]): void {
  // Pages come and go, but this stateless server never notifies; nothing can be subscribed to.
  server.server.registerCapabilities({ completions: {}, resources: { listChanged: false } });
  server.registerResource(
    "page",
    new ResourceTemplate(PAGE_URI_TEMPLATE, { list: undefined }),
    {
      title: "Wiki page",
      description: "A page of this wiki as markdown (frontmatter included). The path keeps its slashes, e.g. " +
        "wiki://page/Design/Auth. A page longer than the result budget is cut; read_note reads it in parts.",
      mimeType: "text/markdown",
    },
    async (uri, variables, extra) => {
      const ctx = requireContext(contextOf, extra);
      const raw = Array.isArray(variables.path) ? variables.path.join(",") : variables.path ?? "";
      let path: string;
      try {
        path = decodeURIComponent(raw);
      } catch {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid page URI: ${uri.href}`);
      }
      const page = await guarded(ctx, () => ctx.pages.read(path), () => new ResourceNotFoundError(uri.href));
      const budget = resultBudget(ctx.limits);
      let text = page.content;
      if (text.length > budget) {
        const note = `\n\n[Cut: this page has ${text.length} characters, over the budget of ${budget}. Read the ` +
          `rest with read_note (path "${page.path}", revision "${page.revision}", offset and limit).]`;
        text = capText(text, budget - note.length) + note;
      }
      return { contents: [{ uri: pageUri(page.path), mimeType: "text/markdown", text }] };
    },
  );

  server.server.setRequestHandler("resources/list", async (request, extra) => {
    const ctx = requireContext(contextOf, extra);
    const cursor = request.params?.cursor;
    let after = "";
    if (cursor !== undefined) {
      const c = readCursor("resources/list", cursor, { after: "" });
      if (c === null) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          "Invalid cursor: list the resources again without it.",
        );
      }
      after = c.after;
    }
    const pages = await guarded(ctx, () => ctx.pages.list());
    const rest = after === "" ? pages : pages.filter((p) => p.path > after);
    const part = rest.slice(0, RESOURCES_PER_LIST);
    const more = rest.length > part.length;
    return {
      resources: part.map(pageResource),
      ...(more ? { nextCursor: makeCursor("resources/list", { after: part[part.length - 1].path }) } : {}),
    };
  });

  server.server.setRequestHandler("completion/complete", async (request, extra) => {
    const { ref, argument } = request.params;
    const known = ref.type === "ref/resource"
      ? ref.uri === PAGE_URI_TEMPLATE
      : ref.type === "ref/prompt" && prompts.includes(ref.name);
    if (!known) {
      const what = ref.type === "ref/resource" ? `resource template ${ref.uri}` : `prompt ${ref.name}`;
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Nothing to complete: unknown ${what}.`);
    }
    const pathArg = ref.type === "ref/resource" ? "path" : "page";
    if (argument.name !== pathArg) return completion([]);
    return completion(await completePaths(requireContext(contextOf, extra), argument.value));
  });
}
