/**
 * @module
 * One model's page vectors in memory (lib/wiki/meaning/vector_index.ts): int8 components in one growable slab, a
 * slot per page, and per slot the factor that turns a dot product with a unit query into the cosine. A page vector
 * takes `dims` bytes (100 for the static layer), a quarter of a Float32 copy, and is exactly what every instance
 * loads from its stored record (lib/wiki/meaning/vector_store.ts keeps vectors as int8 too), so a page scores the
 * same on the instance that wrote it as on the others.
 */
import type { SectionRows } from "./section_vectors.ts";

/** Slots of a new slab. */
const INITIAL_SLOTS = 64;

/** One model's vectors: see the module doc. */
export class ModelVectors {
  /** Components, `dims` a slot. */
  slab: Int8Array;
  /** Per slot: 1 / |q| (0 for an all-zero vector), so `dot(query, q) * factor` is the cosine. */
  factors: Float32Array;
  /** Page of each slot (undefined: free). */
  readonly paths: (string | undefined)[] = [];
  /** Slot of each page. */
  readonly slotOf = new Map<string, number>();
  /** Section vectors by slot (created when a page first has some). */
  sections: (SectionRows | undefined)[] | null = null;
  readonly #free: number[] = [];

  /** Vectors of `dims` components. */
  constructor(readonly dims: number) {
    this.slab = new Int8Array(dims * INITIAL_SLOTS);
    this.factors = new Float32Array(INITIAL_SLOTS);
  }

  /** Sets a page's vector from a float vector (quantised here: int8, one scale, max |x| / 127). */
  set(path: string, v: Float32Array, sections: SectionRows | null = null): void {
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    const scale = max / 127 || 1;
    const slot = this.#slotFor(path, sections);
    const base = slot * this.dims;
    for (let d = 0; d < this.dims; d++) this.slab[base + d] = Math.round(v[d] / scale);
    this.factors[slot] = this.#inverseNorm(base);
  }

  /** Sets a page's vector from stored int8 components (`dims` of them; the caller checked the length). */
  setQuantised(path: string, q: Int8Array, sections: SectionRows | null = null): void {
    const slot = this.#slotFor(path, sections);
    this.slab.set(q, slot * this.dims);
    this.factors[slot] = this.#inverseNorm(slot * this.dims);
  }

  /** Drops the slab's spare capacity. */
  compact(): void {
    const slots = Math.max(1, this.paths.length);
    if (slots < this.factors.length) {
      this.slab = this.slab.slice(0, slots * this.dims);
      this.factors = this.factors.slice(0, slots);
    }
  }

  /** Forgets a page's vector (no-op when absent). */
  delete(path: string): void {
    const slot = this.slotOf.get(path);
    if (slot === undefined) return;
    this.slotOf.delete(path);
    this.paths[slot] = undefined;
    if (this.sections !== null) this.sections[slot] = undefined;
    this.#free.push(slot);
  }

  /** A page's vector as a unit float vector (a copy), or undefined. */
  get(path: string): Float32Array | undefined {
    const slot = this.slotOf.get(path);
    if (slot === undefined) return undefined;
    const out = new Float32Array(this.dims);
    const f = this.factors[slot];
    for (let d = 0, base = slot * this.dims; d < this.dims; d++) out[d] = this.slab[base + d] * f;
    return out;
  }

  /** The slot of `path` (a free or new one for a new page, growing the slab), with its section vectors set. */
  #slotFor(path: string, sections: SectionRows | null): number {
    let slot = this.slotOf.get(path);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.paths.length;
      if (slot >= this.factors.length) {
        const slab = new Int8Array(this.slab.length * 2);
        slab.set(this.slab);
        this.slab = slab;
        const factors = new Float32Array(this.factors.length * 2);
        factors.set(this.factors);
        this.factors = factors;
      }
      this.slotOf.set(path, slot);
      this.paths[slot] = path;
    }
    if (sections !== null) (this.sections ??= [])[slot] = sections;
    else if (this.sections !== null) this.sections[slot] = undefined;
    return slot;
  }

  /** 1 / |q| of the vector at `base` (0 when it is all zeros). */
  #inverseNorm(base: number): number {
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += this.slab[base + d] * this.slab[base + d];
    return norm > 0 ? 1 / Math.sqrt(norm) : 0;
  }
}
