/**
 * @module
 * A wiki's history as git objects (the commits are made by lib/git/replay.ts). Two steps:
 * - {@link indexHistory} reads the history once (contents hashed and packed as they stream by) and replays it: the
 *   commit id of every revision, and how many objects appear first at each one (a pack header needs the count);
 * - {@link historyObjects} streams the objects first made in a range of revisions, for a pack: blobs (for the whole
 *   history the entries packed while indexing; for another range, as the page states and attachments are listed
 *   again), then trees and commits from a second replay.
 * Memory: the index keeps ids and paths, and until the first whole pack takes them the blobs' compressed pack entries
 * (about a third of the texts' size), never the texts; a pack holds one object at a time.
 */
import type { WikiId } from "../kv/keys.ts";
import { type RevisionStep, wikiAttachmentStates, wikiPageStates, wikiRevisions } from "../wiki/history_feed.ts";
import { hex, objectId, type Oid, oidKey, OidList, textBytes } from "./objects.ts";
import { blobEntry } from "./pack.ts";
import { PackedBlobs } from "./packed_blobs.ts";
import { type Change, type GitObject, Replay } from "./replay.ts";

export type { GitObject } from "./replay.ts";

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
  /** The replay's input (revisions, changes) and the ids it made, kept for the second replay. */
  revisions: RevisionStep[];
  changes: Change[];
  ids: OidList;
  /**
   * The pack entries of every blob, in the order a whole clone's pack sends them (made while indexing, so that pack
   * needs no second read of the texts); taken, then null, by the first pack of the whole history.
   */
  packed: PackedBlobs | null;
}

const UTF8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Every blob of the history with `base < seq <= upTo`, as stored contents stream by (page texts, attachments). */
async function* blobsOf(kv: Deno.Kv, wikiId: WikiId, base: number, upTo: number) {
  for await (const s of wikiPageStates(kv, wikiId, upTo)) {
    if (s.seq <= base) continue;
    yield { seq: s.seq, change: { kind: "page" as const, pageId: s.pageId, path: s.path }, deleted: s.deleted, s };
  }
  for await (const a of wikiAttachmentStates(kv, wikiId, upTo)) {
    if (a.seq <= base) continue;
    const change = { kind: "attachment" as const, pageId: a.pageId, filename: a.filename };
    yield { seq: a.seq, change, deleted: a.deleted, a };
  }
}

/** The contents of a listed state. */
async function contentOf(e: { s?: { text(): Promise<string> }; a?: { bytes(): Promise<Uint8Array> } }) {
  return e.s ? UTF8.encode(await e.s.text()) : await e.a!.bytes();
}

/** Reads and replays a wiki's history up to `upTo` (default: all of it). */
export async function indexHistory(kv: Deno.Kv, wikiId: WikiId, upTo = Infinity): Promise<HistoryIndex> {
  const revisions: RevisionStep[] = [];
  for await (const r of wikiRevisions(kv, wikiId, upTo)) revisions.push(r);
  const last = revisions.length ? revisions[revisions.length - 1].seq : 0;
  const changes: Change[] = [];
  const blobFirst = new Map<string, number>();
  const packed = new PackedBlobs();
  for await (const e of blobsOf(kv, wikiId, 0, last)) {
    const body = e.deleted ? null : e.s ? textBytes(await e.s.text()) : await e.a!.bytes();
    const oid = body && objectId("blob", body);
    changes.push({ ...e.change, seq: e.seq, blob: oid });
    if (oid) {
      const h = hex(oid);
      const known = blobFirst.get(h);
      // The first time a blob comes by is when a whole pack sends it (historyObjects, base 0).
      if (known === undefined) packed.append(oid, blobEntry(body!));
      if (known === undefined || e.seq < known) blobFirst.set(h, e.seq);
    }
  }
  changes.sort((a, b) => a.seq - b.seq || (a.pageId < b.pageId ? -1 : a.pageId > b.pageId ? 1 : 0));
  // Objects first made at each seq: blobs at their first state, trees and commits as the replay makes them.
  const newAt = new Map<number, number>();
  for (const seq of blobFirst.values()) newAt.set(seq, (newAt.get(seq) ?? 0) + 1);
  const seen = new Set<string>();
  const commits: { seq: number; oid: string }[] = [];
  const ids = new OidList();
  const replay = new Replay(changes, { ids, replaying: false });
  for (const r of revisions) {
    const { objects, commit } = replay.step(r);
    for (const o of objects) {
      // Only trees repeat (a folder back in an earlier state); a commit never does (it names its parent).
      if (o.type === "tree") {
        const k = oidKey(o.oid);
        if (seen.has(k)) continue;
        seen.add(k);
      }
      newAt.set(r.seq, (newAt.get(r.seq) ?? 0) + 1);
    }
    commits.push({ seq: r.seq, oid: hex(commit) });
  }
  const firstObjects: number[] = [];
  let total = 0;
  for (const c of commits) firstObjects.push(total += newAt.get(c.seq) ?? 0);
  return { wikiId, seq: last, commits, firstObjects, blobFirst, revisions, changes, ids, packed };
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
 * Streams the objects first made by the revisions after `base` up to `target`: the blobs (contents read again,
 * one at a time), then the trees and commits. Exactly {@link countObjects} of them.
 */
export async function* historyObjects(
  kv: Deno.Kv,
  index: HistoryIndex,
  base: number,
  target: number,
): AsyncGenerator<GitObject> {
  const sent = new Set<string>();
  const packed = base === 0 && target === index.seq ? index.packed : null;
  if (packed !== null) {
    index.packed = null;
    for (const { oid, entry } of packed.entries()) yield { type: "blob", oid, body: EMPTY, packed: entry };
  }
  // Otherwise the blobs are read again: the blob id of each state from the index (no second hash), by page id and seq.
  const known = new Map<string, Oid>();
  for (const c of packed === null ? index.changes : []) {
    if (c.blob && c.seq > base && c.seq <= target) known.set(`${c.kind} ${c.pageId} ${c.seq}`, c.blob);
  }
  for await (const e of packed === null ? blobsOf(kv, index.wikiId, base, target) : []) {
    const oid = known.get(`${e.change.kind} ${e.change.pageId} ${e.seq}`);
    if (e.deleted || oid === undefined) continue;
    const h = hex(oid);
    const first = index.blobFirst.get(h);
    if (first === undefined || first <= base || first > target || sent.has(h)) continue;
    sent.add(h);
    yield { type: "blob", oid, body: await contentOf(e) };
  }
  sent.clear();
  const replay = new Replay(index.changes, { ids: index.ids, replaying: true });
  for (const r of index.revisions) {
    if (r.seq > target) break;
    const { objects } = replay.step(r);
    for (const o of objects) {
      if (o.type === "tree") {
        const k = oidKey(o.oid);
        if (sent.has(k)) continue;
        sent.add(k);
      }
      if (r.seq > base) yield o;
    }
  }
}
