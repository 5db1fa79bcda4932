/**
 * @module
 * The reads of the page store (lib/wiki/page_store.ts): a page now or at a revision, its links, history and diffs,
 * the change feed, and the catalog-backed list, search and orphans. Each is a function of the store's context.
 */
import type { PageId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type {
  HistoryEntry,
  Links,
  ListFilter,
  Page,
  PageDiff,
  PageMeta,
  RelatedPage,
  RevisionInfo,
  SearchHit,
  SearchOptions,
  Usage,
} from "./types.ts";
import { canonicalPath } from "./paths.ts";
import { analyzeContent } from "./frontmatter.ts";
import { tokenize } from "./text.ts";
import { unifiedDiff } from "./diff.ts";
import { headMeta, headPage, type HistRecord, loadText, type PageHead, type StoredRevision } from "./records.ts";
import { readState } from "./commit.ts";
import { resolveRevision, shortRev } from "./revisions.ts";
import { catalogForRead, freshCatalog } from "./catalog.ts";
import { rankPages, relatedPages, SEARCH_MODES } from "./meaning/hybrid.ts";
import { meaningLayerOn } from "./meaning/switch.ts";
import { getHead, requireLive, type StoreContext } from "./store_context.ts";

/** Default number of history entries and recent changes returned. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Largest `limit` accepted by history, recent changes and search. */
export const MAX_LIST_LIMIT = 1000;
/** Default number of search hits. */
export const DEFAULT_SEARCH_LIMIT = 20;

/** A `limit` argument as an integer in 1..MAX_LIST_LIMIT (the default when absent or invalid). */
function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}

/** A page (or, with `revision`, the page as of that revision): PageStore `read`. */
export async function readPage(
  ctx: StoreContext,
  path: string,
  opts: { revision?: string; includeDeleted?: boolean } = {},
): Promise<Page> {
  const p = canonicalPath(path);
  if (opts.revision !== undefined) return await readAt(ctx, p, opts.revision, opts.includeDeleted ?? false);
  const head = await getHead(ctx, p);
  if (head?.deleted && opts.includeDeleted) {
    return headPage(head, await loadText(ctx.kv, ctx.wikiId, head.content));
  }
  const live = requireLive(p, head);
  return headPage(live, await loadText(ctx.kv, ctx.wikiId, live.content));
}

async function readAt(ctx: StoreContext, path: string, revision: string, includeDeleted: boolean): Promise<Page> {
  const rev = await resolveRevision(ctx.kv, ctx.wikiId, revision);
  const head = await getHead(ctx, path);
  if (head === null) requireLive(path, head);
  const hist = await stateAt(ctx, head!.pageId, rev.seq);
  if (hist === null) {
    throw new NotFoundError(`Page "${path}" did not exist yet at revision ${shortRev(rev.id)}. See its history.`);
  }
  if (hist.deleted && !includeDeleted) {
    throw new NotFoundError(`Page "${path}" was deleted at revision ${shortRev(rev.id)}. See its history.`, {
      reason: "page_deleted",
      path,
    });
  }
  const content = await loadText(ctx.kv, ctx.wikiId, hist.content);
  const a = analyzeContent(hist.path, content);
  return {
    path: hist.path,
    pageId: head!.pageId,
    title: a.title,
    category: a.category,
    tags: a.tags,
    frontmatter: a.frontmatter,
    words: a.words,
    bytes: hist.bytes,
    links: a.links,
    revision: hist.revision.id,
    createdAt: head!.createdAt,
    updatedAt: hist.revision.time,
    content,
    deleted: hist.deleted,
    lastRevision: hist.revision,
  };
}

/** The history record of a page as of write sequence `seq` (the latest at or before it), or null. */
export async function stateAt(ctx: StoreContext, pageId: PageId, seq: number): Promise<HistRecord | null> {
  const prefix = K.pageHistAll(ctx.wikiId, pageId);
  const iter = ctx.kv.list<HistRecord>({ start: prefix, end: [...prefix, seq + 1] }, {
    reverse: true,
    limit: 1,
  });
  for await (const e of iter) return e.value;
  return null;
}

