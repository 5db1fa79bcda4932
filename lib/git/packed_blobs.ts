/**
 * @module
 * The pack entries of a history's blobs, made while the history is indexed (lib/git/history.ts) so that the pack of
 * a whole clone does not read every page text again: each blob's entry (type-and-size header and zlib data, as
 * lib/git/pack.ts writes it) appended to 1 MB slabs in the order the pack sends them. Taken by the first pack.
 */
import { type Oid, OidList } from "./objects.ts";

/** Bytes of one slab (a larger entry gets a slab of its own). */
const SLAB = 1024 * 1024;

/** Blob pack entries in send order, with their ids. */
export class PackedBlobs {
  readonly #oids = new OidList();
  readonly #slabs: Uint8Array[] = [];
  /** Per entry: slab number, offset in it, length. */
  readonly #at: number[] = [];
  #used = SLAB;
  #bytes = 0;

  /** Entries held. */
  get count(): number {
    return this.#oids.length;
  }

  /** Bytes held by the entries. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends the pack entry of blob `oid`. */
  append(oid: Oid, entry: Uint8Array): void {
    if (this.#used + entry.length > SLAB) {
      this.#slabs.push(new Uint8Array(Math.max(SLAB, entry.length)));
      this.#used = 0;
    }
    const slab = this.#slabs.length - 1;
    this.#slabs[slab].set(entry, this.#used);
    this.#at.push(slab, this.#used, entry.length);
    this.#used += entry.length;
    this.#bytes += entry.length;
    this.#oids.push(oid);
  }

  /** Every entry in the order appended: the blob's id and its entry bytes (a view into a slab). */
  *entries(): Generator<{ oid: Oid; entry: Uint8Array }> {
    for (let i = 0; i < this.#oids.length; i++) {
      const [slab, at, length] = [this.#at[3 * i], this.#at[3 * i + 1], this.#at[3 * i + 2]];
      yield { oid: this.#oids.at(i), entry: this.#slabs[slab].subarray(at, at + length) };
    }
  }
}
