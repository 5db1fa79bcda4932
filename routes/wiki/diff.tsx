/**
 * @module
 * Diff view: `/-/diff/{path}?from=&to=` (revision ids or 7+ char prefixes). `to` defaults to the current
 * revision, `from` to the revision before `to`. The unified diff is shown as a table with line numbers and
 * added/removed styling.
 */
import type { Context } from "hono";
import { canonicalPath } from "../../lib/wiki/paths.ts";
import type { PageDiff } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import { query, shortRev } from "../components/format.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";
import { pathAfter, type WikiContext, wikiContext } from "../components/wiki_context.ts";
import { HISTORY_LIMIT } from "./history.tsx";

/** One row of a rendered diff. */
export interface DiffRow {
  kind: "hunk" | "add" | "del" | "ctx" | "note";
  oldLine: number | null;
  newLine: number | null;
  text: string;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** GET `/-/diff/{path}`. */
export async function diffRoute(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/diff/"));
  const to = c.req.query("to") || null;
  const from = c.req.query("from") || await previousRevision(ctx, path, to);
  if (from === null) return firstRevision(c, ctx, path);
  const diff = await ctx.pages.diff(path, from, to ?? undefined);
  return htmlPage(
    c,
    <Layout title={`Changes to ${path}`} urls={ctx.urls} wiki={ctx.nav}>
      <h1>
        Changes to <a href={ctx.urls.page(ctx.slug, path)}>{path}</a>
      </h1>
      <p class="diff-summary">
        From <RevLink ctx={ctx} path={path} rev={diff.from} /> to <RevLink ctx={ctx} path={path} rev={diff.to} />:{" "}
        <span class="added">+{diff.added}</span> <span class="removed">−{diff.removed}</span>
        {" · "}
        <a href={ctx.urls.system(ctx.slug, "history", path)}>History</a>
      </p>
      <DiffTable diff={diff} />
    </Layout>,
  );
}

/** Splits unified diff text into table rows with old/new line numbers (file headers dropped). */
export function diffRows(unified: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  for (const line of unified.split("\n")) {
    const hunk = line.match(HUNK_HEADER);
    if (hunk) {
      inHunk = true;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push({ kind: "hunk", oldLine: null, newLine: null, text: line });
    } else if (!inHunk || line === "") {
      continue;
    } else if (line.startsWith("+")) {
      rows.push({ kind: "add", oldLine: null, newLine: newLine++, text: line.slice(1) });
    } else if (line.startsWith("-")) {
      rows.push({ kind: "del", oldLine: oldLine++, newLine: null, text: line.slice(1) });
    } else if (line.startsWith("\\")) {
      rows.push({ kind: "note", oldLine: null, newLine: null, text: line.slice(2) });
    } else {
      rows.push({ kind: "ctx", oldLine: oldLine++, newLine: newLine++, text: line.slice(1) });
    }
  }
  return rows;
}

/** The revision before `to` (default: before the current one) in the page's history, or null for the first. */
async function previousRevision(ctx: WikiContext, path: string, to: string | null): Promise<string | null> {
  const entries = await ctx.pages.history(path, HISTORY_LIMIT);
  const target = to === null ? entries[0]?.revision.id : (await ctx.pages.resolveRevision(to)).id;
  const i = entries.findIndex((e) => e.revision.id === target);
  return i >= 0 ? entries[i + 1]?.revision.id ?? null : null;
}

/** The page shown when there is nothing earlier to compare with. */
function firstRevision(c: Context<WikiEnv>, ctx: WikiContext, path: string): Response {
  return htmlPage(
    c,
    <Layout title={`Changes to ${path}`} urls={ctx.urls} wiki={ctx.nav}>
      <h1>
        Changes to <a href={ctx.urls.page(ctx.slug, path)}>{path}</a>
      </h1>
      <p class="notice">
        This is the first revision of the page: there is nothing earlier to compare it with. See the{" "}
        <a href={ctx.urls.system(ctx.slug, "history", path)}>history</a>.
      </p>
    </Layout>,
  );
}

/** A revision id linked to the page at that revision. */
function RevLink({ ctx, path, rev }: { ctx: WikiContext; path: string; rev: string }) {
  return (
    <a class="rev" href={ctx.urls.page(ctx.slug, path, query({ rev }))}>
      <code>{shortRev(rev)}</code>
    </a>
  );
}

/** The diff as a table: old line, new line, text (also used by the editor's conflict view). */
export function DiffTable({ diff }: { diff: Pick<PageDiff, "unified"> }) {
  if (diff.unified === "") return <p class="notice">The two revisions have the same content.</p>;
  return (
    <div class="diff-wrap">
      <table class="diff">
        <thead>
          <tr>
            <th scope="col" class="ln">Old</th>
            <th scope="col" class="ln">New</th>
            <th scope="col">Line</th>
          </tr>
        </thead>
        <tbody>
          {diffRows(diff.unified).map((r) => (
            <tr class={`diff-${r.kind}`}>
              <td class="ln">{r.oldLine ?? ""}</td>
              <td class="ln">{r.newLine ?? ""}</td>
              <td class="text">
                <span class="sign" aria-hidden="true">{SIGNS[r.kind]}</span>
                {r.text}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const SIGNS: Record<DiffRow["kind"], string> = { hunk: "", add: "+", del: "−", ctx: " ", note: "" };