/** A live page's metadata, or null: PageStore `meta`. */
export async function pageMeta(ctx: StoreContext, path: string): Promise<PageMeta | null> {
  const head = await getHead(ctx, canonicalPath(path));
  return head && !head.deleted ? headMeta(head) : null;
}

/** A live page with the pages linking to it: PageStore `readWithBacklinks`. */
export async function readWithBacklinks(ctx: StoreContext, path: string): Promise<Page & { linkedFrom: string[] }> {
  const p = canonicalPath(path);
  const { state, values } = await readState(ctx.kv, ctx.wikiId, [K.page(ctx.wikiId, p)]);
  const head = requireLive(p, values[0] as PageHead | null);
  // First use in this process builds the catalog (once per wiki), so that later reads need no backlink list.
  const catalog = await catalogForRead(ctx.kv, ctx.wikiId);
  const [content, linkedFrom] = await Promise.all([
    loadText(ctx.kv, ctx.wikiId, head.content),
    catalog && catalog.seq === state.seq ? catalog.backlinksOf(p) : listBacklinks(ctx, p),
  ]);
  return { ...headPage(head, content), linkedFrom };
}

/** The pages linking to `path`, from the `link` index (sorted). */
export async function listBacklinks(ctx: StoreContext, path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of ctx.kv.list({ prefix: K.linksTo(ctx.wikiId, path) })) {
    const source = e.key[3] as string;
    if (source !== path) out.push(source);
  }
  return out.sort();
}

/** A page's outgoing and incoming links: PageStore `links`. */
export async function pageLinks(ctx: StoreContext, path: string): Promise<Links> {
  const p = canonicalPath(path);
  const [head, linkedFrom] = await Promise.all([getHead(ctx, p), listBacklinks(ctx, p)]);
  return { path: p, linksTo: head && !head.deleted ? [...head.links] : [], linkedFrom };
}

/** A page's history, newest first: PageStore `history`. */
export async function pageHistory(
  ctx: StoreContext,
  path: string,
  limit = DEFAULT_HISTORY_LIMIT,
): Promise<HistoryEntry[]> {
  const p = canonicalPath(path);
  const head = await getHead(ctx, p);
  if (head === null) requireLive(p, head);
  const out: HistoryEntry[] = [];
  const iter = ctx.kv.list<HistRecord>(
    { prefix: K.pageHistAll(ctx.wikiId, head!.pageId) },
    { reverse: true, limit: clampLimit(limit, DEFAULT_HISTORY_LIMIT) },
  );
  for await (const e of iter) {
    out.push({ revision: e.value.revision, path: e.value.path, deleted: e.value.deleted, bytes: e.value.bytes });
  }
  return out;
}

/** The wiki's latest revisions, newest first: PageStore `recentChanges`. */
export async function recentChanges(ctx: StoreContext, limit = DEFAULT_HISTORY_LIMIT): Promise<RevisionInfo[]> {
  const out: RevisionInfo[] = [];
  const iter = ctx.kv.list<StoredRevision>(
    { prefix: K.changes(ctx.wikiId) },
    { reverse: true, limit: clampLimit(limit, DEFAULT_HISTORY_LIMIT) },
  );
  for await (const e of iter) out.push(e.value);
  return out;
}

/** A unified diff of a page between two revisions (or one and now): PageStore `diff`. */
export async function pageDiff(ctx: StoreContext, path: string, from: string, to?: string): Promise<PageDiff> {
  const p = canonicalPath(path);
  const [fromRev, toRev] = await Promise.all([
    resolveRevision(ctx.kv, ctx.wikiId, from),
    to === undefined ? null : resolveRevision(ctx.kv, ctx.wikiId, to),
  ]);
  const head = await getHead(ctx, p);
  if (head === null) requireLive(p, head);
  const loadAt = async (rev: StoredRevision) => {
    const hist = await stateAt(ctx, head!.pageId, rev.seq);
    if (hist === null) {
      throw new NotFoundError(`Page "${p}" did not exist yet at revision ${shortRev(rev.id)}. See its history.`);
    }
    return await loadText(ctx.kv, ctx.wikiId, hist.content);
  };
  const [oldText, newText] = await Promise.all([
    loadAt(fromRev),
    toRev ? loadAt(toRev) : loadText(ctx.kv, ctx.wikiId, head!.content),
  ]);
  const toId = toRev ? toRev.id : head!.revision;
  const d = unifiedDiff(oldText, newText, { from: `${p}@${shortRev(fromRev.id)}`, to: `${p}@${shortRev(toId)}` });
  return { path: p, from: fromRev.id, to: toId, ...d };
}

