/**
 * @module
 * The write protocol of a wiki (docs/kv-schema.md, "Write protocol"): read `wiki_state` and the records involved,
 * validate, stage large contents as blobs, then ONE atomic commit that checks `wiki_state`'s versionstamp and
 * writes the new state, the revision, the change-feed entry, the page heads, their history entries and the
 * backlink-index changes. A failed check re-runs the whole attempt (bounded, jittered backoff).
 */
import { type WikiId } from "../kv/keys.ts";
import { K } from "./keys.ts";
import { type BlobRef, deleteBlob, publishBlob, stageBlob } from "../kv/blobs.ts";
import { applyCommitted } from "./catalog.ts";
import { addPageVectors, writeEmbedder } from "./meaning/page_vectors.ts";
import type { StoredVector } from "./meaning/vector_store.ts";
import { ConflictError, NotFoundError, QuotaExceededError, TooLargeError, WikiError } from "../errors.ts";
import {
  COMMIT_BUDGET_BYTES,
  estimateKeySize,
  estimateSize,
  type HistRecord,
  isInline,
  KV_MAX_MUTATIONS,
  type PageHead,
  type StoredContent,
  type StoredRevision,
  VALUE_BUDGET_BYTES,
  type WikiState,
} from "./records.ts";

/** Attempts of one write before it gives up with "the wiki is busy". */
export const MAX_WRITE_ATTEMPTS = 25;

/** One page touched by a write: its head before (null when new) and after. */
export interface PageChange {
  before: PageHead | null;
  after: PageHead;
  /** The full text of `after` when it is live (lets the in-process catalog apply the commit without a read). */
  text?: string;
  /** The static vector stored with the commit (set by `runWrite`, lib/wiki/meaning/page_vectors.ts). */
  vector?: Float32Array;
  /** Its stored record, with the page's section vectors (set by `runWrite`). */
  record?: StoredVector;
}

/** Everything one write attempt wants to commit. */
export interface WritePlan<T> {
  /** Versionstamp of `wiki_state` as read at the start of the attempt. */
  stateVersionstamp: string;
  state: WikiState;
  revision: StoredRevision;
  pages: PageChange[];
  /** Other keys to set or delete (attachments). */
  sets?: [Deno.KvKey, unknown][];
  deletes?: Deno.KvKey[];
  /** Bytes added to usage besides page contents (attachments; negative when removed). */
  extraBytes?: number;
  /** Staged blobs this commit makes visible. */
  publish?: BlobRef[];
  result: T;
  /** Message for TooLargeError when the commit exceeds Deno KV's limits (default: a generic one). */
  tooLarge?: (mutations: number, bytes: number) => string;
}

/** Context of a wiki's writes. */
export interface WriteContext {
  kv: Deno.Kv;
  wikiId: WikiId;
  quota: { pages: number; bytes: number };
  /** Told the live paths of each committed write (lib/wiki/store.ts `StoreDeps.afterCommit`). */
  afterCommit?: (wikiId: WikiId, livePaths: string[]) => void;
}

/** Reads `wiki_state` plus up to 9 more keys in one round trip. NotFoundError when the wiki has no state. */
export async function readState(
  kv: Deno.Kv,
  wikiId: WikiId,
  keys: Deno.KvKey[] = [],
): Promise<{ state: WikiState; versionstamp: string; values: (unknown | null)[] }> {
  const entries = await kv.getMany([K.wikiState(wikiId), ...keys]);
  const st = entries[0];
  if (st.versionstamp === null) throw new NotFoundError("This wiki does not exist (it may have been deleted).");
  return { state: st.value as WikiState, versionstamp: st.versionstamp, values: entries.slice(1).map((e) => e.value) };
}

/** The history record of a head's state. */
export function histOf(h: PageHead): HistRecord {
  return { revision: h.last, path: h.path, content: h.content, deleted: h.deleted, bytes: h.bytes, title: h.title };
}

/** Collected mutations of one commit, with their count and estimated size. */
class Mutations {
  readonly sets = new Map<string, [Deno.KvKey, unknown]>();
  readonly deletes = new Map<string, Deno.KvKey>();
  bytes = 0;
  set(key: Deno.KvKey, value: unknown): void {
    const id = JSON.stringify(key);
    this.deletes.delete(id);
    this.sets.set(id, [key, value]);
  }
  delete(key: Deno.KvKey): void {
    const id = JSON.stringify(key);
    this.sets.delete(id);
    this.deletes.set(id, key);
  }
  get count(): number {
    return this.sets.size + this.deletes.size;
  }
  size(): number {
    let n = 0;
    for (const [k, v] of this.sets.values()) n += estimateKeySize(k) + estimateSize(v);
    for (const k of this.deletes.values()) n += estimateKeySize(k);
    return n;
  }
}

