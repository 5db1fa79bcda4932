/**
 * @module
 * The in-process vector side of a wiki's catalog (lib/wiki/catalog.ts): each live page's unit vector per model
 * (the static one always; a remote model's when stored for the page's current revision), cosine search over them,
 * and related pages. A page whose static vector is not stored (never written by this version, or stored for an
 * older word file) waits in `pending` with its text and is embedded on the first vector search ({@link ready}),
 * so building a catalog never reads the word file when KV holds the vectors.
 */
import { MODEL_ID } from "./word_file.ts";
import { decodeVector, type StoredVector } from "./vector_store.ts";
import { loadStaticEmbedder } from "./static_embedder.ts";
import { meaningLayerOn } from "./switch.ts";

/** The static layer's model id (of the shipped word file). */
export const STATIC_MODEL = MODEL_ID;

/** A page and its cosine similarity to a query or another page. */
export interface VectorHit {
  path: string;
  score: number;
}

/** Text of a page waiting for its static vector. */
interface PendingPage {
  title: string;
  body: string;
}

/** One model's vectors in one growable slab (fast to scan), a slot per page. */
class ModelVectors {
  slab: Float32Array;
  readonly paths: (string | undefined)[] = [];
  readonly slotOf = new Map<string, number>();
  readonly #free: number[] = [];

  constructor(readonly dims: number) {
    this.slab = new Float32Array(dims * 64);
  }

  set(path: string, v: Float32Array): void {
    let slot = this.slotOf.get(path);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.paths.length;
      if ((slot + 1) * this.dims > this.slab.length) {
        const bigger = new Float32Array(this.slab.length * 2);
        bigger.set(this.slab);
        this.slab = bigger;
      }
      this.slotOf.set(path, slot);
      this.paths[slot] = path;
    }
    this.slab.set(v, slot * this.dims);
  }

  /** Drops the slab's spare capacity. */
  compact(): void {
    const length = Math.max(1, this.paths.length) * this.dims;
    if (length < this.slab.length) this.slab = this.slab.slice(0, length);
  }

  delete(path: string): void {
    const slot = this.slotOf.get(path);
    if (slot === undefined) return;
    this.slotOf.delete(path);
    this.paths[slot] = undefined;
    this.#free.push(slot);
  }

  get(path: string): Float32Array | undefined {
    const slot = this.slotOf.get(path);
    return slot === undefined ? undefined : this.slab.slice(slot * this.dims, (slot + 1) * this.dims);
  }
}

/** Unit vectors of a wiki's live pages, per model; see the module doc. */
export class VectorIndex {
  readonly #byModel = new Map<string, ModelVectors>();
  readonly #pending = new Map<string, PendingPage>();

  /**
   * Sets a page's vectors: the static one from `computed` (the write path embedded it), else from a stored record
   * of the current word file and `revision`, else pending; other models' records only for `revision`.
   */
  upsert(
    path: string,
    page: { title: string; body: string; revision: string },
    stored: readonly StoredVector[] = [],
    computed?: Float32Array,
  ): void {
    this.remove(path);
    let staticVec = computed ?? null;
    for (const rec of stored) {
      if (rec.revision !== page.revision) continue;
      if (rec.model === STATIC_MODEL && staticVec !== null) continue;
      const v = decodeVector(rec);
      if (v === null) continue;
      if (rec.model === STATIC_MODEL) staticVec = v;
      else this.set(rec.model, path, v);
    }
    if (staticVec) this.set(STATIC_MODEL, path, staticVec);
    else if (meaningLayerOn()) this.#pending.set(path, { title: page.title, body: page.body });
  }

  /** Sets one model's vector of a page (a remote embedder's, after a background re-embed). */
  set(model: string, path: string, v: Float32Array): void {
    let m = this.#byModel.get(model);
    if (!m || m.dims !== v.length) {
      // A model's dimension is fixed; a different one means the model changed: start its vectors afresh.
      this.#byModel.set(model, m = new ModelVectors(v.length));
    }
    m.set(path, v);
  }

  /** Forgets a page's vectors (no-op when absent). */
  remove(path: string): void {
    for (const m of this.#byModel.values()) m.delete(path);
    this.#pending.delete(path);
  }

  /** Releases the spare capacity the vectors grew while a catalog was built. */
  compact(): void {
    for (const m of this.#byModel.values()) m.compact();
  }

  /** Pages still waiting for their static vector. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Number of pages with a vector of `model`. */
  count(model: string = STATIC_MODEL): number {
    return this.#byModel.get(model)?.slotOf.size ?? 0;
  }

  /** Embeds the pending pages with the static layer (loading the word file on first use). */
  async ready(): Promise<void> {
    if (this.#pending.size === 0) return;
    const embedder = await loadStaticEmbedder();
    for (const [path, p] of this.#pending) this.set(STATIC_MODEL, path, embedder.embedPage(p.title, path, p.body));
    this.#pending.clear();
  }

  /** A page's vector of `model`, or undefined. */
  vectorOf(path: string, model: string = STATIC_MODEL): Float32Array | undefined {
    return this.#byModel.get(model)?.get(path);
  }

  /**
   * The `limit` pages most similar to `query` (a unit vector of `model`) with a score of at least `minScore`,
   * best first, ties by path; pages in `exclude` are skipped. Call {@link ready} first for the static model.
   */
  search(
    query: Float32Array,
    limit: number,
    opts: { model?: string; minScore?: number; exclude?: { has(path: string): boolean } } = {},
  ): VectorHit[] {
    const vectors = this.#byModel.get(opts.model ?? STATIC_MODEL);
    const min = opts.minScore ?? -Infinity;
    const top: VectorHit[] = [];
    if (!vectors || limit <= 0 || vectors.dims !== query.length) return top;
    const { dims, slab, paths } = vectors;
    for (let slot = 0, base = 0; slot < paths.length; slot++, base += dims) {
      const path = paths[slot];
      if (path === undefined) continue;
      let s = 0;
      for (let d = 0; d < dims; d++) s += query[d] * slab[base + d];
      if (s < min || (top.length === limit && s <= top[limit - 1].score)) continue;
      if (opts.exclude?.has(path)) continue;
      let i = top.length;
      while (i > 0 && (top[i - 1].score < s || (top[i - 1].score === s && top[i - 1].path > path))) i--;
      top.splice(i, 0, { path, score: s });
      if (top.length > limit) top.pop();
    }
    return top;
  }
}
