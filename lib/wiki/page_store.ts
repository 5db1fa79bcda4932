/**
 * @module
 * The Deno KV implementation of `PageStore` (lib/wiki/store.ts). Every write follows the protocol of
 * lib/wiki/commit.ts; reads of a current page are one `get`. docs/kv-schema.md describes the records.
 */
import { K } from "./keys.ts";
import { newId } from "../ids.ts";
import { AmbiguousError, ConflictError, InvalidInputError, NotFoundError, TooLargeError } from "../errors.ts";
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
  RelatedPage,
  RenameResult,
  RevisionAction,
  RevisionInfo,
  SearchHit,
  SearchOptions,
  Usage,
  WikiRecord,
  WriteOptions,
  WriteResult,
} from "./types.ts";
import { canonicalPath } from "./paths.ts";
import { utf8Bytes } from "./text.ts";
import { bareHead, commitMessage, loadText, type PageHead } from "./records.ts";
import { BlobStager, discardOnRefusal, placeContent, readState, runWrite } from "./commit.ts";
import { checkCurrentRevision, normalizeRevision, resolveRevision, shortRev } from "./revisions.ts";
import { makeRevision, requireLive, type StoreContext, storeContext } from "./store_context.ts";
import {
  listPages,
  orphanPages,
  pageDiff,
  pageHistory,
  pageLinks,
  pageMeta,
  readPage,
  readWithBacklinks,
  recentChanges,
  relatedTo,
  searchPages,
  stateAt,
  wikiUsage,
} from "./page_reads.ts";
import { renamePage } from "./page_rename.ts";
import { deleteAttachment, getAttachment, listAttachments, putAttachment } from "./attachments.ts";

export { DEFAULT_HISTORY_LIMIT, DEFAULT_SEARCH_LIMIT, MAX_LIST_LIMIT } from "./page_reads.ts";

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
    this.#ctx = storeContext(deps, wiki);
  }

  // ---- reads ----

  read(path: string, opts: { revision?: string; includeDeleted?: boolean } = {}): Promise<Page> {
    return readPage(this.#ctx, path, opts);
  }

  meta(path: string): Promise<PageMeta | null> {
    return pageMeta(this.#ctx, path);
  }

  readWithBacklinks(path: string): Promise<Page & { linkedFrom: string[] }> {
    return readWithBacklinks(this.#ctx, path);
  }

  links(path: string): Promise<Links> {
    return pageLinks(this.#ctx, path);
  }

  history(path: string, limit?: number): Promise<HistoryEntry[]> {
    return pageHistory(this.#ctx, path, limit);
  }

  recentChanges(limit?: number): Promise<RevisionInfo[]> {
    return recentChanges(this.#ctx, limit);
  }

  resolveRevision(prefix: string): Promise<RevisionInfo> {
    return resolveRevision(this.#ctx.kv, this.wiki.id, prefix);
  }

  diff(path: string, from: string, to?: string): Promise<PageDiff> {
    return pageDiff(this.#ctx, path, from, to);
  }

  list(filter: ListFilter = {}): Promise<PageMeta[]> {
    return listPages(this.#ctx, filter);
  }

  search(query: string, opts: SearchOptions = {}): Promise<{ total: number; hits: SearchHit[] }> {
    return searchPages(this.#ctx, query, opts);
  }

  related(path: string, limit?: number): Promise<RelatedPage[]> {
    return relatedTo(this.#ctx, path, limit);
  }

  orphans(): Promise<string[]> {
    return orphanPages(this.#ctx);
  }

  usage(): Promise<Usage> {
    return wikiUsage(this.#ctx);
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
        const hist = await stateAt(this.#ctx, before!.pageId, rev.seq);
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

  rename(from: string, to: string, opts: { message?: string }, actor: Actor): Promise<RenameResult> {
    return renamePage(this.#ctx, from, to, opts, actor);
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