/** Human-readable size limit: `50 MB`, `2 KB`, `900 bytes`. */
export function formatLimit(bytes: number): string {
  const MB = 1024 * 1024;
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

/** Applies the quota to a state change; throws QuotaExceededError when it grows past a limit. */
export function checkQuota(
  quota: { pages: number; bytes: number },
  state: WikiState,
  pagesDelta: number,
  bytesDelta: number,
): void {
  if (pagesDelta > 0 && state.pages + pagesDelta > quota.pages) {
    throw new QuotaExceededError(
      `Page limit reached (${quota.pages} pages). Delete pages you no longer need, or ask the wiki's owner for more room.`,
    );
  }
  if (bytesDelta > 0 && state.bytes + bytesDelta > quota.bytes) {
    throw new QuotaExceededError(
      `Wiki storage quota exceeded (${formatLimit(quota.bytes)} limit). Delete pages or attachments you no longer ` +
        `need, or ask the wiki's owner for more room.`,
    );
  }
}

/** Builds the mutations of a plan and the new state. */
function buildMutations<T>(ctx: WriteContext, plan: WritePlan<T>): { m: Mutations; next: WikiState } {
  const m = new Mutations();
  const w = ctx.wikiId;
  let pagesDelta = 0;
  let bytesDelta = plan.extraBytes ?? 0;
  for (const { before, after } of plan.pages) {
    const liveBefore = before !== null && !before.deleted;
    const liveAfter = !after.deleted;
    pagesDelta += (liveAfter ? 1 : 0) - (liveBefore ? 1 : 0);
    bytesDelta += (liveAfter ? after.bytes : 0) - (liveBefore ? before!.bytes : 0);
    if (before && before.path !== after.path) m.delete(K.page(w, before.path));
    m.set(K.page(w, after.path), after);
    m.set(K.pageHist(w, after.pageId, after.seq), histOf(after));
    if (liveBefore) { for (const t of before!.links) m.delete(K.link(w, t, before!.path)); }
    if (liveAfter) { for (const t of after.links) m.set(K.link(w, t, after.path), true); }
  }
  checkQuota(ctx.quota, plan.state, pagesDelta, bytesDelta);
  for (const [k, v] of plan.sets ?? []) m.set(k, v);
  for (const k of plan.deletes ?? []) m.delete(k);
  const seq = plan.state.seq + 1;
  const next: WikiState = { pages: plan.state.pages + pagesDelta, bytes: plan.state.bytes + bytesDelta, seq };
  m.set(K.wikiState(w), next);
  m.set(K.rev(w, plan.revision.id), plan.revision);
  m.set(K.change(w, seq), plan.revision);
  return { m, next };
}

/** Number of mutations and estimated bytes of a plan's commit (applies the quota check too). */
export function measurePlan<T>(ctx: WriteContext, plan: WritePlan<T>): { mutations: number; bytes: number } {
  const { m } = buildMutations(ctx, plan);
  return { mutations: m.count, bytes: m.size() };
}

/**
 * Runs a write: calls `attempt` (read, validate, stage, plan), commits the plan guarded by the `wiki_state`
 * versionstamp, and repeats on a lost race. Throws TooLargeError when the commit would exceed Deno KV's limits and
 * ConflictError ("busy") after MAX_WRITE_ATTEMPTS lost races.
 */
export async function runWrite<T>(ctx: WriteContext, attempt: (n: number) => Promise<WritePlan<T>>): Promise<T> {
  const embedder = await writeEmbedder();
  for (let n = 0; n < MAX_WRITE_ATTEMPTS; n++) {
    const plan = await attempt(n);
    const { m } = buildMutations(ctx, plan);
    const bytes = m.size();
    if (m.count > KV_MAX_MUTATIONS || bytes > COMMIT_BUDGET_BYTES) {
      throw new TooLargeError(
        plan.tooLarge?.(m.count, bytes) ??
          `This change is too large to save at once (${m.count} key updates, about ${formatLimit(bytes)}; the ` +
            `maximum is ${KV_MAX_MUTATIONS} updates and ${formatLimit(COMMIT_BUDGET_BYTES)}). Reduce the number ` +
            `of links or the size of the frontmatter.`,
      );
    }
    const op = ctx.kv.atomic().check({ key: K.wikiState(ctx.wikiId), versionstamp: plan.stateVersionstamp });
    for (const [k, v] of m.sets.values()) op.set(k, v);
    for (const k of m.deletes.values()) op.delete(k);
    for (const ref of plan.publish ?? []) publishBlob(op, ctx.wikiId, ref);
    addPageVectors(op, ctx.wikiId, plan.pages, embedder, {
      mutations: KV_MAX_MUTATIONS - m.count - (plan.publish?.length ?? 0),
      bytes: COMMIT_BUDGET_BYTES - bytes,
    });
    op.check({ key: K.rev(ctx.wikiId, plan.revision.id), versionstamp: null });
    const res = await op.commit();
    if (res.ok) {
      applyCommitted(ctx.kv, ctx.wikiId, plan.state.seq, plan.pages);
      notifyCommitted(ctx, plan.pages);
      return plan.result;
    }
    await backoff(n);
  }
  throw new ConflictError(
    "The wiki is busy with other changes and this one could not be saved. Nothing was changed; try again in a moment.",
    null,
  );
}

/** Tells `ctx.afterCommit` the live pages of a committed write; never throws into the write. */
function notifyCommitted(ctx: WriteContext, pages: readonly PageChange[]): void {
  if (ctx.afterCommit === undefined) return;
  const live = pages.filter((p) => !p.after.deleted).map((p) => p.after.path);
  if (live.length === 0) return;
  try {
    ctx.afterCommit(ctx.wikiId, live);
  } catch {
    // best effort: the re-embed job finds what this missed
  }
}

/** Sleeps a small, growing, jittered delay. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(100, 2 + attempt * attempt);
  return new Promise((r) => setTimeout(r, Math.random() * cap));
}

/**
 * Stages page texts and attachment bytes as blobs for one operation. A text staged once is reused by later
 * attempts; `discard` removes what no commit published (after a refused write).
 */
export class BlobStager {
  readonly #kv: Deno.Kv;
  readonly #wikiId: WikiId;
  readonly #now: () => number;
  readonly #texts = new Map<string, BlobRef>();
  readonly #all: BlobRef[] = [];
  /** The blobs returned by the last `staged()` call: what the last planned commit publishes. */
  published: BlobRef[] = [];

  /** A stager for one operation on one wiki. */
  constructor(kv: Deno.Kv, wikiId: WikiId, now: () => number) {
    this.#kv = kv;
    this.#wikiId = wikiId;
    this.#now = now;
  }

  /** Stages a text (UTF-8) once; returns its reference. */
  async text(text: string): Promise<BlobRef> {
    const known = this.#texts.get(text);
    if (known) return known;
    const ref = await this.bytes(new TextEncoder().encode(text));
    this.#texts.set(text, ref);
    return ref;
  }

  /** Stages bytes; returns the reference. */
  async bytes(data: Uint8Array): Promise<BlobRef> {
    const ref = await stageBlob(this.#kv, this.#wikiId, data, this.#now());
    this.#all.push(ref);
    return ref;
  }

  /** Blobs referenced by `contents` that this stager staged (to publish with the commit). */
  staged(contents: StoredContent[]): BlobRef[] {
    const ids = new Set(contents.filter((c) => !isInline(c)).map((c) => (c as BlobRef).blob));
    this.published = this.#all.filter((r) => ids.has(r.blob));
    return this.published;
  }

  /** Deletes every staged blob not in `keep`. Best effort. */
  async discard(keep: BlobRef[] = []): Promise<void> {
    if (this.#all.length === keep.length) return;
    const kept = new Set(keep.map((r) => r.blob));
    for (const r of this.#all) {
      if (!kept.has(r.blob)) await deleteBlob(this.#kv, this.#wikiId, r.blob).catch(() => {});
    }
  }
}

/**
 * Places a head's content: inline when the whole head stays under the value budget, else as a staged blob.
 * TooLargeError when even the head without its content is too big (huge frontmatter, too many links).
 */
export async function placeContent(
  head: Omit<PageHead, "content">,
  text: string,
  stager: BlobStager,
): Promise<StoredContent> {
  return inlineFits(head, text) ? { text } : await stager.text(text);
}

/**
 * True when a head with `text` inline stays under the value budget. TooLargeError when even the head without its
 * content is too big (huge frontmatter, too many links).
 */
export function inlineFits(head: Omit<PageHead, "content">, text: string): boolean {
  const bare = estimateSize({ ...head, content: BLOB_PLACEHOLDER });
  if (bare > VALUE_BUDGET_BYTES) {
    throw new TooLargeError(
      `The frontmatter and links of ${head.path} are too large to store (about ${formatLimit(bare)} of ` +
        `metadata; the limit is ${formatLimit(VALUE_BUDGET_BYTES)}). Shorten the frontmatter or link fewer pages.`,
    );
  }
  return bare + 2 * text.length <= VALUE_BUDGET_BYTES;
}

/** A stand-in blob reference of the real size, for measuring a commit before staging. */
export const BLOB_PLACEHOLDER: BlobRef = { blob: "b_00000000000000000000", size: 0, chunks: 0 };

/** Rethrows after discarding staged blobs when the error is a refusal (a WikiError), so nothing is left behind. */
export async function discardOnRefusal(stager: BlobStager, err: unknown): Promise<never> {
  if (err instanceof WikiError) await stager.discard();
  throw err;
}
