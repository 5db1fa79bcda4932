/**
 * @module
 * What undoing a connection would do (lib/wiki/undo.ts applies it). Everything one connection (an OAuth grant or a
 * per-wiki token, lib/wiki/connections.ts) changed since an instant is found from the change feed: the paths of every
 * revision from the connection's first change on lead to the pages, and each page's history since then says what
 * the connection did to it and whether anyone else changed it afterwards. Each page is then either reverted to its
 * state before the connection's first change (created pages deleted, renamed ones moved back, edited or deleted
 * ones restored) or refused, with the reason, when someone else changed it after the connection did.
 */
import type { PageId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { InvalidInputError, TooLargeError } from "../errors.ts";
import { sha256Hex } from "../ids.ts";
import type { RevisionInfo } from "./types.ts";
import { type HistRecord, loadText, type PageHead, type StoredRevision } from "./records.ts";
import { getHeads, type StoreContext } from "./store_context.ts";
import { stateAt } from "./page_reads.ts";
import { madeBy } from "./connections.ts";

/** Most revisions looked at, newest first, back to the instant given (more: choose a later instant). */
export const MAX_UNDO_REVISIONS = 2000;
/** Most pages one undo considers. */
export const MAX_UNDO_PAGES = 300;
/** The latest instant a Date can hold (epoch ms). */
const MAX_INSTANT = 8.64e15;
/** Most history entries of one page read since the connection's first change. */
const MAX_PAGE_ENTRIES = 1000;

/** What undoing does to one page. */
export type UndoKind = "delete" | "rename-back" | "restore" | "undelete";

/** One page the undo reverts. */
export interface UndoItem {
  kind: UndoKind;
  /** The page's path now. */
  path: string;
  /** Its path after the undo (differs from `path` for `rename-back`). */
  to: string;
  /** What happens, in words. */
  description: string;
  /** Revisions of the connection that changed this page. */
  changes: number;
}

/** A page the undo leaves alone because someone else changed it after the connection did. */
export interface UndoRefusal {
  path: string;
  /** Why, in words (who changed it when, or what stands in the way). */
  reason: string;
}

/** What undoing a connection's changes since an instant would do. */
export interface UndoPlan {
  connection: string;
  /** The instant (epoch ms) from which the connection's changes are undone. */
  since: number;
  /** Display name of the connection, from its revisions (null when it changed nothing). */
  name: string | null;
  /** The connection's revisions since `since`. */
  revisions: number;
  items: UndoItem[];
  refused: UndoRefusal[];
  /** Pages the connection changed that need nothing (already as before), and what the undo cannot do. */
  notes: string[];
  /** A digest of the plan: the same plan has the same fingerprint (to apply exactly what was reviewed). */
  fingerprint: string;
}

/** A planned item with what applying it needs. */
export interface PlannedItem extends UndoItem {
  head: PageHead;
  /** The state to return to (null: the page did not exist, or was deleted, before the connection's change). */
  baseline: HistRecord | null;
  /** The text of `baseline` (when it is live). */
  text: string | null;
}

/** A plan with the records applying it needs. */
export interface DetailedPlan extends UndoPlan {
  planned: PlannedItem[];
}

/** Plans undoing everything `connection` changed on the wiki since `since` (epoch ms), from one consistent read. */
export async function planUndoDetailed(ctx: StoreContext, connection: string, since: number): Promise<DetailedPlan> {
  if (!Number.isSafeInteger(since) || since < 0 || since > MAX_INSTANT) {
    throw new InvalidInputError("The time to undo from is not a valid instant.");
  }
  const revs = await revisionsSince(ctx, since);
  const mine = revs.filter((r) => madeBy(r, connection));
  const empty = { connection, since, name: null, revisions: 0, items: [], refused: [], notes: [], planned: [] };
  if (mine.length === 0) return { ...empty, fingerprint: await fingerprintOf([], []) };
  const first = Math.min(...mine.map((r) => r.seq));
  const notes: string[] = [];
  for (const r of mine) {
    if (r.action === "attach" || r.action === "detach") {
      notes.push(`Attachment changes are not undone: "${r.message}" on ${r.paths[0] ?? "a page"}.`);
    }
    if (r.pathCount > r.paths.length) {
      notes.push(
        `"${r.message}" changed ${r.pathCount} pages; only the first ${r.paths.length} are listed here. Check the ` +
          `others by hand in the wiki's recent changes.`,
      );
    }
  }
  const paths = [...new Set(revs.filter((r) => r.seq >= first).flatMap((r) => r.paths))];
  const heads = await getHeads(ctx, paths);
  const byId = new Map<PageId, PageHead>();
  for (const h of heads) if (h !== null) byId.set(h.pageId, h);
  if (byId.size > MAX_UNDO_PAGES) {
    throw new TooLargeError(
      `Changes since then touch ${byId.size} pages; one undo considers at most ${MAX_UNDO_PAGES}. Choose a later ` +
        `time.`,
    );
  }
  const planned: PlannedItem[] = [];
  const refused: UndoRefusal[] = [];
  for (const head of [...byId.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const out = await planPage(ctx, head, connection, first);
    if (out === null) continue;
    if ("reason" in out) refused.push(out);
    else if ("note" in out) notes.push(out.note);
    else planned.push(out);
  }
  await blockOccupiedTargets(ctx, planned, refused);
  const items = planned.filter((p) => !refused.some((r) => r.path === p.path));
  return {
    connection,
    since,
    name: mine[0].authorName,
    revisions: mine.length,
    items: items.map(publicItem),
    refused,
    notes,
    planned: items,
    fingerprint: await fingerprintOf(items, refused),
  };
}

/** The public part of a planned item. */
function publicItem(p: PlannedItem): UndoItem {
  return { kind: p.kind, path: p.path, to: p.to, description: p.description, changes: p.changes };
}

/** The wiki's revisions at or after `since`, newest first (bounded). */
async function revisionsSince(ctx: StoreContext, since: number): Promise<StoredRevision[]> {
  const out: StoredRevision[] = [];
  const iter = ctx.kv.list<StoredRevision>({ prefix: K.changes(ctx.wikiId) }, {
    reverse: true,
    limit: MAX_UNDO_REVISIONS + 1,
  });
  for await (const e of iter) {
    if (e.value.time < since) return out;
    out.push(e.value);
  }
  if (out.length > MAX_UNDO_REVISIONS) {
    throw new TooLargeError(
      `More than ${MAX_UNDO_REVISIONS} changes were made to this wiki since then, too many to review at once. ` +
        `Choose a later time.`,
    );
  }
  return out;
}

/** Who made a revision and when, for a refusal. */
function byWhom(r: RevisionInfo): string {
  const who = r.client === "web" ? r.authorName : `${r.authorName} (${r.client})`;
  return `${who} at ${new Date(r.time).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Plans one page: an item, a refusal, a note (nothing to do), or null (the connection did not change it). */
async function planPage(
  ctx: StoreContext,
  head: PageHead,
  connection: string,
  first: number,
): Promise<PlannedItem | UndoRefusal | { note: string } | null> {
  const prefix = K.pageHistAll(ctx.wikiId, head.pageId);
  const entries: HistRecord[] = [];
  const iter = ctx.kv.list<HistRecord>({ prefix, start: [...prefix, first] }, { limit: MAX_PAGE_ENTRIES });
  for await (const e of iter) entries.push(e.value);
  const firstMine = entries.findIndex((e) => madeBy(e.revision, connection));
  if (firstMine < 0) return null;
  const changes = entries.filter((e) => madeBy(e.revision, connection)).length;
  const later = entries.slice(firstMine + 1).find((e) => !madeBy(e.revision, connection));
  if (later) {
    return {
      path: head.path,
      reason: `Changed by ${byWhom(later.revision)}, after this connection: left as it is. Review its history.`,
    };
  }
  const baseline = await stateAt(ctx, head.pageId, entries[firstMine].revision.seq - 1);
  const base = { head, baseline, changes, path: head.path };
  if (baseline === null || baseline.deleted) {
    if (head.deleted) return { note: `${head.path}: created and deleted again by this connection; nothing to do.` };
    const what = baseline === null ? "created" : "restored";
    return { ...base, kind: "delete", to: head.path, text: null, description: `${what} by it: will be deleted` };
  }
  const text = await loadText(ctx.kv, ctx.wikiId, baseline.content);
  if (baseline.path !== head.path) {
    return {
      ...base,
      kind: "rename-back",
      to: baseline.path,
      text,
      description: `renamed by it from ${baseline.path}: will be renamed back, with its earlier content`,
    };
  }
  if (head.deleted) {
    return { ...base, kind: "undelete", to: head.path, text, description: "deleted by it: will be restored" };
  }
  if (text === await loadText(ctx.kv, ctx.wikiId, head.content)) {
    return { note: `${head.path}: changed by this connection and already back as it was; nothing to do.` };
  }
  return {
    ...base,
    kind: "restore",
    to: head.path,
    text,
    description: "edited by it: will be restored to its content before",
  };
}

/** Refuses renames back onto a path another page holds now (live or deleted). */
async function blockOccupiedTargets(ctx: StoreContext, planned: PlannedItem[], refused: UndoRefusal[]): Promise<void> {
  const moves = planned.filter((p) => p.kind === "rename-back");
  const heads = await getHeads(ctx, moves.map((p) => p.to));
  for (const [i, p] of moves.entries()) {
    const other = heads[i];
    if (other !== null && other.pageId !== p.head.pageId) {
      refused.push({
        path: p.path,
        reason: `Cannot be renamed back: another page is at ${p.to} now. Move or rename that page first.`,
      });
    }
  }
}

/** A digest of what a plan does to which page state. */
async function fingerprintOf(items: PlannedItem[], refused: UndoRefusal[]): Promise<string> {
  const parts = items.map((p) => `${p.head.pageId}@${p.head.revision}:${p.kind}`).sort();
  const no = refused.map((r) => r.path).sort();
  return (await sha256Hex(JSON.stringify([parts, no]))).slice(0, 32);
}
