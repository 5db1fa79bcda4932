/**
 * @module
 * The working tree of a replayed history: files by path, directories with their entries kept in git's order, and
 * each directory's tree body kept whole and patched in place of the entry that changed (a 500-entry folder costs a
 * splice, not 500 encodes). After each revision only the changed directories are hashed again; each new tree object
 * comes with the directory's previous tree, which the pack writer uses as a delta base.
 */
import { compareEntryNames, entryKey, objectId, type Oid, treeEntryBytes } from "./objects.ts";

/** A tree object made while hashing: its id, body, and the same directory's previous tree (a delta base). */
export interface TreeObject {
  oid: Oid;
  body: Uint8Array;
  base: { oid: Oid; body: Uint8Array } | null;
}

const EMPTY = new Uint8Array(0);

class Dir {
  readonly files = new Map<string, Oid>();
  readonly dirs = new Map<string, Dir>();
  /** Sort keys of every entry ({@link entryKey}), in git's order. */
  readonly order: string[] = [];
  /** Byte offset in the body of each entry of `order`. */
  readonly starts: number[] = [];
  /** The tree body is `buf[0, len)`: every entry's bytes, in order, edited in place while this dir owns `buf`. */
  buf: Uint8Array = EMPTY;
  len = 0;
  /** False while `buf` is also the last hashed body (`last.buf`): the next edit copies it into a buffer of its own. */
  owned = false;
  /** A buffer no body refers to any more, reused by the next copy (two buffers per directory take turns). */
  spare: Uint8Array | null = null;
  /** Id of the body, or null after a change below. */
  oid: Oid | null = null;
  /** The last tree hashed for this directory: its id and body `buf[0, len)` (kept intact until the next hash). */
  last: { oid: Oid; buf: Uint8Array; len: number } | null = null;

  get size(): number {
    return this.order.length;
  }

  /** The current body (a view: valid until the next edit of this directory after its next hash). */
  get body(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Puts `bytes` as the entry `key` (inserted in order, or replacing the entry's bytes). */
  put(key: string, bytes: Uint8Array): void {
    let at = search(this.order, key);
    let removed = 0;
    let start: number;
    if (at >= 0) {
      start = this.starts[at];
      removed = this.#length(at);
    } else {
      at = -at - 1;
      start = at < this.order.length ? this.starts[at] : this.len;
      this.order.splice(at, 0, key);
      this.starts.splice(at, 0, start);
    }
    this.#splice(at, start, removed, bytes);
  }

  /** Removes the entry `key`, if present. */
  drop(key: string): void {
    const at = search(this.order, key);
    if (at < 0) return;
    const start = this.starts[at];
    const removed = this.#length(at);
    this.order.splice(at, 1);
    this.starts.splice(at, 1);
    this.#splice(at - 1, start, removed, EMPTY);
  }

  /** Records the body just hashed as `last`; its buffer stays intact until the hash after next. */
  hashed(oid: Oid): void {
    this.oid = oid;
    this.spare = this.last?.buf ?? null;
    this.last = { oid, buf: this.buf, len: this.len };
    this.owned = false;
  }

  #length(i: number): number {
    return (i + 1 < this.starts.length ? this.starts[i + 1] : this.len) - this.starts[i];
  }

  /** A buffer of at least `need` bytes holding the body, owned by this dir (copied or grown when needed). */
  #room(need: number): void {
    if (this.owned && this.buf.length >= need) return;
    let next = this.owned ? null : this.spare;
    if (next === null || next.length < need) next = new Uint8Array(Math.max(need, Math.ceil(this.len * 1.25) + 256));
    next.set(this.buf.subarray(0, this.len));
    if (!this.owned) this.spare = null;
    this.buf = next;
    this.owned = true;
  }

  /** Replaces `removed` bytes at `start` with `bytes`, in place; entries after index `at` move by the difference. */
  #splice(at: number, start: number, removed: number, bytes: Uint8Array): void {
    const len = this.len - removed + bytes.length;
    this.#room(Math.max(len, this.len));
    const buf = this.buf;
    if (bytes.length !== removed) buf.copyWithin(start + bytes.length, start + removed, this.len);
    buf.set(bytes, start);
    this.len = len;
    const shift = bytes.length - removed;
    if (shift !== 0) { for (let j = at + 1; j < this.starts.length; j++) this.starts[j] += shift; }
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
      }
      child.oid = null;
      d = child;
    }
    const file = segments[segments.length - 1];
    d.files.set(file, oid);
    d.put(entryKey(file, false), treeEntryBytes({ name: file, dir: false, oid }));
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
    last.drop(entryKey(file, false));
    for (const d of chain) d.oid = null;
    for (let i = chain.length - 1; i > 0; i--) {
      if (chain[i].size > 0) break;
      const name = segments[i - 1];
      chain[i - 1].dirs.delete(name);
      chain[i - 1].drop(entryKey(name, true));
    }
  }

  /**
   * The root tree's id; `made` receives every tree object hashed for it (children before parents). `idOf` computes
   * a tree's id from its body (default: SHA-1; a second replay passes the ids the first one recorded).
   */
  hash(made: (t: TreeObject) => void, idOf: (body: Uint8Array) => Oid = treeId): Oid {
    return hashDir(this.#root, made, idOf);
  }
}

function treeId(body: Uint8Array): Oid {
  return objectId("tree", body);
}

function hashDir(d: Dir, made: (t: TreeObject) => void, idOf: (body: Uint8Array) => Oid): Oid {
  if (d.oid !== null) return d.oid;
  for (const [name, child] of d.dirs) {
    if (child.oid !== null) continue;
    const oid = hashDir(child, made, idOf);
    d.put(entryKey(name, true), treeEntryBytes({ name, dir: true, oid }));
  }
  const body = d.body;
  const oid = idOf(body);
  const last = d.last;
  made({ oid, body, base: last && { oid: last.oid, body: last.buf.subarray(0, last.len) } });
  d.hashed(oid);
  return oid;
}
