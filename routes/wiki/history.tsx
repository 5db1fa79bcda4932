/**
 * @module
 * Page history: `/-/history/{path}`, revisions newest first, each with links to view it and to diff it against
 * the revision before.
 */
import type { Context } from "hono";
import { canonicalPath } from "../../lib/wiki/paths.ts";
import type { HistoryEntry } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import { actionLabel, formatBytes, formatTime, isoTime, query, shortRev } from "../components/format.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";
import { pathAfter, type WikiContext, wikiContext } from "../components/wiki_context.ts";
import { writerOf } from "./edit/guard.tsx";

/** Most revisions listed. */
export const HISTORY_LIMIT = 200;

/** GET `/-/history/{path}`. */
export async function historyRoute(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const path = canonicalPath(pathAfter(c, "/-/history/"));
  const entries = await ctx.pages.history(path, HISTORY_LIMIT);
  const canRestore = writerOf(c) !== null;
  return htmlPage(
    c,
    <Layout title={`History of ${path}`} urls={ctx.urls} wiki={ctx.nav}>
      <h1>
        History of <a href={ctx.urls.page(ctx.slug, path)}>{path}</a>
      </h1>
      {entries.length === 0 ? <p class="notice">This page has no history.</p> : (
        <ol class="history">
          {entries.map((e, i) => (
            <HistoryItem
              key={e.revision.id}
              ctx={ctx}
              path={path}
              entry={e}
              previous={entries[i + 1] ?? null}
              restore={canRestore ? restoreLink(ctx, path, e, i) : null}
            />
          ))}
        </ol>
      )}
      {entries.length === HISTORY_LIMIT ? <p class="muted">Showing the latest {HISTORY_LIMIT} revisions.</p> : null}
    </Layout>,
  );
}

/**
 * Where "restore" leads for a history entry (for people who may write): the newest entry of a deleted page
 * undeletes it; any older entry brings back that revision's text; the current live revision offers nothing.
 */
function restoreLink(ctx: WikiContext, path: string, entry: HistoryEntry, index: number): string | null {
  if (index === 0) return entry.deleted ? ctx.urls.system(ctx.slug, "restore", path) : null;
  return ctx.urls.system(ctx.slug, "restore", path, query({ rev: entry.revision.id }));
}

/** One revision: id (links to the page at that revision), time, who, what, size, diff link, restore link. */
function HistoryItem(
  { ctx, path, entry, previous, restore }: {
    ctx: WikiContext;
    path: string;
    entry: HistoryEntry;
    previous: HistoryEntry | null;
    restore: string | null;
  },
) {
  const r = entry.revision;
  return (
    <li class={entry.deleted ? "history-item deleted" : "history-item"}>
      <div class="history-head">
        <a class="rev" href={ctx.urls.page(ctx.slug, path, query({ rev: r.id }))}>{shortRev(r.id)}</a>{" "}
        <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time>{" "}
        <span class="who">
          {r.authorName} <span class="muted">via {r.client}</span>
        </span>
      </div>
      <div class="history-body">
        <span class="action">{actionLabel(r.action)}</span>
        {entry.path !== path ? <span class="muted">(as {entry.path})</span> : null} —{" "}
        <span class="message">{r.message}</span> <span class="muted size">{formatBytes(entry.bytes)}</span>
        {previous
          ? (
            <>
              {" · "}
              <a href={ctx.urls.system(ctx.slug, "diff", path, query({ from: previous.revision.id, to: r.id }))}>
                diff
              </a>
            </>
          )
          : null}
        {restore
          ? (
            <>
              {" · "}
              <a class="restore-link" href={restore}>restore</a>
            </>
          )
          : null}
      </div>
    </li>
  );
}
