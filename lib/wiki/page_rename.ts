/**
 * @module
 * Renaming a page (lib/wiki/page_store.ts `rename`): the page moves, every page linking to it is rewritten, a deleted
 * page at the target is replaced, and all of it is one commit of the write protocol (lib/wiki/commit.ts), with the
 * largest contents moved to blobs when the commit would be too large.
 */
import type { PageId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { deleteBlob } from "../kv/blobs.ts";
import { AlreadyExistsError, InvalidInputError, TooLargeError } from "../errors.ts";
import type { Actor, RenameResult } from "./types.ts";
import { canonicalPath } from "./paths.ts";
import { rewriteWikiLinks } from "./wikilinks.ts";
import {
  type AttachmentRecord,
  bareHead,
  COMMIT_BUDGET_BYTES,
  commitMessage,
  KV_MAX_MUTATIONS,
  loadText,
  type PageHead,
  type StoredContent,
} from "./records.ts";
import {
  BLOB_PLACEHOLDER,
  BlobStager,
  discardOnRefusal,
  formatLimit,
  inlineFits,
  measurePlan,
  type PageChange,
  readState,
  runWrite,
  type WritePlan,
} from "./commit.ts";
import { getHeads, makeRevision, requireLive, type StoreContext } from "./store_context.ts";
import { listBacklinks } from "./page_reads.ts";

/**
 * Renames a page and rewrites the links to it in every page that has them, in one commit (PageStore `rename`);
 * contents that do not fit the commit go to blobs, largest first.
 */
export async function renamePage(
  ctx: StoreContext,
  from: string,
  to: string,
  opts: { message?: string },
  actor: Actor,
): Promise<RenameResult> {
  const a = canonicalPath(from);
  const b = canonicalPath(to);
  if (a === b) throw new InvalidInputError(`"${a}" and "${b}" are the same page path; there is nothing to rename.`);
  const stager = new BlobStager(ctx.kv, ctx.wikiId, ctx.now);
  const dropped: AttachmentRecord[] = [];
  try {
    const result = await runWrite(ctx, () => planRename(ctx, a, b, opts, actor, stager, dropped));
    await stager.discard(stager.published);
    for (const rec of dropped) {
      if (!("bytes" in rec.content)) await deleteBlob(ctx.kv, ctx.wikiId, rec.content.blob).catch(() => {});
    }
    return result;
  } catch (err) {
    return await discardOnRefusal(stager, err);
  }
}

/** One attempt of a rename: reads, rewrites links, decides where contents go, stages blobs, plans the commit. */
async function planRename(
  ctx: StoreContext,
  a: string,
  b: string,
  opts: { message?: string },
  actor: Actor,
  stager: BlobStager,
  dropped: AttachmentRecord[],
): Promise<WritePlan<RenameResult>> {
  const w = ctx.wikiId;
  const { state, versionstamp, values } = await readState(ctx.kv, w, [K.page(w, a), K.page(w, b)]);
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
    for await (const e of ctx.kv.list<AttachmentRecord>({ prefix: K.attachments(w, dst.pageId) })) {
      dropped.push(e.value);
      dropKeys.push(e.key);
    }
  }
  const sources = await listBacklinks(ctx, a);
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
  const heads = await getHeads(ctx, sources);
  const changes: { before: PageHead; base: { pageId: PageId; path: string; createdAt: number }; text: string }[] = [];
  const srcText = await loadText(ctx.kv, w, src.content);
  changes.push({
    before: src,
    base: { pageId: src.pageId, path: b, createdAt: src.createdAt },
    text: rewriteWikiLinks(srcText, a, b).content,
  });
  const texts = await Promise.all(heads.map((h) => h && !h.deleted ? loadText(ctx.kv, w, h.content) : null));
  heads.forEach((h, i) => {
    if (!h || h.deleted || texts[i] === null) return;
    const r = rewriteWikiLinks(texts[i]!, a, b);
    if (r.count > 0) {
      changes.push({ before: h, base: { pageId: h.pageId, path: h.path, createdAt: h.createdAt }, text: r.content });
    }
  });
  const updatedPages = changes.slice(1).map((c) => c.base.path).sort();
  const message = commitMessage(opts.message, `Rename: ${a} -> ${b}`);
  const rev = makeRevision(ctx, state, "rename", message, [b, ...updatedPages], actor);
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
  let size = measurePlan(ctx, trial());
  if (size.mutations > KV_MAX_MUTATIONS) {
    throw new TooLargeError(tooLarge(changes.length, size.mutations, size.bytes));
  }
  const bySize = changes.map((_, i) => i).filter((i) => inline[i]).sort((x, y) =>
    changes[y].text.length - changes[x].text.length
  );
  for (const i of bySize) {
    if (size.bytes <= COMMIT_BUDGET_BYTES) break;
    inline[i] = false;
    size = measurePlan(ctx, trial());
  }
  if (size.bytes > COMMIT_BUDGET_BYTES) throw new TooLargeError(tooLarge(changes.length, size.mutations, size.bytes));
  const contents: StoredContent[] = [];
  for (let i = 0; i < changes.length; i++) {
    contents.push(inline[i] ? { text: changes[i].text } : await stager.text(changes[i].text));
  }
  return { ...plan(contents), publish: stager.staged(contents) };
}
