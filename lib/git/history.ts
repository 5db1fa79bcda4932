/**
 * @module
 * A wiki's history as git objects. Every revision becomes one commit, in write order, on a single line of
 * history; its tree holds every live page as `<path>.md` (its full text, frontmatter included). Everything in a
 * commit comes from stored, immutable records (the revision's time, message, author id and the display name stored
 * with it, the page states it wrote), so a commit's id never changes once written and fetches fast-forward.
 *
 * Two steps:
 * - {@link indexHistory} reads the history once (texts hashed and dropped as they stream by) and replays it: the
 *   commit id of every revision, and how many objects appear first at each one (a pack header needs the count);
 * - {@link historyObjects} streams the objects first made in a range of revisions, for a pack: blobs as the page
 *   states are listed again, then trees and commits from a second replay.
 */
import type { WikiId } from "../kv/keys.ts";
import { type RevisionStep, wikiPageStates, wikiRevisions } from "../wiki/history_feed.ts";
import { commitBody, type GitType, hex, type Ident, objectId, type Oid } from "./objects.ts";
import { TreeState } from "./tree_state.ts";

/** One page-state change of the replay (text not kept: only its blob id). */
interface Change {
  seq: number;
  pageId: string;
  path: string;
  deleted: boolean;
  blob: Oid | null;
}

/** The indexed history of a wiki up to `seq`. */
export interface HistoryIndex {
  wikiId: WikiId;
  /** The last revision indexed (0: no revision). */
  seq: number;
  /** Commit ids, one per revision, oldest first, with the revision's seq. */
  commits: { seq: number; oid: string }[];
  /** `firstObjects[i]`: objects first made by commits[0..i] (cumulative). */
  firstObjects: number[];
  /** Blob id (hex) -> seq of the first revision whose tree has it. */
  blobFirst: Map<string, number>;
  /** The replay's input (revisions, page-state changes), kept for the second replay. */
  revisions: RevisionStep[];
  changes: Change[];
}

/** An object of a pack. */
export interface GitObject {
  type: GitType;
  oid: Oid;
  body: Uint8Array;
}

const UTF8 = new TextEncoder();

/** Path segments in the repository of page `path` (`A/B` -> `A`, `B.md`); `.git` directories are renamed `_.git`. */
export function pageFileSegments(path: string): string[] {
  const segs = path.split("/");
  const dirs = segs.slice(0, -1).map((s) => (s.toLowerCase() === ".git" ? "_.git" : s));
  return [...dirs, segs[segs.length - 1] + ".md"];
}

/** The author of a revision as git shows it: the stored display name (with "via mcp" for agents), a stable email. */
export function revisionAuthor(r: RevisionStep): Ident {
  const name = r.client.startsWith("mcp:") ? `${r.authorName} via mcp` : r.authorName;
  const email = `${r.author.replace(/[^A-Za-z0-9._:+-]/g, "-")}@robot.wtf`;
  return { name, email, time: r.time };
}

/** A revision's commit message: its message, then a `Revision:` trailer naming the wiki's revision id. */
export function revisionMessage(r: RevisionStep): string {
  return `${r.message}\n\nRevision: ${r.id}\n`;
}

/** The blob id of a page text. */
export function blobOf(text: string): { oid: Oid; body: Uint8Array } {
  const body = UTF8.encode(text);
  return { oid: objectId("blob", body), body };
}

/**
 * The replay: applies each revision's page-state changes (in seq order) to a working tree and makes its commit.
 * `step` returns the trees and the commit it made (a tree may repeat an earlier one: callers deduplicate).
 */
class Replay {
  readonly #tree = new TreeState();
  readonly #where = new Map<string, string[]>();
  readonly #changes: readonly Change[];
  #parent: Oid | null = null;
  #c = 0;

  constructor(changes: readonly Change[]) {
    this.#changes = changes;
  }