/** Live pages matching `filter`, from the catalog: PageStore `list`. */
export async function listPages(ctx: StoreContext, filter: ListFilter = {}): Promise<PageMeta[]> {
  const catalog = await freshCatalog(ctx.kv, ctx.wikiId);
  const prefix = filter.prefix === undefined ? "" : filter.prefix.normalize("NFC").replace(/[\s_]+/g, " ");
  const category = filter.category?.trim().toLowerCase();
  const tag = filter.tag?.trim().toLowerCase();
  const since = filter.updatedSince;
  return catalog.pages().filter((m) =>
    m.path.startsWith(prefix) &&
    (category === undefined || category === "" || m.category?.toLowerCase() === category) &&
    (tag === undefined || tag === "" || m.tags.some((t) => t.toLowerCase() === tag)) &&
    (since === undefined || m.updatedAt >= since)
  ).map((m) => ({ ...m, tags: [...m.tags], links: [...m.links] }));
}

/** Search over live pages by terms and meaning (lib/wiki/meaning/hybrid.ts): PageStore `search`. */
export async function searchPages(
  ctx: StoreContext,
  query: string,
  opts: SearchOptions = {},
): Promise<{ total: number; hits: SearchHit[] }> {
  if (typeof query !== "string" || tokenize(query).length === 0) {
    throw new InvalidInputError("The search query is empty. Give one or more words to search for.");
  }
  const mode = opts.mode ?? "hybrid";
  if (!SEARCH_MODES.includes(mode)) {
    throw new InvalidInputError(`Unknown search mode "${mode}"; use one of ${SEARCH_MODES.join(", ")}.`);
  }
  const catalog = await freshCatalog(ctx.kv, ctx.wikiId);
  return await rankPages(catalog, query, clampLimit(opts.limit ?? DEFAULT_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT), mode, {
    forgiving: opts.forgiving !== false,
    ...(ctx.deps.remoteQueryVector ? { remote: ctx.deps.remoteQueryVector } : {}),
  });
}

/** Pages related by meaning to a live page: PageStore `related`. */
export async function relatedTo(ctx: StoreContext, path: string, limit = 5): Promise<RelatedPage[]> {
  const p = canonicalPath(path);
  if (!meaningLayerOn()) return [];
  const catalog = await freshCatalog(ctx.kv, ctx.wikiId);
  if (!catalog.get(p)) throw new NotFoundError(`Page "${p}" does not exist. Check the path (see list_notes).`);
  return await relatedPages(catalog, p, clampLimit(limit, 5), ctx.deps.remoteModel);
}

/** Live pages no other page links to, `Home` excluded: PageStore `orphans`. */
export async function orphanPages(ctx: StoreContext): Promise<string[]> {
  const catalog = await freshCatalog(ctx.kv, ctx.wikiId);
  return catalog.pages().filter((m) => m.path !== "Home" && catalog.backlinksOf(m.path).length === 0).map((m) =>
    m.path
  );
}

/** Pages and bytes used against the quota: PageStore `usage`. */
export async function wikiUsage(ctx: StoreContext): Promise<Usage> {
  const { state } = await readState(ctx.kv, ctx.wikiId);
  return {
    pages: state.pages,
    bytes: state.bytes,
    quotaPages: ctx.wiki.quota.pages,
    quotaBytes: ctx.wiki.quota.bytes,
  };
}
