/**
 * @module
 * "Test the connection" on a wiki's settings page: what an agent does first, done by the server against the wiki's
 * own MCP endpoint, in process. A token that lives only for the check (read-only unless the person may write) is
 * created, `initialize` and `tools/list` are sent as an MCP client sends them, and the token is revoked again
 * whatever happened. The result says, step by step, what worked and which tools an agent would see.
 *
 * Each check costs a token write and revocation and two MCP requests, so a person may run at most
 * {@link CHECKS_PER_MINUTE} a minute (all wikis together), counted in KV with the shared rate limiter
 * (lib/kv/rate_limit.ts, rule {@link CHECK_RULE}); past it, or when the limiter cannot count, nothing runs and the
 * result says when to try again.
 */
import { type RateDecision, type RateRule, takeRate } from "../kv/rate_limit.ts";
import type { WikiRecord } from "../wiki/types.ts";
import type { WikiTokens } from "../auth/tokens.ts";
import type { Urls } from "../urls.ts";

/** The MCP protocol version the check speaks. */
export const CHECK_PROTOCOL_VERSION = "2025-06-18";
/** Label of the token that exists only during a check. */
export const CHECK_TOKEN_LABEL = "connection test (revoked at once)";

/** Connection checks one person may run per minute: plenty for trying again after a fix, few for a flood. */
export const CHECKS_PER_MINUTE = 6;

/** The rule of the connection-check limit (subject: the person's DID). */
export const CHECK_RULE: RateRule = { name: "conn_check", limit: CHECKS_PER_MINUTE, windowMs: 60_000 };

/** One step of the check. */
export interface CheckStep {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the check found. */
export interface ConnectionCheck {
  ok: boolean;
  steps: CheckStep[];
  /** The server's name and version from `initialize` (null when it failed). */
  server: string | null;
  /** Names of the tools `tools/list` returned. */
  tools: string[];
  /** Set when the check did not run because of the rate limit: seconds to wait, and why. */
  refused?: { retryAfterSeconds: number; reason: "limit" | "unavailable" };
}

/**
 * What the check needs: the token registry, URLs, the wiki's MCP handler (the app's, called in process), and KV for
 * the rate limit.
 */
export interface CheckDeps {
  kv: Deno.Kv;
  tokens: Pick<WikiTokens, "create" | "revoke">;
  urls: Pick<Urls, "mcp">;
  handle: (req: Request, slug: string) => Promise<Response>;
}

/** One JSON-RPC request to the wiki's MCP endpoint; the parsed message (JSON or the first SSE `data:` event). */
async function rpc(
  deps: CheckDeps,
  wiki: WikiRecord,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; message: Record<string, unknown> | null }> {
  const res = await deps.handle(
    new Request(deps.urls.mcp(wiki.slug), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${token}`,
        "mcp-protocol-version": CHECK_PROTOCOL_VERSION,
      },
      body: JSON.stringify(body),
    }),
    wiki.slug,
  );
  const text = await res.text();
  const json = (res.headers.get("content-type") ?? "").includes("text/event-stream")
    ? text.split("\n").find((l) => l.startsWith("data:"))?.slice(5).trim() ?? ""
    : text;
  try {
    return { status: res.status, message: JSON.parse(json) as Record<string, unknown> };
  } catch {
    return { status: res.status, message: null };
  }
}

/** Why an answer is not a result, in words. */
function failure(r: { status: number; message: Record<string, unknown> | null }): string {
  const err = r.message?.error as { message?: string } | undefined;
  return `HTTP ${r.status}${err?.message ? `: ${err.message}` : r.message === null ? ": not a JSON-RPC answer" : ""}`;
}

/** The result of a check that was not run: the limit's refusal, in words. */
function refusedCheck(d: Extract<RateDecision, { ok: false }>): ConnectionCheck {
  const detail = d.reason === "limit"
    ? `At most ${CHECKS_PER_MINUTE} connection tests a minute; nothing was run. Try again in ${d.retryAfterSeconds} s.`
    : `The test could not be counted against its limit (the store is unavailable); nothing was run. Try again in ` +
      `${d.retryAfterSeconds} s.`;
  return {
    ok: false,
    steps: [{ name: "rate limit", ok: false, detail }],
    server: null,
    tools: [],
    refused: { retryAfterSeconds: d.retryAfterSeconds, reason: d.reason },
  };
}

/**
 * Runs `initialize` and `tools/list` against `wiki` with a token that lives only for the check, for the person
 * `did` (counted against {@link CHECK_RULE}; refused past it, see {@link ConnectionCheck.refused}).
 */
export async function checkConnection(
  deps: CheckDeps,
  wiki: WikiRecord,
  readOnly: boolean,
  did: string,
  opts: { now?: number } = {},
): Promise<ConnectionCheck> {
  const taken = await takeRate(deps.kv, { rule: CHECK_RULE, subject: did }, { now: opts.now });
  if (!taken.ok) return refusedCheck(taken);
  const steps: CheckStep[] = [];
  const { token, record } = await deps.tokens.create(wiki, { label: CHECK_TOKEN_LABEL, readOnly });
  let server: string | null = null;
  let tools: string[] = [];
  try {
    const init = await rpc(deps, wiki, token, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: CHECK_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "robot.wtf connection test", version: "1" },
      },
    });
    const result = init.message?.result as { serverInfo?: { name?: string; version?: string } } | undefined;
    if (init.status === 200 && result?.serverInfo) {
      server = `${result.serverInfo.name ?? "?"} ${result.serverInfo.version ?? ""}`.trim();
      steps.push({ name: "initialize", ok: true, detail: `The server answered: ${server}.` });
      const list = await rpc(deps, wiki, token, { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
      const listed = (list.message?.result as { tools?: { name: string }[] } | undefined)?.tools;
      if (list.status === 200 && Array.isArray(listed)) {
        tools = listed.map((t) => t.name);
        steps.push({ name: "tools/list", ok: true, detail: `${tools.length} tools offered.` });
      } else {
        steps.push({ name: "tools/list", ok: false, detail: failure(list) });
      }
    } else {
      steps.push({ name: "initialize", ok: false, detail: failure(init) });
    }
  } finally {
    await deps.tokens.revoke(wiki.id, record.id);
  }
  return { ok: steps.length === 2 && steps.every((s) => s.ok), steps, server, tools };
}