  step(r: RevisionStep): { objects: GitObject[]; commit: Oid } {
    const changes = this.#changes;
    while (this.#c < changes.length && changes[this.#c].seq < r.seq) this.#c++;
    for (; this.#c < changes.length && changes[this.#c].seq === r.seq; this.#c++) {
      const ch = changes[this.#c];
      const before = this.#where.get(ch.pageId);
      if (before) this.#tree.remove(before);
      if (ch.deleted || ch.blob === null) {
        this.#where.delete(ch.pageId);
      } else {
        const segs = pageFileSegments(ch.path);
        this.#tree.set(segs, ch.blob);
        this.#where.set(ch.pageId, segs);
      }
    }
    const objects: GitObject[] = [];
    const root = this.#tree.hash((t) => objects.push({ type: "tree", oid: t.oid, body: t.body }));
    const body = commitBody({
      tree: root,
      parent: this.#parent,
      author: revisionAuthor(r),
      message: revisionMessage(r),
    });
    const commit = objectId("commit", body);
    objects.push({ type: "commit", oid: commit, body });
    this.#parent = commit;
    return { objects, commit };
  }
}

/** Reads and replays a wiki's history up to `upTo` (default: all of it). */
export async function indexHistory(kv: Deno.Kv, wikiId: WikiId, upTo = Infinity): Promise<HistoryIndex> {
  const revisions: RevisionStep[] = [];
  for await (const r of wikiRevisions(kv, wikiId, upTo)) revisions.push(r);
  const last = revisions.length ? revisions[revisions.length - 1].seq : 0;
  const changes: Change[] = [];
  const blobFirst = new Map<string, number>();
  for await (const s of wikiPageStates(kv, wikiId, last)) {
    const blob = s.deleted ? null : blobOf(await s.text()).oid;
    changes.push({ seq: s.seq, pageId: s.pageId, path: s.path, deleted: s.deleted, blob });
    if (blob) {
      const h = hex(blob);
      const known = blobFirst.get(h);
      if (known === undefined || s.seq < known) blobFirst.set(h, s.seq);
    }
  }
  changes.sort((a, b) => a.seq - b.seq || (a.pageId < b.pageId ? -1 : a.pageId > b.pageId ? 1 : 0));
  // Objects first made at each seq: blobs by their first state, trees and commits as the replay makes them.
  const newAt = new Map<number, number>();
  for (const seq of blobFirst.values()) newAt.set(seq, (newAt.get(seq) ?? 0) + 1);
  const seen = new Set<string>();
  const commits: { seq: number; oid: string }[] = [];
  const replay = new Replay(changes);
  for (const r of revisions) {
    const { objects, commit } = replay.step(r);
    for (const o of objects) {
      const h = hex(o.oid);
      if (seen.has(h)) continue;
      seen.add(h);
      newAt.set(r.seq, (newAt.get(r.seq) ?? 0) + 1);
    }
    commits.push({ seq: r.seq, oid: hex(commit) });
  }
  const firstObjects: number[] = [];
  let total = 0;
  for (const c of commits) firstObjects.push(total += newAt.get(c.seq) ?? 0);
  return { wikiId, seq: last, commits, firstObjects, blobFirst, revisions, changes };
}

/** Objects first made by the revisions after `base` up to `target` (seqs of indexed revisions; base 0: all). */
export function countObjects(index: HistoryIndex, base: number, target: number): number {
  const at = (seq: number) => {
    if (seq <= 0) return 0;
    const i = index.commits.findIndex((c) => c.seq === seq);
    return i < 0 ? 0 : index.firstObjects[i];
  };
  return at(target) - at(base);
}

/**
 * Streams the objects first made by the revisions after `base` up to `target`: the blobs (texts read again, one
 * page at a time), then the trees and commits. Exactly {@link countObjects} of them.
 */
export async function* historyObjects(
  kv: Deno.Kv,
  index: HistoryIndex,
  base: number,
  target: number,
): AsyncGenerator<GitObject> {
  const sent = new Set<string>();
  for await (const s of wikiPageStates(kv, index.wikiId, target)) {
    if (s.deleted || s.seq <= base) continue;
    const b = blobOf(await s.text());
    const h = hex(b.oid);
    const first = index.blobFirst.get(h);
    if (first === undefined || first <= base || first > target || sent.has(h)) continue;
    sent.add(h);
    yield { type: "blob", oid: b.oid, body: b.body };
  }
  sent.clear();
  const replay = new Replay(index.changes);
  for (const r of index.revisions) {
    if (r.seq > target) break;
    const { objects } = replay.step(r);
    for (const o of objects) {
      const h = hex(o.oid);
      if (sent.has(h)) continue;
      sent.add(h);
      if (r.seq > base) yield o;
    }
  }
}
