/**
 * @module
 * MCP prompts for clients that offer them (Claude Code's slash commands), each a ready-made way to use the wiki as
 * memory: `start_session` (the Agent Guide page and the recent changes), `record_decision` (how to write a decision
 * down where it will be found) and `changes_since` (the changes since a date, to summarise). Claude.ai shows only
 * tools, so the prompts only bundle what the tools already give (read_note, get_recent_changes).
 */
import { type McpServer, type PromptMessage, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { z } from "zod";
import { changesPart as readChanges } from "../wiki/feeds.ts";
import type { RevisionInfo } from "../wiki/types.ts";
import { capText, fitListing, resultBudget } from "./budget.ts";
import { formatChange, isoSeconds } from "./format.ts";
import { changesPart } from "./listings.ts";
import { type ContextOf, guarded, pageUri, requireContext } from "./resources.ts";
import type { ToolContext } from "./tool.ts";

/** The page start_session hands to the agent. */
export const AGENT_GUIDE_PATH = "Agent Guide";

/** Changes start_session shows. */
export const SESSION_CHANGES = 20;

/** Most changes changes_since gathers (newest first); older ones are left to get_recent_changes. */
export const MAX_CHANGES_SINCE = 500;

/** Changes read from the store per round trip by changes_since. */
const CHANGES_READ = 100;

/** Names of the prompts (in the order clients list them). */
export const PROMPT_NAMES = ["start_session", "record_decision", "changes_since"] as const;

function text(t: string): PromptMessage {
  return { role: "user", content: { type: "text", text: t } };
}

/** start_session's messages: the Agent Guide (embedded as a resource, when it exists) and the recent changes. */
async function startSession(ctx: ToolContext) {
  const budget = resultBudget(ctx.limits);
  const guide = await guarded(ctx, async () => {
    try {
      return await ctx.pages.read(AGENT_GUIDE_PATH);
    } catch (err) {
      if ((err as { code?: unknown }).code === "not_found") return null;
      throw err;
    }
  });
  const changes = await guarded(ctx, () => readChanges(ctx.kv, ctx.wiki, { limit: SESSION_CHANGES + 1 }));
  const recent = changesPart(changes, SESSION_CHANGES, Math.floor(budget / 2)).content[0].text;
  const messages: PromptMessage[] = [];
  if (guide) {
    messages.push({
      role: "user",
      content: {
        type: "resource",
        resource: {
          uri: pageUri(guide.path),
          mimeType: "text/markdown",
          text: capText(guide.content, Math.floor(budget / 2)),
        },
      },
    });
  }
  messages.push(text(
    `You are starting a session on the wiki "${ctx.wiki.title}", shared memory of people and agents. ` +
      (guide
        ? `Above is its page "${AGENT_GUIDE_PATH}": follow its conventions. `
        : `It has no "${AGENT_GUIDE_PATH}" page; read Home with read_note for its conventions. `) +
      "Below are its latest changes: note what matters for the task at hand, and read a page (read_note) before " +
      "changing it.\n\n" + recent,
  ));
  return { description: `Start a session on ${ctx.wiki.title}`, messages };
}

/** record_decision's message: what to write down, and how, for this wiki. */
function recordDecision(args: { decision: string; context?: string; page?: string }, ctx: ToolContext) {
  const today = isoSeconds(Date.now()).slice(0, 10);
  const where = args.page
    ? `Add it to the page "${args.page}": read it with read_note, then use edit_note to add a dated entry ` +
      `("${today}: ...") under its Decisions heading (create the heading if there is none).`
    : `First search_notes for a page where such decisions live (a Decisions page, or the page of the topic). Add a ` +
      `dated entry ("${today}: ...") there with edit_note; if there is none, create a page "Decisions/${today} ` +
      `<short title>" with write_note, with frontmatter "category: decision", and link it from the topic's page.`;
  return {
    description: "Record a decision in the wiki",
    messages: [text(
      `Record this decision in the wiki "${ctx.wiki.title}" so that people and agents find it later.\n\n` +
        `Decision: ${args.decision}\n` + (args.context ? `Context: ${args.context}\n` : "") + "\n" + where +
        " Write what was decided, why, the alternatives set aside, and who decided; link the pages it affects " +
        "with [[Path]]. Pass the page's revision on every write; on a conflict read it again and retry.",
    )],
  };
}

/** changes_since's message: the changes at or after `since` (newest first, at most MAX_CHANGES_SINCE). */
async function changesSince(args: { since: string }, ctx: ToolContext) {
  const since = Date.parse(args.since.trim());
  if (!Number.isFinite(since)) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Invalid since "${args.since}": give an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z.`,
    );
  }
  const found: RevisionInfo[] = [];
  let beforeSeq: number | undefined;
  let more = false;
  for (let round = 0; round * CHANGES_READ < MAX_CHANGES_SINCE + CHANGES_READ; round++) {
    const part = await guarded(ctx, () => readChanges(ctx.kv, ctx.wiki, { beforeSeq, limit: CHANGES_READ }));
    const newer = part.filter((c) => c.time >= since);
    found.push(...newer);
    if (newer.length < part.length || part.length < CHANGES_READ) break;
    if (found.length > MAX_CHANGES_SINCE) {
      more = true;
      break;
    }
    beforeSeq = part[part.length - 1].seq;
  }
  const shown = found.slice(0, MAX_CHANGES_SINCE);
  more ||= found.length > shown.length;
  const sinceText = isoSeconds(since);
  const head = `Summarise what changed in the wiki "${ctx.wiki.title}" since ${sinceText}: group the changes by ` +
    "page or topic, say who changed what (people and agents), and point out anything that looks unfinished or " +
    "conflicting. Read a page with read_note (or compare revisions with get_diff) where a message is not enough." +
    `\n\n${found.length === 0 ? "There were no changes since then." : `Changes since ${sinceText}, newest first:`}`;
  const budget = resultBudget(ctx.limits);
  const r = fitListing(
    () => head,
    shown.map(formatChange),
    budget,
    (n) =>
      n < shown.length || more
        ? `(Only the latest ${n} changes are listed: call get_recent_changes with its cursor for older ones.)`
        : "",
  );
  return { description: `Changes since ${sinceText}`, messages: [text(shown.length === 0 ? head : r.text)] };
}

/** Registers the prompts on `server` (before it connects); the list of prompts never changes while it runs. */
export function registerPrompts(server: McpServer, contextOf: ContextOf): void {
  server.server.registerCapabilities({ prompts: { listChanged: false } });
  server.registerPrompt("start_session", {
    title: "Start a session",
    description: "Begin work with this wiki: its Agent Guide page and its latest changes.",
  }, (extra) => {
    const ctx = requireContext(contextOf, extra);
    return startSession(ctx);
  });
  server.registerPrompt("record_decision", {
    title: "Record a decision",
    description: "Write a decision down in the wiki (what, why, alternatives, who), where it will be found.",
    argsSchema: z.object({
      decision: z.string().min(1).max(4000).describe("The decision, in a sentence or two."),
      context: z.string().max(4000).optional().describe("Why, and what else was considered."),
      page: z.string().max(500).optional().describe("The page to record it on; omit to let the agent find one."),
    }),
  }, (args, extra) => recordDecision(args, requireContext(contextOf, extra)));
  server.registerPrompt("changes_since", {
    title: "Summarise changes since a date",
    description: "The wiki's changes since a date or time, to summarise.",
    argsSchema: z.object({
      since: z.string().min(1).max(100).describe('An ISO 8601 date or time, e.g. "2026-01-31".'),
    }),
  }, (args, extra) => changesSince(args, requireContext(contextOf, extra)));
}
