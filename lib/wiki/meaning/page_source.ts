/**
 * @module
 * What the remote re-embed job and write queue read from the wiki core (lib/wiki/keys.ts records): wikis in id
 * order, a wiki's live pages in path order (a batch at a time, with each head's versionstamp so that a vector is
 * stored only for the text it was computed from), the pages changed since a write sequence (from the change feed),
 * and the text a page is embedded from.
 */
import type { PageId, WikiId } from "../../kv/keys.ts";
import { K } from "../keys.ts";
import { loadText, type PageHead, type StoredRevision, type WikiState } from "../records.ts";
import { markdownToPlainText } from "../plain_text.ts";
import type { RemoteMark } from "./remote_store.ts";
import { RemoteKeys } from "./remote_store.ts";

/** A live page ready to embed: where it is, the revision and head versionstamp it was read at, and its text. */
export interface PageToEmbed {
  pageId: PageId;
  path: string;
  revision: string;
  headVersionstamp: string;
  text: string;
}

/** Changes read at most to find what changed since a mark; more means a full walk of the wiki instead. */
export const MAX_CHANGES_READ = 500;
/** Changed paths taken at most from the change feed; more means a full walk (which reads heads a batch at a time). */
export const MAX_CHANGED_PATHS = 2_000;

/**
 * The text a page is embedded from: title, path, then the body as plain text (Markdown and frontmatter removed), so
 * that a page is found by its name and place as well as by its words.
 */
export function pageEmbedText(head: Pick<PageHead, "title" | "path" | "bodyStart">, content: string): string {
  return `${head.title}\n${head.path}\n\n${markdownToPlainText(content.slice(head.bodyStart))}`;
}

/** Up to `limit` wiki ids from the cursor position `from` (inclusive; null: from the first), in id order. */
export async function wikiIdsFrom(kv: Deno.Kv, from: string | null, limit: number): Promise<WikiId[]> {
  const ids: WikiId[] = [];
  const sel: Deno.KvListSelector = from === null ? { prefix: ["wiki"] } : { prefix: ["wiki"], start: K.wiki(from) };
  for await (const e of kv.list(sel, { limit })) ids.push(e.key[1] as WikiId);
  return ids;
}

/** A wiki's write state and remote mark (null when the wiki has no state: deleted, or never published). */
export async function wikiProgress(
  kv: Deno.Kv,
  wikiId: WikiId,
): Promise<{ state: WikiState | null; mark: RemoteMark | null }> {
  const [st, mark] = await kv.getMany<[WikiState, RemoteMark]>([K.wikiState(wikiId), RemoteKeys.mark(wikiId)]);
  return { state: st.value, mark: mark.value };
}

/** Live pages read from their heads (deleted heads skipped), with their texts. */
async function toEmbed(kv: Deno.Kv, wikiId: WikiId, entries: Deno.KvEntry<PageHead>[]): Promise<PageToEmbed[]> {
  const out: PageToEmbed[] = [];
  for (const e of entries) {
    if (e.value.deleted) continue;
    const content = await loadText(kv, wikiId, e.value.content);
    out.push({
      pageId: e.value.pageId,
      path: e.value.path,
      revision: e.value.revision,
      headVersionstamp: e.versionstamp,
      text: pageEmbedText(e.value, content),
    });
  }
  return out;
}

/**
 * Up to `limit` heads of the wiki after path `after` (exclusive; null: from the first), and the live pages among
 * them. `last` is the path of the last head read (the next cursor), null when there were none.
 */
export async function pagesAfter(
  kv: Deno.Kv,
  wikiId: WikiId,
  after: string | null,
  limit: number,
): Promise<{ pages: PageToEmbed[]; last: string | null; read: number }> {
  const sel: Deno.KvListSelector = after === null
    ? { prefix: K.pages(wikiId) }
    : { prefix: K.pages(wikiId), start: [...K.page(wikiId, after), ""] };
  const entries: Deno.KvEntry<PageHead>[] = [];
  for await (const e of kv.list<PageHead>(sel, { limit })) entries.push(e);
  const last = entries.length > 0 ? entries[entries.length - 1].value.path : null;
  return { pages: await toEmbed(kv, wikiId, entries), last, read: entries.length };
}

/** The live pages among `paths` (absent and deleted ones skipped). */
export async function pagesAt(kv: Deno.Kv, wikiId: WikiId, paths: readonly string[]): Promise<PageToEmbed[]> {
  const entries: Deno.KvEntry<PageHead>[] = [];
  for (let i = 0; i < paths.length; i += 10) {
    const got = await kv.getMany<PageHead[]>(paths.slice(i, i + 10).map((p) => K.page(wikiId, p)));
    for (const e of got) if (e.versionstamp !== null) entries.push(e as Deno.KvEntry<PageHead>);
  }
  return await toEmbed(kv, wikiId, entries);
}

/**
 * The paths written after write sequence `fromSeq` up to `toSeq`, from the change feed; null when they cannot be
 * known cheaply (more than {@link MAX_CHANGES_READ} changes or {@link MAX_CHANGED_PATHS} paths, or a revision whose
 * stored path list was cut).
 */
export async function pathsChangedSince(
  kv: Deno.Kv,
  wikiId: WikiId,
  fromSeq: number,
  toSeq: number,
): Promise<string[] | null> {
  if (toSeq - fromSeq > MAX_CHANGES_READ) return null;
  const paths = new Set<string>();
  const sel = { start: K.change(wikiId, fromSeq + 1), end: K.change(wikiId, toSeq + 1) };
  for await (const e of kv.list<StoredRevision>(sel, { limit: MAX_CHANGES_READ })) {
    if (e.value.pathCount > e.value.paths.length) return null;
    for (const p of e.value.paths) paths.add(p);
    if (paths.size > MAX_CHANGED_PATHS) return null;
  }
  return [...paths].sort();
}
