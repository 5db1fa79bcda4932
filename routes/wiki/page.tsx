/**
 * @module
 * Page view: `/{path}` and `/-/page/{path}` (for paths whose first segment is reserved). `?rev=` shows an old
 * revision under a banner. A deleted page shows a notice with a link to its history; a missing page a 404 with
 * links to search and the index.
 */
import type { Context } from "hono";
import { NotFoundError } from "../../lib/errors.ts";
import { headingId, renderMarkdown, type RenderOptions } from "../../lib/web/markdown.ts";
import { parseFrontmatter } from "../../lib/wiki/frontmatter.ts";
import { canonicalPath, pageName, parentPath } from "../../lib/wiki/paths.ts";
import type { AttachmentInfo, Page, RelatedPage } from "../../lib/wiki/types.ts";
import { linkTargets } from "../../lib/wiki/wikilinks.ts";
import { decodePagePath, encodePagePath, trimTrailingSlashes } from "../../lib/urls.ts";
import type { WikiEnv } from "../env.ts";
import { formatBytes, formatTime, isoTime, query, shortRev } from "../components/format.ts";
import { htmlPage } from "../components/html.ts";
import { Layout } from "../components/Layout.tsx";
import { RELATED_PAGES_SHOWN, RelatedPages } from "../components/RelatedPages.tsx";
import { pathAfter, type WikiContext, wikiContext } from "../components/wiki_context.ts";
import { currentUrl, formToken, signInUrl, writerOf } from "./edit/guard.tsx";
import { RestoreForm } from "./edit/manage.tsx";
import { isKvFailure } from "../../lib/kv/unavailable.ts";

/** URL prefix of page views whose first segment is reserved. */
const RESERVED_VIEW_PREFIX = "/-/page/";

/** GET `/{path}` and `/-/page/{path}`. */
export async function pageRoute(c: Context<WikiEnv>): Promise<Response> {
  const ctx = wikiContext(c);
  const raw = new URL(c.req.url).pathname;
  const input = raw.startsWith(RESERVED_VIEW_PREFIX) ? pathAfter(c, RESERVED_VIEW_PREFIX) : pathAfter(c, "/");
  const trimmed = trimTrailingSlashes(input);
  if (trimmed === "") return c.redirect(ctx.urls.wiki(ctx.slug, "/"), 301);
  const path = canonicalPath(trimmed);
  if (trimmed !== input || decodePagePath(encodePagePath(path)) !== input) {
    return c.redirect(ctx.urls.page(ctx.slug, path, new URL(c.req.url).search.slice(1)), 301);
  }
  return await showPage(c, ctx, path, c.req.query("rev") ?? null);
}

/** Renders the page at `path` (current, or at revision `rev`), or its deleted / missing notice. */
export async function showPage(
  c: Context<WikiEnv>,
  ctx: WikiContext,
  path: string,
  rev: string | null,
): Promise<Response> {
  let page: Page;
  try {
    page = await ctx.pages.read(path, rev ? { revision: rev, includeDeleted: true } : {});
  } catch (err) {
    if (!(err instanceof NotFoundError) || rev) throw err;
    return await absentPage(c, ctx, path);
  }
  const [links, attachments, linkFor, current, crumbs, related] = await Promise.all([
    ctx.pages.links(path),
    ctx.pages.listAttachments(path).catch(() => [] as AttachmentInfo[]),
    linkResolver(ctx, linkTargets(page.content)),
    rev ? ctx.pages.meta(path) : Promise.resolve(null),
    parentCrumbs(ctx, path),
    rev || page.deleted ? [] : ctx.pages.related(path, RELATED_PAGES_SHOWN).catch(() => [] as RelatedPage[]),
  ]);
  const { heading, body } = splitLeadingHeading(renderMarkdown(page.content, { linkFor }));
  const frontmatterError = parseFrontmatter(page.content).error;
  const isOld = rev !== null && current?.revision !== page.lastRevision.id;
  const editing = await editingOf(c);
  return htmlPage(
    c,
    <Layout title={page.title} urls={ctx.urls} wiki={ctx.nav}>
      <article class="page">
        {rev ? <RevisionBanner ctx={ctx} page={page} isOld={isOld} editing={editing} /> : null}
        <Breadcrumbs crumbs={crumbs} path={path} />
        {rev ? null : <PageActions ctx={ctx} path={path} editing={editing} />}
        {heading === ""
          ? <h1 class="page-title">{page.title}</h1>
          : <div class="content content-title" dangerouslySetInnerHTML={{ __html: heading }} />}
        <MetaTable ctx={ctx} page={page} />
        {frontmatterError ? <p class="notice notice-error">{frontmatterError}</p> : null}
        <div class="content" dangerouslySetInnerHTML={{ __html: body }} />
        <footer class="page-info">
          <Backlinks ctx={ctx} paths={links.linkedFrom} />
          <RelatedPages ctx={ctx} related={related} />
          <Attachments ctx={ctx} path={path} attachments={attachments} />
          <LastChanged ctx={ctx} page={page} rev={rev} />
        </footer>
      </article>
    </Layout>,
  );
}

