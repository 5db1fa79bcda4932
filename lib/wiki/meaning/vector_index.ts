/**
 * @module
 * The in-process vector side of a wiki's catalog (lib/wiki/catalog.ts): each live page's unit vector per model
 * (the static one always; a remote model's when stored for the page's current revision), cosine search over them,
 * and related pages. A page whose static vector is not stored (never written by this version, or stored for an
 * older word file) waits in `pending` with its text and is embedded on the first vector search ({@link ready}),
 * so building a catalog never reads the word file when KV holds the vectors.
 *
 * A static vector may come with the page's section vectors (lib/wiki/meaning/section_vectors.ts), kept as int8 rows
 * (about 100 bytes a section; a page without them costs one empty slot of an array). A page's score for a query is
 * the best of its page cosine and its sections' cosines; the hit names the section when one won.
 */
import { MODEL_ID } from "./word_file.ts";
import type { StoredVector } from "./vector_store.ts";
import { loadStaticEmbedder } from "./static_embedder.ts";
import { bestSection, decodeSections, embedSections, type SectionRows } from "./section_vectors.ts";
import { ModelVectors } from "./model_vectors.ts";
import { meaningLayerOn } from "./switch.ts";

/** The static layer's model id (of the shipped word file). */
export const STATIC_MODEL = MODEL_ID;

/** A page and its cosine similarity to a query or another page. */
export interface VectorHit {
  path: string;
  score: number;
  /** Heading path of the section whose vector scored best, when one beat the page's own vector. */
  section?: string;
}

/** Text of a page waiting for its static vector. */
interface PendingPage {
  title: string;
  body: string;
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
    let staticRec: StoredVector | null = null;
    for (const rec of stored) {
      if (rec.revision !== page.revision || !isWellFormed(rec)) continue;
      if (rec.model === STATIC_MODEL) staticRec = rec;
      else this.#model(rec.model, rec.dims).setQuantised(path, int8(rec));
    }
    const sections = staticRec === null ? null : decodeSections(staticRec.sections, staticRec.dims);
    if (computed) this.#static(path, computed, sections);
    else if (staticRec !== null) {
      this.#model(STATIC_MODEL, staticRec.dims).setQuantised(path, int8(staticRec), fitting(sections, staticRec.dims));
    } else if (meaningLayerOn()) this.#pending.set(path, { title: page.title, body: page.body });
  }

  /** Sets a page's static vector and section vectors (of the vector's dimension). */
  #static(path: string, v: Float32Array, sections: SectionRows | null): void {
    this.set(STATIC_MODEL, path, v, fitting(sections, v.length));
  }

  /** Sets one model's vector of a page (a remote embedder's, after a background re-embed), and its section vectors. */
  set(model: string, path: string, v: Float32Array, sections: SectionRows | null = null): void {
    this.#model(model, v.length).set(path, v, sections);
  }

  /** The vectors of `model`, started afresh when `dims` is not theirs (a model's dimension is fixed: it changed). */
  #model(model: string, dims: number): ModelVectors {
    let m = this.#byModel.get(model);
    if (!m || m.dims !== dims) this.#byModel.set(model, m = new ModelVectors(dims));
    return m;
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
    for (const [path, p] of this.#pending) {
      const sections = decodeSections(embedSections(embedder, p.title, p.body), embedder.dims);
      this.#static(path, embedder.embedPage(p.title, path, p.body), sections);
    }
    this.#pending.clear();
  }

  /** Number of section vectors of a page (0 without them). */
  sectionCount(path: string): number {
    const m = this.#byModel.get(STATIC_MODEL);
    const slot = m?.slotOf.get(path);
    return slot === undefined ? 0 : m!.sections?.[slot]?.paths.length ?? 0;
  }

  /** True when the page has a vector of `model`. */
  has(path: string, model: string = STATIC_MODEL): boolean {
    return this.#byModel.get(model)?.slotOf.has(path) ?? false;
  }

  /** A page's vector of `model` (a unit vector, a copy), or undefined. */
  vectorOf(path: string, model: string = STATIC_MODEL): Float32Array | undefined {
    return this.#byModel.get(model)?.get(path);
  }

  /**
   * The `limit` pages most similar to `query` (a unit vector of `model`) with a score of at least `minScore`,
   * best first, ties by path; pages in `exclude` are skipped. A page scores the best of its vector and its section
   * vectors (unless `sections` is false). Call {@link ready} first for the static model.
   */
  search(
    query: Float32Array,
    limit: number,
    opts: { model?: string; minScore?: number; exclude?: { has(path: string): boolean }; sections?: boolean } = {},
  ): VectorHit[] {
    const vectors = this.#byModel.get(opts.model ?? STATIC_MODEL);
    const min = opts.minScore ?? -Infinity;
    const top: VectorHit[] = [];
    if (!vectors || limit <= 0 || vectors.dims !== query.length) return top;
    const { dims, slab, factors, paths } = vectors;
    const sections = opts.sections === false ? null : vectors.sections;
    for (let slot = 0, base = 0; slot < paths.length; slot++, base += dims) {
      const path = paths[slot];
      if (path === undefined) continue;
      let s = 0;
      for (let d = 0; d < dims; d++) s += query[d] * slab[base + d];
      s *= factors[slot];
      const rows = sections?.[slot];
      let section: string | undefined;
      if (rows) {
        const best = bestSection(rows, query);
        if (best.score > s) {
          s = best.score;
          if (rows.paths[best.row] !== "") section = rows.paths[best.row];
        }
      }
      if (s < min) continue;
      const last = top.length === limit ? top[limit - 1] : null;
      if (last !== null && (s < last.score || (s === last.score && path > last.path))) continue;
      if (opts.exclude?.has(path)) continue;
      let i = top.length;
      while (i > 0 && (top[i - 1].score < s || (top[i - 1].score === s && top[i - 1].path > path))) i--;
      top.splice(i, 0, section === undefined ? { path, score: s } : { path, score: s, section });
      if (top.length > limit) top.pop();
    }
    return top;
  }
}

/** True when a stored record's components are as many as it says, with a usable scale. */
function isWellFormed(rec: StoredVector): boolean {
  return rec.q instanceof Uint8Array && rec.q.length === rec.dims && rec.dims > 0 && rec.scale > 0;
}

/** A well-formed record's components as int8 (a view, no copy). */
function int8(rec: StoredVector): Int8Array {
  return new Int8Array(rec.q.buffer, rec.q.byteOffset, rec.q.length);
}

/** Section vectors when they have `dims` components each, else null. */
function fitting(sections: SectionRows | null, dims: number): SectionRows | null {
  return sections !== null && sections.q.length === sections.paths.length * dims ? sections : null;
}
