/**
 * @module
 * The replay of a wiki's history into commits: each revision's page-state and attachment changes (in seq order)
 * applied to a working tree, then its commit. Page `A/B` is `A/B.md`; its attachments are under
 * `_attachments/A/B/` (page paths never contain `_`, so the folder cannot clash with a page) and follow the page's
 * renames. The author is the display name stored with the revision (with "via mcp" for agents), the time and
 * message are the revision's, with a `Revision:` trailer: nothing depends on current state, so ids never change.
 */
import type { RevisionStep } from "../wiki/history_feed.ts";
import { commitBody, type GitType, type Ident, objectId, type Oid, type OidList } from "./objects.ts";
import { TreeState } from "./tree_state.ts";

/** The folder of attachments, at the repository root. */
export const ATTACHMENTS_DIR = "_attachments";

/** One change of the replay (contents not kept: only their blob ids). `blob` null: deleted or detached. */
export type Change =
  | { kind: "page"; seq: number; pageId: string; path: string; blob: Oid | null }
  | { kind: "attachment"; seq: number; pageId: string; filename: string; blob: Oid | null };

/**
 * An object of a pack; a tree may name an earlier tree it differs little from (a delta base for the pack). Bodies
 * may be views into buffers the replay reuses: read them before asking for the next object.
 */
export interface GitObject {
  type: GitType;
  oid: Oid;
  body: Uint8Array;
  base?: { oid: Oid; body: Uint8Array } | null;
  /** The object's pack entry, ready (lib/git/packed_blobs.ts); `body` is then empty and unused. */
  packed?: Uint8Array;
}

/** A directory segment git would refuse (`.git` in any case) renamed `_.git`; others unchanged. */
function safeDir(segment: string): string {
  return segment.toLowerCase() === ".git" ? "_.git" : segment;
}

/** Path segments in the repository of page `path` (`A/B` -> `A`, `B.md`). */
export function pageFileSegments(path: string): string[] {
  const segs = path.split("/");
  return [...segs.slice(0, -1).map(safeDir), segs[segs.length - 1] + ".md"];
}

/** Path segments of an attachment of page `path` (`_attachments/A/B/diagram.png`). */
export function attachmentFileSegments(path: string, filename: string): string[] {
  return [ATTACHMENTS_DIR, ...path.split("/").map(safeDir), filename];
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

/**
 * The ids of the trees and commits of a replay, in the order it made them: recorded by a first replay, handed to a
 * second one over the same changes (which then makes the same objects without hashing them again).
 */
export interface ReplayIds {
  ids: OidList;
  /** True: `ids` is to be read (a second replay); false: appended to (a first one). */
  replaying: boolean;
}

/** Replays changes (sorted by seq) revision by revision; `step` returns the trees and the commit it made. */
export class Replay {
  readonly #tree = new TreeState();
  /** Each page's path (kept after its deletion: its attachments stay under it). */
  readonly #paths = new Map<string, string>();
  readonly #live = new Set<string>();
  readonly #attachments = new Map<string, Map<string, Oid>>();
  readonly #changes: readonly Change[];
  readonly #ids: ReplayIds;
  #next = 0;
  #parent: Oid | null = null;
  #c = 0;

  /** A replay of `changes`, sorted by seq, recording its object ids in `ids` or reusing those recorded there. */
  constructor(changes: readonly Change[], ids: ReplayIds) {
    this.#changes = changes;
    this.#ids = ids;
  }

  /** The id of an object made by this replay: the recorded one, or its hash (then recorded). */
  #id(type: "tree" | "commit", body: Uint8Array): Oid {
    if (this.#ids.replaying) return this.#ids.ids.at(this.#next++);
    const oid = objectId(type, body);
    this.#ids.ids.push(oid);
    return oid;
  }

  /** Applies revision `r`'s changes; the tree objects hashed (a tree may repeat an earlier one) and the commit. */
  step(r: RevisionStep): { objects: GitObject[]; commit: Oid } {
    const changes = this.#changes;
    while (this.#c < changes.length && changes[this.#c].seq < r.seq) this.#c++;
    for (; this.#c < changes.length && changes[this.#c].seq === r.seq; this.#c++) {
      const ch = changes[this.#c];
      if (ch.kind === "page") this.#page(ch.pageId, ch.path, ch.blob);
      else this.#attachment(ch.pageId, ch.filename, ch.blob);
    }
    const objects: GitObject[] = [];
    const root = this.#tree.hash((t) => objects.push({ type: "tree", ...t }), (body) => this.#id("tree", body));
    const message = revisionMessage(r);
    const body = commitBody({ tree: root, parent: this.#parent, author: revisionAuthor(r), message });
    const commit = this.#id("commit", body);
    objects.push({ type: "commit", oid: commit, body });
    this.#parent = commit;
    return { objects, commit };
  }

  #page(pageId: string, path: string, blob: Oid | null): void {
    const before = this.#paths.get(pageId);
    if (before !== undefined && this.#live.has(pageId)) this.#tree.remove(pageFileSegments(before));
    if (blob === null) this.#live.delete(pageId);
    else {
      this.#tree.set(pageFileSegments(path), blob);
      this.#live.add(pageId);
    }
    if (before !== undefined && before !== path) {
      for (const [name, oid] of this.#attachments.get(pageId) ?? []) {
        this.#tree.remove(attachmentFileSegments(before, name));
        this.#tree.set(attachmentFileSegments(path, name), oid);
      }
    }
    this.#paths.set(pageId, path);
  }

  #attachment(pageId: string, filename: string, blob: Oid | null): void {
    const path = this.#paths.get(pageId);
    if (path === undefined) return; // an attachment needs its page's path (always written first)
    let files = this.#attachments.get(pageId);
    if (files === undefined) this.#attachments.set(pageId, files = new Map());
    if (blob === null) {
      files.delete(filename);
      this.#tree.remove(attachmentFileSegments(path, filename));
    } else {
      files.set(filename, blob);
      this.#tree.set(attachmentFileSegments(path, filename), blob);
    }
  }
}