/** Deleted (404 with a notice and a history link) or missing (404 with search and index links). */
async function absentPage(c: Context<WikiEnv>, ctx: WikiContext, path: string): Promise<Response> {
  const { urls, slug } = ctx;
  const editing = await editingOf(c);
  const deleted = await ctx.pages.read(path, { includeDeleted: true }).catch((err) => {
    if (isKvFailure(err)) throw err; // a 503, not "this page does not exist"
    return null;
  });
  if (deleted?.deleted) {
    const r = deleted.lastRevision;
    const crumbs = await parentCrumbs(ctx, path);
    return htmlPage(
      c,
      <Layout title={`${pageName(path)} (deleted)`} urls={urls} wiki={ctx.nav}>
        <article class="page">
          <Breadcrumbs crumbs={crumbs} path={path} />
          <h1 class="page-title">{pageName(path)}</h1>
          <p class="notice notice-deleted">
            This page was deleted on <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time> by {r.authorName}.
            {" "}
            Its history is kept: <a href={urls.system(slug, "history", path)}>see the history</a>{" "}
            to read earlier versions.
          </p>
          {editing.token ? <RestoreForm ctx={ctx} path={path} rev={null} token={editing.token} /> : null}
        </article>
      </Layout>,
      404,
    );
  }
  const links = await ctx.pages.links(path);
  return htmlPage(
    c,
    <Layout title={pageName(path)} urls={urls} wiki={ctx.nav}>
      <article class="page">
        <h1 class="page-title">{pageName(path)}</h1>
        <p class="notice">
          There is no page called <strong>{path}</strong> in this wiki yet.
        </p>
        {editing.token
          ? (
            <p>
              <a class="button" href={urls.system(slug, "edit", path)}>Create this page</a>
            </p>
          )
          : null}
        <p>
          <a href={urls.system(slug, "search", undefined, query({ q: pageName(path) }))}>
            Search for “{pageName(path)}”
          </a>{" "}
          or browse the <a href={urls.system(slug, "index")}>page index</a>.
        </p>
        <Backlinks ctx={ctx} paths={links.linkedFrom} />
      </article>
    </Layout>,
    404,
  );
}

/**
 * Splits rendered HTML into its leading `<h1>` (which then stands as the page title, above the metadata) and the
 * rest. `heading` is empty when the content does not start with an h1.
 */
export function splitLeadingHeading(html: string): { heading: string; body: string } {
  const trimmed = html.trimStart();
  if (!trimmed.startsWith("<h1")) return { heading: "", body: html };
  const end = trimmed.indexOf("</h1>") + "</h1>".length;
  return { heading: trimmed.slice(0, end), body: trimmed.slice(end) };
}

/** Resolves WikiLink targets to page URLs, knowing which targets exist (also used by the editor's preview). */
export async function linkResolver(ctx: WikiContext, targets: string[]): Promise<RenderOptions["linkFor"]> {
  const existing = new Set<string>();
  await Promise.all(targets.map(async (t) => {
    if (await ctx.pages.meta(t)) existing.add(t);
  }));
  return (target, anchor) => ({
    href: ctx.urls.page(ctx.slug, target) + (anchor ? "#" + encodeURIComponent(headingId(anchor)) : ""),
    exists: existing.has(target),
  });
}

/** Banner over an old revision (with "Restore this version" for people who may write). */
function RevisionBanner(
  { ctx, page, isOld, editing }: { ctx: WikiContext; page: Page; isOld: boolean; editing: Editing },
) {
  const r = page.lastRevision;
  return (
    <p class={isOld ? "banner banner-old" : "banner"}>
      {isOld ? "You are viewing an old revision, " : "You are viewing revision "}
      <code>{shortRev(r.id)}</code> from <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time>
      {page.deleted ? " (the page was deleted in this revision)" : ""}
      {isOld ? "" : ", which is the current version"}. <a href={ctx.urls.page(ctx.slug, page.path)}>View current</a>
      {" · "}
      <a href={ctx.urls.system(ctx.slug, "history", page.path)}>History</a>
      {isOld && editing.token
        ? <RestoreForm ctx={ctx} path={page.path} rev={r.id} token={editing.token} label="Restore this version" />
        : null}
    </p>
  );
}

/** What the page view offers for changing the wiki: a form token for writers, a sign-in link for visitors. */
export interface Editing {
  /** CSRF token of the editing forms; null when the visitor may not write. */
  token: string | null;
  /** Where a signed-out visitor signs in to edit; null when signed in. */
  signIn: string | null;
}

/** The editing offer of this request. */
export async function editingOf(c: Context<WikiEnv>): Promise<Editing> {
  const writer = writerOf(c);
  return {
    token: writer ? await formToken(c, writer) : null,
    signIn: c.get("session") ? null : signInUrl(c, currentUrl(c)),
  };
}

