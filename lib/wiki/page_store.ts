/**
 * @module
 * The Deno KV implementation of `PageStore` (lib/wiki/store.ts). Every write follows the protocol of
 * lib/wiki/commit.ts; reads of a current page are one `get`. docs/kv-schema.md describes the records.
 */
import { type PageId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { deleteBlob } from "../kv/blobs.ts";
import { newId } from "../ids.ts";
import {
  AlreadyExistsError,
  AmbiguousError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  TooLargeError,
} from "../errors.ts";
import type { PageStore, StoreDeps } from "./store.ts";
import type {
  Actor,
  AttachmentInfo,
  HistoryEntry,
  Links,
  ListFilter,
  Page,
  PageDiff,
  PageMeta,
  RenameResult,
  RevisionAction,
  RevisionInfo,
  SearchHit,
  Usage,
  WikiRecord,
  WriteOptions,
  WriteResult,
} from "./types.ts";
import { canonicalPath } from "./paths.ts";
import { analyzeContent, findFrontmatterBlock } from "./frontmatter.ts";
import { rewriteWikiLinks } from "./wikilinks.ts";
import { tokenize, utf8Bytes } from "./text.ts";
import { unifiedDiff } from "./diff.ts";
import {
  type AttachmentRecord,
  COMMIT_BUDGET_BYTES,
  commitMessage,
  embeddedRevision,
  headMeta,
  headPage,
  type HistRecord,
  KV_MAX_MUTATIONS,
  loadText,
  type PageHead,
  type StoredContent,
  type StoredRevision,
} from "./records.ts";
import {
  BLOB_PLACEHOLDER,
  BlobStager,
  discardOnRefusal,
  formatLimit,
  inlineFits,
  measurePlan,
  type PageChange,
  placeContent,
  readState,
  runWrite,
  type WritePlan,
} from "./commit.ts";
import { checkCurrentRevision, newRevisionId, normalizeRevision, resolveRevision, shortRev } from "./revisions.ts";
import { catalogForRead, freshCatalog } from "./catalog.ts";
import { getHead, getHeads, makeRevision, requireLive, type StoreContext } from "./store_context.ts";
import { deleteAttachment, getAttachment, listAttachments, putAttachment } from "./attachments.ts";

/** Default number of history entries and recent changes returned. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Largest `limit` accepted by history, recent changes and search. */
export const MAX_LIST_LIMIT = 1000;
/** Default number of search hits. */
export const DEFAULT_SEARCH_LIMIT = 20;

/** Creates the page store of one wiki. */
export function createPageStore(deps: StoreDeps, wiki: WikiRecord): PageStore {
  return new KvPageStore(deps, wiki);
}

/** Occurrences of `needle` in `text`, overlapping ones included ("aa" occurs twice in "aaa"). */
function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0 && n < MAX_COUNTED_OCCURRENCES; i = text.indexOf(needle, i + 1)) n++;
  return n;
}

/** Occurrences of an edit's old text counted at most (enough to say "ambiguous"; bounds the work on hostile text). */
const MAX_COUNTED_OCCURRENCES = 100;

/** A `limit` argument as an integer in 1..MAX_LIST_LIMIT (the default when absent or invalid). */
function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}

/** The head of a page before its content is placed: metadata derived from `text`. */
function bareHead(
  base: { pageId: PageId; path: string; createdAt: number },
  text: string,
  rev: StoredRevision,
): Omit<PageHead, "content"> {
  const a = analyzeContent(base.path, text);
  return {
    pageId: base.pageId,
    path: base.path,
    revision: rev.id,
    seq: rev.seq,
    bodyStart: findFrontmatterBlock(text)?.bodyStart ?? 0,
    title: a.title,
    category: a.category,
    tags: a.tags,
    frontmatter: a.frontmatter,
    words: a.words,
    bytes: utf8Bytes(text),
    links: a.links,
    createdAt: base.createdAt,
    updatedAt: rev.time,
    deleted: false,
    last: embeddedRevision(rev),
  };
}

/** What a single-page write decided: the new text and how the revision describes it. */
interface PageDecision {
  text: string;
  action: RevisionAction;
  message: string;
  created: boolean;
}

class KvPageStore implements PageStore {
  readonly wiki: WikiRecord;
  readonly #ctx: StoreContext;

