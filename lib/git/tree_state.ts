/**
 * @module
 * The working tree of a replayed history: files by path, directories with their entries kept in git's order, and
 * each directory's tree id cached until a change below it. After each revision only the changed directories are
 * serialized and hashed again (a 10,000-page wiki in 20 folders hashes one folder and the root per revision).
 */
import { compareEntryNames, entryKey, objectId, type Oid, treeBody, type TreeEntry } from "./objects.ts";

/** A tree object made while hashing: its id and body. */
export interface TreeObject {
  oid: Oid;
  body: Uint8Array;
}

class Dir {
  readonly files = new Map<string, Oid>();
  readonly dirs = new Map<string, Dir>();
  /** Sort keys of every entry ({@link entryKey}), in git's order. */
  readonly order: string[] = [];
  oid: Oid | null = null;

  get size(): number {
    return this.order.length;
  }

  insertKey(key: string): void {
    const at = search(this.order, key);
    if (at < 0) this.order.splice(-at - 1, 0, key);
  }

  removeKey(key: string): void {
    const at = search(this.order, key);
    if (at >= 0) this.order.splice(at, 1);
  }
}

/** Index of `key` in the sorted `order`, or `-(insertion point) - 1`. */
function search(order: string[], key: string): number {
  let lo = 0;
  let hi = order.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareEntryNames(order[mid], key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** A mutable tree of files; {@link TreeState.hash} returns the root id and the tree objects made since last time. */
export class TreeState {
  readonly #root = new Dir();

  /** Puts the file at `segments` (directories first, file name last) with blob id `oid`. */
  set(segments: readonly string[], oid: Oid): void {
    let d = this.#root;
    d.oid = null;
    for (const name of segments.slice(0, -1)) {
      let child = d.dirs.get(name);
      if (child === undefined) {
        child = new Dir();
        d.dirs.set(name, child);
        d.insertKey(entryKey(name, true));
      }
      child.oid = null;
      d = child;
    }
    const file = segments[segments.length - 1];
    if (!d.files.has(file)) d.insertKey(entryKey(file, false));
    d.files.set(file, oid);
  }

  /** Removes the file at `segments` and the directories it leaves empty; nothing when there is none. */
  remove(segments: readonly string[]): void {
    const chain: Dir[] = [this.#root];
    for (const name of segments.slice(0, -1)) {
      const child = chain[chain.length - 1].dirs.get(name);
      if (child === undefined) return;
      chain.push(child);
    }
    const file = segments[segments.length - 1];
    const last = chain[chain.length - 1];
    if (!last.files.delete(file)) return;
    last.removeKey(entryKey(file, false));
    for (const d of chain) d.oid = null;
    for (let i = chain.length - 1; i > 0; i--) {
      if (chain[i].size > 0) break;
      const name = segments[i - 1];
      chain[i - 1].dirs.delete(name);
      chain[i - 1].removeKey(entryKey(name, true));
    }
  }

  /** The root tree's id; `made` receives every tree object hashed for it (children before parents). */
  hash(made: (t: TreeObject) => void): Oid {
    return hashDir(this.#root, made);
  }
}

function hashDir(d: Dir, made: (t: TreeObject) => void): Oid {
  if (d.oid !== null) return d.oid;
  const entries: TreeEntry[] = [];
  for (const key of d.order) {
    const dir = key.endsWith("/");
    const name = dir ? key.slice(0, -1) : key;
    entries.push({ name, dir, oid: dir ? hashDir(d.dirs.get(name)!, made) : d.files.get(name)! });
  }
  const body = treeBody(entries);
  d.oid = objectId("tree", body);
  made({ oid: d.oid, body });
  return d.oid;
}
