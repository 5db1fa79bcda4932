/**
 * @module
 * Paged reads of a wiki's two feeds, newest first, from a write sequence on: a page's history and the wiki's recent
 * changes. `PageStore.history` and `recentChanges` return the newest entries only; these continue below a given
 * `seq` (exclusive), so that a caller can walk a long history in parts and see each entry once, even while writes
 * go on (new entries have higher sequence numbers). One KV list each (plus the page head for a history).
 */
import { K } from "./keys.ts";
import { canonicalPath } from "./paths.ts";
import type { HistRecord, PageHead, StoredRevision } from "./records.ts";
import { requireLive } from "./store_context.ts";
import type { HistoryEntry, RevisionInfo, WikiRecord } from "./types.ts";

/** Where a part of a feed starts: entries with a write sequence below `beforeSeq` (all when absent), `limit` of them. */
export interface FeedPart {
  beforeSeq?: number;
  limit: number;
}

/** Largest `limit` of one part. */
export const MAX_FEED_PART = 1000;

function clampPart(limit: number): number {
  return Math.min(MAX_FEED_PART, Math.max(1, Math.floor(limit)));
}

/**
 * Part of the history of the page at `path` (live or deleted), newest first: the same entries as
 * `PageStore.history`, continuing below `part.beforeSeq`. NotFoundError when no page was ever written at the path.
 */
export async function historyPart(
  kv: Deno.Kv,
  wiki: Pick<WikiRecord, "id">,
  path: string,
  part: FeedPart,
): Promise<HistoryEntry[]> {
  const p = canonicalPath(path);
  const head = (await kv.get<PageHead>(K.page(wiki.id, p))).value;
  if (head === null) requireLive(p, head);
  const prefix = K.pageHistAll(wiki.id, head!.pageId);
  const selector = part.beforeSeq === undefined ? { prefix } : { prefix, end: [...prefix, part.beforeSeq] };
  const out: HistoryEntry[] = [];
  for await (const e of kv.list<HistRecord>(selector, { reverse: true, limit: clampPart(part.limit) })) {
    out.push({ revision: e.value.revision, path: e.value.path, deleted: e.value.deleted, bytes: e.value.bytes });
  }
  return out;
}

/** Part of the wiki's recent changes, newest first: the same entries as `PageStore.recentChanges`, continued. */
export async function changesPart(kv: Deno.Kv, wiki: Pick<WikiRecord, "id">, part: FeedPart): Promise<RevisionInfo[]> {
  const prefix = K.changes(wiki.id);
  const selector = part.beforeSeq === undefined ? { prefix } : { prefix, end: [...prefix, part.beforeSeq] };
  const out: RevisionInfo[] = [];
  for await (const e of kv.list<StoredRevision>(selector, { reverse: true, limit: clampPart(part.limit) })) {
    out.push(e.value);
  }
  return out;
}
