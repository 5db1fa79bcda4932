/**
 * @module
 * The background re-embed job of the remote embedder (issue 12 item 4). A pass walks every wiki, in id order, and
 * gives each live page a vector of the configured remote model when it has none computed from its current revision:
 * after a change of model (every page), for pages written while the endpoint was down, and for pages the write
 * queue (lib/wiki/meaning/remote_write_queue.ts) dropped. A wiki whose `["remote_mark", wikiId]` says its pages are
 * embedded up to its current write sequence is skipped at the cost of one read; one written since is brought up to
 * date from the change feed (only the changed pages); otherwise its pages are walked in path order, a batch at a
 * time.
 *
 * Resumable: after every batch the cursor (lib/wiki/meaning/reembed_state.ts) is saved with the lease renewed in the
 * same commit, so an interrupted pass (a crash, a deploy, the endpoint down) continues where it stopped, on this
 * instance or another. At most one runner works at a time (the lease). Progress, done/total pages for the model,
 * is in the state record (`deno task embeddings:status`) and in log lines.
 */
import type { WikiId } from "../../kv/keys.ts";
import { K } from "../keys.ts";
import { type Embedder, EmbedderUnavailableError } from "./embedder.ts";
import { RemoteKeys, type RemoteMark, type RemoteVectorSink } from "./remote_store.ts";
import { pagesAfter, pagesAt, type PageToEmbed, pathsChangedSince, wikiIdsFrom, wikiProgress } from "./page_source.ts";
import {
  countLivePages,
  positionAfter,
  readReembedEntry,
  releaseLease,
  saveProgress,
  takeLease,
} from "./reembed_state.ts";

/** What a pass needs. */
export interface ReembedDeps {
  kv: Deno.Kv;
  embedder: Embedder;
  sink: RemoteVectorSink;
  /** This runner's name in the lease (e.g. a random id per process). */
  holder: string;
  /** Pages per batch (default 32). */
  batchSize?: number;
  /** Lease lifetime, renewed by every save (default 2 minutes). */
  leaseMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

/** How a pass ended. */
export type PassOutcome =
  /** every wiki is done; the state is `idle` */
  | "finished"
  /** stopped by `signal` or `maxBatches`; resumable */
  | "stopped"
  /** the embedder could not answer; resumable once it does */
  | "unavailable"
  /** another runner holds (or took) the lease */
  | "busy";

/** Options of one call of {@link runReembedPass}. */
export interface PassOptions {
  signal?: AbortSignal;
  /** Stop (resumably) after this many embedding batches (tests: an interruption at a known point). */
  maxBatches?: number;
}

/** Wikis listed per read while looking for work. */
const WIKI_PAGE = 100;
/** Skipped (up-to-date) wikis between two saves of the cursor. */
const SAVE_EVERY_SKIPPED = 200;

/**
 * Runs (or resumes) a pass for the embedder's model: starts a new pass when the last one was for another model or
 * finished, else continues from the saved cursor. Returns how it ended.
 */
export async function runReembedPass(deps: ReembedDeps, opts: PassOptions = {}): Promise<PassOutcome> {
  const { kv, embedder, sink } = deps;
  const now = deps.now ?? Date.now;
  const ttl = deps.leaseMs ?? 120_000;
  const size = deps.batchSize ?? 32;
  const log = deps.log ?? ((m: string) => console.log(m));
  const model = embedder.model;
  let lease = await takeLease(kv, deps.holder, now(), ttl);
  if (lease === null) return "busy";
  const entry = await readReembedEntry(kv);
  let stateVs = entry.versionstamp;
  let state = entry.value;
  if (state === null || state.model !== model || state.phase === "idle") {
    const previous = state;
    state = {
      model,
      pass: previous?.model === model ? previous.pass + 1 : 1,
      phase: "running",
      cursor: { afterWiki: null, walking: null },
      done: 0,
      embedded: 0,
      total: await countLivePages(kv),
      startedAt: now(),
      updatedAt: now(),
      finishedAt: null,
      lastError: null,
    };
    if (previous !== null && previous.model !== model) log(`embeddings: model changed ${previous.model} -> ${model}`);
    log(`embeddings: pass ${state.pass} for ${model} started, ${state.total} pages`);
  }
  let batches = 0;
  let skipped = 0;
  /** Saves the state (and `also`) with the lease renewed; false when the lease is lost (or `also`'s check failed). */
  const save = async (also?: (op: Deno.AtomicOperation) => void): Promise<boolean> => {
    const next = await saveProgress(kv, lease!, stateVs, state!, now(), ttl, also);
    if (next === null) return false;
    lease = next;
    stateVs = next.versionstamp; // the same commit wrote both
    return true;
  };
  if (!await save()) return "busy";

  /** Embeds and stores a batch; false when the embedder failed (state.lastError set and saved). */
  const embedBatch = async (wikiId: WikiId, pages: PageToEmbed[]): Promise<"ok" | "stop" | "unavailable"> => {
    const fresh = await sink.current(wikiId, pages, model);
    const unembedded = pages.filter((_, i) => !fresh[i]);
    if (unembedded.length > 0) {
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) return "stop";
      let vectors: Float32Array[];
      try {
        vectors = await embedder.embed(unembedded.map((p) => p.text), opts.signal);
      } catch (err) {
        if (!(err instanceof EmbedderUnavailableError)) throw err;
        if (opts.signal?.aborted) return "stop";
        state!.lastError = err.message;
        await save();
        log(`embeddings: pass ${state!.pass} paused at ${state!.done}/${state!.total}: ${err.message}`);
        return "unavailable";
      }
      batches++;
      await sink.put(wikiId, unembedded.map((p, i) => ({ ...p, vector: vectors[i] })), model);
      state!.embedded += unembedded.length;
    }
    state!.done += pages.length;
    state!.lastError = null;
    return "ok";
  };

