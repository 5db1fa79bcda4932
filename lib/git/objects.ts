/**
 * @module
 * Git's object model, as much as a read-only history needs: object ids (SHA-1 of `"<type> <size>\0" + body`),
 * tree bodies (entries in git's order), commit bodies and the identity line of an author. Framework-free bytes in,
 * bytes out; nothing here touches the store.
 */
import { createHash } from "node:crypto";

/** The object types a wiki's history uses, with their pack type numbers. */
export type GitType = "commit" | "tree" | "blob";

/** Pack type numbers (gitformat-pack: OBJ_COMMIT 1, OBJ_TREE 2, OBJ_BLOB 3). */
export const PACK_TYPE: Record<GitType, number> = { commit: 1, tree: 2, blob: 3 };

const UTF8 = new TextEncoder();

/** An object id: 20 raw bytes. */
export type Oid = Uint8Array;

/** The id of an object of `type` with `body`. */
export function objectId(type: GitType, body: Uint8Array): Oid {
  const h = createHash("sha1");
  h.update(UTF8.encode(`${type} ${body.length}\0`));
  h.update(body);
  return new Uint8Array(h.digest());
}

/** Reused buffer for the UTF-8 bytes of texts encoded by {@link textBytes} (grown when a text needs more). */
let scratch = new Uint8Array(64 * 1024);

/** The UTF-8 bytes of `text` in a reused buffer: a view valid until the next call. */
export function textBytes(text: string): Uint8Array {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = UTF8.encodeInto(text, scratch);
  return scratch.subarray(0, written);
}

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
/** Reused buffer of an id's hex digits (one flat string made from it, not a rope of 20 pieces). */
const hexScratch = new Uint8Array(40);
const LATIN1 = new TextDecoder("latin1");

/** Lowercase hex of an id. */
export function hex(oid: Oid): string {
  const n = oid.length;
  const out = n * 2 <= hexScratch.length ? hexScratch : new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = HEX_DIGITS[oid[i] >> 4];
    out[2 * i + 1] = HEX_DIGITS[oid[i] & 15];
  }
  return LATIN1.decode(out.subarray(0, n * 2));
}

/** Ids appended to one growing byte array (20 bytes each), not one small array per id. */
export class OidList {
  #bytes = new Uint8Array(20 * 1024);
  #count = 0;

  /** How many ids the list holds. */
  get length(): number {
    return this.#count;
  }

  /** Appends `oid`. */
  push(oid: Oid): void {
    const at = this.#count * 20;
    if (at + 20 > this.#bytes.length) {
      const next = new Uint8Array(this.#bytes.length * 2);
      next.set(this.#bytes);
      this.#bytes = next;
    }
    this.#bytes.set(oid, at);
    this.#count++;
  }

  /** The `i`th id (a view into the list). */
  at(i: number): Oid {
    if (i < 0 || i >= this.#count) throw new RangeError(`no id ${i} (${this.#count} recorded)`);
    return this.#bytes.subarray(i * 20, i * 20 + 20);
  }
}

/** A short map key of an id: its 20 bytes as 20 one-byte characters (half a hex string). */
export function oidKey(oid: Oid): string {
  return String.fromCharCode(...oid);
}

/** True for a 40-character lowercase hex object id. */
export function isHexOid(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}

/** One entry of a tree: a file (mode 100644) or a directory (mode 40000). */
export interface TreeEntry {
  name: string;
  dir: boolean;
  oid: Oid;
}

/**
 * Git's order of tree entries: names compared as UTF-8 bytes, a directory's name as if it ended in `/`. Comparing
 * code points gives the UTF-8 byte order; UTF-16 code units are mapped so surrogates sort above U+E000..U+FFFF.
 */
export function compareEntryNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeOrder(x) - codeOrder(y);
  }
  return a.length - b.length;
}

function codeOrder(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** The sort key of an entry (a directory's name with a trailing `/`). */
export function entryKey(name: string, dir: boolean): string {
  return dir ? name + "/" : name;
}

/** One entry of a tree body: `<mode> <name>\0<20-byte id>`. */
export function treeEntryBytes(e: TreeEntry): Uint8Array {
  const head = UTF8.encode(`${e.dir ? "40000" : "100644"} ${e.name}\0`);
  const out = new Uint8Array(head.length + e.oid.length);
  out.set(head);
  out.set(e.oid, head.length);
  return out;
}

/** The concatenation of `parts`. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Who made a commit, as git shows it. */
export interface Ident {
  name: string;
  email: string;
  /** Epoch milliseconds (git keeps seconds; UTC). */
  time: number;
}

/** What a commit records. */
export interface CommitFields {
  tree: Oid;
  parent: Oid | null;
  author: Ident;
  message: string;
}

/** `Name <email> seconds +0000`, with the characters git forbids in an identity removed. */
export function identLine(who: Ident): string {
  const clean = (s: string) => s.replace(/[<>\0\n\r]/g, "").trim();
  const name = clean(who.name) || "unknown";
  const email = clean(who.email) || "unknown";
  return `${name} <${email}> ${Math.floor(who.time / 1000)} +0000`;
}

/** The body of a commit (author and committer are the same person and time). */
export function commitBody(c: CommitFields): Uint8Array {
  const ident = identLine(c.author);
  const lines = [`tree ${hex(c.tree)}`];
  if (c.parent) lines.push(`parent ${hex(c.parent)}`);
  lines.push(`author ${ident}`, `committer ${ident}`, "", c.message.replace(/\0/g, ""));
  const text = lines.join("\n");
  return UTF8.encode(text.endsWith("\n") ? text : text + "\n");
}