/** Edit / History / Rename / Attach / Delete / New page for writers; "Sign in to edit" for signed-out visitors. */
function PageActions({ ctx, path, editing }: { ctx: WikiContext; path: string; editing: Editing }) {
  const { urls, slug } = ctx;
  if (editing.token) {
    return (
      <nav class="page-actions" aria-label="Page actions">
        <a class="button" href={urls.system(slug, "edit", path)}>Edit</a>
        <a href={urls.system(slug, "history", path)}>History</a>
        <a href={urls.system(slug, "rename", path)}>Rename</a>
        <a href={urls.system(slug, "attach", path)}>Attach</a>
        <a href={urls.system(slug, "delete", path)}>Delete</a>
        <a class="new-page" href={urls.system(slug, "new")}>New page</a>
      </nav>
    );
  }
  if (editing.signIn) {
    return (
      <nav class="page-actions page-actions-guest" aria-label="Page actions">
        <a href={urls.system(slug, "history", path)}>History</a>
        <a href={editing.signIn}>Sign in to edit</a>
      </nav>
    );
  }
  return null;
}

/** A parent of the shown page: its name and where it links. */
interface Crumb {
  name: string;
  href: string;
}

/**
 * The parents of `path`, outermost first: each links to its page when it exists, else to the index of the pages
 * under it.
 */
async function parentCrumbs(ctx: WikiContext, path: string): Promise<Crumb[]> {
  const parents: string[] = [];
  for (let p = parentPath(path); p !== null; p = parentPath(p)) parents.unshift(p);
  return await Promise.all(parents.map(async (p) => ({
    name: pageName(p),
    href: await ctx.pages.meta(p)
      ? ctx.urls.page(ctx.slug, p)
      : ctx.urls.system(ctx.slug, "index", undefined, query({ prefix: p + "/" })),
  })));
}

/** Links to the parents of the page, then its own name. */
function Breadcrumbs({ crumbs, path }: { crumbs: Crumb[]; path: string }) {
  if (crumbs.length === 0) return null;
  return (
    <nav class="breadcrumbs" aria-label="Parent pages">
      {crumbs.map((crumb) => (
        <>
          <a href={crumb.href}>{crumb.name}</a>
          <span class="sep">/</span>
        </>
      ))}
      <span>{pageName(path)}</span>
    </nav>
  );
}

/** Category and tags from the frontmatter, linked to the filtered index. */
function MetaTable({ ctx, page }: { ctx: WikiContext; page: Page }) {
  if (page.category === null && page.tags.length === 0) return null;
  return (
    <table class="meta-table">
      <tbody>
        {page.category !== null
          ? (
            <tr>
              <th scope="row">Category</th>
              <td>
                <a href={ctx.urls.system(ctx.slug, "index", undefined, query({ category: page.category }))}>
                  {page.category}
                </a>
              </td>
            </tr>
          )
          : null}
        {page.tags.length > 0
          ? (
            <tr>
              <th scope="row">Tags</th>
              <td>
                <TagList ctx={ctx} tags={page.tags} />
              </td>
            </tr>
          )
          : null}
      </tbody>
    </table>
  );
}

/** Tags as links to the index filtered by tag. */
export function TagList({ ctx, tags }: { ctx: WikiContext; tags: string[] }) {
  return (
    <ul class="tags">
      {tags.map((t) => (
        <li>
          <a class="tag" href={ctx.urls.system(ctx.slug, "index", undefined, query({ tag: t }))}>{t}</a>
        </li>
      ))}
    </ul>
  );
}

/** "Linked from" list. */
function Backlinks({ ctx, paths }: { ctx: WikiContext; paths: string[] }) {
  if (paths.length === 0) return null;
  return (
    <section class="backlinks">
      <h2>Linked from</h2>
      <ul>
        {paths.map((p) => (
          <li>
            <a href={ctx.urls.page(ctx.slug, p)}>{p}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Attachment list with download links. */
function Attachments({ ctx, path, attachments }: { ctx: WikiContext; path: string; attachments: AttachmentInfo[] }) {
  if (attachments.length === 0) return null;
  return (
    <section class="attachments">
      <h2>Attachments</h2>
      <ul>
        {attachments.map((a) => (
          <li>
            <a href={ctx.urls.attachment(ctx.slug, path, a.filename)}>{a.filename}</a>{" "}
            <span class="muted">({formatBytes(a.size)}, {a.mime})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "Last changed" line with author, client, time, and links to history and raw text. */
function LastChanged({ ctx, page, rev }: { ctx: WikiContext; page: Page; rev: string | null }) {
  const r = page.lastRevision;
  return (
    <p class="last-changed">
      Last changed <time datetime={isoTime(r.time)}>{formatTime(r.time)}</time> by {r.authorName}{" "}
      <span class="muted">via {r.client}</span> — <span class="message">{r.message}</span>{" "}
      <span class="rev">
        (<a href={ctx.urls.page(ctx.slug, page.path, query({ rev: r.id }))}>{shortRev(r.id)}</a>)
      </span>
      {" · "}
      <a href={ctx.urls.system(ctx.slug, "history", page.path)}>History</a>
      {" · "}
      <a href={ctx.urls.system(ctx.slug, "raw", page.path, rev ? query({ rev: r.id }) : undefined)}>Raw</a>
    </p>
  );
}
