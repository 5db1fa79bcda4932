/**
 * @module
 * The two tools ChatGPT connectors and deep research call by name: `search {query}` answers one text item holding
 * `{"results":[{"id","title","url"}]}`, `fetch {id}` one text item holding `{"id","title","text","url","metadata"}`.
 * An id is a page path; a url is the page's web address on this wiki; the ranking is search_notes'. Both read only
 * and stay within the result budget (fetch cuts a long page's text and says in its metadata how to read the rest).
 */
import { z } from "zod";
import { ARG_BOUNDS, boundedText } from "./bounds.ts";
import { capText, cutEnd, resultBudget } from "./budget.ts";
import { isoSeconds } from "./format.ts";
import { ok } from "./errors.ts";
import { OUTPUT, withData } from "./output.ts";
import { READ, tool, type ToolContext, type WikiTool } from "./tool.ts";

/** Results `search` returns (search_notes' first part). */
export const CONNECTOR_SEARCH_RESULTS = 20;

/** Longest title `search` shows. */
const TITLE_CHARS = 300;

/** The web address of a page of the caller's wiki. */
export function pageUrl(ctx: Pick<ToolContext, "urls" | "wiki">, path: string): string {
  return ctx.urls.page(ctx.wiki.slug, path);
}

/** Characters `JSON.stringify` spends on `s[i]`. */
function jsonChars(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x22 || c === 0x5c) return 2;
  if (c < 0x20) return c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff ? 1 : 6;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const b = s.charCodeAt(i - 1);
    return b >= 0xd800 && b <= 0xdbff ? 1 : 6;
  }
  return 1;
}

/** The longest prefix length of `s` whose JSON string body takes at most `room` characters. */
function jsonPrefix(s: string, room: number): number {
  let used = 0;
  let i = 0;
  while (i < s.length) {
    const n = jsonChars(s, i);
    if (used + n > room) break;
    used += n;
    i++;
  }
  return cutEnd(s, 0, i);
}

/** The connector tools. */
export const CONNECTOR_TOOLS: WikiTool[] = [
  tool({
    name: "search",
    title: "Search (ChatGPT connectors)",
    scope: "wiki:read",
    description:
      "Search the wiki's pages by keywords and meaning, best first (the ranking of search_notes). Returns JSON " +
      '{"results":[{"id","title","url"}]}: `id` is the page path, to pass to fetch; `url` is the page on the web. ' +
      "For ChatGPT connectors and deep research; other clients may prefer search_notes (with snippets).",
    annotations: READ,
    output: OUTPUT.search,
    input: z.object({ query: boundedText(ARG_BOUNDS.query).describe("One or more words to search for.") }),
    async run({ query }, ctx) {
      const r = await ctx.pages.search(query, { limit: CONNECTOR_SEARCH_RESULTS });
      const results = r.hits.map((h) => ({
        id: h.path,
        title: capText(h.title, TITLE_CHARS),
        url: pageUrl(ctx, h.path),
      }));
      const budget = resultBudget(ctx.limits);
      let text = JSON.stringify({ results });
      while (text.length > budget && results.length > 0) {
        results.pop();
        text = JSON.stringify({ results });
      }
      return withData(ok(text), { results });
    },
  }),
  tool({
    name: "fetch",
    title: "Fetch a page (ChatGPT connectors)",
    scope: "wiki:read",
    description: "Fetch one wiki page by id (its path, as search returns it). Returns JSON " +
      '{"id","title","text","url","metadata"}: `text` is the raw markdown, `metadata` its revision, update time, ' +
      "category, tags and links. A page longer than one result is cut; `metadata.rest` then says how to read the " +
      "rest with read_note.",
    annotations: READ,
    output: OUTPUT.fetch,
    input: z.object({
      id: boundedText(ARG_BOUNDS.path).describe('The page path, e.g. "Design/Auth", as search returns it.'),
    }),
    async run({ id }, ctx) {
      const page = await ctx.pages.read(id);
      const metadata: Record<string, unknown> = {
        path: page.path,
        revision: page.revision,
        updated: isoSeconds(page.updatedAt),
        category: page.category,
        tags: page.tags,
        words: page.words,
        links_to: page.links,
      };
      const doc = { id: page.path, title: page.title, text: page.content, url: pageUrl(ctx, page.path), metadata };
      const budget = resultBudget(ctx.limits);
      const whole = JSON.stringify(doc);
      if (whole.length <= budget) return withData(ok(whole), doc);
      const total = page.content.length;
      const cut = (n: number) => {
        metadata.truncated = true;
        metadata.total_characters = total;
        metadata.returned_characters = n;
        metadata.rest = `The text is cut: it holds the first ${n} of ${total} characters. To read the rest, call ` +
          `read_note with path=${JSON.stringify(page.path)}, revision="${page.revision}" and offset=${n} (it ` +
          `returns the page in parts and says the next offset).`;
        if (metadata.links_to && JSON.stringify(metadata.links_to).length > budget / 8) delete metadata.links_to;
        return JSON.stringify({ ...doc, title: capText(page.title, TITLE_CHARS), text: page.content.slice(0, n) });
      };
      const overhead = cut(total).length - JSON.stringify(page.content).length + 2 + 16;
      let n = jsonPrefix(page.content, Math.max(0, budget - overhead));
      let text = cut(n);
      while (text.length > budget && n > 0) {
        n = cutEnd(page.content, 0, Math.floor(n * 0.9));
        text = cut(n);
      }
      return withData(ok(text), JSON.parse(text));
    },
  }),
];
