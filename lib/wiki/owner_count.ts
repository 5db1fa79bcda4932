/**
 * @module
 * How many wikis a person owns, kept in one counter per person (`user_wiki_count`) that every wiki create and
 * delete checks and changes in its own atomic commit. So a per-person limit (the platform's `WIKIS_PER_USER`) is
 * decided at commit time: of concurrent creates by one person, those that would pass the limit fail their check,
 * read the counter again and are refused. Data written before the counter existed has no counter key: the count is
 * then taken from the person's wikis and the commit checks that the counter is still absent and that none of the
 * counted wikis changed, so the first commit creates the counter with a true value.
 */
import { K } from "./keys.ts";
import { ForbiddenError } from "../errors.ts";
import type { WikiRecord } from "./types.ts";

/** Value of `user_wiki_count`: the number of live wikis the person owns (the key is deleted at 0). */
export interface OwnerCount {
  owned: number;
}

/**
 * Counted wikis whose records a counter-initialising commit checks; past it (only an account from before the
 * counter owning more wikis than any limit allows) the count is taken as read, without per-wiki checks.
 */
const MAX_COUNTED_CHECKS = 90;

/** A person's wiki count as read, ready to be checked and changed in a commit. */
export interface OwnerCountRead {
  /** Live wikis the person owns. */
  owned: number;
  /**
   * Adds to `op` the checks that keep `owned` true until the commit, and sets the counter to `owned + delta`
   * (deleting the key when that is 0).
   */
  apply(op: Deno.AtomicOperation, delta: number): Deno.AtomicOperation;
}

/** Reads the wiki count of `did`: the counter (one `get`), or, when it is missing, the wikis they own. */
export async function readOwnerCount(kv: Deno.Kv, did: string): Promise<OwnerCountRead> {
  const key = K.userWikiCount(did);
  const entry = await kv.get<OwnerCount>(key);
  const checks: Deno.AtomicCheck[] = [{ key, versionstamp: entry.versionstamp }];
  let owned: number;
  if (entry.value !== null) {
    owned = entry.value.owned;
  } else {
    const counted = await ownedWikiEntries(kv, did);
    owned = counted.length;
    if (counted.length <= MAX_COUNTED_CHECKS) {
      for (const e of counted) checks.push({ key: e.key, versionstamp: e.versionstamp });
    }
  }
  return {
    owned,
    apply(op, delta) {
      for (const c of checks) op.check(c);
      const next = Math.max(0, owned + delta);
      return next === 0 ? op.delete(key) : op.set(key, { owned: next } satisfies OwnerCount);
    },
  };
}

/** The `wiki` entries of the live wikis `did` owns (from the `user_wiki` index). */
async function ownedWikiEntries(kv: Deno.Kv, did: string): Promise<Deno.KvEntry<WikiRecord>[]> {
  const ids: string[] = [];
  for await (const e of kv.list({ prefix: K.userWikis(did) })) ids.push(e.key[2] as string);
  const out: Deno.KvEntry<WikiRecord>[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<WikiRecord[]>(ids.slice(i, i + 10).map((id) => K.wiki(id)));
    for (const e of got) if (e.value !== null && e.value.ownerDid === did) out.push(e as Deno.KvEntry<WikiRecord>);
  }
  return out;
}

/** Says that the per-person limit is reached, and what to do. */
export function ownerLimitMessage(owned: number, limit: number): string {
  const some = owned === 1 ? "1 wiki" : `${owned} wikis`;
  const most = limit === 1 ? "one wiki is" : `${limit} wikis are`;
  return `You own ${some}; ${most} the most one person can have. Delete one to create another.`;
}

/** A create refused because its owner already owns `limit` wikis (403, with {@link ownerLimitMessage}). */
export class OwnerLimitError extends ForbiddenError {
  /** Wikis the person owns. */
  readonly owned: number;
  /** The most they may own. */
  readonly limit: number;

  constructor(owned: number, limit: number) {
    super(ownerLimitMessage(owned, limit));
    this.owned = owned;
    this.limit = limit;
  }
}