  /** Marks a wiki done up to `seq` (only while the wiki exists: a deleted one must not get a record back). */
  const markDone = async (wikiId: WikiId, seq: number): Promise<boolean> => {
    const wiki = await kv.get(K.wiki(wikiId));
    const mark: RemoteMark = { model, seq };
    state!.cursor = { afterWiki: positionAfter(wikiId), walking: null };
    return await save((op) => {
      if (wiki.versionstamp !== null) op.check(wiki).set(RemoteKeys.mark(wikiId), mark);
    }) || (wiki.versionstamp !== null && await save()); // the wiki changed meanwhile: move on without the mark
  };

  for (;;) {
    if (opts.signal?.aborted) return "stopped";
    const walking = state.cursor.walking;
    const ids = walking ? [walking.wikiId] : await wikiIdsFrom(kv, state.cursor.afterWiki, WIKI_PAGE);
    if (ids.length === 0) break;
    for (const wikiId of ids) {
      if (opts.signal?.aborted) return "stopped";
      const { state: ws, mark } = await wikiProgress(kv, wikiId);
      const cur = state.cursor.walking;
      if (ws === null) { // deleted or not yet published
        state.cursor = { afterWiki: positionAfter(wikiId), walking: null };
        continue;
      }
      if (cur === null && mark?.model === model && mark.seq === ws.seq) {
        state.done += ws.pages;
        state.cursor = { afterWiki: positionAfter(wikiId), walking: null };
        if (++skipped % SAVE_EVERY_SKIPPED === 0 && !await save()) return "busy";
        continue;
      }
      if (cur === null && mark?.model === model && mark.seq < ws.seq) {
        const paths = await pathsChangedSince(kv, wikiId, mark.seq, ws.seq);
        if (paths !== null) {
          const pages = await pagesAt(kv, wikiId, paths);
          for (let i = 0; i < pages.length; i += size) {
            const r = await embedBatch(wikiId, pages.slice(i, i + size));
            if (r !== "ok") return r === "stop" ? "stopped" : "unavailable";
          }
          state.done += Math.max(0, ws.pages - pages.length); // the unchanged pages were already current
          if (!await markDone(wikiId, ws.seq)) return "busy";
          continue;
        }
      }
      // A full walk of the wiki's pages, resumable page batch by page batch.
      let walk = cur ?? { wikiId, afterPath: null, seq: ws.seq };
      state.cursor = { afterWiki: state.cursor.afterWiki, walking: walk };
      for (;;) {
        if (opts.signal?.aborted) return "stopped";
        const { pages, last } = await pagesAfter(kv, wikiId, walk.afterPath, size);
        if (last === null) break;
        const r = await embedBatch(wikiId, pages);
        if (r !== "ok") return r === "stop" ? "stopped" : "unavailable";
        walk = { ...walk, afterPath: last };
        state.cursor = { afterWiki: state.cursor.afterWiki, walking: walk };
        if (!await save()) return "busy";
      }
      if (!await markDone(wikiId, walk.seq)) return "busy";
      log(`embeddings: ${model}: ${state.done}/${state.total} pages (${state.embedded} embedded this pass)`);
    }
  }
  state.phase = "idle";
  state.finishedAt = now();
  if (!await save()) return "busy";
  await releaseLease(kv, lease!);
  log(
    `embeddings: pass ${state.pass} for ${model} finished: ${state.done}/${state.total} pages, ${state.embedded} embedded`,
  );
  return "finished";
}