  constructor(deps: StoreDeps, wiki: WikiRecord) {
    this.wiki = wiki;
    this.#ctx = {
      deps,
      wiki,
      kv: deps.kv,
      wikiId: wiki.id,
      quota: wiki.quota,
      now: deps.now ?? Date.now,
      revisionId: deps.revisionId ?? newRevisionId,
    };
  }

  // ---- reads ----

  async read(path: string, opts: { revision?: string; includeDeleted?: boolean } = {}): Promise<Page> {
    const p = canonicalPath(path);
    if (opts.revision !== undefined) return await this.#readAt(p, opts.revision, opts.includeDeleted ?? false);
    const head = await getHead(this.#ctx, p);
    if (head?.deleted && opts.includeDeleted) {
      return headPage(head, await loadText(this.#ctx.kv, this.wiki.id, head.content));
    }
    const live = requireLive(p, head);
    return headPage(live, await loadText(this.#ctx.kv, this.wiki.id, live.content));
  }

  async #readAt(path: string, revision: string, includeDeleted: boolean): Promise<Page> {
    const rev = await resolveRevision(this.#ctx.kv, this.wiki.id, revision);
    const head = await getHead(this.#ctx, path);
    if (head === null) requireLive(path, head);
    const hist = await this.#stateAt(head!.pageId, rev.seq);
    if (hist === null) {
      throw new NotFoundError(`Page "${path}" did not exist yet at revision ${shortRev(rev.id)}. See its history.`);
    }
    if (hist.deleted && !includeDeleted) {
      throw new NotFoundError(`Page "${path}" was deleted at revision ${shortRev(rev.id)}. See its history.`);
    }
    const content = await loadText(this.#ctx.kv, this.wiki.id, hist.content);
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
  async #stateAt(pageId: PageId, seq: number): Promise<HistRecord | null> {
    const prefix = K.pageHistAll(this.wiki.id, pageId);
    const iter = this.#ctx.kv.list<HistRecord>({ start: prefix, end: [...prefix, seq + 1] }, {
      reverse: true,
      limit: 1,
    });
    for await (const e of iter) return e.value;
    return null;
  }

  async meta(path: string): Promise<PageMeta | null> {
    const head = await getHead(this.#ctx, canonicalPath(path));
    return head && !head.deleted ? headMeta(head) : null;
  }

  async readWithBacklinks(path: string): Promise<Page & { linkedFrom: string[] }> {
    const p = canonicalPath(path);
    const { state, values } = await readState(this.#ctx.kv, this.wiki.id, [K.page(this.wiki.id, p)]);
    const head = requireLive(p, values[0] as PageHead | null);
    // First use in this process builds the catalog (once per wiki), so that later reads need no backlink list.
    const catalog = await catalogForRead(this.#ctx.kv, this.wiki.id);
    const [content, linkedFrom] = await Promise.all([
      loadText(this.#ctx.kv, this.wiki.id, head.content),
      catalog && catalog.seq === state.seq ? catalog.backlinksOf(p) : this.#listBacklinks(p),
    ]);
    return { ...headPage(head, content), linkedFrom };
  }

  async #listBacklinks(path: string): Promise<string[]> {
    const out: string[] = [];
    for await (const e of this.#ctx.kv.list({ prefix: K.linksTo(this.wiki.id, path) })) {
      const source = e.key[3] as string;
      if (source !== path) out.push(source);
    }
    return out.sort();
  }

  async links(path: string): Promise<Links> {
    const p = canonicalPath(path);
    const [head, linkedFrom] = await Promise.all([getHead(this.#ctx, p), this.#listBacklinks(p)]);
    return { path: p, linksTo: head && !head.deleted ? [...head.links] : [], linkedFrom };
  }

  async history(path: string, limit = DEFAULT_HISTORY_LIMIT): Promise<HistoryEntry[]> {
    const p = canonicalPath(path);
    const head = await getHead(this.#ctx, p);
    if (head === null) requireLive(p, head);
    const out: HistoryEntry[] = [];
    const iter = this.#ctx.kv.list<HistRecord>(
      { prefix: K.pageHistAll(this.wiki.id, head!.pageId) },
      { reverse: true, limit: clampLimit(limit, DEFAULT_HISTORY_LIMIT) },
    );
    for await (const e of iter) {
      out.push({ revision: e.value.revision, path: e.value.path, deleted: e.value.deleted, bytes: e.value.bytes });
    }
    return out;
  }

  async recentChanges(limit = DEFAULT_HISTORY_LIMIT): Promise<RevisionInfo[]> {
    const out: RevisionInfo[] = [];
    const iter = this.#ctx.kv.list<StoredRevision>(
      { prefix: K.changes(this.wiki.id) },
      { reverse: true, limit: clampLimit(limit, DEFAULT_HISTORY_LIMIT) },
    );
    for await (const e of iter) out.push(e.value);
    return out;
  }

  resolveRevision(prefix: string): Promise<RevisionInfo> {
    return resolveRevision(this.#ctx.kv, this.wiki.id, prefix);
  }

  async diff(path: string, from: string, to?: string): Promise<PageDiff> {
    const p = canonicalPath(path);
    const [fromRev, toRev] = await Promise.all([
      resolveRevision(this.#ctx.kv, this.wiki.id, from),
      to === undefined ? null : resolveRevision(this.#ctx.kv, this.wiki.id, to),
    ]);
    const head = await getHead(this.#ctx, p);
    if (head === null) requireLive(p, head);
    const loadAt = async (rev: StoredRevision) => {
      const hist = await this.#stateAt(head!.pageId, rev.seq);
      if (hist === null) {
        throw new NotFoundError(`Page "${p}" did not exist yet at revision ${shortRev(rev.id)}. See its history.`);
      }
      return await loadText(this.#ctx.kv, this.wiki.id, hist.content);
    };
    const [oldText, newText] = await Promise.all([
      loadAt(fromRev),
      toRev ? loadAt(toRev) : loadText(this.#ctx.kv, this.wiki.id, head!.content),
    ]);
    const toId = toRev ? toRev.id : head!.revision;
    const d = unifiedDiff(oldText, newText, { from: `${p}@${shortRev(fromRev.id)}`, to: `${p}@${shortRev(toId)}` });
    return { path: p, from: fromRev.id, to: toId, ...d };
  }

  async list(filter: ListFilter = {}): Promise<PageMeta[]> {
    const catalog = await freshCatalog(this.#ctx.kv, this.wiki.id);
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

  async search(query: string, opts: { limit?: number } = {}): Promise<{ total: number; hits: SearchHit[] }> {
    if (typeof query !== "string" || tokenize(query).length === 0) {
      throw new InvalidInputError("The search query is empty. Give one or more words to search for.");
    }
    const catalog = await freshCatalog(this.#ctx.kv, this.wiki.id);
    return catalog.index.search(query, clampLimit(opts.limit ?? DEFAULT_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT));
  }

  async orphans(): Promise<string[]> {
    const catalog = await freshCatalog(this.#ctx.kv, this.wiki.id);
    return catalog.pages().filter((m) => m.path !== "Home" && catalog.backlinksOf(m.path).length === 0).map((m) =>
      m.path
    );
  }

  async usage(): Promise<Usage> {
    const { state } = await readState(this.#ctx.kv, this.wiki.id);
    return {
      pages: state.pages,
      bytes: state.bytes,
      quotaPages: this.wiki.quota.pages,
      quotaBytes: this.wiki.quota.bytes,
    };
  }

  // ---- writes ----

  async write(path: string, content: string, opts: WriteOptions, actor: Actor): Promise<WriteResult> {
    const p = canonicalPath(path);
    this.#checkContent(content);
    const given = opts.revision === undefined || opts.revision === "" ? null : normalizeRevision(opts.revision);
    return await this.#writeOne(p, actor, (before) => {
      const live = before !== null && !before.deleted;
      if (live && given === null) {
        throw new ConflictError(
          `${p} already exists (revision ${shortRev(before.revision)}). To overwrite it, pass its current revision; ` +
            `read the page first if you have not.`,
          before.revision,
        );
      }
      if (live) checkCurrentRevision(p, given!, before.revision);
      if (!live && given !== null && !(before !== null && before.revision.startsWith(given))) {
        throw new ConflictError(
          `Page "${p}" does not exist (it was deleted or never created), so revision ${given} cannot be its current ` +
            `revision. Write it without a revision to create it.`,
          null,
        );
      }
      const action = live ? "update" : "create";
      const message = commitMessage(opts.message, `${live ? "Update" : "Create"}: ${p}`);
      return { text: content, action, message, created: !live };
    });
  }

  async edit(
    path: string,
    edit: { revision: string; oldString: string; newString: string; message?: string },
    actor: Actor,
  ): Promise<WriteResult> {
    const p = canonicalPath(path);
    if (typeof edit.oldString !== "string" || edit.oldString === "") {
      throw new InvalidInputError("The text to replace is empty. Give the exact text to replace (old string).");
    }
    if (typeof edit.newString !== "string") {
      throw new InvalidInputError("The replacement text (new string) is missing.");
    }
    if (edit.oldString === edit.newString) {
      throw new InvalidInputError(
        "The text to replace and its replacement are identical, so there is nothing to change.",
      );
    }
    if (edit.revision === undefined || edit.revision === "") {
      throw new InvalidInputError(
        `Editing needs the page's current revision. Read ${p} first, then pass its revision.`,
      );
    }
    const given = normalizeRevision(edit.revision);
    return await this.#writeOne(p, actor, async (before) => {
      const head = requireLive(p, before);
      checkCurrentRevision(p, given, head.revision);
      const text = await loadText(this.#ctx.kv, this.wiki.id, head.content);
      const at = text.indexOf(edit.oldString);
      if (at < 0) {
        throw new NotFoundError(
          `The text to replace was not found in ${p}. Read the page again and copy the old text exactly, including ` +
            `whitespace and line breaks, then retry.`,
        );
      }
      const n = countOccurrences(text, edit.oldString);
      if (n > 1) {
        throw new AmbiguousError(
          `The text to replace occurs ${
            n >= MAX_COUNTED_OCCURRENCES ? `${n} or more` : n
          } times in ${p}; it must occur exactly once. Include more of the ` +
            `surrounding text to make it unique.`,
        );
      }
      const next = text.slice(0, at) + edit.newString + text.slice(at + edit.oldString.length);
      this.#checkContent(next);
      return { text: next, action: "edit", message: commitMessage(edit.message, `Edit: ${p}`), created: false };
    });
  }

  async delete(path: string, opts: { revision?: string; message?: string }, actor: Actor): Promise<WriteResult> {
    const p = canonicalPath(path);
    const given = opts.revision === undefined || opts.revision === "" ? null : normalizeRevision(opts.revision);
    return await runWrite(this.#ctx, async () => {
      const { state, versionstamp, values } = await readState(this.#ctx.kv, this.wiki.id, [K.page(this.wiki.id, p)]);
      const before = requireLive(p, values[0] as PageHead | null);
      if (given !== null) checkCurrentRevision(p, given, before.revision);
      const rev = makeRevision(this.#ctx, state, "delete", commitMessage(opts.message, `Delete: ${p}`), [p], actor);
      const after: PageHead = {
        ...before,
        revision: rev.id,
        seq: rev.seq,
        updatedAt: rev.time,
        deleted: true,
        last: rev,
      };
      return {
        stateVersionstamp: versionstamp,
        state,
        revision: rev,
        pages: [{ before, after }],
        result: { path: p, revision: rev.id, created: false },
      };
    });
  }

  async restore(path: string, opts: { revision?: string; message?: string }, actor: Actor): Promise<WriteResult> {
    const p = canonicalPath(path);
    const rev = opts.revision === undefined || opts.revision === ""
      ? null
      : await resolveRevision(this.#ctx.kv, this.wiki.id, opts.revision);
    return await this.#writeOne(p, actor, async (before) => {
      if (before === null) requireLive(p, before);
      let text: string;
      if (rev === null) {
        if (!before!.deleted) {
          throw new InvalidInputError(
            `Page "${p}" is not deleted. To bring back an earlier version, pass the revision to restore (see its ` +
              `history).`,
          );
        }
        text = await loadText(this.#ctx.kv, this.wiki.id, before!.content);
      } else {
        const hist = await this.#stateAt(before!.pageId, rev.seq);
        if (hist === null) {
          throw new NotFoundError(`Page "${p}" did not exist yet at revision ${shortRev(rev.id)}. See its history.`);
        }
        text = await loadText(this.#ctx.kv, this.wiki.id, hist.content);
      }
      this.#checkContent(text);
      return {
        text,
        action: "restore",
        message: commitMessage(opts.message, `Restore: ${p}`),
        created: before!.deleted,
      };
    });
  }

  async rename(from: string, to: string, opts: { message?: string }, actor: Actor): Promise<RenameResult> {
    const a = canonicalPath(from);
    const b = canonicalPath(to);
    if (a === b) throw new InvalidInputError(`"${a}" and "${b}" are the same page path; there is nothing to rename.`);
    const stager = new BlobStager(this.#ctx.kv, this.wiki.id, this.#ctx.now);
    const dropped: AttachmentRecord[] = [];
    try {
      const result = await runWrite(this.#ctx, () => this.#planRename(a, b, opts, actor, stager, dropped));
      await stager.discard(stager.published);
      for (const rec of dropped) {
        if (!("bytes" in rec.content)) await deleteBlob(this.#ctx.kv, this.wiki.id, rec.content.blob).catch(() => {});
      }
      return result;
    } catch (err) {
      return await discardOnRefusal(stager, err);
    }
  }

  /** One attempt of a rename: reads, rewrites links, decides where contents go, stages blobs, plans the commit. */
  async #planRename(
    a: string,
    b: string,
    opts: { message?: string },
    actor: Actor,
    stager: BlobStager,
    dropped: AttachmentRecord[],
  ): Promise<WritePlan<RenameResult>> {
    const w = this.wiki.id;
    const { state, versionstamp, values } = await readState(this.#ctx.kv, w, [K.page(w, a), K.page(w, b)]);
    const src = requireLive(a, values[0] as PageHead | null);
    const dst = values[1] as PageHead | null;
    if (dst && !dst.deleted) {
      throw new AlreadyExistsError(
        `A page already exists at "${b}". Choose another name, or rename or delete that page first.`,
      );
    }
    // A deleted page at the target is replaced: its history stays in KV (unreachable by path), its attachments go.
    dropped.length = 0;
    const dropKeys: Deno.KvKey[] = [];
    if (dst) {
      for await (const e of this.#ctx.kv.list<AttachmentRecord>({ prefix: K.attachments(w, dst.pageId) })) {
        dropped.push(e.value);
        dropKeys.push(e.key);
      }
    }
    const sources = await this.#listBacklinks(a);
    const tooLarge = (pages: number, mutations: number, bytes: number) => {
      const fit = Math.max(1, Math.floor(pages * Math.min(KV_MAX_MUTATIONS / mutations, COMMIT_BUDGET_BYTES / bytes)));
      return `Renaming "${a}" to "${b}" would change ${pages} pages at once (${mutations} key updates, about ` +
        `${formatLimit(bytes)}), more than one change can hold (${KV_MAX_MUTATIONS} key updates and ` +
        `${formatLimit(COMMIT_BUDGET_BYTES)}): at most about ${fit} pages like these. Update some of the links to ` +
        `"${a}" by hand first, then rename.`;
    };
    if (sources.length + 1 > KV_MAX_MUTATIONS / 2) {
      throw new TooLargeError(tooLarge(sources.length + 1, 2 * (sources.length + 1) + 4, 1));
    }
    const heads = await getHeads(this.#ctx, sources);
    const changes: { before: PageHead; base: { pageId: PageId; path: string; createdAt: number }; text: string }[] = [];
    const srcText = await loadText(this.#ctx.kv, w, src.content);
    changes.push({
      before: src,
      base: { pageId: src.pageId, path: b, createdAt: src.createdAt },
      text: rewriteWikiLinks(srcText, a, b).content,
    });
    const texts = await Promise.all(heads.map((h) => h && !h.deleted ? loadText(this.#ctx.kv, w, h.content) : null));
    heads.forEach((h, i) => {
      if (!h || h.deleted || texts[i] === null) return;
      const r = rewriteWikiLinks(texts[i]!, a, b);
      if (r.count > 0) {
        changes.push({ before: h, base: { pageId: h.pageId, path: h.path, createdAt: h.createdAt }, text: r.content });
      }
    });
    const updatedPages = changes.slice(1).map((c) => c.base.path).sort();
    const message = commitMessage(opts.message, `Rename: ${a} -> ${b}`);
    const rev = makeRevision(this.#ctx, state, "rename", message, [b, ...updatedPages], actor);
    const bares = changes.map((c) => bareHead(c.base, c.text, rev));
    const inline = bares.map((h, i) => inlineFits(h, changes[i].text));
    const plan = (contents: StoredContent[]): WritePlan<RenameResult> => ({
      stateVersionstamp: versionstamp,
      state,
      revision: rev,
      pages: bares.map((h, i): PageChange => ({
        before: changes[i].before,
        after: { ...h, content: contents[i] },
        text: changes[i].text,
      })),
      deletes: dropKeys,
      extraBytes: -dropped.reduce((n, r) => n + r.size, 0),
      result: { from: a, to: b, revision: rev.id, updatedPages },
      tooLarge: (m, bytes) => tooLarge(changes.length, m, bytes),
    });
    const trial = () => plan(changes.map((c, i) => inline[i] ? { text: c.text } : BLOB_PLACEHOLDER));
    let size = measurePlan(this.#ctx, trial());
    if (size.mutations > KV_MAX_MUTATIONS) {
      throw new TooLargeError(tooLarge(changes.length, size.mutations, size.bytes));
    }
    const bySize = changes.map((_, i) => i).filter((i) => inline[i]).sort((x, y) =>
      changes[y].text.length - changes[x].text.length
    );
    for (const i of bySize) {
      if (size.bytes <= COMMIT_BUDGET_BYTES) break;
      inline[i] = false;
      size = measurePlan(this.#ctx, trial());
    }
    if (size.bytes > COMMIT_BUDGET_BYTES) throw new TooLargeError(tooLarge(changes.length, size.mutations, size.bytes));
    const contents: StoredContent[] = [];
    for (let i = 0; i < changes.length; i++) {
      contents.push(inline[i] ? { text: changes[i].text } : await stager.text(changes[i].text));
    }
    return { ...plan(contents), publish: stager.staged(contents) };
  }

  // ---- attachments ----

  listAttachments(path: string): Promise<AttachmentInfo[]> {
    return listAttachments(this.#ctx, canonicalPath(path));
  }

  putAttachment(
    path: string,
    filename: string,
    data: Uint8Array,
    opts: { mime?: string; message?: string },
    actor: Actor,
  ): Promise<AttachmentInfo> {
    return putAttachment(this.#ctx, canonicalPath(path), filename, data, opts, actor);
  }

  getAttachment(path: string, filename: string): Promise<{ info: AttachmentInfo; data: Uint8Array }> {
    return getAttachment(this.#ctx, canonicalPath(path), filename);
  }

  deleteAttachment(path: string, filename: string, opts: { message?: string }, actor: Actor): Promise<void> {
    return deleteAttachment(this.#ctx, canonicalPath(path), filename, opts, actor);
  }

  /**
   * One write of one page's whole content: reads the state and head, lets `decide` validate and produce the new
   * text, places the content (inline or staged blob) and commits.
   */
  async #writeOne(
    path: string,
    actor: Actor,
    decide: (before: PageHead | null) => PageDecision | Promise<PageDecision>,
  ): Promise<WriteResult> {
    const stager = new BlobStager(this.#ctx.kv, this.wiki.id, this.#ctx.now);
    try {
      const result = await runWrite(this.#ctx, async () => {
        const { state, versionstamp, values } = await readState(this.#ctx.kv, this.wiki.id, [
          K.page(this.wiki.id, path),
        ]);
        const before = values[0] as PageHead | null;
        const d = await decide(before);
        const rev = makeRevision(this.#ctx, state, d.action, d.message, [path], actor);
        const base = { pageId: before?.pageId ?? newId("p"), path, createdAt: before?.createdAt ?? rev.time };
        const bare = bareHead(base, d.text, rev);
        const after: PageHead = { ...bare, content: await placeContent(bare, d.text, stager) };
        return {
          stateVersionstamp: versionstamp,
          state,
          revision: rev,
          pages: [{ before, after, text: d.text }],
          publish: stager.staged([after.content]),
          result: { path, revision: rev.id, created: d.created },
        };
      });
      await stager.discard(stager.published);
      return result;
    } catch (err) {
      return await discardOnRefusal(stager, err);
    }
  }

  #checkContent(content: string): void {
    if (typeof content !== "string") throw new InvalidInputError("Page content must be text.");
    if (!content.isWellFormed()) {
      throw new InvalidInputError(
        "Page content contains broken Unicode (an unpaired UTF-16 surrogate). Send valid Unicode text.",
      );
    }
    const bytes = utf8Bytes(content);
    const max = this.#ctx.deps.limits.maxPageBytes;
    if (bytes > max) throw new TooLargeError(`Content too large (${bytes} bytes). Maximum size is ${max} bytes.`);
  }
}
