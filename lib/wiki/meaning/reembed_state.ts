/**
 * @module
 * The re-embed job's records (lib/wiki/meaning/reembed_job.ts): its progress `["remote_job", "state"]`
 * ({@link ReembedState}: the model, the pass, the cursor to resume from, done/total pages) and the lease
 * `["remote_job", "lease"]` that lets one runner at a time work among all the instances sharing the KV store. A
 * lease expires (`expiresAt`, and KV's `expireIn`) unless its holder renews it; every save of progress renews the
 * lease in the same atomic commit, checked against the lease as last written, so a runner that lost its lease can
 * neither move the cursor nor go on unnoticed.
 */
import type { WikiId } from "../../kv/keys.ts";
import { RemoteKeys } from "./remote_store.ts";

/**
 * Where a pass stands: the wikis before a position are done, and one may be walked page by page (pages after
 * `afterPath`; its `seq` when the walk began).
 */
export interface ReembedCursor {
  /**
   * The wikis whose ids sort before this position are done (null: none yet). A position is the last done wiki's id
   * with its last character moved up by one ({@link positionAfter}): it sorts after that wiki and before (or at)
   * the next, and the record never names a wiki (a deleted wiki's id must not outlive it).
   */
  afterWiki: string | null;
  /** The wiki being walked page by page, when a walk is under way. */
  walking: { wikiId: WikiId; afterPath: string | null; seq: number } | null;
}

/** Value of `["remote_job", "state"]`. */
export interface ReembedState {
  /** The remote model this pass embeds for. */
  model: string;
  /** Passes started for this model (1 for the first). */
  pass: number;
  /** `running` while a pass is under way (to be resumed), `idle` once it finished. */
  phase: "running" | "idle";
  cursor: ReembedCursor;
  /** Live pages covered so far in this pass (embedded now, or found with a current vector). */
  done: number;
  /** Pages sent to the embedder in this pass. */
  embedded: number;
  /** Live pages of every wiki when the pass began. */
  total: number;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** The last failure (the embedder unavailable), cleared by progress. */
  lastError: string | null;
}

/** Value of `["remote_job", "lease"]`. */
export interface ReembedLease {
  holder: string;
  expiresAt: number;
}

/** A held lease: the entry as last written (the check of the next save). */
export type HeldLease = Deno.KvEntry<ReembedLease>;

/** The cursor position right after the wiki `wikiId` (ids have one length), without naming it. */
export function positionAfter(wikiId: WikiId): string {
  return wikiId.slice(0, -1) + String.fromCharCode(wikiId.charCodeAt(wikiId.length - 1) + 1);
}

/** Reads the job's progress (null before the first pass). */
export async function readReembedState(kv: Deno.Kv): Promise<ReembedState | null> {
  return (await kv.get<ReembedState>(RemoteKeys.jobState())).value;
}

/** Reads the job's progress with its versionstamp (the check of the first save). */
export async function readReembedEntry(kv: Deno.Kv): Promise<Deno.KvEntryMaybe<ReembedState>> {
  return await kv.get<ReembedState>(RemoteKeys.jobState());
}

/**
 * Forgets a deleted wiki in the job's progress: a walk of it is dropped, and the record is rewritten in any case, so
 * that a runner holding an older state (which may name the wiki) fails its next save and reloads.
 */
export async function forgetWikiInState(kv: Deno.Kv, wikiId: WikiId): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await readReembedEntry(kv);
    if (entry.value === null) return;
    const st = entry.value;
    const walking = st.cursor.walking?.wikiId === wikiId ? null : st.cursor.walking;
    const afterWiki = walking === st.cursor.walking ? st.cursor.afterWiki : positionAfter(wikiId);
    const next: ReembedState = { ...st, cursor: { afterWiki, walking } };
    if ((await kv.atomic().check(entry).set(RemoteKeys.jobState(), next).commit()).ok) return;
  }
}

/**
 * Takes the lease for `holder` when it is free, expired, or already `holder`'s; null when another runner holds it.
 * Atomic: of two runners racing for a free lease, one wins.
 */
export async function takeLease(kv: Deno.Kv, holder: string, now: number, ttlMs: number): Promise<HeldLease | null> {
  const cur = await kv.get<ReembedLease>(RemoteKeys.jobLease());
  if (cur.value !== null && cur.value.holder !== holder && cur.value.expiresAt > now) return null;
  const value: ReembedLease = { holder, expiresAt: now + ttlMs };
  const res = await kv.atomic().check(cur).set(RemoteKeys.jobLease(), value, { expireIn: ttlMs }).commit();
  return res.ok ? { key: RemoteKeys.jobLease(), value, versionstamp: res.versionstamp } : null;
}

/**
 * Saves `state` and renews the lease in one commit, only while `lease` is still the holder's (unchanged since it
 * was written) and the state record is still at `stateVersionstamp` (as this runner last read or wrote it; a wiki
 * deletion rewrites it, {@link forgetWikiInState}). Extra mutations (`also`, e.g. a wiki's mark) join the same
 * commit. Returns the renewed lease (its versionstamp is also the state's now), or null when a check failed: the
 * caller must stop (and reload the state on its next pass).
 */
export async function saveProgress(
  kv: Deno.Kv,
  lease: HeldLease,
  stateVersionstamp: string | null,
  state: ReembedState,
  now: number,
  ttlMs: number,
  also?: (op: Deno.AtomicOperation) => void,
): Promise<HeldLease | null> {
  const value: ReembedLease = { holder: lease.value.holder, expiresAt: now + ttlMs };
  const op = kv.atomic().check(lease).check({ key: RemoteKeys.jobState(), versionstamp: stateVersionstamp })
    .set(RemoteKeys.jobLease(), value, { expireIn: ttlMs })
    .set(RemoteKeys.jobState(), { ...state, updatedAt: now });
  also?.(op);
  const res = await op.commit();
  return res.ok ? { key: RemoteKeys.jobLease(), value, versionstamp: res.versionstamp } : null;
}

/** Gives the lease up (when it is still `lease`), so another runner may start at once. */
export async function releaseLease(kv: Deno.Kv, lease: HeldLease): Promise<void> {
  await kv.atomic().check(lease).delete(RemoteKeys.jobLease()).commit();
}

/** Live pages of every wiki (the sum of the `wiki_state` counters): a pass's total. */
export async function countLivePages(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const e of kv.list<{ pages: number }>({ prefix: ["wiki_state"] }, { batchSize: 500 })) {
    n += e.value?.pages ?? 0;
  }
  return n;
}
