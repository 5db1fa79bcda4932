/**
 * @module
 * Search: `/-/search?q=`, ranked results (terms and meaning fused, the ranking of search_notes) with snippets,
 * scores and why each matched: similar meaning, and the words that matched (a stemmed, misspelt or completed query
 * word shows as the page's word), and the section of a long page that matched by meaning. Without a query it shows
 * the form.
 */
import type { Context } from "hono";
import { InvalidInputError } from "../../lib/errors.ts";
import type { SearchHit, SearchMatch } from "../../lib/wiki/types.ts";
import { matchLabels } from "../../lib/wiki/search/why.ts";
import type { WikiEnv } from "../env.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";
import { type WikiContext, wikiContext } from "../components/wiki_context.ts";

/** Most results shown. */
export const SEARCH_RESULTS_LIMIT = 50;

/** GET `/-/search`. */
export async function searchRoute(c: Context<WikiEnv>): Promise<Response> {
  const q = (c.req.query("q") ?? "").trim();
  const ctx = wikiContext(c);
  ctx.nav.hideSearch = true;
  let result: { total: number; hits: SearchHit[] } | null = null;
  let problem: string | null = null;
  if (q !== "") {
    try {
      result = await ctx.pages.search(q, { limit: SEARCH_RESULTS_LIMIT });
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      problem = err.message;
    }
  }
  return htmlPage(
    c,
    <Layout title={q ? `Search: ${q}` : "Search"} urls={ctx.urls} wiki={ctx.nav}>
      <h1>Search</h1>
      <form class="search-form" role="search" method="get" action={ctx.urls.system(ctx.slug, "search")}>
        <input type="search" name="q" value={q} placeholder="Words to look for" aria-label="Search" />
        <button type="submit">Search</button>
      </form>
      {problem ? <p class="notice notice-error">{problem}</p> : null}
      {q === "" ? <p class="muted">Type some words to search page titles and text, by words and by meaning.</p> : null}
      {result ? <Results ctx={ctx} q={q} total={result.total} hits={result.hits} /> : null}
    </Layout>,
    problem ? 422 : 200,
  );
}

/** Why a result matched, as shown beside it. */
const MATCH_LABEL: Record<SearchMatch, string> = {
  terms: "matching words",
  meaning: "similar meaning",
  both: "matching words, similar meaning",
};

/** Result count and the ranked list. */
function Results({ ctx, q, total, hits }: { ctx: WikiContext; q: string; total: number; hits: SearchHit[] }) {
  if (hits.length === 0) {
    return (
      <p class="notice">
        No pages match “{q}”. Try fewer or different words, or browse the{" "}
        <a href={ctx.urls.system(ctx.slug, "index")}>index</a>.
      </p>
    );
  }
  return (
    <>
      <p class="muted">
        {total} {total === 1 ? "page matches" : "pages match"} “{q}”
        {total > hits.length ? ` (showing the best ${hits.length})` : ""}.
      </p>
      <ol class="results">
        {hits.map((h) => (
          <li>
            <a class="result-title" href={ctx.urls.page(ctx.slug, h.path)}>{h.title}</a>{" "}
            {h.path !== h.title ? <span class="muted path">{h.path}</span> : null}{" "}
            <span class="score" title="Relevance">{h.score.toFixed(2)}</span>{" "}
            {h.match ? <span class={`match match-${h.match}`}>{MATCH_LABEL[h.match]}</span> : null}
            {h.section !== undefined ? <span class="match-section">(section “{h.section}”)</span> : null}
            <p class="snippet">{h.snippet}</p>
            <WhyMatched hit={h} />
          </li>
        ))}
      </ol>
    </>
  );
}

/** The page's words that matched the query, a note on each forgiven one. */
function WhyMatched({ hit }: { hit: SearchHit }) {
  const labels = matchLabels(hit.matched);
  if (labels.length === 0) return null;
  return (
    <p class="why">
      Matched: {labels.map((l, i) => (
        <>
          {i > 0 ? ", " : ""}
          <mark>{l.word}</mark>
          {l.note ? ` (${l.note})` : ""}
        </>
      ))}
    </p>
  );
}
