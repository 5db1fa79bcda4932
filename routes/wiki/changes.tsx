/**
 * @module
 * Recent changes: `/-/changes`, the wiki's latest revisions, newest first.
 */
import type { Context } from "hono";
import type { RevisionInfo } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import { actionLabel, formatTime, isoTime, query, shortRev } from "../components/format.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";
import { type WikiContext, wikiContext } from "../components/wiki_context.ts";

/** Most revisions listed. */
export const CHANGES_LIMIT = 100;

/** Actions whose revision has a meaningful diff against the one before. */
const DIFFABLE = new Set<RevisionInfo["action"]>(["update", "edit", "restore"]);

/** GET `/-/changes`. */
export async function changesRoute(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const changes = await ctx.pages.recentChanges(CHANGES_LIMIT);
  return htmlPage(
    c,
    <Layout title="Recent changes" urls={ctx.urls} wiki={ctx.nav}>
      <h1>Recent changes</h1>
      {changes.length === 0 ? <p class="notice">Nothing has changed yet.</p> : (
        <ol class="history changes">
          {changes.map((r) => <ChangeItem key={r.id} ctx={ctx} rev={r} />)}
        </ol>
      )}
    </Layout>,
  );
}

/** One revision: time, who, what, the pages it touched (with a diff link where that makes sense). */
function ChangeItem({ ctx, rev }: { ctx: WikiContext; rev: RevisionInfo }) {
  return (
    <li class="history-item">
      <div class="history-head">
        <code class="rev">{shortRev(rev.id)}</code> <time datetime={isoTime(rev.time)}>{formatTime(rev.time)}</time>
        {" "}
        <span class="who">
          {rev.authorName} <span class="muted">via {rev.client}</span>
        </span>
      </div>
      <div class="history-body">
        <span class="action">{actionLabel(rev.action)}</span> {rev.paths.map((p, i) => (
          <>
            {i > 0 ? ", " : ""}
            <a href={ctx.urls.page(ctx.slug, p)}>{p}</a>
            {DIFFABLE.has(rev.action) && i === 0
              ? (
                <>
                  {" "}(<a href={ctx.urls.system(ctx.slug, "diff", p, query({ to: rev.id }))}>diff</a>)
                </>
              )
              : null}
          </>
        ))} — <span class="message">{rev.message}</span>
      </div>
    </li>
  );
}
