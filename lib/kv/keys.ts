/**
 * @module
 * The registry of Deno KV key prefixes. Each part of the app owns its records in its own store module, which builds
 * its keys, reads and writes them, and registers their prefixes here as {@link KeyPrefix} values; lib/platform/
 * key_registry.ts assembles every part's prefixes and {@link checkKeyPrefixes} refuses a duplicate at start-up.
 * docs/kv-schema.md describes the same prefixes with their values, lifetimes and atomic checks (a test checks that
 * both name the same set).
 *
 * Conventions: the first key part names the record type; wiki-scoped records put the wiki's immutable id second,
 * user-scoped records the person's DID, so deleting a wiki or a person is a `list({ prefix: [type, id] })` per type.
 */

/** Id of a wiki (`w_` + 20 base32 chars), immutable, never reused. */
export type WikiId = string;
/** Id of a page (`p_` + 20 base32 chars), stable across renames. */
export type PageId = string;
/** Id of a revision: 32 lowercase hex chars; any unambiguous prefix of 7+ names it. */
export type RevId = string;
/** Id of a staged blob (chunked content). */
export type BlobId = string;

/** Deno KV refuses keys larger than this (bytes, as encoded; writes 2048, reads 2049). */
export const KV_MAX_KEY_BYTES = 2048;

/**
 * Longest text taken from a request (a slug, id, code, state or other lookup value) that may become one part of a
 * key, in UTF-8 bytes. Half the KV limit, so the type name, a wiki id and a second part still fit. Longer input
 * cannot name any record: look-ups answer "not found" without asking KV (which would throw "Key too large").
 */
export const MAX_INPUT_KEY_PART_BYTES = 1024;

/** True when `text`, taken from a request, is short enough to be a key part ({@link MAX_INPUT_KEY_PART_BYTES}). */
export function fitsKeyPart(text: string, maxBytes = MAX_INPUT_KEY_PART_BYTES): boolean {
  if (text.length > maxBytes) return false; // every UTF-16 unit is at least one UTF-8 byte
  if (text.length * 3 <= maxBytes) return true; // every UTF-16 unit is at most three
  return new TextEncoder().encode(text).length <= maxBytes;
}

/** Whose data a key prefix holds: one wiki's (id second), one person's (DID second), or neither. */
export type KeyScope = "wiki" | "user" | "global";

/** One registered key prefix: the record type (first key part), its scope and what it holds. */
export interface KeyPrefix {
  /** The first key part. */
  readonly type: string;
  readonly scope: KeyScope;
  /** One line: what a record of this type is. */
  readonly description: string;
}

/**
 * Prefixes from a table, one a line: scope (`wiki`, `user` or `global`), type, then the description (the rest of the
 * line). Blank lines are skipped; a malformed line throws (at start-up).
 */
export function parseKeyPrefixes(table: string): KeyPrefix[] {
  const out: KeyPrefix[] = [];
  for (const line of table.split("\n")) {
    if (line.trim() === "") continue;
    const m = /^\s*(wiki|user|global)\s+([a-z_]+)\s+(\S.*?)\s*$/.exec(line);
    if (!m) throw new Error(`bad key prefix line: ${line.trim()}`);
    out.push({ scope: m[1] as KeyScope, type: m[2], description: m[3] });
  }
  return out;
}

/**
 * What a part of the app keeps in KV and how it forgets it: its prefixes and the two deletion hooks, called by
 * lib/platform/wiki_lifecycle.ts (the one orchestrator of wiki and account deletion). Each hook removes only the
 * part's own records, is idempotent (running it again after a failure removes what is left) and returns how many of
 * the part's main records it removed (0 where the part keeps nothing of a wiki or a person).
 */
export interface StorePart {
  /** The store module, for messages: e.g. `lib/auth/token_store.ts`. */
  readonly part: string;
  readonly prefixes: readonly KeyPrefix[];
  /** Removes what the part keeps of the wiki `wikiId`. */
  forgetWiki(kv: Deno.Kv, wikiId: WikiId): Promise<number>;
  /** Removes what the part keeps of the person `did` (`now`: the clock, for parts that count live records). */
  forgetUser(kv: Deno.Kv, did: string, now?: number): Promise<number>;
}

/** Throws when two registered prefixes name the same type (two parts would share, and delete, each other's keys). */
export function checkKeyPrefixes(prefixes: readonly KeyPrefix[]): void {
  const seen = new Set<string>();
  for (const p of prefixes) {
    if (seen.has(p.type)) throw new Error(`KV key prefix "${p.type}" is registered twice (lib/kv/keys.ts)`);
    seen.add(p.type);
  }
}
