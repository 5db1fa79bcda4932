/**
 * @module
 * Page index: `/-/index`, optionally filtered by `?prefix=`, `?category=`, `?tag=` (ANDed).
 */
import type { Context } from "hono";
import type { ListFilter, PageMeta } from "../../lib/wiki/types.ts";
import type { WikiEnv } from "../env.ts";
import { formatDate, formatTime, isoTime, query } from "../components/format.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";
import { type WikiContext, wikiContext } from "../components/wiki_context.ts";
import { TagList } from "./page.tsx";
import { writerOf } from "./edit/guard.tsx";

/** GET `/-/index`. */
export async function indexRoute(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const filter: ListFilter = {
    prefix: c.req.query("prefix")?.trim() || undefined,
    category: c.req.query("category")?.trim() || undefined,
    tag: c.req.query("tag")?.trim() || undefined,
  };
  const pages = await ctx.pages.list(filter);
  const filtered = Boolean(filter.prefix || filter.category || filter.tag);
  return htmlPage(
    c,
    <Layout title="Index" urls={ctx.urls} wiki={ctx.nav}>
      <h1>Index</h1>
      {writerOf(c)
        ? (
          <p class="page-actions">
            <a class="button" href={ctx.urls.system(ctx.slug, "new")}>New page</a>
          </p>
        )
        : null}
      <FilterForm ctx={ctx} filter={filter} />
      <p class="muted">
        {pages.length} {pages.length === 1 ? "page" : "pages"}
        {filtered
          ? (
            <>
              {" · "}
              <a href={ctx.urls.system(ctx.slug, "index")}>show all pages</a>
            </>
          )
          : null}
      </p>
      {pages.length === 0
        ? <p class="notice">{filtered ? "No page matches these filters." : "This wiki has no pages yet."}</p>
        : <PageTable ctx={ctx} pages={pages} />}
    </Layout>,
  );
}

/** Prefix / category / tag filter form (GET). */
function FilterForm({ ctx, filter }: { ctx: WikiContext; filter: ListFilter }) {
  return (
    <details class="filters-box" open={Boolean(filter.prefix || filter.category || filter.tag)}>
      <summary>Filter pages</summary>
      <form class="filters" method="get" action={ctx.urls.system(ctx.slug, "index")}>
        <label>
          Path starts with <input type="text" name="prefix" value={filter.prefix ?? ""} />
        </label>
        <label>
          Category <input type="text" name="category" value={filter.category ?? ""} />
        </label>
        <label>
          Tag <input type="text" name="tag" value={filter.tag ?? ""} />
        </label>
        <button type="submit">Filter</button>
      </form>
    </details>
  );
}

/** The page listing. */
function PageTable({ ctx, pages }: { ctx: WikiContext; pages: PageMeta[] }) {
  return (
    <div class="table-wrap">
      <table class="listing">
        <thead>
          <tr>
            <th scope="col">Page</th>
            <th scope="col">Category</th>
            <th scope="col">Tags</th>
            <th scope="col">Updated</th>
            <th scope="col" class="num">Words</th>
          </tr>
        </thead>
        <tbody>
          {pages.map((p) => (
            <tr>
              <td>
                <a href={ctx.urls.page(ctx.slug, p.path)}>{p.title}</a>
                {p.title !== p.path ? <div class="path muted">{p.path}</div> : null}
              </td>
              <td>
                {p.category !== null
                  ? (
                    <a href={ctx.urls.system(ctx.slug, "index", undefined, query({ category: p.category }))}>
                      {p.category}
                    </a>
                  )
                  : null}
              </td>
              <td>{p.tags.length > 0 ? <TagList ctx={ctx} tags={p.tags} /> : null}</td>
              <td>
                <time datetime={isoTime(p.updatedAt)} title={formatTime(p.updatedAt)}>{formatDate(p.updatedAt)}</time>
              </td>
              <td class="num">{p.words}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
